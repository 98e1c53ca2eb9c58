"""The embedded database: one SQLite file, one connection per thread.

The pragmas are the ones the server has always used: WAL (readers never wait for the writer),
synchronous FULL (a committed receipt survives power loss), foreign keys, a 30 s busy timeout.
Every write transaction is `BEGIN IMMEDIATE`, so writers queue on the file's lock instead of
failing half way. The file (and its -wal and -shm, which SQLite creates with the file's mode)
is 0600 and a folder this creates 0700: it holds applicants' NIK, names and addresses.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from central.database import (
    Database,
    DatabaseError,
    DatabaseUnavailable,
    IntegrityError,
    Result,
    Tx,
)


def sqlite_path(url: str) -> Path:
    """The file of `sqlite:///ABSOLUTE/PATH` (`sqlite:////ABSOLUTE/PATH` reads the same)."""
    parts = urlsplit(url)
    if parts.scheme != "sqlite" or parts.netloc or not parts.path.startswith("/"):
        raise ValueError(f"not a sqlite:///ABSOLUTE/PATH URL: {url!r}")
    return Path("/" + unquote(parts.path).lstrip("/"))


def sqlite_url(path: Path) -> str:
    """The URL of a database file (what `--data-dir DIR` stands for: DIR/central.db)."""
    return "sqlite://" + str(Path(path).resolve())


def _mapped(exc: sqlite3.Error) -> DatabaseError:
    """Our error for a sqlite3 one: a busy or unreadable file is 'unavailable'."""
    text = f"SQLite: {exc}"
    if isinstance(exc, sqlite3.IntegrityError):
        return IntegrityError(text)
    if isinstance(exc, sqlite3.OperationalError):
        return DatabaseUnavailable(text)
    return DatabaseError(text)


class _SqliteTx:
    """`?` parameters are SQLite's own; results are fetched at once."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Result:
        try:
            cur = self.conn.execute(sql, list(params))
            rows = cur.fetchall()
            return Result(rows, cur.rowcount)
        except sqlite3.Error as exc:
            raise _mapped(exc) from None

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        try:
            self.conn.executemany(sql, [list(r) for r in rows])
        except sqlite3.Error as exc:
            raise _mapped(exc) from None


class SqliteDatabase(Database):
    """A SQLite file; safe to share between threads (each gets its own connection)."""

    dialect = "sqlite"

    def __init__(self, url: str, *, timeout: float = 30.0) -> None:
        super().__init__(url)
        self.path = sqlite_path(url)
        self.timeout = timeout
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._prepare_files()

    def _prepare_files(self) -> None:
        """Folder 0700 when we create it; the file and its WAL 0600 (created so, or fixed)."""
        if not self.path.parent.exists():
            self.path.parent.mkdir(mode=0o700, parents=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        os.close(fd)
        for suffix in ("", "-wal", "-shm"):
            side = self.path.with_name(self.path.name + suffix)
            if side.exists() and side.stat().st_mode & 0o077:
                side.chmod(0o600)

    def conn(self) -> sqlite3.Connection:
        """This thread's connection, opened with the server's pragmas."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            try:
                conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None,
                                       check_same_thread=False)
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=FULL")
                conn.execute("PRAGMA foreign_keys=ON")
                conn.execute(f"PRAGMA busy_timeout={int(self.timeout * 1000)}")
            except sqlite3.Error as exc:
                raise _mapped(exc) from None
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        conn = self.conn()
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise _mapped(exc) from None
        try:
            yield _SqliteTx(conn)
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        try:
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise _mapped(exc) from None

    @contextmanager
    def read(self) -> Iterator[Tx]:
        """Reads in autocommit: each statement sees the latest commit, takes no write lock."""
        yield _SqliteTx(self.conn())

    def close(self) -> None:
        with self._lock:
            conns, self._all = self._all, []
        for conn in conns:
            conn.close()
        self._local = threading.local()

    def in_list(self, column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
        if not values:
            return "0 = 1", []
        return f"{column} IN ({', '.join('?' * len(values))})", list(values)

    def table_exists(self, tx: Tx, name: str) -> bool:
        row = tx.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                         [name]).fetchone()
        return row is not None

    def column_exists(self, tx: Tx, table: str, column: str) -> bool:
        return any(r[1] == column for r in tx.execute(f"PRAGMA table_info({table})"))

    def user_version(self, tx: Tx) -> int:
        """The version the pre-migrations schema (central/schema.py) recorded."""
        row = tx.execute("PRAGMA user_version").fetchone()
        return int(row[0]) if row else 0
