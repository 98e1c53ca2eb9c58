"""Accounts: PIN hashing, login and lockout, role rules, first-run setup, audit, CLI."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.app import accounts
from kiosk.app.accounts import (
    AccountDisabled,
    AccountLocked,
    InvalidPin,
    InvalidSetup,
    InvalidUsername,
    LastSupervisor,
    LoginFailed,
    PermissionDenied,
    SetupAlreadyDone,
    UserExists,
)
from kiosk.settings import Settings
from kiosk.store import audit

T0 = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)


def _audit_actions(store) -> list[tuple[str, str, dict]]:
    return [
        (r["actor"], r["action"], json.loads(r["detail"]))
        for r in reversed(audit.rows(store.db, 1000))
    ]


@pytest.fixture
def boss(store):
    return accounts.create_first_supervisor(store, "pengawas", "Rina Pengawas", "135790", now=T0)


def test_pin_is_stored_only_as_salted_scrypt(store, boss):
    row = store.db.execute("SELECT pin_hash FROM users WHERE username = 'pengawas'").fetchone()
    assert "135790" not in row[0]
    assert row[0].startswith("scrypt$16384$8$1$")
    other = accounts.hash_pin("135790")
    assert other != row[0]  # per-user salt
    assert accounts.verify_pin("135790", other)
    assert not accounts.verify_pin("135791", other)


@pytest.mark.parametrize("pin", ["12345", "1234567", "12a456", "", " 123456"])
def test_pin_must_be_six_digits(store, boss, pin):
    with pytest.raises(InvalidPin) as err:
        accounts.create_user(store, "pengawas", "budi", "Budi", "operator", pin)
    assert "6 angka" in err.value.text("id") and "6 digits" in err.value.text("en")


@pytest.mark.parametrize("name", ["Budi", "b", "budi santoso", "9budi", "x" * 40])
def test_username_is_validated(store, boss, name):
    with pytest.raises(InvalidUsername):
        accounts.create_user(store, "pengawas", name, "Budi", "operator", "407193")


def test_duplicate_username_is_refused(store, boss):
    accounts.create_user(store, "pengawas", "budi", "Budi", "operator", "407193")
    with pytest.raises(UserExists):
        accounts.create_user(store, "pengawas", "budi", "Budi Lain", "technician", "518204")


def test_login_with_right_pin_returns_the_user_and_is_audited(store, boss):
    user = accounts.authenticate(store, "pengawas", "135790", now=T0)
    assert user.role == "supervisor" and user.display_name == "Rina Pengawas"
    assert ("pengawas", "user.login", {}) in _audit_actions(store)


def test_wrong_pin_and_unknown_user_fail_alike(store, boss):
    with pytest.raises(LoginFailed) as wrong:
        accounts.authenticate(store, "pengawas", "000000", now=T0)
    with pytest.raises(LoginFailed) as unknown:
        accounts.authenticate(store, "nobody", "000000", now=T0)
    assert wrong.value.attempts_left == 4
    assert unknown.value.text("id").startswith("Nama pengguna atau PIN salah")
    assert accounts.get_user(store, "pengawas").failed_attempts == 1


def test_lockout_after_max_failures_then_unlocks_after_the_lockout(store, boss):
    store.settings.set("ui.max_login_failures", 3)
    store.settings.set("ui.lockout_minutes", 15)
    for _ in range(2):
        with pytest.raises(LoginFailed):
            accounts.authenticate(store, "pengawas", "000000", now=T0)
    with pytest.raises(AccountLocked) as locked:
        accounts.authenticate(store, "pengawas", "000000", now=T0)
    assert locked.value.until == T0 + dt.timedelta(minutes=15)
    # even the right PIN is refused while locked
    with pytest.raises(AccountLocked):
        accounts.authenticate(store, "pengawas", "135790", now=T0 + dt.timedelta(minutes=14))
    user = accounts.authenticate(store, "pengawas", "135790", now=T0 + dt.timedelta(minutes=16))
    assert user.failed_attempts == 0 and user.locked_until is None
    assert any(a == "user.locked" for _, a, _ in _audit_actions(store))


def test_right_pin_resets_the_failure_count(store, boss):
    with pytest.raises(LoginFailed):
        accounts.authenticate(store, "pengawas", "000000", now=T0)
    accounts.authenticate(store, "pengawas", "135790", now=T0)
    assert accounts.get_user(store, "pengawas").failed_attempts == 0


def test_disabled_account_cannot_log_in_until_enabled(store, boss):
    accounts.create_user(store, "pengawas", "budi", "Budi", "operator", "407193")
    accounts.disable_user(store, "pengawas", "budi")
    with pytest.raises(AccountDisabled):
        accounts.authenticate(store, "budi", "407193")
    accounts.enable_user(store, "pengawas", "budi")
    assert accounts.authenticate(store, "budi", "407193").username == "budi"


def test_only_an_active_supervisor_manages_accounts(store, boss):
    accounts.create_user(store, "pengawas", "budi", "Budi", "operator", "407193")
    accounts.create_user(store, "pengawas", "tek", "Teknisi", "technician", "518204")
    for actor in ("budi", "tek", "nobody"):
        with pytest.raises(PermissionDenied):
            accounts.create_user(store, actor, "siti", "Siti", "operator", "629315")
        with pytest.raises(PermissionDenied):
            accounts.reset_pin(store, actor, "budi", "730426")
    accounts.create_user(store, "pengawas", "kedua", "Pengawas Dua", "supervisor", "841537")
    accounts.disable_user(store, "pengawas", "kedua")
    with pytest.raises(PermissionDenied):
        accounts.disable_user(store, "kedua", "budi")


def test_nobody_raises_their_own_role(store, boss):
    accounts.create_user(store, "pengawas", "tek", "Teknisi", "technician", "518204")
    with pytest.raises(PermissionDenied):
        accounts.set_role(store, "tek", "tek", "supervisor")
    assert accounts.get_user(store, "tek").role == "technician"
    changed = accounts.set_role(store, "pengawas", "tek", "supervisor")
    assert changed.role == "supervisor"
    assert ("pengawas", "user.role", {"username": "tek", "from": "technician",
                                      "to": "supervisor"}) in _audit_actions(store)


def test_last_active_supervisor_cannot_disable_or_demote_themselves(store, boss):
    with pytest.raises(LastSupervisor):
        accounts.disable_user(store, "pengawas", "pengawas")
    with pytest.raises(LastSupervisor):
        accounts.set_role(store, "pengawas", "pengawas", "operator")
    assert accounts.get_user(store, "pengawas").role == "supervisor"
    assert not accounts.get_user(store, "pengawas").disabled
    accounts.create_user(store, "pengawas", "kedua", "Pengawas Dua", "supervisor", "841537")
    accounts.disable_user(store, "pengawas", "pengawas")  # another supervisor remains
    assert accounts.get_user(store, "pengawas").disabled


def test_reset_pin_lifts_a_lockout_and_replaces_the_pin(store, boss):
    accounts.create_user(store, "pengawas", "budi", "Budi", "operator", "407193")
    store.settings.set("ui.max_login_failures", 1)
    with pytest.raises(AccountLocked):
        accounts.authenticate(store, "budi", "000000", now=T0)
    accounts.reset_pin(store, "pengawas", "budi", "952648")
    assert accounts.authenticate(store, "budi", "952648", now=T0).username == "budi"
    with pytest.raises(AccountLocked):  # the old PIN is now a wrong one (limit 1)
        accounts.authenticate(store, "budi", "407193", now=T0)


def test_every_account_change_is_audited_with_the_actor(store, boss):
    accounts.create_user(store, "pengawas", "budi", "Budi", "operator", "407193")
    accounts.disable_user(store, "pengawas", "budi")
    accounts.enable_user(store, "pengawas", "budi")
    accounts.reset_pin(store, "pengawas", "budi", "518204")
    accounts.set_role(store, "pengawas", "budi", "technician")
    trail = [(a, act) for a, act, d in _audit_actions(store) if d.get("username") == "budi"]
    assert trail == [
        ("pengawas", "user.created"), ("pengawas", "user.disabled"), ("pengawas", "user.enabled"),
        ("pengawas", "user.pin_reset"), ("pengawas", "user.role"),
    ]
    assert audit.verify(store.db) is None


def test_role_permissions_for_screens():
    assert accounts.can("operator", "record") and accounts.can("operator", "status")
    assert not accounts.can("operator", "selftest")
    assert not accounts.can("operator", "export")
    assert accounts.can("technician", "selftest") and accounts.can("technician", "incident_history")
    assert accounts.can("technician", "device_settings")
    assert not accounts.can("technician", "accounts") and not accounts.can("technician", "cap")
    for action in accounts.ACTIONS:
        assert accounts.can("supervisor", action)
    with pytest.raises(ValueError):
        accounts.can("supervisor", "no-such-action")


def test_first_run_setup_writes_settings_and_creates_the_supervisor(store, tmp_path):
    assert not accounts.has_any_user(store)
    path = tmp_path / "cfg" / "settings.toml"
    user = accounts.first_run_setup(
        store, path, "3", "627101", "Asia/Makassar", 45, "kepala", "Kepala Seksi", "246810"
    )
    assert user.role == "supervisor" and accounts.has_any_user(store)
    saved = Settings.load(path)
    assert saved["station.number"] == "03"
    assert saved["station.kecamatan"] == "627101"
    assert saved["station.timezone"] == "Asia/Makassar"
    assert saved["cap.daily"] == 45
    assert store.settings["cap.daily"] == 45
    assert store.cap_status().cap == 45
    with pytest.raises(SetupAlreadyDone):
        accounts.first_run_setup(
            store, path, "4", "627101", "Asia/Jakarta", 30, "lain", "Lain", "246810"
        )


@pytest.mark.parametrize(
    "number, kec, tz, cap",
    [("abc", "627104", "Asia/Jakarta", 30), ("1", "6271", "Asia/Jakarta", 30),
     ("1", "627104", "Mars/Olympus", 30), ("1", "627104", "Asia/Jakarta", 0)],
)
def test_first_run_setup_refuses_bad_values_and_writes_nothing(store, tmp_path, number, kec, tz,
                                                              cap):
    path = tmp_path / "settings.toml"
    with pytest.raises(InvalidSetup):
        accounts.first_run_setup(store, path, number, kec, tz, cap, "kepala", "Kepala", "246810")
    assert not path.exists() and not accounts.has_any_user(store)


def test_act_as_needs_the_right_pin_and_the_role(store, boss):
    """The one check before a privileged action: the account, its PIN, its role."""
    accounts.create_user(store, "pengawas", "budi", "Budi", "operator", "407193")
    assert accounts.act_as(store, " Pengawas ", "135790", "cap").username == "pengawas"
    with pytest.raises(LoginFailed):
        accounts.act_as(store, "pengawas", "000000", "cap")
    with pytest.raises(LoginFailed):
        accounts.act_as(store, "nobody", "135790", "cap")
    with pytest.raises(PermissionDenied):
        accounts.act_as(store, "budi", "407193", "cap")  # the right PIN, the wrong role
    assert accounts.act_as(store, "budi", "407193", "record").username == "budi"
    actions = [(actor, action, detail) for actor, action, detail in _audit_actions(store)
               if action in ("user.login_failed", "user.denied")]
    assert actions == [("pengawas", "user.login_failed", {"failures": 1}),
                       ("budi", "user.denied", {"action": "cap"})]


def test_act_as_wrong_pins_count_towards_the_lockout(store, boss):
    store.settings.set("ui.max_login_failures", 3)
    for _ in range(2):
        with pytest.raises(LoginFailed):
            accounts.act_as(store, "pengawas", "000000", "accounts", now=T0)
    with pytest.raises(AccountLocked):
        accounts.act_as(store, "pengawas", "000000", "accounts", now=T0)
    with pytest.raises(AccountLocked):  # the right PIN too, while locked
        accounts.act_as(store, "pengawas", "135790", "accounts", now=T0)


def _kiosk(env, data: Path, *args: str, input: str = ""):
    return subprocess.run(
        [sys.executable, "-c", "from kiosk.cli import main; main()", "--data-dir", str(data),
         *args],
        env=env, capture_output=True, text=True, input=input, timeout=60,
        start_new_session=True,  # no terminal: the PINs come from stdin, as in a script
    )


def test_user_cli_add_list_disable_reset(tmp_path, subprocess_env):
    """The supervisor's PIN on the first stdin line (--pin-stdin), then the new PIN twice."""
    data = tmp_path / "station"
    r = _kiosk(subprocess_env, data, "user", "add", "pengawas", "--role", "supervisor",
               "--name", "Rina", "--pin", "135790")
    assert r.returncode == 0, r.stderr
    r = _kiosk(subprocess_env, data, "user", "add", "budi", "--role", "operator",
               "--name", "Budi", "--actor", "pengawas", "--pin-stdin",
               input="135790\n407193\n407193\n")
    assert r.returncode == 0, r.stderr
    r = _kiosk(subprocess_env, data, "user", "add", "siti", "--role", "operator",
               "--name", "Siti", "--pin", "518204", "--actor", "budi", "--pin-stdin",
               input="407193\n")
    assert r.returncode == 1 and "tidak berwenang" in r.stderr
    assert _kiosk(subprocess_env, data, "user", "disable", "budi", "--actor", "pengawas",
                  "--pin-stdin", input="135790\n").returncode == 0
    assert _kiosk(subprocess_env, data, "user", "reset-pin", "budi", "--pin", "629315",
                  "--actor", "pengawas", "--pin-stdin", input="135790\n").returncode == 0
    out = _kiosk(subprocess_env, data, "user", "list").stdout
    lines = {line.split()[0]: line for line in out.splitlines()}
    assert "supervisor" in lines["pengawas"] and "aktif" in lines["pengawas"]
    assert "nonaktif" in lines["budi"]
