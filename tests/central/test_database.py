"""central.database on both backends: SQLite in tmp_path and a real PostgreSQL (the session
cluster of tests/central/services.py). Migrations from empty and from a central.db made by
today's CentralStore, the schema checks, every operation, and the one-query reconcile."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import stat

import pytest

import ektp_protocol as protocol
from central import migrations, schema
from central.database import (
    DatabaseError,
    IntegrityError,
    SchemaOutOfDate,
    SchemaTooNew,
    open_database,
    redact_url,
)
from central.db_sqlite import sqlite_url
from central.storage import CentralStore

LABELS = [m.label for m in migrations.MIGRATIONS]


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    """An empty database of this test's own, on each backend."""
    if request.param == "sqlite":
        return sqlite_url(tmp_path / "db" / "central.db")
    return request.getfixturevalue("pg_dsn")


@pytest.fixture
def db(url):
    database = open_database(url, timeout=5)
    database.migrate()
    yield database
    database.close()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def put(db, station_id: int, record_id: str, blobs: dict[str, int], **kw):
    """put_record with a small manifest; the 'signature' names seq and time, so tests see
    that the receipt was signed over the row's own values."""
    body = json.dumps({"record_id": record_id, "regno": kw.pop("regno", record_id)}).encode()
    args = dict(station_id=station_id, record_id=record_id, manifest=body,
                manifest_sha256=kw.pop("manifest_sha256", sha(body)),
                station_signature="st-sig", created_at=kw.pop("created_at", "2026-01-01"),
                blobs=blobs, sign=lambda seq, at: f"receipt:{seq}:{at}")
    return db.put_record(**(args | kw))


def test_migrate_from_empty_then_nothing_to_do(url):
    with open_database(url, timeout=5) as db:
        with pytest.raises(SchemaOutOfDate, match="run `kiosk-central migrate`"):
            db.check()
        assert db.migrate() == LABELS
        assert db.migrate() == []
        db.check()
        assert db.schema_versions() == [m.version for m in migrations.MIGRATIONS]
    with open_database(url, timeout=5) as again:  # a second process: nothing left to do
        assert again.migrate() == []
        again.check()


def test_check_refuses_behind_and_ahead(db):
    with db.transaction() as tx:
        tx.execute("DELETE FROM schema_migrations WHERE version = ?", [migrations.LATEST])
    with pytest.raises(SchemaOutOfDate) as behind:
        db.check()
    assert f"needs {migrations.LATEST}" in str(behind.value)
    assert "kiosk-central migrate" in str(behind.value)
    with db.transaction() as tx:
        tx.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                   [migrations.LATEST + 7, "from the future", "2099-01-01"])
    with pytest.raises(SchemaTooNew, match="newer than this server"):
        db.check()
    with pytest.raises(SchemaTooNew):
        db.migrate()


def _today_store(data_dir):
    """A central.db as the CentralStore before this layer made it (central/schema.py's BASE
    and MIGRATIONS at user_version VERSION, written here with plain sqlite3 since CentralStore
    itself now runs on this layer): a station, blobs, two records with real receipts, one of
    them decided (so the status-change log has an entry)."""
    data_dir.mkdir(parents=True)
    conn = sqlite3.connect(data_dir / "central.db", isolation_level=None)
    conn.executescript(schema.BASE)
    for statements in schema.MIGRATIONS:
        for statement in statements:
            conn.execute(statement)
    conn.execute(f"PRAGMA user_version = {schema.VERSION}")
    token = "legacy-token"
    conn.execute("INSERT INTO stations (name, token_hash, created_at) VALUES (?, ?, ?)",
                 ["kec-a", hashlib.sha256(token.encode()).hexdigest(), "2026-01-01"])
    key = protocol.new_private_key()
    receipts = []
    for n in range(2):
        blob = f"photo {n}".encode()
        conn.execute("INSERT INTO blobs (station, sha256, size, stored_at) VALUES (1, ?, ?, ?)",
                     [sha(blob), len(blob), "2026-01-01"])
        manifest = {"record_id": f"rec-{n}", "station_id": "st-a", "regno": f"R{n}",
                    "created_at": f"2026-01-0{n + 1}",
                    "blobs": [{"sha256": sha(blob), "size": len(blob)}]}
        body = json.dumps(manifest).encode()
        digest = protocol.sha256_hex(body)
        received = f"2026-01-0{n + 1}T00:00:00.000000+00:00"
        receipt = protocol.make_receipt(key, f"rec-{n}", digest, n + 1, received)
        conn.execute(
            "INSERT INTO records (seq, record_id, station, manifest, manifest_sha256, "
            "station_signature, received_at, receipt_signature, created_at) "
            "VALUES (?, ?, 1, ?, ?, 'sig', ?, ?, ?)",
            [n + 1, f"rec-{n}", body, digest, received, receipt.signature,
             manifest["created_at"]])
        conn.execute("INSERT INTO record_blobs (record_id, sha256) VALUES (?, ?)",
                     [f"rec-{n}", sha(blob)])
        receipts.append(receipt)
    conn.execute("UPDATE records SET status = 'accepted', status_at = '2026-01-03' "
                 "WHERE record_id = 'rec-0'")
    conn.execute("INSERT INTO status_changes (station, record_id, status, reason, at) "
                 "VALUES (1, 'rec-0', 'accepted', NULL, '2026-01-03')")
    conn.close()
    return token, receipts


