"""What makes the save lean: digests taken at capture, rows the schema writes itself, the
daily-log cells kept with the record, and the upgrade of a station saved by schema v1."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import sqlite3
from dataclasses import replace

import pytest
import sqlite_utils

from kiosk.app.draft import Draft
from kiosk.devices.fingerprint import FingerResult
from kiosk.domain.recording import PHOTO, SIGNATURE_PNG, Blob
from kiosk.export.rows import gather_log
from kiosk.store import audit, integrity
from kiosk.store.crypto import DecryptionFailed
from kiosk.store.db import DB_NAME, MIGRATIONS
from kiosk.store.save import IDENT_SEP
from kiosk.store.station import Store
from tests.store.records import quick_recording

NOON_WIB = dt.datetime(2026, 11, 29, 5, 0, tzinfo=dt.UTC)  # 12:00 in Asia/Jakarta


def test_a_blob_carries_the_sha256_of_its_bytes_from_the_moment_it_is_made():
    blob = Blob(PHOTO, b"\xff\xd8 jpeg bytes")
    assert blob.sha256 == hashlib.sha256(b"\xff\xd8 jpeg bytes").hexdigest()
    assert Blob(PHOTO, b"x") == Blob(PHOTO, b"x")
    with pytest.raises(TypeError):
        Blob(PHOTO, b"x", sha256="0" * 64)  # never taken from the caller


def test_the_draft_hashes_each_item_when_it_is_captured():
    draft = Draft()
    draft.photo = b"photo-1"
    first = draft._items[PHOTO]
    assert first.sha256 == hashlib.sha256(b"photo-1").hexdigest()
    draft.photo = b"photo-2"  # retaken
    assert draft.photo == b"photo-2"
    assert draft._items[PHOTO].sha256 == hashlib.sha256(b"photo-2").hexdigest()
    draft.signature_png = b"sig"
    rec = draft.to_recording()
    # the very Blobs made at capture go to the save: nothing is hashed again
    assert any(b is draft._items[PHOTO] for b in rec.blobs)
    assert any(b is draft._items[SIGNATURE_PNG] for b in rec.blobs)
    draft.photo = None
    assert draft.photo is None and PHOTO not in draft._items


def test_a_finger_capture_is_hashed_on_the_capture_worker():
    result = FingerResult(position=7, record=b"ISO19794 record", quality=60, threshold=40,
                          attempt=1)
    assert result.blob.kind == "finger.7"
    assert result.blob.sha256 == hashlib.sha256(b"ISO19794 record").hexdigest()


def test_the_saved_blob_rows_hold_the_capture_digests_and_open(store):
    rec = quick_recording(1)
    saved = store.save_recording(rec, "budi", now=NOON_WIB)
    for blob in rec.blobs:
        row = store.db.execute(
            "SELECT sha256, size FROM blobs WHERE record_id = ? AND kind = ?",
            [saved.record_id, blob.kind],
        ).fetchone()
        assert row == (hashlib.sha256(blob.data).hexdigest(), len(blob.data))
        assert store.blob(saved.record_id, blob.kind) == blob.data
    assert integrity.check(store) == []


def test_the_schema_queues_every_saved_record_and_follows_the_audit_head(store):
    saved = store.save_recording(quick_recording(2), "budi", now=NOON_WIB)
    outbox = store.db.execute(
        "SELECT enqueued_at, attempts FROM outbox WHERE record_id = ?", [saved.record_id]
    ).fetchone()
    assert outbox == (saved.created_at, 0)
    last = store.db.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    head = store.db.execute("SELECT value FROM meta WHERE key = 'audit_head'").fetchone()[0]
    assert head == f"{last[0]}:{last[1]}"
    store.audit("pengawas", "test.action", {"x": 1})
    head2 = store.db.execute("SELECT value FROM meta WHERE key = 'audit_head'").fetchone()[0]
    assert int(head2.split(":")[0]) == last[0] + 1
    assert audit.verify(store.db) is None


def test_the_daily_log_cells_are_kept_with_the_record(store):
    rec = quick_recording(3)
    saved = store.save_recording(rec, "budi", now=NOON_WIB)
    ident, head, tail = store.db.execute(
        "SELECT ident, log_head, log_tail FROM records WHERE id = ?", [saved.record_id]
    ).fetchone()
    assert head == f"2026-11-29 12:00:00,{saved.regno}"
    cells = next(csv.reader([tail]))
    assert cells[:5] == ["budi", "foto, 10 jari, tanda tangan", "", "lulus", "10"]
    scores = [rec.quality[f"finger.{p}"] for p in range(1, 11)]
    scores = [s["score"] if isinstance(s, dict) else s for s in scores]
    assert cells[5:] == [str(int(min(scores))), str(round(sum(scores) / len(scores), 1))]
    plain = store.sealer().open(ident, f"ident:{saved.record_id}").decode()
    assert plain == f"{rec.applicant.nik}{IDENT_SEP}{rec.applicant.nama}"
    assert rec.applicant.nik.encode() not in ident and rec.applicant.nama.encode() not in ident
    with pytest.raises(DecryptionFailed):  # bound to its own record
        store.sealer().open(ident, "ident:00000000-0000-0000-0000-000000000000")
    [row] = gather_log(store, dt.date(2026, 11, 29)).rows
    assert (row.name, row.captured, row.fingers) == (rec.applicant.nama,
                                                     "foto, 10 jari, tanda tangan", 10)


def test_open_rows_opens_each_and_names_the_first_that_fails(store):
    sealer = store.sealer()
    rows = [(b"ident:a", sealer.seal(b"one", "ident:a"), "x"), (b"ident:b", None, "y"),
            (b"ident:c", sealer.seal(b"three", "ident:c"), "z")]
    assert sealer.open_rows(rows) == [b"one", None, b"three"]
    rows[2] = (b"ident:c", sealer.seal(b"three", "ident:other"), "z")
    with pytest.raises(DecryptionFailed, match="ident:c"):
        sealer.open_rows(rows)


def _v1_station(path, keyed: Store, rec) -> None:
    """A database as schema v1 left it, with one record saved the v1 way, under the station
    identity and key of `keyed`."""
    db = sqlite_utils.Database(sqlite3.connect(str(path), isolation_level=None))
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE _migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
               "applied_at TEXT NOT NULL)")
    version, name, fn = next(m for m in MIGRATIONS if m[0] == 1)
    fn(db)
    db.execute("INSERT INTO _migrations VALUES (?, ?, '2026-11-01T00:00:00+00:00')",
               [version, name])
    for key in ("station_id", "key_check"):
        db.execute("INSERT INTO meta (key, value) VALUES (?, ?)", [key, keyed.meta(key)])
    sealer = keyed.sealer()
    rid = rec.record_id
    biodata = sealer.seal(json.dumps({"applicant": rec.applicant.to_dict(),
                                      "exceptions": {}}).encode(), f"biodata:{rid}")
    summary = {"items": sorted(b.kind for b in rec.blobs), "exceptions": {},
               "quality": rec.quality}
    db.execute(
        "INSERT INTO records (id, regno, local_date, seq, created_at, operator, nik_hash, "
        "biodata, summary) VALUES (?, '627104-01-20261129-001', '2026-11-29', 1, "
        "'2026-11-29T03:00:00.000000+00:00', 'budi', ?, ?, ?)",
        [rid, sealer.nik_hash(rec.applicant.nik), biodata, json.dumps(summary)],
    )
    db.execute("INSERT INTO outbox (record_id, enqueued_at) VALUES (?, '2026-11-29')", [rid])
    for b in rec.blobs:
        db.execute(
            "INSERT INTO blobs (record_id, kind, sha256, size, content_type, sealed) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [rid, b.kind, b.sha256, len(b.data), b.content_type,
             sealer.seal(b.data, f"blob:{rid}:{b.kind}:{b.sha256}")],
        )
    audit.append(db, "budi", "record.saved", {"record_id": rid})
    db.execute("INSERT INTO meta (key, value) SELECT 'audit_head', seq || ':' || hash FROM audit")
    db.conn.close()


def test_a_station_saved_by_schema_v1_upgrades_and_keeps_its_record(tmp_path, settings):
    data = tmp_path / "data"
    keyed = Store(data, settings)
    keyed.sealer()  # the station key and its check, in the keyring and in meta
    old = quick_recording(4)
    _v1_station(tmp_path / "v1.db", keyed, old)
    keyed.close()
    for suffix in ("", "-wal", "-shm"):
        (data / f"{DB_NAME}{suffix}").unlink(missing_ok=True)
    (tmp_path / "v1.db").rename(data / DB_NAME)

    store = Store(data, settings)
    versions = [r[0] for r in store.db.execute("SELECT version FROM _migrations")]
    assert versions == sorted(m[0] for m in MIGRATIONS)
    names = {r[0] for r in store.db.execute("SELECT name FROM sqlite_master")}
    assert {"records_enqueue", "audit_head", "records_day_state"} <= names
    assert not {"records_local_date", "blobs_sha256"} & names
    assert integrity.check(store) == []
    [row] = gather_log(store, dt.date(2026, 11, 29)).rows  # no ident: read from biodata
    assert row.name == old.applicant.nama
    new = store.save_recording(quick_recording(5), "budi", now=NOON_WIB)
    assert new.regno.endswith("-002")
    assert integrity.check(store) == []
    with store.db.conn:  # an ident that no longer says what the biodata says is a fault
        store.db.execute("UPDATE records SET ident = ? WHERE id = ?",
                         [store.sealer().seal(b"1\x1fX", f"ident:{new.record_id}"),
                          new.record_id])
    assert integrity.check(store) == [f"record {new.regno}: ident differs from its biodata"]
    store.close()


def test_items_sealed_at_capture_are_what_the_save_writes(store):
    rec = quick_recording(6)
    draft = Draft(seal=store.seal_items)
    draft.applicant = rec.applicant
    photo = next(b for b in rec.blobs if b.kind == PHOTO)
    draft.photo = photo.data  # accepted: hashed and sealed now
    context = f"blob:{draft.record_id}:{PHOTO}:{photo.sha256}"
    assert set(draft.sealed) == {context}
    draft.photo = b"a retake"  # the first one's ciphertext is dropped
    assert [c.split(":")[3] for c in draft.sealed] == [hashlib.sha256(b"a retake").hexdigest()]
    draft.photo = photo.data
    assert set(draft.sealed) == {context}
    ahead = draft.sealed[context]
    assert photo.data not in ahead
    full = replace(rec, record_id=draft.record_id, sealed=draft.sealed)
    saved = store.save_recording(full, "budi", now=NOON_WIB)
    stored = store.db.execute(
        "SELECT sealed FROM blobs WHERE record_id = ? AND kind = ?", [saved.record_id, PHOTO]
    ).fetchone()[0]
    assert stored == ahead
    assert store.blob(saved.record_id, PHOTO) == photo.data
    assert integrity.check(store) == []


def test_a_ciphertext_made_for_another_record_or_bytes_is_never_used(store):
    rec = quick_recording(7)
    photo = next(b for b in rec.blobs if b.kind == PHOTO)
    other: dict[str, bytes] = {}
    store.seal_items("11111111-1111-1111-1111-111111111111", [photo], other)
    store.seal_items(rec.record_id, [Blob(PHOTO, b"an earlier photo, since retaken")], other)
    saved = store.save_recording(replace(rec, sealed=other), "budi", now=NOON_WIB)
    assert store.blob(saved.record_id, PHOTO) == photo.data
    assert integrity.check(store) == []


def test_sealing_ahead_is_best_effort(store):
    def broken(record_id, blobs, into):
        raise RuntimeError("keyring went away")

    draft = Draft(seal=broken)
    draft.photo = b"photo"  # no exception reaches the operator here
    assert draft.photo == b"photo" and draft.sealed == {}
