"""`make run` twice on the same demo dir: the demo's central server keeps its data beside the
station's, so the second run finds the first's records (same server key), the station talks to
the address the server listens on now, incidents end when their cause does, and nothing is
left in the temporary folder."""

from __future__ import annotations

import socket
import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kiosk.demo.central import central_dir
from kiosk.demo.environment import DemoEnvironment, start_demo
from kiosk.demo.records import demo_recording
from kiosk.domain.regions import RegionTable
from kiosk.settings import Settings
from kiosk.store.station import Store
from kiosk.sync.engine import run_until_idle
from kiosk.sync.link import open_engine


@pytest.fixture
def private_tmp(tmp_path, monkeypatch) -> Path:
    """The system temp dir of this test and of every child it starts."""
    folder = tmp_path / "systemp"
    folder.mkdir()
    monkeypatch.setenv("TMPDIR", str(folder))
    monkeypatch.setattr(tempfile, "tempdir", None)  # gettempdir() reads TMPDIR again
    assert tempfile.gettempdir() == str(folder)
    return folder


@pytest.fixture
def demo_dir(tmp_path) -> Path:
    folder = tmp_path / "share" / "demo"
    folder.mkdir(parents=True)
    (folder / "settings.toml").touch()  # as `kiosk --demo` does
    return folder


def one_run(demo_dir: Path, cache: Path, body: Callable[[Store, DemoEnvironment], Any]) -> Any:
    """What one `kiosk --demo` does before and after its window: load the settings, open the
    store, start the demo (devices, server), then `body`, then stop everything."""
    settings_path = demo_dir / "settings.toml"
    store = Store(demo_dir, Settings.load(settings_path))
    env = start_demo(store, settings_path, cache_dir=cache)
    try:
        assert env.central_running, env.problems
        return body(store, env)
    finally:
        env.stop()
        store.close()


def record(store: Store, n: int) -> None:
    regions = RegionTable.load()
    start = store.db.execute("SELECT COUNT(*) FROM records").fetchone()[0]
    for i in range(n):
        store.save_recording(demo_recording(start + i + 1, store.settings["station.kecamatan"],
                                            regions, store.today()), "demo")


def deliver(store: Store, url: str) -> None:
    """The sync worker's engine (opened from the store's settings, as the GUI's is): its
    address is the server's, and it reaches idle."""
    engine = open_engine(store)
    try:
        assert engine.client.base_url == url
        assert run_until_idle(engine, 60), engine.last_state.why_not_idle()
    finally:
        engine.close()


def server_records(store: Store) -> set[str]:
    conn = sqlite3.connect(central_dir(store.data_dir) / "central.db")
    try:
        return {r[0] for r in conn.execute("SELECT record_id FROM records")}
    finally:
        conn.close()


def open_missing(store: Store) -> list[dict]:
    return [i for i in store.incidents() if i["kind"] == "record_missing_on_server"
            and i["ended_at"] is None]


def requeued(store: Store) -> int:
    return store.db.execute(
        "SELECT COUNT(*) FROM audit WHERE action = 'record.requeued'").fetchone()[0]


def test_a_second_run_finds_its_server_data_on_a_new_port_and_leaves_no_temp(
        demo_dir, private_tmp, tmp_path):
    cache = tmp_path / "cache"

    def first(store: Store, env: DemoEnvironment) -> tuple[str, str, set[str]]:
        record(store, 3)
        deliver(store, env.central_url)
        return env.central_url, store.meta("sync.server_public_key"), server_records(store)

    url1, key1, held1 = one_run(demo_dir, cache, first)
    assert len(held1) == 3
    blocker = socket.socket()  # the first run's port is taken now: the server must move
    blocker.bind(("127.0.0.1", int(url1.rsplit(":", 1)[1])))
    blocker.listen()

    def second(store: Store, env: DemoEnvironment) -> str:
        assert env.central_url != url1
        assert store.settings["sync.server_url"] == env.central_url  # what the GUI reads
        assert Settings.load(demo_dir / "settings.toml")["sync.server_url"] == env.central_url
        assert store.meta("sync.server_public_key") == key1  # the same server, key pinned
        assert server_records(store) == held1  # it still holds the first run's records
        deliver(store, env.central_url)  # a full reconciliation: all found, none re-sent
        assert requeued(store) == 0 and not open_missing(store)
        record(store, 1)
        deliver(store, env.central_url)
        assert len(server_records(store)) == 4
        states = {r[0] for r in store.db.execute("SELECT state FROM records")}
        assert states == {"verified"}
        return env.central_url

    try:
        one_run(demo_dir, cache, second)
    finally:
        blocker.close()
    assert list(private_tmp.iterdir()) == []


def test_records_the_server_lost_are_re_sent_and_their_incidents_end(demo_dir, private_tmp,
                                                                      tmp_path):
    """The demo server loses two records between runs: the next run re-sends them (an
    incident each), and once they are verified again the incidents are over; the port was
    free, so it is the same address as before."""
    cache = tmp_path / "cache"

    def first(store: Store, env: DemoEnvironment) -> tuple[str, list[str]]:
        record(store, 4)
        deliver(store, env.central_url)
        ids = [r[0] for r in store.db.execute("SELECT id FROM records ORDER BY created_at")]
        return env.central_url, ids

    url1, ids = one_run(demo_dir, cache, first)
    conn = sqlite3.connect(central_dir(demo_dir) / "central.db")
    for rid in ids[:2]:
        conn.execute("DELETE FROM record_blobs WHERE record_id = ?", [rid])
        conn.execute("DELETE FROM records WHERE record_id = ?", [rid])
    conn.commit()
    conn.close()

    def second(store: Store, env: DemoEnvironment) -> None:
        assert env.central_url == url1
        deliver(store, env.central_url)
        assert requeued(store) == 2
        kinds = [i for i in store.incidents() if i["kind"] == "record_missing_on_server"]
        assert len(kinds) == 2 and all(i["ended_at"] for i in kinds)
        assert server_records(store) == set(ids)

    one_run(demo_dir, cache, second)
    assert list(private_tmp.iterdir()) == []


def test_an_outage_left_open_by_a_closed_window_ends_when_the_next_run_reaches_the_server(
        demo_dir, private_tmp, tmp_path):
    """The demo server is switched off, the station notes the outage and the window closes;
    the next run reaches its server again and the outage incident is over (one incident for
    the whole outage, not a new one per run)."""
    cache = tmp_path / "cache"

    def first(store: Store, env: DemoEnvironment) -> None:
        record(store, 1)
        deliver(store, env.central_url)
        env.stop_central()
        engine = open_engine(store)
        try:
            engine.step()
            assert engine.last_state.link == "offline"
        finally:
            engine.close()

    one_run(demo_dir, cache, first)

    def second(store: Store, env: DemoEnvironment) -> None:
        outages = [i for i in store.incidents() if i["kind"] == "server_unreachable"]
        assert len(outages) == 1 and outages[0]["ended_at"] is None
        deliver(store, env.central_url)
        outages = [i for i in store.incidents() if i["kind"] == "server_unreachable"]
        assert len(outages) == 1 and outages[0]["ended_at"] is not None

    one_run(demo_dir, cache, second)
