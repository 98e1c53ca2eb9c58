"""A cap at or below today's count is said and asked before it is set: the rule in
kiosk.app.desk, used by the cap screen (a question) and `kiosk cap` (a sentence and --yes)."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import pytest

from kiosk.app import accounts
from kiosk.app.desk import CapBelowToday, DeskService, cap_warning
from kiosk.settings import Settings
from kiosk.store.station import Store
from tests.store.records import quick_recording


def _save(store: Store, n: int) -> None:
    for i in range(n):
        store.save_recording(quick_recording(i + 1, store.today()), "operator")


def test_the_warning_names_the_count_and_the_new_cap(store):
    _save(store, 3)
    status = store.cap_status()
    below = cap_warning(status, 2, today_only=True)
    assert below is not None and "3 / 2" in below.id and "3 / 2" in below.en
    assert below.id.startswith("Batas baru (2) lebih kecil dari jumlah perekaman hari ini (3)")
    assert below.en.startswith("The new cap (2) is below today's recordings (3)")
    assert "tidak ada perekaman baru lagi" in cap_warning(status, 3, today_only=True).id
    assert cap_warning(status, 4, today_only=True) is None
    assert cap_warning(status, 2, today_only=False) is not None  # standing: in force today
    overridden = dataclasses.replace(status, override_reason="keliling")
    assert cap_warning(overridden, 2, today_only=False) is None  # from tomorrow only
    assert cap_warning(overridden, 2, today_only=True) is not None


def test_the_desk_service_sets_it_only_when_confirmed(store, tmp_path):
    accounts.create_first_supervisor(store, "rina", "Rina", "135790")
    _save(store, 3)
    desk = DeskService(store, tmp_path / "s.toml", accounts.get_user(store, "rina"))
    with pytest.raises(CapBelowToday) as exc:
        desk.set_cap(2, "listrik padam", today_only=True)
    assert "3 / 2" in exc.value.msg.id
    assert store.cap_status().cap == 30 and store.cap_history() == []
    assert desk.set_cap(2, "listrik padam", today_only=True, confirmed=True).cap == 2


def _kiosk(env, data, *args: str, input: str = ""):
    return subprocess.run(
        [sys.executable, "-c", "from kiosk.cli import main; main()", "--data-dir", str(data),
         *args], env=env, capture_output=True, text=True, input=input, timeout=60,
        start_new_session=True)


@pytest.mark.parametrize("command", ["override", "set"])
def test_the_command_line_says_it_and_needs_yes(tmp_path, subprocess_env, command):
    data = tmp_path / "station"
    with Store(data, Settings()) as st:
        accounts.create_first_supervisor(st, "rina", "Rina", "135790")
        _save(st, 3)
    args = ("cap", command, "2", "--reason", "listrik padam", "--actor", "rina", "--pin-stdin")
    r = _kiosk(subprocess_env, data, *args)  # no PIN on stdin: refused before it is asked
    assert r.returncode == 1, r.stderr
    assert "lebih kecil dari jumlah perekaman hari ini (3)" in r.stderr
    assert "below today's recordings (3)" in r.stderr
    assert "--yes" in r.stderr and "Traceback" not in r.stderr
    with Store(data, Settings()) as st:
        assert st.cap_status().cap == 30 and st.cap_history() == []
    r = _kiosk(subprocess_env, data, *args, "--yes", input="135790\n")
    assert r.returncode == 0, r.stderr
    with Store(data, Settings()) as st:
        assert st.cap_status().cap == 2
