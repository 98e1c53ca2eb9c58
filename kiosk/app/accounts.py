"""Station accounts: who may log in, with which PIN, and what each role may do.

Roles: operator (records applicants), technician (+ self-test, device settings, incident
history), supervisor (everything, including managing accounts). PINs are six digits, stored
only as a scrypt hash with a per-user salt. Every change is audited in the same transaction.

Rules: only an active supervisor manages accounts; nobody raises their own role; no change may
leave the station without an active supervisor (the last one cannot disable or demote
themselves). After `ui.max_login_failures` wrong PINs in a row an account is locked for
`ui.lockout_minutes`.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import sqlite_utils

from kiosk.app.pins import (
    SCRYPT_N,
    InvalidPin,
    TrivialPin,
    check_new_pin,
    check_pin,
    hash_pin,
    verify_pin,
)
from kiosk.domain.messages import DomainError, Msg
from kiosk.domain.roles import (
    ACTIONS,
    OPERATOR_ACTIONS,
    RANK,
    ROLES,
    SUPERVISOR_ACTIONS,
    TECHNICIAN_ACTIONS,
    PermissionDenied,
    can,
)
from kiosk.settings import Settings
from kiosk.store import audit
from kiosk.store.db import iso, write_transaction
from kiosk.store.station import Store
from kiosk.store.users import (
    User,
    active_supervisors,
    get_user,
    has_any_user,
    list_users,
    require,
    user_of,
    user_row,
)

# The role rules, PIN hashing and account reads live in kiosk.domain.roles, kiosk.app.pins
# and kiosk.store.users; they are named here too, so screens and commands have one module
# for everything about accounts.
__all__ = [
    "ACTIONS", "OPERATOR_ACTIONS", "ROLES", "SUPERVISOR_ACTIONS", "TECHNICIAN_ACTIONS",
    "PermissionDenied", "can", "User", "get_user", "has_any_user", "list_users", "require",
    "InvalidPin", "TrivialPin", "hash_pin", "verify_pin", "InvalidUsername", "InvalidDisplayName",
    "InvalidRole", "UserExists", "UnknownUser", "LoginFailed", "AccountLocked", "AccountDisabled",
    "LastSupervisor", "SetupAlreadyDone", "InvalidSetup", "create_user",
    "create_first_supervisor", "authenticate", "act_as", "disable_user", "enable_user", "reset_pin",
    "set_role", "first_run_setup",
]

_USERNAME_RE = re.compile(r"^[a-z][a-z0-9._-]{2,31}$")


# --- named errors -------------------------------------------------------------------------


class InvalidUsername(DomainError):
    def __init__(self, username: str) -> None:
        super().__init__(Msg(
            f"Nama pengguna '{username}' tidak sah: 3-32 huruf kecil, angka, titik, garis bawah "
            "atau tanda hubung, diawali huruf.",
            f"User name '{username}' is not valid: 3-32 lowercase letters, digits, '.', '_' or "
            "'-', starting with a letter.",
        ))


class InvalidDisplayName(DomainError):
    def __init__(self) -> None:
        super().__init__(Msg("Nama lengkap wajib diisi.", "The full name is required."))


class InvalidRole(DomainError):
    def __init__(self, role: str) -> None:
        super().__init__(Msg(
            f"Peran '{role}' tidak dikenal (operator, technician, supervisor).",
            f"Unknown role '{role}' (operator, technician, supervisor).",
        ))


class UserExists(DomainError):
    def __init__(self, username: str) -> None:
        super().__init__(Msg(
            f"Nama pengguna '{username}' sudah dipakai.", f"User name '{username}' is taken."
        ))


class UnknownUser(DomainError):
    def __init__(self, username: str) -> None:
        super().__init__(Msg(
            f"Pengguna '{username}' tidak ada.", f"There is no user '{username}'."
        ))


class LoginFailed(DomainError):
    """Wrong user name or PIN (deliberately not saying which)."""

    def __init__(self, attempts_left: int | None = None) -> None:
        left_id = f" Sisa percobaan: {attempts_left}." if attempts_left is not None else ""
        left_en = f" Attempts left: {attempts_left}." if attempts_left is not None else ""
        super().__init__(Msg(
            "Nama pengguna atau PIN salah." + left_id,
            "Wrong user name or PIN." + left_en,
        ))
        self.attempts_left = attempts_left


class AccountLocked(DomainError):
    def __init__(self, until: dt.datetime) -> None:
        when = until.strftime("%H:%M")
        super().__init__(Msg(
            f"Akun terkunci karena PIN salah berulang kali, sampai pukul {when}. "
            "Pengawas dapat membukanya dengan mengatur ulang PIN.",
            f"The account is locked after repeated wrong PINs, until {when}. "
            "A supervisor can unlock it by resetting the PIN.",
        ))
        self.until = until


class AccountDisabled(DomainError):
    def __init__(self, username: str) -> None:
        super().__init__(Msg(
            f"Akun '{username}' dinonaktifkan. Hubungi pengawas.",
            f"The account '{username}' is disabled. Ask a supervisor.",
        ))


class LastSupervisor(DomainError):
    def __init__(self) -> None:
        super().__init__(Msg(
            "Tidak bisa: stasiun harus tetap punya paling sedikit satu pengawas aktif.",
            "Not possible: the station must keep at least one active supervisor.",
        ))


class SetupAlreadyDone(DomainError):
    def __init__(self) -> None:
        super().__init__(Msg(
            "Pengaturan awal sudah dilakukan: stasiun ini sudah punya akun.",
            "First-run setup is already done: this station has accounts.",
        ))


class InvalidSetup(DomainError):
    """A first-run setup value that cannot be used; the message names it."""


# --- users ------------------------------------------------------------------------------


def _check_new_user(username: str, display_name: str, role: str, pin: str,
                    demo: bool = False) -> None:
    """A new account's values; its PIN is a chosen one (not trivial) unless `demo`."""
    if not _USERNAME_RE.match(username or ""):
        raise InvalidUsername(username)
    if not display_name.strip():
        raise InvalidDisplayName()
    if role not in ROLES:
        raise InvalidRole(role)
    check_pin(pin) if demo else check_new_pin(pin)


