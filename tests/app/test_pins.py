"""Trivial PINs are refused wherever a person chooses one (GUI desk, set-up, command line);
the demo's published accounts keep their documented PINs."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from kiosk.app import accounts
from kiosk.app.desk import DeskService
from kiosk.app.pins import InvalidPin, TrivialPin, check_new_pin, trivial_reason
from kiosk.demo.accounts import DEMO_ACCOUNTS
from kiosk.demo.environment import ensure_demo_accounts
from kiosk.store import audit


@pytest.mark.parametrize(("pin", "reason"), [
    ("000000", "same"), ("111111", "same"), ("999999", "same"),
    ("123456", "run"), ("012345", "run"), ("456789", "run"), ("654321", "run"),
    ("987654", "run"), ("543210", "run"), ("890123", "run"), ("210987", "run"),
    ("121212", "pattern"), ("909090", "pattern"), ("123123", "pattern"), ("707707", "pattern"),
    ("135790", None), ("246810", None), ("480362", None), ("112233", None), ("123457", None),
])
def test_trivial_pins_are_named_by_their_kind(pin, reason):
    assert trivial_reason(pin) == reason


def test_a_trivial_pin_is_refused_with_its_reason_in_both_languages():
    with pytest.raises(TrivialPin) as exc:
        check_new_pin("123456")
    assert exc.value.msg.id.startswith("PIN tidak boleh angka berurutan naik atau turun")
    assert exc.value.msg.en.startswith("The PIN cannot be digits in a row up or down")
    assert isinstance(exc.value, InvalidPin)  # a usage error on the command line (exit 2)
    with pytest.raises(TrivialPin, match="satu angka yang diulang"):
        check_new_pin("555555")
    with pytest.raises(InvalidPin, match="6 angka"):
        check_new_pin("12345")
    check_new_pin("480362")


def test_every_way_a_person_sets_a_pin_refuses_a_trivial_one(store, tmp_path):
    with pytest.raises(TrivialPin):
        accounts.create_first_supervisor(store, "rina", "Rina", "654321")
    with pytest.raises(TrivialPin):
        accounts.first_run_setup(store, tmp_path / "s.toml", "1", "627104", "Asia/Jakarta", 30,
                                 "rina", "Rina", "111111")
    assert not accounts.has_any_user(store)
    accounts.create_first_supervisor(store, "rina", "Rina", "135790")
    with pytest.raises(TrivialPin):
        accounts.create_user(store, "rina", "budi", "Budi", "operator", "123456")
    assert accounts.get_user(store, "budi") is None
    desk = DeskService(store, tmp_path / "s.toml", accounts.get_user(store, "rina"))
    with pytest.raises(TrivialPin):  # the accounts screen's path
        desk.add_user("budi", "Budi", "operator", "121212")
    desk.add_user("budi", "Budi", "operator", "480362")
    with pytest.raises(TrivialPin):
        desk.reset_pin("budi", "000000")
    with pytest.raises(TrivialPin):
        accounts.reset_pin(store, "rina", "budi", "987654")
    assert accounts.authenticate(store, "budi", "480362").username == "budi"  # unchanged


def test_the_demo_accounts_keep_their_published_pins(store):
    """operator / 111111, teknisi / 222222, pengawas / 333333, as the login screen and the
    README show them: seeded through the demo, audited as the demo's."""
    shown = ensure_demo_accounts(store)
    assert shown == list(DEMO_ACCOUNTS)
    for username, pin, role in DEMO_ACCOUNTS:
        assert trivial_reason(pin) is not None  # they are trivial, on purpose
        assert accounts.authenticate(store, username, pin).role == role
    created = [json.loads(r["detail"]) for r in audit.rows(store.db, 100)
               if r["action"] == "user.created"]
    assert len(created) == len(DEMO_ACCOUNTS) and all(d.get("demo") is True for d in created)


def _kiosk(env, data, *args: str, input: str = ""):
    return subprocess.run(
        [sys.executable, "-c", "from kiosk.cli import main; main()", "--data-dir", str(data),
         *args], env=env, capture_output=True, text=True, input=input, timeout=60,
        start_new_session=True)


def test_the_command_line_refuses_a_trivial_pin_with_the_sentence(tmp_path, subprocess_env):
    data = tmp_path / "station"
    r = _kiosk(subprocess_env, data, "user", "add", "rina", "--role", "supervisor",
               "--name", "Rina", "--pin", "123456")
    assert r.returncode == 2
    assert "PIN tidak boleh angka berurutan" in r.stderr and "digits in a row" in r.stderr
    assert "Traceback" not in r.stderr
    assert _kiosk(subprocess_env, data, "user", "add", "rina", "--role", "supervisor",
                  "--name", "Rina", "--pin", "135790").returncode == 0
    r = _kiosk(subprocess_env, data, "user", "add", "budi", "--role", "operator", "--name",
               "Budi", "--actor", "rina", "--pin-stdin", input="135790\n111111\n111111\n")
    assert r.returncode == 2 and "satu angka yang diulang" in r.stderr
    assert _kiosk(subprocess_env, data, "user", "add", "budi", "--role", "operator", "--name",
                  "Budi", "--actor", "rina", "--pin-stdin",
                  input="135790\n480362\n480362\n").returncode == 0
    r = _kiosk(subprocess_env, data, "user", "reset-pin", "budi", "--pin", "654321",
               "--actor", "rina", "--pin-stdin", input="135790\n")
    assert r.returncode == 2 and "angka berurutan" in r.stderr