def test_adopts_a_central_db_made_by_todays_store(tmp_path):
    token, receipts = _today_store(tmp_path / "central")
    path = tmp_path / "central" / "central.db"
    with open_database(sqlite_url(path)) as db:
        with pytest.raises(SchemaOutOfDate):
            db.check()
        applied = db.migrate()
        legacy = min(schema.VERSION, 2)  # user_version -> our versions adopted, not re-run
        assert applied == LABELS[legacy + 1:]
        db.check()
        station = db.station_by_token_hash(hashlib.sha256(token.encode()).hexdigest())
        assert station is not None and station.name == "kec-a"
        held = db.reconcile(station.id, ["rec-0", "rec-1"])
        for receipt in receipts:  # the same receipts, byte for byte, and complete
            row, complete = held[receipt.record_id]
            assert complete
            assert (row.seq, row.manifest_sha256, row.received_at, row.receipt_signature) == (
                receipt.server_seq, receipt.manifest_sha256, receipt.received_at,
                receipt.signature)
        assert [c.record_id for c in db.status_changes(station.id, 0, 10)] == ["rec-0"]
        assert db.station_summary(station.id) == {"records": 2, "last_regno": "R1"}
        blob = b"photo new"
        db.insert_blob(station.id, sha(blob), len(blob))
        new = put(db, station.id, "rec-2", {sha(blob): len(blob)}, claimed_station_id="st-a")
        assert new.created and new.row.seq == max(r.server_seq for r in receipts) + 1
        assert put(db, station.id + 1, "rec-x", {}, claimed_station_id="st-a").claimed_by == 1
    # the code before this layer still opens the migrated file as current
    assert CentralStore(tmp_path / "central").record("rec-2") is not None


@pytest.mark.parametrize("legacy", range(schema.VERSION + 1))
def test_adopts_each_legacy_user_version(tmp_path, legacy):
    """A file at central/schema.py's user_version N: N+1 of our versions adopted, rest run."""
    path = tmp_path / "central.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.executescript(schema.BASE)
    for statements in schema.MIGRATIONS[:legacy]:
        for statement in statements:
            conn.execute(statement)
    conn.execute(f"PRAGMA user_version = {legacy}")
    conn.execute("INSERT INTO stations (name, token_hash, created_at) VALUES ('s', 'h', 't')")
    conn.close()
    with open_database(sqlite_url(path)) as db:
        assert db.migrate() == LABELS[legacy + 1:]
        db.check()
        assert db.station_by_name("s").id == 1
        with db.read() as tx:
            names = dict(tx.execute("SELECT version, name FROM schema_migrations").fetchall())
        assert all(names[v].endswith("(adopted)") for v in range(1, legacy + 2))


def test_stations(db):
    sid = db.add_station("kec-a", "hash-a")
    with pytest.raises(IntegrityError):
        db.add_station("kec-a", "hash-other")
    assert db.station_by_token_hash("hash-a").id == sid
    assert db.station_by_token_hash("nope") is None
    assert db.station_by_name("kec-a").public_key is None
    assert db.register_key(sid, "key-1") and db.register_key(sid, "key-1")
    assert not db.register_key(sid, "key-2")
    assert db.station_by_name("kec-a").public_key == "key-1"
    assert db.reset_key("kec-a") and not db.reset_key("nobody")
    assert db.register_key(sid, "key-2")
    [listed] = db.list_stations()
    assert listed == {"name": "kec-a", "created_at": listed["created_at"],
                      "key_registered": True, "revoked_at": None, "records": 0}
    revoked = db.revoke_station("kec-a", "tech@console")
    assert revoked.revoked_at is not None
    assert db.station_by_token_hash("hash-a") is None  # every process: at once
    assert db.station_by_token_hash("hash-a", include_revoked=True).revoked_at
    assert db.revoke_station("kec-a", "again").revoked_at == revoked.revoked_at
    assert db.revoke_station("nobody", "x") is None
    assert [a["actor"] for a in db.station_audit("kec-a")] == ["tech@console", "again"]


