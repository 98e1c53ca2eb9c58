"""Issue 15, point 3, end to end: a blob damaged on the server's disk is found by the
scrubber (`kiosk-central scrub`, a real process) and healed by the station that recorded it,
from its own copy, at its next reconciliation: nobody is recorded again."""

from __future__ import annotations

import json
import subprocess

from harness import CENTRAL, CentralProcess, assert_delivered, link, make_station, record_ids

from central.database import open_database
from central.db_sqlite import sqlite_url
from central.scrub_state import scrub_report
from kiosk.sync.engine import run_until_idle
from kiosk.sync.link import open_engine

COLS = "id, regno, created_at, manifest_sha256, receipt, state"


def _sync(store) -> None:
    """A new worker's run: a full reconciliation first, then whatever it asks for."""
    engine = open_engine(store)
    try:
        assert run_until_idle(engine, 60), engine.state()
    finally:
        engine.close()


def test_a_blob_damaged_on_the_server_is_found_by_the_scrubber_and_healed_by_the_station(
        tmp_path):
    server = CentralProcess(tmp_path / "central")
    store = make_station(tmp_path / "station", 2)
    try:
        link(store, server.url, server.add_station("kec-scrub"))
        _sync(store)
        assert_delivered(store, server)
        rid = record_ids(store)[0]
        before = store.db.execute(f"SELECT {COLS} FROM records ORDER BY id").fetchall()
        sha = store.blob_rows(rid)[0]["sha256"]
        path = server.data_dir / "blobs" / sha[:2] / sha
        damaged = bytearray(path.read_bytes())
        damaged[len(damaged) // 2] ^= 0xFF
        path.write_bytes(damaged)

        done = subprocess.run([CENTRAL, "scrub", "--data-dir", str(server.data_dir), "--json"],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 1, done.stderr
        assert [(p["sha256"], p["problem"], p["records"], p["stations"])
                for p in json.loads(done.stdout)["problems"]] == [
            (sha, "damaged", [rid], ["kec-scrub"])]

        _sync(store)

        assert_delivered(store, server)  # verified again, identical bytes on the server
        assert path.read_bytes() == store.blob(rid, store.blob_rows(rid)[0]["kind"])
        after = store.db.execute(f"SELECT {COLS} FROM records ORDER BY id").fetchall()
        assert after == before  # the same records, the same receipts: nobody re-recorded
        missing = [i for i in store.incidents() if i["kind"] == "record_missing_on_server"]
        assert len(missing) == 1 and rid in missing[0]["detail"] and missing[0]["ended_at"]
        with open_database(sqlite_url(server.data_dir / "central.db")) as db:
            report = scrub_report(db)
        assert report["open"] == [] and [f["sha256"] for f in report["healed"]] == [sha]
        assert report["healed"][0]["records"] == [rid]
    finally:
        store.close()
        server.stop()
