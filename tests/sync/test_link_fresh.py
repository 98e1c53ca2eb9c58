"""The link state is fresh while nothing is queued: a server that dies, or goes silent as a
host gone from the network does, shows as offline within 15 s, with the station's default
timeouts (60 s for a request); and the light check that does it costs a few requests a minute."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest
from faultproxy import FaultProxy
from harness import CentralProcess, link, make_station

from kiosk.settings import Settings
from kiosk.store.station import Store
from kiosk.sync.engine import SyncState
from kiosk.sync.worker import SyncWorker

DEFAULT_TIMEOUTS = {"sync.health_timeout": 3.0, "sync.request_timeout": 60.0}


class Watched:
    """A SyncWorker on its thread, its reported states kept with their times."""

    def __init__(self, data_dir, settings: Settings) -> None:
        self.states: list[tuple[float, SyncState]] = []
        self.worker = SyncWorker(lambda: Store(data_dir, settings), self._seen)
        self.thread = threading.Thread(target=self.worker.run, daemon=True)
        self.thread.start()

    def _seen(self, st: SyncState) -> None:
        self.states.append((time.monotonic(), st))

    @property
    def last(self) -> SyncState | None:
        return self.states[-1][1] if self.states else None

    def wait(self, pred, timeout: float) -> float | None:
        """Seconds until `pred(last state)` held, or None after `timeout`."""
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            if self.last is not None and pred(self.last):
                return time.monotonic() - t0
            time.sleep(0.05)
        return None

    def stop(self) -> None:
        self.worker.stop()
        self.thread.join(90)


@pytest.fixture
def idle_station(tmp_path):
    """(central process, data dir, settings): a station with one record, delivered, linked to
    its own real kiosk-central (this test kills it), default request timeouts."""
    central = CentralProcess(tmp_path / "central")
    store = make_station(tmp_path / "station", 1, extra=DEFAULT_TIMEOUTS)
    link(store, central.url, central.add_station("fresh"))
    settings = store.settings
    store.close()
    yield central, tmp_path / "station", settings
    if central.proc.poll() is None:
        os.kill(central.proc.pid, signal.SIGCONT)
    central.stop()


@pytest.mark.parametrize("how", ["killed", "silent"])
def test_a_server_gone_while_the_queue_is_empty_is_offline_within_15_s(idle_station, how):
    central, data_dir, settings = idle_station
    assert settings["sync.request_timeout"] == 60.0
    watched = Watched(data_dir, settings)
    try:
        assert watched.wait(lambda st: st.idle and st.link == "online", 60) is not None
        time.sleep(settings["sync.link_check_seconds"] + 1)  # well into the idle rhythm
        if how == "killed":
            central.proc.kill()
            central.proc.wait()
        else:  # frozen: connections open, nothing answers, as a host off the network
            os.kill(central.proc.pid, signal.SIGSTOP)
        took = watched.wait(lambda st: st.link != "online", 20)
        assert took is not None and took <= 15.0, (how, took, watched.last)
        assert watched.last.link == "offline"
    finally:
        if how == "silent":
            os.kill(central.proc.pid, signal.SIGKILL)
        watched.stop()


def test_the_idle_check_costs_a_few_light_requests_a_minute(idle_station):
    """Idle for 30 s behind a counting proxy: one health check and one status-changes
    question a round (every sync.link_check_seconds), nothing else."""
    central, data_dir, settings = idle_station
    with FaultProxy(central.port) as proxy:
        settings.set("sync.server_url", proxy.url)
        watched = Watched(data_dir, settings)
        try:
            assert watched.wait(lambda st: st.idle and st.link == "online", 60) is not None
            time.sleep(1.0)
            start = len(proxy.stats.requests)
            t0 = time.monotonic()
            time.sleep(30.0)
            seen = proxy.stats.requests[start:]
            minutes = (time.monotonic() - t0) / 60
        finally:
            watched.stop()
    per_minute = len(seen) / minutes
    paths = {p.split("?")[0] for _, _, p in seen}
    rounds = 60 / settings["sync.link_check_seconds"]
    print(f"idle requests per minute: {per_minute:.1f} ({sorted(paths)})")
    assert paths <= {"/v1/health", "/v1/status-changes"}, paths
    assert "/v1/health" in paths
    assert per_minute <= 2 * rounds + 2, per_minute
