"""One rotten record never stops delivery: bit rot in one sealed blob of six, against a real
central server, in the engine and through `kiosk sync --until-idle` and `kiosk db check`."""

from __future__ import annotations

import datetime as dt
import json
import subprocess

from harness import KIOSK, record_ids, rot_blob, server_view

from kiosk.store.integrity import check
from kiosk.sync.engine import run_until_idle
from kiosk.sync.link import open_engine


def _faults(store) -> list[dict]:
    return [i for i in store.incidents() if i["kind"] == "record_fault"]


def _assert_five_delivered(store, central, rotten: str) -> None:
    view = server_view(central.data_dir)
    for rid, state in store.db.execute("SELECT id, state FROM records"):
        if rid == rotten:
            assert state == "saved" and rid not in view
        else:
            assert state == "verified" and view[rid]["count"] == 1
            for b in store.blob_rows(rid):
                assert view[rid]["blobs"][b["sha256"]] == store.blob(rid, b["kind"])


def test_a_rotten_blob_faults_its_record_and_the_five_others_are_delivered(
    new_station, central
):
    """The rotten record gets its error, a later retry and one incident naming it; the run
    ends (not idle) instead of dying; retries later open no second incident."""
    store = new_station(6)
    ids = record_ids(store)
    rotten = ids[2]
    regno = store.outbox.regno(rotten)
    rot_blob(store, rotten)

    engine = open_engine(store)
    try:
        assert run_until_idle(engine, 60) is False
        st = engine.last_state
        assert st.link == "online" and st.reconciled and st.faulted == (regno,)
        assert st.only_faults_left and not st.idle
        assert any(regno in m.id and regno in m.en for m in st.why_not_idle())
        _assert_five_delivered(store, central, rotten)

        error, attempts, next_at = store.db.execute(
            "SELECT last_error, attempts, next_attempt_at FROM outbox WHERE record_id = ?",
            [rotten]).fetchone()
        assert error.startswith("fault: DecryptionFailed") and attempts >= 1 and next_at
        (incident,) = _faults(store)
        assert regno in incident["detail"] and rotten in incident["detail"]
        assert incident["ended_at"] is None

        real = store.clock
        for hours in (1, 2, 3):  # its retry time comes round again, and again
            store.clock = lambda h=hours: real() + dt.timedelta(hours=h)
            engine.step()
        assert store.outbox.attempts(rotten) == attempts + 3
        assert len(_faults(store)) == 1
        (fault,) = store.outbox.faults()
        assert (fault.regno, fault.attempts) == (regno, attempts + 3)
        assert fault.since is not None and fault.error.startswith("DecryptionFailed")
    finally:
        engine.close()
    assert any(regno in f and "does not decrypt" in f for f in check(store))


def test_sync_until_idle_exits_1_naming_the_rotten_record_and_db_check_names_it(
    subprocess_env, new_station, central, tmp_path
):
    """As commands: no traceback on the terminal (it is in the station log), the five others
    delivered, exit 1 with the reason naming the record."""
    subprocess_env["XDG_STATE_HOME"] = str(tmp_path / "state")
    store = new_station(6)
    rotten = record_ids(store)[4]
    regno = store.outbox.regno(rotten)
    rot_blob(store, rotten)
    data, config = store.data_dir, store.settings.path
    store.close()
    args = ["--data-dir", str(data), "--config", str(config)]

    done = subprocess.run([KIOSK, "sync", "--until-idle", "--timeout", "60", "--json", *args],
                          env=subprocess_env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    result = json.loads(done.stdout)
    assert result["backlog"]["verified"] == 5 and result["backlog"]["saved"] == 1
    assert result["faulted"] == [regno]
    assert any(regno in why for why in result["why"])

    text = subprocess.run([KIOSK, "sync", "--until-idle", "--timeout", "30", *args],
                          env=subprocess_env, capture_output=True, text=True, timeout=120)
    assert text.returncode == 1 and "Traceback" not in text.stderr
    assert regno in text.stderr
    log = (tmp_path / "state" / "ektp-kiosk" / "log" / "kiosk.log").read_text()
    assert "DecryptionFailed" in log and "Traceback" in log and regno in log

    db = subprocess.run([KIOSK, "db", "check", *args], env=subprocess_env,
                        capture_output=True, text=True, timeout=120)
    assert db.returncode != 0 and regno in db.stdout + db.stderr
