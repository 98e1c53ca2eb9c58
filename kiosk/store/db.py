"""The station database: one SQLite file, WAL + synchronous=FULL, versioned migrations."""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import sqlite_utils

DB_NAME = "station.db"

Migration = Callable[[sqlite_utils.Database], None]
MIGRATIONS: list[tuple[int, str, Migration]] = []


def migration(version: int, name: str) -> Callable[[Migration], Migration]:
    """Register a schema migration; applied in version order and recorded in `_migrations`."""

    def register(fn: Migration) -> Migration:
        if any(v == version for v, _, _ in MIGRATIONS):
            raise ValueError(f"migration {version} declared twice")
        MIGRATIONS.append((version, name, fn))
        MIGRATIONS.sort(key=lambda m: m[0])
        return fn

    return register


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def iso(t: dt.datetime) -> str:
    return t.astimezone(dt.UTC).isoformat(timespec="microseconds")


def connect(path: Path) -> sqlite_utils.Database:
    """Open (creating) the database with the durability pragmas and migrations applied."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # isolation_level=None: we issue BEGIN ourselves (BEGIN IMMEDIATE for writes).
    conn = sqlite3.connect(str(path), timeout=30.0, isolation_level=None, check_same_thread=False)
    db = sqlite_utils.Database(conn)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=30000")
    migrate(db)
    return db


@contextlib.contextmanager
def write_transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """BEGIN IMMEDIATE ... COMMIT: takes the write lock up front, so check-then-insert is safe
    across processes. Inner `db.atomic()` blocks become savepoints."""
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    else:
        db.conn.execute("COMMIT")


def migrate(db: sqlite_utils.Database) -> list[int]:
    """Apply the migrations not yet recorded; returns the versions applied."""
    from kiosk.store import schema  # noqa: F401  (registers the migrations)

    applied: list[int] = []
    with write_transaction(db):
        db.execute(
            "CREATE TABLE IF NOT EXISTS _migrations "
            "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        done = {row[0] for row in db.execute("SELECT version FROM _migrations").fetchall()}
        for version, name, fn in MIGRATIONS:
            if version in done:
                continue
            fn(db)
            db.execute(
                "INSERT INTO _migrations (version, name, applied_at) VALUES (?, ?, ?)",
                [version, name, iso(utcnow())],
            )
            applied.append(version)
    return applied


def schema_version(db: sqlite_utils.Database) -> int:
    row = db.execute("SELECT MAX(version) FROM _migrations").fetchone()
    return int(row[0] or 0)
