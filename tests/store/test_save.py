"""Saving a recording: one transaction, sealed contents, lookup by id, regno and NIK."""

from __future__ import annotations

import datetime as dt

import keyring
import keyring.backends.fail
import pytest

from kiosk.domain.recording import PHOTO
from kiosk.store.keys import KeyringUnavailable
from kiosk.store.save import IncompleteRecording
from kiosk.store.station import Store
from tests.store.records import quick_recording

NOON_WIB = dt.datetime(2026, 11, 28, 5, 0, tzinfo=dt.UTC)  # 12:00 in Asia/Jakarta


def test_saved_record_gets_a_regno_and_is_found_by_id_regno_and_nik(store):
    rec = quick_recording(1)
    saved = store.save_recording(rec, "op1", now=NOON_WIB)
    assert saved.regno == "627104-01-20261128-001"
    assert saved.record_id == rec.record_id
    for query in (saved.record_id, saved.regno, rec.applicant.nik):
        rows = store.find(query)
        assert [r["id"] for r in rows] == [rec.record_id], query
        assert rows[0]["state"] == "saved"
    applicant, exceptions = store.applicant(rec.record_id)
    assert applicant == rec.applicant and exceptions == {}
    photo = next(b for b in rec.blobs if b.kind == PHOTO)
    assert store.blob(rec.record_id, PHOTO) == photo.data
    assert store.backlog()["saved"] == 1
    outbox = list(store.db.query("SELECT record_id FROM outbox"))
    assert outbox == [{"record_id": rec.record_id}]


def test_sequence_numbers_count_up_per_local_day(store):
    regnos = [store.save_recording(quick_recording(i), "op1", now=NOON_WIB).regno for i in range(3)]
    next_day = store.save_recording(quick_recording(9), "op1", now=NOON_WIB + dt.timedelta(days=1))
    assert [r[-3:] for r in regnos] == ["001", "002", "003"]
    assert next_day.regno == "627104-01-20261129-001"


def test_incomplete_recording_is_refused_and_nothing_is_written(store):
    rec = quick_recording(1)
    rec.blobs = [b for b in rec.blobs if b.kind != "finger.3"]
    with pytest.raises(IncompleteRecording) as exc:
        store.save_recording(rec, "op1")
    assert exc.value.missing == ["finger.3"]
    assert store.db.execute("SELECT COUNT(*) FROM records").fetchone()[0] == 0


def test_a_finger_with_an_exception_counts_as_complete(store):
    rec = quick_recording(1)
    rec.blobs = [b for b in rec.blobs if b.kind != "finger.3"]
    rec.exceptions = {"finger.3": "amputated"}
    saved = store.save_recording(rec, "op1")
    _, exceptions = store.applicant(saved.record_id)
    assert exceptions == {"finger.3": "amputated"}


def test_duplicate_nik_is_visible_before_recording_again(store):
    rec = quick_recording(5)
    store.save_recording(rec, "op1")
    assert len(store.nik_seen(rec.applicant.nik)) == 1
    assert store.nik_seen("6271040101900001") == []


def test_without_a_usable_keyring_recording_is_refused(tmp_path, settings):
    keyring.set_keyring(keyring.backends.fail.Keyring())
    s = Store(tmp_path / "d", settings)
    with pytest.raises(KeyringUnavailable) as exc:
        s.check_can_start()
    assert "Secret Service" in exc.value.msg.id and "Credential Manager" in exc.value.msg.en
    with pytest.raises(KeyringUnavailable):
        s.save_recording(quick_recording(1), "op1")
    assert s.db.execute("SELECT COUNT(*) FROM records").fetchone()[0] == 0
    s.close()


def test_a_different_key_in_the_keyring_is_detected(tmp_path, settings, memory_keyring):
    from kiosk.store.keys import DataKeyMismatch

    s = Store(tmp_path / "d", settings)
    s.save_recording(quick_recording(1), "op1")
    s.close()
    for k in list(memory_keyring.items):
        memory_keyring.items[k] = "A" * 43 + "="  # another 32-byte key
    s = Store(tmp_path / "d", settings)
    with pytest.raises(DataKeyMismatch):
        s.check_can_start()
    s.close()


def test_schema_migrations_are_recorded(store):
    versions = [r["version"] for r in store.db.query("SELECT version FROM _migrations")]
    assert versions[0] == 1 and versions == sorted(versions)
    mode = store.db.execute("PRAGMA journal_mode").fetchone()[0]
    sync = store.db.execute("PRAGMA synchronous").fetchone()[0]
    assert (mode, sync) == ("wal", 2)
