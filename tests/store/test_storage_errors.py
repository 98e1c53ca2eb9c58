"""Storage faults as the field has them (a full disk, a read-only mount, a damaged file, a
database locked past the busy timeout) come out as named errors with a sentence, and a save
that failed can be pressed again once the cause is gone."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from kiosk.settings import Settings
from kiosk.store import db as db_module
from kiosk.store.db import DB_NAME
from kiosk.store.errors import (
    DatabaseBusy,
    DatabaseMalformed,
    DataDirReadOnly,
    DiskFull,
    StorageError,
)
from kiosk.store.station import Store
from tests.store.mounts import small_disk
from tests.store.records import quick_recording


def _sentence(exc: StorageError, *words_id: str) -> None:
    assert exc.msg.id and exc.msg.en and exc.msg.id != exc.msg.en
    for w in words_id:
        assert w in exc.msg.id.lower()
    assert "sqlite3" not in exc.msg.id and "Traceback" not in exc.msg.en


def test_a_full_disk_at_save_is_disk_full_and_the_same_draft_saves_once_space_is_freed(
        tmp_path):
    with small_disk(tmp_path / "disk") as disk:
        store = Store(disk.path / "data", Settings())
        store.save_recording(quick_recording(1), "op")
        rec = quick_recording(2)
        disk.fill()
        with pytest.raises(DiskFull) as err:
            store.save_recording(rec, "op")
        _sentence(err.value, "belum tersimpan", "penuh", "simpan lagi")
        assert store.find(rec.record_id) == []
        disk.free()
        saved = store.save_recording(rec, "op")  # Simpan again, the same draft
        assert [r["regno"] for r in store.find(rec.record_id)] == [saved.regno]
        store.close()


def test_a_read_only_data_folder_is_named_and_read_only_commands_still_read(tmp_path):
    with small_disk(tmp_path / "disk") as disk:
        store = Store(disk.path / "data", Settings())
        saved = store.save_recording(quick_recording(3), "op")
        store.close()
        disk.remount("ro")
        try:
            with pytest.raises(DataDirReadOnly) as err:
                Store(disk.path / "data", Settings())
            _sentence(err.value, "read-only", "izin tulis")
            with Store(disk.path / "data", Settings(), read_only=True) as reader:
                assert [r["regno"] for r in reader.find(saved.record_id)] == [saved.regno]
        finally:
            disk.remount("rw")


def test_a_station_started_on_a_full_disk_gets_a_sentence_not_a_traceback(tmp_path):
    with small_disk(tmp_path / "disk") as disk:
        Store(disk.path / "data", Settings()).close()
        for f in (disk.path / "data").glob(f"{DB_NAME}-*"):
            f.unlink()
        disk.fill()
        with pytest.raises(StorageError) as err:
            Store(disk.path / "data", Settings())
        assert isinstance(err.value, DiskFull)
        _sentence(err.value, "penuh")


def test_a_lock_held_past_the_busy_timeout_is_database_busy(tmp_path, monkeypatch):
    monkeypatch.setattr(db_module, "BUSY_TIMEOUT_S", 1)
    store = Store(tmp_path / "data", Settings())
    store.sealer()
    other = sqlite3.connect(tmp_path / "data" / DB_NAME, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(DatabaseBusy) as err:
            store.save_recording(quick_recording(4), "op")
        _sentence(err.value, "belum tersimpan", "dikunci")
    finally:
        other.execute("ROLLBACK")
        other.close()
    store.close()


def test_a_damaged_database_file_is_named(tmp_path):
    data = tmp_path / "data"
    Store(data, Settings()).close()
    raw = bytearray((data / DB_NAME).read_bytes())
    raw[:16] = b"not a database!!"
    (data / DB_NAME).write_bytes(bytes(raw))
    for read_only in (False, True):
        with pytest.raises(DatabaseMalformed) as err:
            Store(data, Settings(), read_only=read_only)
        _sentence(err.value, "rusak", "kiosk db check")


def test_what_is_no_storage_fault_is_not_renamed(store):
    with pytest.raises(sqlite3.IntegrityError):
        store.db.execute("INSERT INTO meta (key, value) VALUES ('station_id', 'again')")
    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        store.db.execute("SELECT * FROM no_such_table")


def test_a_repeated_save_of_one_draft_gives_the_record_saved_not_a_second_one(tmp_path):
    store = Store(tmp_path / "data", Settings({"cap.daily": 1}))
    rec = quick_recording(5)
    first = store.save_recording(rec, "op")
    again = store.save_recording(rec, "op")  # the cap is reached now: still the same record
    assert again == first
    assert store.db.execute("SELECT COUNT(*) FROM records").fetchone()[0] == 1
    audits = store.db.execute("SELECT COUNT(*) FROM audit WHERE action = 'record.saved'")
    assert audits.fetchone()[0] == 1
    store.close()


def test_a_record_id_reused_for_another_applicant_is_refused(store):
    rec = quick_recording(6)
    store.save_recording(rec, "op")
    other = quick_recording(7)
    with pytest.raises(RuntimeError, match="reused"):
        store.save_recording(type(rec)(**{**other.__dict__, "record_id": rec.record_id}), "op")


def test_data_folders_that_are_no_folders_are_refused_and_nothing_is_created(tmp_path):
    from kiosk.store.errors import DataDirRefused

    a_file = tmp_path / "file"
    a_file.write_text("x")
    fifo = tmp_path / "data" / DB_NAME
    fifo.parent.mkdir()
    import os
    os.mkfifo(fifo)
    cases = {Path("/dev"): "/dev", Path("/proc/self"): "/proc", a_file: "bukan folder",
             a_file / "below": "bukan folder", tmp_path / "data": "bukan berkas biasa"}
    for path, words in cases.items():
        for read_only in (False, True):
            with pytest.raises(DataDirRefused) as err:
                Store(path, Settings(), read_only=read_only)
            assert words in err.value.msg.id, err.value.msg.id
    assert not Path("/dev", DB_NAME).exists()
    assert a_file.read_text() == "x"
