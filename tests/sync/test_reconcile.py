"""Reconciliation, processing status and retention against a real central server."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess

from harness import CENTRAL, assert_delivered

from kiosk.sync.engine import run_until_idle
from kiosk.sync.link import open_engine


def _drain(store, timeout: float = 60.0):
    engine = open_engine(store)
    try:
        assert run_until_idle(engine, timeout), engine.state()
        return engine.state()
    finally:
        engine.close()


def test_until_idle_reaches_verified_through_a_reconciliation(new_station, central):
    """Received is not enough: the run ends only once a reconciliation found every record."""
    store = new_station(2)
    state = _drain(store)
    assert state.backlog == {"saved": 0, "uploading": 0, "received": 0, "verified": 2}
    actions = [r[0] for r in store.db.execute("SELECT action FROM audit ORDER BY seq")]
    assert actions.count("record.received") == 2 and actions.count("record.verified") == 2
    assert actions.index("record.verified") > actions.index("record.received")
    assert_delivered(store, central.data_dir)


def test_server_amnesia_is_repaired_by_the_next_reconciliation(new_station, central):
    """Records and blobs deleted on the server behind its back are re-sent; incidents say so."""
    store = new_station(3)
    _drain(store)
    ids = [r[0] for r in store.db.execute("SELECT id FROM records ORDER BY created_at")]
    lost_blob = store.blob_rows(ids[1])[0]["sha256"]
    conn = sqlite3.connect(central.data_dir / "central.db")
    conn.execute("DELETE FROM record_blobs WHERE record_id = ?", [ids[0]])
    conn.execute("DELETE FROM records WHERE record_id = ?", [ids[0]])
    conn.commit()
    conn.close()
    (central.data_dir / "blobs" / lost_blob[:2] / lost_blob).unlink()

    _drain(store)  # a new worker reconciles when it starts

    missing = [i for i in store.incidents() if i["kind"] == "record_missing_on_server"]
    assert sorted(ids[0] in i["detail"] or ids[1] in i["detail"] for i in missing) == [True, True]
    requeued = [r[0] for r in store.db.execute(
        "SELECT detail FROM audit WHERE action = 'record.requeued'")]
    assert len(requeued) == 2
    assert_delivered(store, central.data_dir)


def test_rejected_record_shows_the_reason_on_the_station(new_station, central):
    """`kiosk-central reject` reaches the station's record with its reason."""
    store = new_station(2)
    _drain(store)
    rid = store.db.execute("SELECT id FROM records ORDER BY created_at").fetchone()[0]
    subprocess.run([CENTRAL, "reject", "--data-dir", str(central.data_dir), rid,
                    "--reason", "foto buram / blurred photo"], check=True, capture_output=True)
    engine = open_engine(store)
    try:
        engine.reconcile(full=True)
    finally:
        engine.close()
    row = store.find(rid)[0]
    assert row["processing_status"] == "rejected"
    assert row["reject_reason"] == "foto buram / blurred photo"
    other = store.db.execute("SELECT processing_status FROM records WHERE id != ?", [rid])
    assert [r[0] for r in other] == ["received"]


def test_verified_blobs_are_purged_after_retention_and_the_row_stays(new_station, central):
    """After retention days the biometrics go; the record row and its receipt stay."""
    store = new_station(2, **{"sync.retention_days": 3})
    _drain(store)
    engine = open_engine(store)
    try:
        assert engine.purge() == 0  # verified just now: kept
        real = store.clock
        store.clock = lambda: real() + dt.timedelta(days=4)
        assert engine.purge() == 2
    finally:
        engine.close()
    rows = list(store.db.execute("SELECT receipt, purged_at, state FROM records"))
    assert all(r[0] and r[1] and r[2] == "verified" for r in rows)
    kept = store.db.execute("SELECT COUNT(*) FROM blobs WHERE sealed IS NOT NULL").fetchone()[0]
    assert kept == 0
    assert store.db.execute("SELECT COUNT(*) FROM audit WHERE action = 'record.purged'"
                            ).fetchone()[0] == 2


def test_each_contact_notes_the_clock_difference_and_a_wrong_clock_freezes_recording(
    new_station, central
):
    """The freeze gate reads what sync measured: a station clock 20 minutes fast is refused."""
    from kiosk.app import gates
    from kiosk.store.db import utcnow

    store = new_station(1)
    _drain(store)
    assert abs(float(store.meta("server_clock_skew_seconds"))) < 5
    assert gates.clock_reason(store) is None
    store.clock = lambda: utcnow() + dt.timedelta(minutes=20)
    _drain(store)
    assert 1190 < float(store.meta("server_clock_skew_seconds")) < 1210
    reason = gates.clock_reason(store)
    assert reason is not None and "20 menit lebih cepat" in reason.id


def test_a_paused_worker_delivers_nothing_until_resumed(new_station, central):
    """A supervisor's pause holds delivery (the state says so); resuming drains the backlog."""
    import threading

    from kiosk.sync.worker import SyncWorker

    store = new_station(2)
    states = []
    paused, idle = threading.Event(), threading.Event()

    def on_state(st) -> None:
        states.append(st)
        (paused if st.link == "paused" else idle if st.idle else threading.Event()).set()

    from kiosk.settings import Settings
    from kiosk.store.station import Store

    worker = SyncWorker(lambda: Store(store.data_dir, Settings.load(store.settings.path)),
                        on_state)
    worker.pause()
    thread = threading.Thread(target=worker.run)
    thread.start()
    try:
        assert paused.wait(20)
        assert not idle.is_set() and states[-1].backlog["saved"] == 2
        worker.resume()
        assert idle.wait(30)
    finally:
        worker.stop()
        thread.join(20)
    assert_delivered(store, central.data_dir)


def test_the_last_delivery_time_survives_a_restart(new_station, central):
    """`last_success` is kept in the database: a station restarted with the server gone still
    knows when it last delivered (home shows it instead of "never")."""
    from harness import free_port

    store = new_station(1)
    first = _drain(store).last_success
    assert first
    store.settings.set("sync.server_url", f"http://127.0.0.1:{free_port()}")
    engine = open_engine(store)
    try:
        assert engine.state().last_success == first
        engine.step()
        assert engine.last_state.link == "offline" and engine.last_state.last_success == first
    finally:
        engine.close()