def _now(store: Store, now: dt.datetime | None) -> dt.datetime:
    return now or store.clock()


def _insert(
    db: sqlite_utils.Database, username: str, display_name: str, role: str, pin_hash: str,
    when: str,
) -> None:
    if user_row(db, username) is not None:
        raise UserExists(username)
    db["users"].insert({
        "username": username,
        "display_name": display_name.strip(),
        "role": role,
        "pin_hash": pin_hash,
        "failed_attempts": 0,
        "locked_until": None,
        "disabled": 0,
        "created_at": when,
        "updated_at": when,
    })


def create_user(
    store: Store, actor: str, username: str, display_name: str, role: str, pin: str,
    now: dt.datetime | None = None, *, demo: bool = False,
) -> User:
    """Supervisor `actor` adds an account, audited as 'user.created'; TrivialPin for a trivial
    PIN unless `demo` (kiosk.demo's published accounts only, audited so)."""
    _check_new_user(username, display_name, role, pin, demo)
    pin_hash = hash_pin(pin)  # slow: outside the write lock
    with write_transaction(store.db):
        require(store, actor, "accounts")
        _insert(store.db, username, display_name, role, pin_hash, iso(_now(store, now)))
        audit.append(store.db, actor, "user.created",
                     {"username": username, "role": role, **({"demo": True} if demo else {})})
    return get_user(store, username)  # type: ignore[return-value]


