"""The daily cap: enforced in the save transaction, per local day of the station's zone."""

from __future__ import annotations

import datetime as dt
import json
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.domain.cap import DailyCapReached
from kiosk.settings import Settings
from kiosk.store.integrity import check
from kiosk.store.station import Store
from tests.store.records import quick_recording

SAVER = Path(__file__).with_name("saver.py")


def test_the_cap_plus_one_th_save_fails(tmp_path):
    s = Store(tmp_path / "d", Settings({"cap.daily": 3}))
    for i in range(3):
        s.save_recording(quick_recording(i), "op1")
    with pytest.raises(DailyCapReached) as exc:
        s.save_recording(quick_recording(4), "op1")
    assert (exc.value.count, exc.value.cap) == (3, 3)
    assert "3 dari 3" in exc.value.msg.id and "3 of 3" in exc.value.msg.en
    with pytest.raises(DailyCapReached):
        s.check_can_start()
    assert s.db.execute("SELECT COUNT(*) FROM records").fetchone()[0] == 3
    s.close()


def test_the_day_turns_at_local_midnight_of_the_configured_zone(tmp_path):
    # WITA (UTC+8): 15:59:59 UTC is 23:59:59 local, 16:00 UTC is the next local day.
    s = Store(tmp_path / "d", Settings({"cap.daily": 1, "station.timezone": "Asia/Makassar"}))
    before = dt.datetime(2026, 11, 28, 15, 59, 59, tzinfo=dt.UTC)
    after = dt.datetime(2026, 11, 28, 16, 0, 0, tzinfo=dt.UTC)
    first = s.save_recording(quick_recording(1), "op1", now=before)
    with pytest.raises(DailyCapReached) as exc:
        s.save_recording(quick_recording(2), "op1", now=before)
    assert exc.value.resets_at == after
    second = s.save_recording(quick_recording(3), "op1", now=after)
    assert (first.local_date, second.local_date) == (dt.date(2026, 11, 28), dt.date(2026, 11, 29))
    s.close()


def test_supervisor_override_raises_todays_cap_and_is_audited(tmp_path):
    s = Store(tmp_path / "d", Settings({"cap.daily": 1}))
    s.save_recording(quick_recording(1), "op1")
    with pytest.raises(ValueError):
        s.override_cap(5, "  ", "spv")
    s.override_cap(2, "antrean lansia", "spv")
    assert s.cap_status().cap == 2 and s.cap_status().override_reason == "antrean lansia"
    s.save_recording(quick_recording(2), "op1")
    with pytest.raises(DailyCapReached):
        s.save_recording(quick_recording(3), "op1")
    rows = list(s.db.query("SELECT actor, action, detail FROM audit WHERE action LIKE 'cap.%'"))
    assert rows[0]["actor"] == "spv" and rows[0]["action"] == "cap.override"
    assert json.loads(rows[0]["detail"]) == {
        "cap": 2,
        "date": s.today().isoformat(),
        "reason": "antrean lansia",
    }
    # tomorrow the standing cap applies again
    tomorrow = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    assert s.cap_status(tomorrow).cap == 1
    s.set_standing_cap(40, "kantor baru", "spv")
    assert s.cap_status(tomorrow).cap == 40
    assert s.audit("spv", "noop", {}) > 0
    s.close()


def test_two_processes_saving_at_once_never_exceed_the_cap(tmp_path, subprocess_env):
    config = tmp_path / "settings.toml"
    Settings({"cap.daily": 12}).save(config)
    template = tmp_path / "recs.pickle"
    template.write_bytes(pickle.dumps([quick_recording(i) for i in range(4)]))
    data = tmp_path / "d"
    Store(data, Settings.load(config)).close()
    procs = [
        subprocess.Popen(
            [sys.executable, str(SAVER), str(data), str(config), str(template), "20", str(start)],
            stdout=subprocess.PIPE,
            text=True,
            env=subprocess_env,
        )
        for start in (0, 100)
    ]
    outputs = [p.communicate(timeout=120)[0].split() for p in procs]
    assert all(p.returncode == 0 for p in procs)
    saved = [line for out in outputs for line in out if line not in ("ready", "cap")]
    assert len(saved) == 12 and len(set(saved)) == 12
    assert all("cap" in out for out in outputs)
    s = Store(data, Settings.load(config))
    assert s.db.execute("SELECT COUNT(*), COUNT(DISTINCT seq) FROM records").fetchone() == (12, 12)
    assert check(s) == []  # both processes sealed with the one station key
    s.close()
