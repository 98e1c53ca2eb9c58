"""The station database: one SQLite file, WAL + synchronous=FULL, versioned migrations.

Opening takes the write lock only when something must be written (a migration not yet
applied); a read-only opening (`mode=ro`) never writes and never locks out a writer. Every
sqlite3 fault comes out as a named StorageError (kiosk.store.errors).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import sqlite_utils

from kiosk.store.errors import (
    BUSY_TIMEOUT_S,
    DatabaseMissing,
    SchemaTooNew,
    SchemaTooOld,
    StorageConnection,
    StorageError,
    storage_errors,
)

DB_NAME = "station.db"
log = logging.getLogger(__name__)
# The shared-memory index cannot be made (a full disk, a read-only folder): a read-only
# opening then reads without it (see _open_read_only).
SHM_FAULTS = {sqlite3.SQLITE_IOERR_SHMOPEN, sqlite3.SQLITE_IOERR_SHMSIZE,
              sqlite3.SQLITE_IOERR_SHMMAP, sqlite3.SQLITE_IOERR_SHMLOCK,
              sqlite3.SQLITE_READONLY_CANTINIT, sqlite3.SQLITE_READONLY_RECOVERY,
              sqlite3.SQLITE_CANTOPEN}

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


def _sqlite(target: str, folder: Path, *, uri: bool = False) -> StorageConnection:
    # isolation_level=None: we issue BEGIN ourselves (BEGIN IMMEDIATE for writes).
    with storage_errors(folder):
        conn = sqlite3.connect(target, timeout=float(BUSY_TIMEOUT_S), isolation_level=None,
                               check_same_thread=False, uri=uri, factory=StorageConnection)
    assert isinstance(conn, StorageConnection)
    conn.folder = folder
    return conn


def connect(path: Path, *, read_only: bool = False) -> sqlite_utils.Database:
    """Open the database. Read-write (creating it): the durability pragmas, and the
    migrations not yet applied. Read-only (`mode=ro`): nothing written, no lock taken, the
    schema only checked (SchemaTooOld / SchemaTooNew)."""
    conn = _open_read_only(path) if read_only else _sqlite(str(path), path.parent)
    try:
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
        db = sqlite_utils.Database(conn)
        if read_only:
            conn.read_only = True
            conn.execute("PRAGMA query_only=ON")
            check_schema(db)
        else:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            migrate(db)
    except BaseException:
        conn.close()
        raise
    return db


def read_only_uri(path: Path) -> str:
    return f"{path.absolute().as_uri()}?mode=ro"


def _open_read_only(path: Path) -> StorageConnection:
    """A `mode=ro` connection. When SQLite cannot make the WAL's shared-memory index (the
    disk is full, the folder is read-only), the database is read without one: with no WAL
    content, as `immutable` (SQLite's way for read-only media); with WAL content, with no
    locking VFS in exclusive mode, which keeps the index in this process's memory (SQLite's
    documented way to use WAL without shared memory). Nothing is written either way."""
    conn = _sqlite(read_only_uri(path), path.parent, uri=True)
    try:
        conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        return conn
    except StorageError as exc:
        code = getattr(exc.__cause__, "sqlite_errorcode", None)
        conn.close()
        if code not in SHM_FAULTS:
            raise
        log.warning("%s: no shared-memory index (%s); reading it without one", path,
                    getattr(exc.__cause__, "sqlite_errorname", code))
    wal = path.with_name(path.name + "-wal")
    has_wal = wal.exists() and wal.stat().st_size > 0
    extra = "&vfs=unix-none" if has_wal else "&immutable=1"
    conn = _sqlite(read_only_uri(path) + extra, path.parent, uri=True)
    try:
        if has_wal:
            conn.execute("PRAGMA locking_mode=EXCLUSIVE")
        conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
    except BaseException:
        conn.close()
        raise
    return conn


@contextlib.contextmanager
def write_transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """BEGIN IMMEDIATE ... COMMIT: takes the write lock up front, so check-then-insert is safe
    across processes. Inner `db.atomic()` blocks become savepoints."""
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        rollback(db.conn)
        raise
    else:
        try:
            db.conn.execute("COMMIT")
        except BaseException:
            rollback(db.conn)
            raise


def rollback(conn: sqlite3.Connection) -> None:
    """Roll back what is open (SQLite may already have, after an I/O fault); a rollback that
    fails itself is logged, never raised over the fault that caused it."""
    if not conn.in_transaction:
        return
    try:
        conn.execute("ROLLBACK")
    except (StorageError, sqlite3.Error):
        log.exception("rollback failed")


def migrate(db: sqlite_utils.Database) -> list[int]:
    """Apply the migrations not yet recorded; returns the versions applied."""
    from kiosk.store import schema  # noqa: F401  (registers the migrations)

    if not pending(db):
        return []  # nothing to write: no write lock taken
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


def _applied(db: sqlite_utils.Database) -> set[int] | None:
    """The versions recorded, or None when there is no `_migrations` table yet."""
    if db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_migrations'"
                  ).fetchone() is None:
        return None
    return {row[0] for row in db.execute("SELECT version FROM _migrations").fetchall()}


def pending(db: sqlite_utils.Database) -> list[int]:
    """The versions not applied yet (read without the write lock)."""
    from kiosk.store import schema  # noqa: F401  (registers the migrations)

    done = _applied(db) or set()
    return [v for v, _, _ in MIGRATIONS if v not in done]


def latest_version() -> int:
    from kiosk.store import schema  # noqa: F401  (registers the migrations)

    return MIGRATIONS[-1][0]


def check_schema(db: sqlite_utils.Database) -> None:
    """For a read-only opening: SchemaTooOld when migrations are missing, SchemaTooNew when
    the file knows versions this program does not."""
    latest = latest_version()
    done = _applied(db)
    if done is None:
        raise DatabaseMissing("station.db: no schema / tanpa skema")
    known = {v for v, _, _ in MIGRATIONS}
    if done - known:
        raise SchemaTooNew(f"v{max(done)} > v{latest}")
    if known - done:
        raise SchemaTooOld(f"v{max(done or {0})} < v{latest}")


def schema_version(db: sqlite_utils.Database) -> int:
    row = db.execute("SELECT MAX(version) FROM _migrations").fetchone()
    return int(row[0] or 0)
