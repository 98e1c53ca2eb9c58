"""Station accounts as the database holds them: reading accounts, and `require`, the check every
privileged action makes against the acting account's current row (so a role change or a
disabled account counts at once). Creating and changing accounts: kiosk.app.accounts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from kiosk.domain.roles import PermissionDenied, can
from kiosk.store.station import Store


@dataclass(frozen=True)
class User:
    """An account as screens see it (never the PIN hash)."""

    username: str
    display_name: str
    role: str
    disabled: bool
    failed_attempts: int
    locked_until: dt.datetime | None
    created_at: str
    updated_at: str

    def locked(self, now: dt.datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until

    def can(self, action: str) -> bool:
        return can(self.role, action)


def user_of(row: dict[str, Any]) -> User:
    locked = row["locked_until"]
    return User(
        username=row["username"],
        display_name=row["display_name"],
        role=row["role"],
        disabled=bool(row["disabled"]),
        failed_attempts=int(row["failed_attempts"]),
        locked_until=dt.datetime.fromisoformat(locked) if locked else None,
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def user_row(db: sqlite_utils.Database, username: str) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM users WHERE username = ?", [username]))
    return rows[0] if rows else None


def has_any_user(store: Store) -> bool:
    """False on a fresh station: the GUI then shows the first-run setup wizard."""
    return store.db.execute("SELECT 1 FROM users LIMIT 1").fetchone() is not None


def get_user(store: Store, username: str) -> User | None:
    row = user_row(store.db, username)
    return user_of(row) if row else None


def list_users(store: Store) -> list[User]:
    """Every account, supervisors first, then by user name."""
    rows = store.db.query(
        "SELECT * FROM users ORDER BY CASE role WHEN 'supervisor' THEN 0 "
        "WHEN 'technician' THEN 1 ELSE 2 END, username"
    )
    return [user_of(r) for r in rows]


def require(store: Store, actor: str, action: str) -> User:
    """The active account `actor` if its role may do `action`, else PermissionDenied."""
    row = user_row(store.db, actor)
    if row is None or row["disabled"] or not can(row["role"], action):
        raise PermissionDenied(actor, action)
    return user_of(row)


def active_supervisors(db: sqlite_utils.Database) -> int:
    return int(db.execute(
        "SELECT COUNT(*) FROM users WHERE role = 'supervisor' AND disabled = 0"
    ).fetchone()[0])
