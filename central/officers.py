"""The Disdukcapil officers who use the console: accounts (a role each: viewer or approver),
passwords (scrypt), lockout after repeated failures, sessions kept in the database (so any
server process honours them), and the audit of everything an officer does.

A password is never stored or logged: only its scrypt hash with a random salt. A session's
token is given to the browser once (a Secure, HttpOnly, SameSite=Strict cookie) and only its
SHA-256 is stored, with the session's CSRF token and expiry."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from central.database import Database, IntegrityError, now_iso

ROLES = ("viewer", "approver")
MIN_PASSWORD = 10
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}  # ~16 MiB, ~50 ms here: fine for logins


class OfficerError(ValueError):
    """An account operation refused, with a sentence for the administrator."""


@dataclass(frozen=True)
class Officer:
    id: int
    name: str
    role: str

    @property
    def approver(self) -> bool:
        return self.role == "approver"


@dataclass(frozen=True)
class Session:
    officer: Officer
    csrf: str
    expires_at: str


@dataclass(frozen=True)
class LoginRefused:
    """Why a login failed: `locked_until` (ISO) when the account is locked now."""

    locked_until: str | None = None


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    key = hashlib.scrypt(password.encode(), salt=salt, **_SCRYPT)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(key).decode()


def _password_ok(password: str, stored: str) -> bool:
    try:
        scheme, salt, key = stored.split("$")
        expected = base64.b64decode(key)
        got = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), **_SCRYPT)
    except (ValueError, TypeError):
        return False
    return scheme == "scrypt" and hmac.compare_digest(got, expected)


_DUMMY = hash_password(secrets.token_urlsafe(12))  # an unknown name costs the same time


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise OfficerError(f"the password must have at least {MIN_PASSWORD} characters")
    if len(set(password)) < 4:
        raise OfficerError("the password must not be one or two characters repeated")


def add_officer(db: Database, name: str, role: str, password: str, actor: str) -> None:
    """A new account; OfficerError for a bad name, role or password, or a taken name."""
    name = name.strip()
    if not name or len(name) > 60 or not name.replace(".", "").replace("-", "").replace(
            "_", "").isalnum():
        raise OfficerError("a name is 1-60 letters, digits, '.', '-' or '_'")
    if role not in ROLES:
        raise OfficerError(f"the role is one of {', '.join(ROLES)}")
    check_password_rules(password)
    try:
        with db.transaction() as tx:
            tx.execute("INSERT INTO officers (name, role, password_hash, created_at) "
                       "VALUES (?, ?, ?, ?)", [name, role, hash_password(password), now_iso()])
            _audit(tx, actor, "officer.add", None, f"{name} ({role})")
    except IntegrityError:
        raise OfficerError(f"an officer named {name!r} exists already") from None


def set_password(db: Database, name: str, password: str, actor: str) -> None:
    """A new password (and the lockout lifted); OfficerError when there is no such officer."""
    check_password_rules(password)
    with db.transaction() as tx:
        cur = tx.execute("UPDATE officers SET password_hash = ?, failures = 0, "
                         "locked_until = NULL WHERE name = ?", [hash_password(password), name])
        if cur.rowcount != 1:
            raise OfficerError(f"no officer named {name!r}")
        tx.execute("DELETE FROM officer_sessions WHERE officer = "
                   "(SELECT id FROM officers WHERE name = ?)", [name])
        _audit(tx, actor, "officer.password", None, name)


def set_disabled(db: Database, name: str, disabled: bool, actor: str) -> None:
    """Disable (its sessions end at once) or enable an account."""
    with db.transaction() as tx:
        cur = tx.execute("UPDATE officers SET disabled_at = ? WHERE name = ?",
                         [now_iso() if disabled else None, name])
        if cur.rowcount != 1:
            raise OfficerError(f"no officer named {name!r}")
        if disabled:
            tx.execute("DELETE FROM officer_sessions WHERE officer = "
                       "(SELECT id FROM officers WHERE name = ?)", [name])
        _audit(tx, actor, "officer.disable" if disabled else "officer.enable", None, name)


def list_officers(db: Database) -> list[dict[str, object]]:
    with db.read() as tx:
        rows = tx.execute("SELECT name, role, created_at, failures, locked_until, disabled_at "
                          "FROM officers ORDER BY name").fetchall()
    keys = ("name", "role", "created_at", "failures", "locked_until", "disabled_at")
    return [dict(zip(keys, r, strict=True)) for r in rows]


def login(db: Database, name: str, password: str, *, max_failures: int, lockout_minutes: int,
          session_hours: float, client: str) -> tuple[str, Session] | LoginRefused:
    """A new session (its cookie token, and the session) for the right password; else
    LoginRefused, the failure counted (`max_failures` lock the account for
    `lockout_minutes`) and audited with the client's address, never the password."""
    now = dt.datetime.now(dt.UTC)
    with db.read() as tx:
        row = tx.execute("SELECT id, name, role, password_hash, failures, locked_until, "
                         "disabled_at FROM officers WHERE name = ?", [name]).fetchone()
    ok = _password_ok(password, row[3] if row else _DUMMY)
    if row is None or row[6] is not None:
        with db.transaction() as tx:
            _audit(tx, name[:60], "login.failed", None, f"from {client}")
        return LoginRefused()
    if row[5] and row[5] > now.isoformat():
        with db.transaction() as tx:
            _audit(tx, row[1], "login.locked", None, f"from {client}")
        return LoginRefused(locked_until=row[5])
    if not ok:
        failures = int(row[4]) + 1
        locked = (now + dt.timedelta(minutes=lockout_minutes)).isoformat() \
            if failures >= max_failures else None
        with db.transaction() as tx:
            tx.execute("UPDATE officers SET failures = ?, locked_until = ? WHERE id = ?",
                       [0 if locked else failures, locked, row[0]])
            _audit(tx, row[1], "login.failed", None,
                   f"from {client}" + (f"; locked until {locked}" if locked else ""))
        return LoginRefused(locked_until=locked)
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    expires = (now + dt.timedelta(hours=session_hours)).isoformat()
    with db.transaction() as tx:
        tx.execute("UPDATE officers SET failures = 0, locked_until = NULL WHERE id = ?",
                   [row[0]])
        tx.execute("DELETE FROM officer_sessions WHERE expires_at < ?", [now.isoformat()])
        tx.execute("INSERT INTO officer_sessions (token_hash, officer, csrf, created_at, "
                   "expires_at) VALUES (?, ?, ?, ?, ?)",
                   [_token_hash(token), row[0], csrf, now.isoformat(), expires])
        _audit(tx, row[1], "login", None, f"from {client}")
    return token, Session(Officer(int(row[0]), row[1], row[2]), csrf, expires)