def test_blob_rows(db):
    sid = db.add_station("a", "ha")
    other = db.add_station("b", "hb")
    assert db.insert_blob(sid, "aa" * 32, 10)
    assert not db.insert_blob(sid, "aa" * 32, 10)
    assert db.insert_blob(other, "aa" * 32, 10)  # rows are per station
    assert db.blob_sizes(sid, ["aa" * 32, "bb" * 32, "aa" * 32]) == {"aa" * 32: 10}
    assert db.blob_sizes(sid, []) == {}
    many = [f"{n:064x}" for n in range(1200)]  # more than one IN_CHUNK
    for s in many[::3]:
        db.insert_blob(sid, s, 1)
    assert set(db.blob_sizes(sid, many)) == set(many[::3])
    assert db.counts() == {"records": 0, "blobs": 2 + len(many[::3])}


def test_records(db):
    sid = db.add_station("a", "ha")
    other = db.add_station("b", "hb")
    blobs = {"aa" * 32: 5, "bb" * 32: 7}
    refused = put(db, sid, "r1", blobs)
    assert refused.row is None and refused.missing == sorted(blobs) and refused.refused
    for s, n in blobs.items():
        db.insert_blob(sid, s, n)
    wrong = put(db, sid, "r1", {"aa" * 32: 5, "bb" * 32: 8})
    assert wrong.wrong_sizes == ["bb" * 32] and wrong.row is None
    first = put(db, sid, "r1", blobs, claimed_station_id="st-1")
    assert first.created and not first.refused
    assert first.row.receipt_signature == f"receipt:{first.row.seq}:{first.row.received_at}"
    again = put(db, sid, "r1", blobs, claimed_station_id="st-1")
    assert not again.created and again.row == first.row
    assert db.record("r1") == first.row
    assert json.loads(db.manifest("r1"))["record_id"] == "r1"
    assert db.manifest("r9") is None and db.record("r9") is None
    assert db.record_blob_shas("r1") == sorted(blobs)
    theirs = put(db, other, "r1", {}, manifest_sha256="other")
    assert theirs.row.station == sid and not theirs.created  # the caller says WrongStation
    claim = put(db, other, "r2", {}, claimed_station_id="st-1")
    assert claim.claimed_by == sid and claim.row is None
    second = put(db, sid, "r2", blobs, claimed_station_id="st-1")
    assert second.row.seq > first.row.seq
    assert db.counts()["records"] == 2
    assert db.list_stations()[0]["records"] == 2


def test_a_batch_of_records_is_one_transaction_with_its_blob_rows(db):
    """put_records (the drive import): the blob rows and every record in one commit, each
    outcome as put_record answers it, in the order given; nothing at all on an error."""
    sid = db.add_station("a", "ha")
    blobs = {"aa" * 32: 5, "bb" * 32: 7}

    def args(rid: str, names: dict[str, int], sign=lambda seq, at: f"receipt:{seq}:{at}"):
        body = json.dumps({"record_id": rid}).encode()
        return dict(record_id=rid, manifest=body, manifest_sha256=sha(body),
                    station_signature="st-sig", created_at="2026-01-01", blobs=names, sign=sign)

    def boom(seq: int, at: str) -> str:
        raise RuntimeError("the signing failed")

    with pytest.raises(RuntimeError):  # the last record fails: nothing of the batch stays
        db.put_records(sid, blobs, [args("r2", blobs), args("r1", blobs, boom)])
    assert db.counts() == {"records": 0, "blobs": 0}
    out = db.put_records(sid, blobs, [args("r2", blobs), args("r1", blobs),
                                      args("r3", {"cc" * 32: 1})])
    assert [o.created for o in out] == [True, True, False] and out[2].missing == ["cc" * 32]
    assert out[1].row.seq < out[0].row.seq  # stored in record id order
    assert db.blob_sizes(sid, sorted(blobs)) == blobs and db.record_blob_shas("r1") == \
        sorted(blobs)
    again = db.put_records(sid, blobs, [args("r1", blobs), args("r2", blobs)])
    assert [o.row for o in again] == [out[1].row, out[0].row] and not any(
        o.created for o in again)
    assert db.counts() == {"records": 2, "blobs": 2}


def test_statuses_and_feed(db):
    a = db.add_station("a", "ha")
    b = db.add_station("b", "hb")
    for n in range(5):
        put(db, a if n % 2 == 0 else b, f"r{n}", {})
    assert not db.set_status("nope", "accepted", None)
    assert db.set_status("r0", "accepted", None)
    assert db.set_status("r1", "rejected", "blurred photo")
    assert db.set_status("r2", "rejected", "NIK twice")
    assert db.set_status("r4", "accepted", None)
    assert db.record("r2").status == "rejected" and db.record("r2").reject_reason == "NIK twice"
    page = db.status_changes(a, 0, 2)
    assert [(c.record_id, c.status) for c in page] == [("r0", "accepted"), ("r2", "rejected")]
    rest = db.status_changes(a, page[-1].seq, 2)
    assert [c.record_id for c in rest] == ["r4"]
    assert db.status_changes(a, rest[-1].seq, 2) == []
    assert [(c.record_id, c.reason) for c in db.status_changes(b, 0, 9)] == [
        ("r1", "blurred photo")]


