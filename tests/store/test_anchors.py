"""An emptied or replaced database is noticed: the station's identity and its newest record
are anchored outside the database (keyring, anchor file, the server's word), and a database
younger than its anchors refuses to record and fails `db check`."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.app.gates import freeze_reasons
from kiosk.settings import Settings
from kiosk.store.anchors import ANCHOR_FILE, SLOT, keyring_name, read_anchor_file
from kiosk.store.db import DB_NAME
from kiosk.store.errors import DatabaseReplaced
from kiosk.store.integrity import check
from kiosk.store.keys import get_secret
from kiosk.store.station import SERVER_LAST_REGNO, Store
from tests.store.records import quick_recording

PHRASE = "database hilang atau diganti: pulihkan cadangan"


def _saved_station(data: Path, n: int = 3) -> tuple[str, list]:
    with Store(data, Settings()) as s:
        saved = [s.save_recording(quick_recording(i), "op") for i in range(n)]
        return s.station_id, saved


def _refuses(store: Store) -> str:
    with pytest.raises(DatabaseReplaced) as err:
        store.check_can_start()
    text = err.value.msg.id
    assert PHRASE in text.lower() and "kiosk restore" in text
    assert any(PHRASE in r.id.lower() for r in freeze_reasons(store))
    faults = check(store)
    assert any(PHRASE in f.lower() for f in faults), faults
    return text


def test_a_database_truncated_to_zero_bytes_keeps_the_station_and_refuses_to_record(tmp_path):
    data = tmp_path / "data"
    sid, saved = _saved_station(data)
    key = get_secret(f"data-key:{sid}")
    (data / DB_NAME).write_bytes(b"")
    with Store(data, Settings()) as store:
        assert store.station_id == sid  # not a new station
        assert "dibuat baru" in _refuses(store)
        assert get_secret(f"data-key:{sid}") == key  # and no new data key
        assert store.find(saved[0].regno) == []


def test_a_wal_deleted_before_a_crash_is_noticed(tmp_path, subprocess_env):
    """The records of the last minutes live in the WAL; it is deleted and the station dies."""
    data = tmp_path / "data"
    Store(data, Settings()).close()
    script = (
        "import os, pickle, signal, sys\n"
        "from pathlib import Path\n"
        "from kiosk.settings import Settings\n"
        "from kiosk.store.station import Store\n"
        "s = Store(Path(sys.argv[1]), Settings())\n"
        "for rec in pickle.loads(Path(sys.argv[2]).read_bytes()):\n"
        "    s.save_recording(rec, 'op')\n"
        "os.unlink(sys.argv[1] + '/station.db-wal')\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    import pickle

    recs = tmp_path / "recs.pickle"
    recs.write_bytes(pickle.dumps([quick_recording(i) for i in range(3)]))
    done = subprocess.run([sys.executable, "-c", script, str(data), str(recs)],
                          env=subprocess_env, capture_output=True, text=True, timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr
    with Store(data, Settings()) as store:
        assert store.db.execute("SELECT COUNT(*) FROM records").fetchone()[0] == 0
        assert "lebih tua dari rekaman terakhir" in _refuses(store)


def test_another_stations_database_in_the_folder_is_noticed(tmp_path):
    data, other = tmp_path / "data", tmp_path / "other"
    _saved_station(data, 1)
    _saved_station(other, 1)
    for f in data.glob(f"{DB_NAME}*"):
        f.unlink()
    shutil.copy(other / DB_NAME, data / DB_NAME)
    with Store(data, Settings()) as store:
        assert "milik stasiun" in _refuses(store)


def test_an_older_copy_of_the_database_is_noticed_by_the_anchor_file(tmp_path):
    data = tmp_path / "data"
    with Store(data, Settings()) as s:
        s.save_recording(quick_recording(0), "op")
    shutil.copy(data / DB_NAME, tmp_path / "old.db")
    with Store(data, Settings()) as s:
        newest = s.save_recording(quick_recording(1), "op")
    for f in data.glob(f"{DB_NAME}*"):
        f.unlink()
    shutil.copy(tmp_path / "old.db", data / DB_NAME)
    with Store(data, Settings()) as store:
        assert newest.regno in _refuses(store)


def test_the_servers_newest_registration_number_anchors_too(tmp_path):
    data = tmp_path / "data"
    _saved_station(data, 1)
    (data / ANCHOR_FILE).unlink()
    with Store(data, Settings()) as store:
        store.check_can_start()
        store.set_meta(SERVER_LAST_REGNO, "627104-01-20261129-007")  # sync: what the server has
        assert "627104-01-20261129-007" in _refuses(store)


def test_a_restart_after_saves_and_a_torn_anchor_file_are_no_false_alarm(tmp_path):
    data = tmp_path / "data"
    sid, saved = _saved_station(data)
    with Store(data, Settings()) as store:
        store.check_can_start()
        assert check(store) == [] and store.replaced() is None
        anchor = read_anchor_file(store)
        assert anchor is not None and anchor["record_id"] == saved[-1].record_id
        assert get_secret(keyring_name(data)) == sid
    for torn in ("", '{"v": 1, "station_id": "x"', json.dumps({**anchor, "regno": "forged"})):
        (data / ANCHOR_FILE).write_text(torn)
        with Store(data, Settings()) as store:
            store.check_can_start()  # an anchor file that does not hold is no anchor


def test_a_torn_newest_slot_leaves_the_one_before_whole(tmp_path):
    data = tmp_path / "data"
    _, saved = _saved_station(data, 3)
    raw = bytearray((data / ANCHOR_FILE).read_bytes())
    assert len(raw) == 2 * SLOT
    newest = 0 if saved[-1].record_id.encode() in raw[:SLOT] else 1
    raw[newest * SLOT + 40: newest * SLOT + 60] = b"\0" * 20  # a power cut mid-write
    (data / ANCHOR_FILE).write_bytes(bytes(raw))
    with Store(data, Settings()) as store:
        anchor = read_anchor_file(store)
        assert anchor is not None and anchor["record_id"] == saved[-2].record_id
        store.check_can_start()
