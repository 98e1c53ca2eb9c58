"""The centre's decisions reach the station within one sync round (`GET /v1/status-changes`),
what the server holds of the station is noted at each contact (`GET /v1/station`), and a
server without either call still works through the full reconciliation."""

from __future__ import annotations

import subprocess

from faultproxy import FaultProxy, Faults
from harness import CENTRAL, assert_delivered, record_ids

from kiosk.store.outbox import STATUS_CURSOR
from kiosk.store.station import SERVER_LAST_REGNO
from kiosk.sync.engine import run_until_idle
from kiosk.sync.link import open_engine


def _decide(central, record_id: str, *args: str) -> None:
    subprocess.run([CENTRAL, *args, "--data-dir", str(central.data_dir), record_id],
                   check=True, capture_output=True)


def _audited(store, action: str) -> int:
    return store.db.execute("SELECT COUNT(*) FROM audit WHERE action = ?",
                            [action]).fetchone()[0]


def test_a_rejection_reaches_the_station_in_one_round(new_station, central):
    """Drained, reconciled, nothing left to verify: `kiosk-central reject` then ONE step, and
    the station shows the record rejected with its reason; the next step applies nothing
    twice, and a new engine starts from the kept cursor."""
    store = new_station(3)
    engine = open_engine(store)
    try:
        assert run_until_idle(engine, 60)
        first, second, _ = record_ids(store)
        _decide(central, first, "reject", "--reason", "sidik jari buram / blurred fingers")
        _decide(central, second, "accept")
        engine.step()
        rows = {r["id"]: r for r in (store.find(first)[0], store.find(second)[0])}
        assert rows[first]["processing_status"] == "rejected"
        assert rows[first]["reject_reason"] == "sidik jari buram / blurred fingers"
        assert rows[second]["processing_status"] == "accepted"
        assert store.outbox.rejected_counts() == (1, 1)
        engine.step()
    finally:
        engine.close()
    assert int(store.meta(STATUS_CURSOR)) >= 2
    assert _audited(store, "record.rejected") == 1 and _audited(store, "record.accepted") == 1
    again = open_engine(store)
    try:
        again.step()
    finally:
        again.close()
    assert _audited(store, "record.rejected") == 1


def test_each_contact_notes_the_newest_record_the_server_holds(new_station, central):
    store = new_station(3)
    assert store.meta(SERVER_LAST_REGNO) is None
    engine = open_engine(store)
    try:
        assert run_until_idle(engine, 60)
    finally:
        engine.close()
    newest = store.db.execute(
        "SELECT regno FROM records ORDER BY created_at DESC LIMIT 1").fetchone()[0]
    assert store.meta(SERVER_LAST_REGNO) == newest


def test_a_server_without_the_new_calls_still_delivers_and_reconciles(new_station, central):
    """404 for status-changes, station and the station report (an older server): each asked
    once, not every round;
    delivery and the full reconciliation's statuses work as before."""
    old_server = Faults(not_found=("/v1/status-changes", "/v1/station"))
    with FaultProxy(central.port, faults=old_server) as proxy:
        store = new_station(2, via=proxy.url)  # set up directly, then sending via the proxy
        engine = open_engine(store)
        try:
            assert run_until_idle(engine, 60)
            for _ in range(3):
                engine.step()
            rid = record_ids(store)[0]
            _decide(central, rid, "reject", "--reason", "foto buram")
            engine.step()
            assert store.find(rid)[0]["processing_status"] == "received"  # no change log
            engine.reconcile(full=True)
            assert store.find(rid)[0]["processing_status"] == "rejected"
        finally:
            engine.close()
        asked = [p for _, _, p in proxy.stats.requests if p.startswith(old_server.not_found)]
    assert sorted(p.split("?")[0] for p in asked) == ["/v1/station", "/v1/station/report",
                                                      "/v1/status-changes"]
    assert store.outbox.status_cursor() == 0 and store.meta(SERVER_LAST_REGNO) is None
    assert_delivered(store, central.data_dir)
