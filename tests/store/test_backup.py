"""Backups: taken online while a station saves, whole and still sealed, written only over a
regular file; restored only with the station closed, from a whole file whose data key is
here, keeping the database it replaces, and re-anchored."""

from __future__ import annotations

import pickle
import sqlite3
import subprocess
import sys
import threading

import pytest

from kiosk.settings import Settings
from kiosk.store import backup
from kiosk.store.backup import BackupRefused
from kiosk.store.db import DB_NAME
from kiosk.store.errors import DatabaseReplaced
from kiosk.store.integrity import check
from kiosk.store.keys import DataKeyMismatch, delete_secret
from kiosk.store.lock import StationRunning, held_lock, is_held
from kiosk.store.station import Store
from tests.store.records import quick_recording

SAVER = "tests/store/saver.py"


def test_a_backup_taken_while_a_station_saves_is_whole_and_sealed(tmp_path, subprocess_env):
    data, config = tmp_path / "data", tmp_path / "settings.toml"
    Settings({"cap.daily": 1000}).save(config)
    Store(data, Settings.load(config)).close()
    template = tmp_path / "recs.pickle"
    recs = [quick_recording(i) for i in range(4)]
    template.write_bytes(pickle.dumps(recs))
    saver = subprocess.Popen([sys.executable, SAVER, str(data), str(config), str(template),
                              "40", "0"], stdout=subprocess.PIPE, text=True, env=subprocess_env)
    assert saver.stdout is not None and saver.stdout.readline().strip() == "ready"
    saver.stdout.readline()  # a first save is in
    done = backup.backup(data, Settings.load(config), tmp_path / "b.db")
    saver.communicate(timeout=120)
    assert done.records >= 1
    conn = sqlite3.connect(tmp_path / "b.db")
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT COUNT(*) FROM records").fetchone()[0] == done.records
    conn.close()
    raw = (tmp_path / "b.db").read_bytes()
    for rec in recs:  # sealed data stays sealed
        assert rec.applicant.nik.encode() not in raw and rec.applicant.nama.encode() not in raw
    assert not list(tmp_path.glob(".b.db.tmp-*"))
    assert (tmp_path / "b.db").stat().st_mode & 0o077 == 0


def test_a_backup_replaces_only_a_regular_file_and_makes_no_folders(tmp_path, store):
    store.save_recording(quick_recording(1), "op")
    (tmp_path / "old.db").write_text("an older backup")
    backup.backup(store.data_dir, store.settings, tmp_path / "old.db")
    assert (tmp_path / "old.db").read_bytes().startswith(b"SQLite format 3")
    for target in (tmp_path, tmp_path / "no" / "such" / "b.db"):
        with pytest.raises(BackupRefused):
            backup.backup(store.data_dir, store.settings, target)
    assert not (tmp_path / "no").exists()
    import os
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(BackupRefused) as err:
        backup.backup(store.data_dir, store.settings, tmp_path / "fifo")
    assert "bukan berkas biasa" in err.value.msg.id


def test_lose_the_database_restore_and_the_station_records_again(tmp_path):
    data = tmp_path / "data"
    with Store(data, Settings()) as s:
        kept = [s.save_recording(quick_recording(i), "op") for i in range(2)]
        backup.backup(data, Settings(), tmp_path / "b.db")
    for f in data.glob(f"{DB_NAME}*"):
        f.unlink()
    with Store(data, Settings()) as s, pytest.raises(DatabaseReplaced):
        s.check_can_start()
    done = backup.restore(data, Settings(), tmp_path / "b.db")
    assert done.records == 2 and done.aside is not None and done.aside.exists()
    with Store(data, Settings()) as s:
        s.check_can_start()
        assert check(s) == []
        assert [s.find(k.regno)[0]["id"] for k in kept] == [k.record_id for k in kept]
        assert s.db.execute("SELECT COUNT(*) FROM audit WHERE action = 'db.restored'"
                            ).fetchone()[0] == 1
        nxt = s.save_recording(quick_recording(5), "op")
        assert nxt.regno.endswith("-003")


def test_restore_refuses_while_a_station_holds_the_lock_and_changes_nothing(tmp_path, store):
    store.save_recording(quick_recording(1), "op")
    backup.backup(store.data_dir, store.settings, tmp_path / "b.db")
    before = (store.data_dir / DB_NAME).stat().st_ino
    ready, release = threading.Event(), threading.Event()

    def station() -> None:
        with held_lock(store.data_dir):
            ready.set()
            release.wait(10)

    t = threading.Thread(target=station)
    t.start()
    try:
        assert ready.wait(10) and is_held(store.data_dir)
        with pytest.raises(StationRunning) as err:
            backup.restore(store.data_dir, store.settings, tmp_path / "b.db")
        assert "sedang berjalan" in err.value.msg.id
    finally:
        release.set()
        t.join()
    assert (store.data_dir / DB_NAME).stat().st_ino == before
    assert not is_held(store.data_dir)


def test_restore_refuses_a_damaged_file_and_one_whose_key_is_not_here(tmp_path, store):
    store.save_recording(quick_recording(1), "op")
    backup.backup(store.data_dir, store.settings, tmp_path / "b.db")
    raw = bytearray((tmp_path / "b.db").read_bytes())
    raw[len(raw) // 2: len(raw) // 2 + 64] = b"\xff" * 64
    (tmp_path / "bad.db").write_bytes(bytes(raw[:8192]))
    (tmp_path / "text.db").write_text("not a database")
    for bad in ("bad.db", "text.db", "missing.db"):
        with pytest.raises(BackupRefused):
            backup.restore(store.data_dir, store.settings, tmp_path / bad)
    delete_secret(f"data-key:{store.station_id}")
    with pytest.raises(DataKeyMismatch):
        backup.restore(store.data_dir, store.settings, tmp_path / "b.db")
    assert not list(store.data_dir.glob(f"{DB_NAME}.before-restore-*"))