def test_station_summary(db):
    sid = db.add_station("a", "ha")
    assert db.station_summary(sid) == {"records": 0, "last_regno": None}
    put(db, sid, "r1", {}, regno="R-new", created_at="2026-03-02")
    put(db, sid, "r2", {}, regno="R-old", created_at="2026-03-01")
    assert db.station_summary(sid) == {"records": 2, "last_regno": "R-new"}


def test_reconcile_is_one_query_for_200_records(db, monkeypatch):
    sid = db.add_station("a", "ha")
    other = db.add_station("b", "hb")
    ids = [f"rec-{n:03d}" for n in range(200)]
    for n, rid in enumerate(ids):
        blobs = {f"{n:060x}{k:04x}": 100 + k for k in range(3)}  # 3 blobs: 600 in all
        for s, size in blobs.items():
            db.insert_blob(sid, s, size)
        put(db, sid, rid, blobs)
    put(db, other, "theirs", {})
    with db.transaction() as tx:  # one record lost a blob row: incomplete
        tx.execute("DELETE FROM blobs WHERE station = ? AND sha256 = ?",
                   [sid, f"{7:060x}{1:04x}"])
    db.set_status("rec-003", "rejected", "why")
    with db.read() as tx:
        tx_class = type(tx)
    calls = []
    real = tx_class.execute
    monkeypatch.setattr(tx_class, "execute",
                        lambda self, sql, params=(): calls.append(sql) or real(self, sql, params))
    held = db.reconcile(sid, [*ids, "theirs", "unknown", "rec-000"])
    assert len(calls) == 1  # was 2 queries + a stat per blob: ~1,400 here, 5,600 for 14/record
    assert set(held) == set(ids)
    assert [rid for rid, (_, complete) in held.items() if not complete] == ["rec-007"]
    assert held["rec-003"][0].status == "rejected" and held["rec-003"][0].reject_reason == "why"
    assert held["rec-010"][0] == db.record("rec-010")
    calls.clear()
    db.reconcile(sid, [f"x-{n}" for n in range(1000)])  # the API's MAX_IDS: two chunks
    assert len(calls) == 2


def test_sqlite_files_are_private(tmp_path):
    folder = tmp_path / "new" / "data"
    with open_database(sqlite_url(folder / "central.db")) as db:
        db.migrate()
        db.add_station("a", "h")
        for name in ("central.db", "central.db-wal", "central.db-shm"):
            assert stat.S_IMODE(os.stat(folder / name).st_mode) == 0o600, name
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    old = tmp_path / "old.db"
    old.touch(mode=0o644)
    os.chmod(old, 0o644)
    open_database(sqlite_url(old)).close()
    assert stat.S_IMODE(os.stat(old).st_mode) == 0o600


def test_urls_and_redaction():
    assert redact_url("postgresql://u:s3cr%40t@db:5432/central") == (
        "postgresql://u:***@db:5432/central")
    assert redact_url("postgresql://db/central") == "postgresql://db/central"
    with pytest.raises(ValueError) as refused:
        open_database("mysql://root:hunter2@db/x")
    assert "hunter2" not in str(refused.value) and "sqlite:///PATH" in str(refused.value)
    with pytest.raises(ValueError):
        open_database("sqlite://relative.db")


def test_driver_errors_are_ours(db):
    with pytest.raises(DatabaseError) as bad, db.transaction() as tx:
        tx.execute("SELECT no_such_column FROM stations")
    assert type(bad.value).__module__ == "central.db_types"
    assert db.add_station("still", "works")  # the failed transaction left nothing behind


def test_placeholders_translate_for_psycopg_and_a_question_mark_in_a_literal_is_refused():
    from central.db_postgres import translate

    assert translate("SELECT ? WHERE a LIKE 'x%' AND b = ?") == \
        "SELECT %s WHERE a LIKE 'x%%' AND b = %s"
    assert translate("SELECT 'it''s' , ?") == "SELECT 'it''s' , %s"
    with pytest.raises(ValueError, match="string literal"):
        translate("SELECT 'why?' WHERE a = ?")


def test_a_backend_missing_an_operation_cannot_be_made():
    from central.database import Database

    class Half(Database):
        def transaction(self):  # no close / in_list / table_exists
            raise AssertionError

    with pytest.raises(TypeError):
        Half("sqlite:///nowhere")