def session(db: Database, token: str | None) -> Session | None:
    """The live session of this cookie token (None: none, expired, or its officer disabled)."""
    if not token:
        return None
    with db.read() as tx:
        row = tx.execute(
            "SELECT o.id, o.name, o.role, s.csrf, s.expires_at FROM officer_sessions s "
            "JOIN officers o ON o.id = s.officer WHERE s.token_hash = ? AND "
            "o.disabled_at IS NULL AND s.expires_at > ?",
            [_token_hash(token), dt.datetime.now(dt.UTC).isoformat()]).fetchone()
    return Session(Officer(int(row[0]), row[1], row[2]), row[3], row[4]) if row else None


def logout(db: Database, token: str, officer: str) -> None:
    with db.transaction() as tx:
        tx.execute("DELETE FROM officer_sessions WHERE token_hash = ?", [_token_hash(token)])
        _audit(tx, officer, "logout", None, None)


def audit(db: Database, officer: str, action: str, record_id: str | None,
          detail: str | None) -> None:
    """One line of the console's audit: who did what, to which record, when."""
    with db.transaction() as tx:
        _audit(tx, officer, action, record_id, detail)


def audit_of(db: Database, record_id: str | None = None,
             limit: int = 200) -> list[dict[str, str | None]]:
    """The audit, newest first (of one record, when given)."""
    where, params = ("WHERE record_id = ? ", [record_id]) if record_id else ("", [])
    with db.read() as tx:
        rows = tx.execute(f"SELECT officer, action, record_id, detail, at FROM console_audit "
                          f"{where}ORDER BY seq DESC LIMIT ?", [*params, limit]).fetchall()
    keys = ("officer", "action", "record_id", "detail", "at")
    return [dict(zip(keys, r, strict=True)) for r in rows]


def _audit(tx, officer: str, action: str, record_id: str | None,  # type: ignore[no-untyped-def]
           detail: str | None) -> None:
    tx.execute("INSERT INTO console_audit (officer, action, record_id, detail, at) "
               "VALUES (?, ?, ?, ?, ?)", [officer, action, record_id, detail, now_iso()])


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
