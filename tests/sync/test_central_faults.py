"""Faults under the two-process production set-up (tests/sync/test_central_cluster.py): the
database restarted, the object store stopped, one server process killed, each in the middle
of a station's sync. The station sees 503s and cut connections, retries, and every record
ends verified, held once; the servers answer no 500 (no traceback in their logs)."""

from __future__ import annotations

import threading
import time

from cluster import Cluster
from harness import assert_delivered, link, make_station
from test_central_cluster import cluster  # noqa: F401

from kiosk.sync.engine import run_until_idle
from kiosk.sync.link import open_engine
from tests.central.services import haproxy

RECORDS = 12


def _sync_through(cluster: Cluster, tmp_path, backends: list[str], fault) -> None:  # noqa: F811
    """A station with RECORDS records syncs through HAProxy over `backends`; `fault()` runs
    once the first records are in PostgreSQL (the sync still going); then it must finish."""
    with haproxy(backends, tmp_path) as front:
        store = make_station(tmp_path / "station", RECORDS,
                             extra={"sync.request_timeout": 8.0})
        try:
            link(store, front, cluster.cli("station", "add", "kec-f"))
            outcome: dict[str, object] = {}

            def drain() -> None:
                engine = open_engine(store)
                try:
                    outcome["idle"] = run_until_idle(engine, 240)
                    outcome["state"] = engine.state()
                finally:
                    engine.close()

            worker = threading.Thread(target=drain)
            worker.start()
            deadline = time.monotonic() + 120
            while len(cluster.rows()) < 2 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert len(cluster.rows()) < RECORDS, "the sync ended before the fault"
            fault()
            worker.join(300)
            assert outcome.get("idle"), outcome
            assert_delivered(store, cluster)
            assert len(cluster.rows()) == RECORDS
        finally:
            store.close()


def test_postgresql_restarted_mid_sync(production, cluster, tmp_path):  # noqa: F811
    pg, _ = production
    a, b = cluster.serve(), cluster.serve()

    def restart() -> None:
        pg.stop()
        time.sleep(2)  # long enough for requests to meet the database down
        pg.start()

    _sync_through(cluster, tmp_path, [a, b], restart)
    logs = cluster.logs()  # the servers met the outage: a 503 answered, or the pool's retries
    assert "database unavailable on" in logs or "error connecting in 'central-db'" in logs


def test_the_object_store_stopped_mid_upload(production, cluster, tmp_path):  # noqa: F811
    _, s3 = production
    a, b = cluster.serve(), cluster.serve()

    def outage() -> None:
        s3.stop()
        time.sleep(3)
        s3.start()

    _sync_through(cluster, tmp_path, [a, b], outage)
    assert "blob store unavailable" in cluster.logs()


def test_one_of_two_processes_killed_mid_request(cluster, tmp_path):  # noqa: F811
    a, b = cluster.serve(), cluster.serve()
    _sync_through(cluster, tmp_path, [a, b], lambda: cluster.procs[0][0].kill())
    assert cluster.procs[0][0].poll() is not None