def create_first_supervisor(
    store: Store, username: str, display_name: str, pin: str, now: dt.datetime | None = None,
    *, demo: bool = False,
) -> User:
    """The first account, a supervisor (SetupAlreadyDone after); `demo` as in create_user."""
    _check_new_user(username, display_name, "supervisor", pin, demo)
    pin_hash = hash_pin(pin)
    with write_transaction(store.db):
        _first_supervisor_locked(store, username, display_name, pin_hash, now, demo)
    return get_user(store, username)  # type: ignore[return-value]


def _first_supervisor_locked(
    store: Store, username: str, display_name: str, pin_hash: str, now: dt.datetime | None,
    demo: bool = False,
) -> None:
    if has_any_user(store):
        raise SetupAlreadyDone()
    _insert(store.db, username, display_name, "supervisor", pin_hash, iso(_now(store, now)))
    audit.append(store.db, "setup", "user.created", {"username": username, "role": "supervisor",
                                                     **({"demo": True} if demo else {})})


def authenticate(store: Store, username: str, pin: str, now: dt.datetime | None = None) -> User:
    """The account if `pin` is right; LoginFailed, AccountLocked or AccountDisabled if not.

    A wrong PIN counts against the account; reaching `ui.max_login_failures` locks it for
    `ui.lockout_minutes` (audited as 'user.locked'). A right PIN resets the count.
    """
    now = _now(store, now)
    row = user_row(store.db, username)
    if row is None:
        verify_pin(pin, f"scrypt${SCRYPT_N}$8$1${'00' * 16}${'00' * 32}")  # same time as a miss
        raise LoginFailed()
    user = user_of(row)
    if user.disabled:
        raise AccountDisabled(username)
    if user.locked(now):
        raise AccountLocked(user.locked_until.astimezone(store.settings.timezone))  # type: ignore[union-attr]
    ok = verify_pin(pin, row["pin_hash"])
    limit = int(store.settings["ui.max_login_failures"])
    with write_transaction(store.db):
        current = user_row(store.db, username) or row  # another window may have counted too
        if ok:
            store.db.execute(
                "UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE username = ?",
                [username],
            )
            audit.append(store.db, username, "user.login", {})
            locked_until = None
        else:
            failures = int(current["failed_attempts"]) + 1
            locked_until = None
            if failures >= limit:
                locked_until = now + dt.timedelta(minutes=int(store.settings["ui.lockout_minutes"]))
                failures = 0
            store.db.execute(
                "UPDATE users SET failed_attempts = ?, locked_until = ?, updated_at = ? "
                "WHERE username = ?",
                [failures, iso(locked_until) if locked_until else None, iso(now), username],
            )
            audit.append(store.db, username, "user.login_failed", {"failures": failures})
            if locked_until:
                audit.append(store.db, "system", "user.locked",
                             {"username": username, "until": iso(locked_until)})
    if ok:
        return get_user(store, username)  # type: ignore[return-value]
    if locked_until:
        raise AccountLocked(locked_until.astimezone(store.settings.timezone))
    raise LoginFailed(limit - failures)


def act_as(
    store: Store, username: str, pin: str, action: str, now: dt.datetime | None = None
) -> User:
    """The one check of an actor before a privileged action, for the GUI and the command line:
    `username` is an active, unlocked account, `pin` is its PIN (through `authenticate`, so a
    wrong one counts towards the lockout and is audited) and its role may do `action`
    (PermissionDenied, audited as 'user.denied', otherwise)."""
    user = authenticate(store, username.strip().lower(), pin, now)
    if not user.can(action):
        store.audit(user.username, "user.denied", {"action": action})
        raise PermissionDenied(user.username, action)
    return user


def _change(
    store: Store, actor: str, username: str, now: dt.datetime | None, action: str,
    detail: dict[str, Any], sets: dict[str, Any],
) -> User:
    """Apply `sets` to `username` as supervisor `actor`, keeping an active supervisor."""
    with write_transaction(store.db):
        require(store, actor, "accounts")
        if user_row(store.db, username) is None:
            raise UnknownUser(username)
        sets = {**sets, "updated_at": iso(_now(store, now))}
        cols = ", ".join(f"{k} = ?" for k in sets)
        store.db.execute(
            f"UPDATE users SET {cols} WHERE username = ?", [*sets.values(), username]
        )
        if active_supervisors(store.db) == 0:
            raise LastSupervisor()  # rolls the update back
        audit.append(store.db, actor, action, {"username": username, **detail})
    return get_user(store, username)  # type: ignore[return-value]


