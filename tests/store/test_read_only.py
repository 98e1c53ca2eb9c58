"""Store(read_only=True): read-only commands never wait behind a writer, never write, and
still read on a disk that is full when the station starts."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time

import pytest

from kiosk.settings import Settings
from kiosk.store.db import DB_NAME
from kiosk.store.errors import (
    DatabaseMissing,
    DatabaseReplaced,
    DiskFull,
    OpenedReadOnly,
    SchemaTooOld,
)
from kiosk.store.station import Store
from tests.store.mounts import small_disk
from tests.store.records import quick_recording

HOLD_LOCK = """
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN IMMEDIATE")
c.execute("INSERT INTO meta (key, value) VALUES ('writer', 'busy')")
print("locked", flush=True)
time.sleep(60)
"""


@pytest.fixture
def writer(tmp_path):
    """A saved station whose write lock another process holds (a long write)."""
    data = tmp_path / "data"
    with Store(data, Settings()) as s:
        saved = s.save_recording(quick_recording(1), "op")
    proc = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(data / DB_NAME)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    yield data, saved
    proc.kill()
    proc.wait()


def test_with_a_writer_holding_the_lock_a_read_only_store_answers_at_once(writer):
    data, saved = writer
    t0 = time.monotonic()
    with Store(data, Settings(), read_only=True) as reader:
        rows = reader.find(saved.regno)
        reader.cap_status()
        reader.backlog()
    assert [r["id"] for r in rows] == [saved.record_id]
    assert time.monotonic() - t0 < 2.0


def test_the_usual_opening_takes_no_write_lock_when_nothing_needs_writing(writer):
    data, saved = writer
    t0 = time.monotonic()
    with Store(data, Settings()) as store:
        assert store.find(saved.record_id)
    assert time.monotonic() - t0 < 2.0


def test_a_read_only_store_never_writes(tmp_path):
    data = tmp_path / "data"
    Store(data, Settings()).close()
    before = (data / DB_NAME).read_bytes()
    with Store(data, Settings(), read_only=True) as reader:
        with pytest.raises(OpenedReadOnly) as err:
            reader.set_meta("x", "y")
        assert "hanya untuk dibaca" in err.value.msg.id
    assert (data / DB_NAME).read_bytes() == before


def test_a_missing_database_is_refused_and_not_created(tmp_path):
    with pytest.raises(DatabaseMissing) as err:
        Store(tmp_path / "nothing", Settings(), read_only=True)
    assert "pulihkan cadangan" in err.value.msg.id
    assert not (tmp_path / "nothing").exists()


def test_an_emptied_database_file_is_named_by_a_read_only_opening(tmp_path):
    data = tmp_path / "data"
    Store(data, Settings()).close()
    (data / DB_NAME).write_bytes(b"")
    with pytest.raises(DatabaseReplaced) as err:
        Store(data, Settings(), read_only=True)
    assert "database hilang atau diganti" in err.value.msg.id.lower()
    assert (data / DB_NAME).stat().st_size == 0


def test_a_schema_too_old_is_reported_not_migrated(tmp_path):
    data = tmp_path / "data"
    Store(data, Settings()).close()
    conn = sqlite3.connect(data / DB_NAME, isolation_level=None)
    newest = conn.execute("SELECT MAX(version) FROM _migrations").fetchone()[0]
    conn.execute("DELETE FROM _migrations WHERE version = ?", [newest])
    conn.close()
    with pytest.raises(SchemaTooOld) as err:
        Store(data, Settings(), read_only=True)
    assert "skema lama" in err.value.msg.id
    conn = sqlite3.connect(data / DB_NAME)
    assert conn.execute("SELECT MAX(version) FROM _migrations").fetchone()[0] < newest
    conn.close()


def test_on_a_disk_full_at_start_read_only_still_reads(tmp_path):
    with small_disk(tmp_path / "disk") as disk:
        data = disk.path / "data"
        with Store(data, Settings()) as s:
            saved = s.save_recording(quick_recording(2), "op")
        assert not (data / f"{DB_NAME}-shm").exists()  # a clean close: no index left
        disk.fill()
        with pytest.raises(DiskFull):
            Store(data, Settings())  # the writer's opening needs space
        with Store(data, Settings(), read_only=True) as reader:
            assert [r["regno"] for r in reader.find(saved.record_id)] == [saved.regno]
            assert reader.cap_status().count == 1


def test_a_database_gone_from_an_anchored_folder_is_named_lost(tmp_path):
    data = tmp_path / "data"
    Store(data, Settings()).close()
    (data / DB_NAME).unlink()
    with pytest.raises(DatabaseReplaced) as err:
        Store(data, Settings(), read_only=True)
    assert "database hilang atau diganti" in err.value.msg.id.lower()
    assert not (data / DB_NAME).exists()