def disable_user(store: Store, actor: str, username: str, now: dt.datetime | None = None) -> User:
    """The account can no longer log in (its history stays)."""
    return _change(store, actor, username, now, "user.disabled", {}, {"disabled": 1})


def enable_user(store: Store, actor: str, username: str, now: dt.datetime | None = None) -> User:
    return _change(store, actor, username, now, "user.enabled", {}, {"disabled": 0})


def reset_pin(
    store: Store, actor: str, username: str, new_pin: str, now: dt.datetime | None = None
) -> User:
    """Set a new PIN (the old one is forgotten) and lift any lockout; TrivialPin for a
    trivial one."""
    check_new_pin(new_pin)
    pin_hash = hash_pin(new_pin)
    return _change(store, actor, username, now, "user.pin_reset", {},
                   {"pin_hash": pin_hash, "failed_attempts": 0, "locked_until": None})


def set_role(
    store: Store, actor: str, username: str, role: str, now: dt.datetime | None = None
) -> User:
    """Change an account's role; nobody raises their own."""
    if role not in ROLES:
        raise InvalidRole(role)
    current = get_user(store, username)
    if current is None:
        raise UnknownUser(username)
    if actor == username and RANK[role] > RANK[current.role]:
        raise PermissionDenied(actor, "raise own role")
    return _change(store, actor, username, now, "user.role",
                   {"from": current.role, "to": role}, {"role": role})


# --- first run ---------------------------------------------------------------------------


def first_run_setup(
    store: Store, settings_path: Path, station_number: str, kecamatan: str, timezone: str,
    daily_cap: int, supervisor_username: str, supervisor_name: str, pin: str,
    now: dt.datetime | None = None,
) -> User:
    """The setup wizard's work: station settings written to the TOML file and the first
    supervisor created, together; SetupAlreadyDone when the station has any account."""
    if has_any_user(store):
        raise SetupAlreadyDone()
    if not re.fullmatch(r"[0-9]{1,2}", station_number.strip()):
        raise InvalidSetup(Msg("Nomor stasiun harus 1-2 angka.",
                               "The station number must be 1-2 digits."))
    if not re.fullmatch(r"[0-9]{6}", kecamatan.strip()):
        raise InvalidSetup(Msg("Kode kecamatan harus 6 angka (mis. 627104).",
                               "The kecamatan code must be 6 digits (e.g. 627104)."))
    values = {
        "station.number": f"{int(station_number):02d}",
        "station.kecamatan": kecamatan.strip(),
        "station.timezone": timezone.strip(),
        "cap.daily": daily_cap,
    }
    file_settings = Settings.load(settings_path)
    try:
        for key, value in values.items():
            file_settings.set(key, value)
        file_settings.timezone  # noqa: B018  (raises for an unknown zone)
    except ValueError as exc:  # SettingsError
        raise InvalidSetup(Msg(f"Pengaturan tidak sah: {exc}", f"Invalid setting: {exc}")) from None
    _check_new_user(supervisor_username, supervisor_name, "supervisor", pin)
    pin_hash = hash_pin(pin)
    with write_transaction(store.db):
        _first_supervisor_locked(store, supervisor_username, supervisor_name, pin_hash, now)
        audit.append(store.db, "setup", "setup.first_run", values)
        file_settings.save(settings_path)  # a failure here rolls the account back
    for key, value in values.items():
        store.settings.set(key, value)  # the running station uses them at once
    return get_user(store, supervisor_username)  # type: ignore[return-value]
