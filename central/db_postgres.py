"""The shared database: PostgreSQL through psycopg 3 and a psycopg_pool ConnectionPool.

Many server processes use one database; each holds at most `pool_size` connections. A
connection is checked when it is taken from the pool, so one a restart of PostgreSQL broke is
replaced instead of failing the next request; an operation that loses its connection midway,
or whose transaction PostgreSQL refuses (serialization failure, deadlock, shutdown, a read-only
standby), raises DatabaseUnavailable and nothing of it is committed. Credentials come from the
URL or libpq's environment (PGPASSWORD, PGSERVICEFILE, ~/.pgpass); they are never printed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import psycopg
import psycopg_pool

from central.database import (
    Database,
    DatabaseError,
    DatabaseUnavailable,
    IntegrityError,
    Result,
    Tx,
)

MIGRATION_LOCK = 0x6B696F736B  # pg_advisory_xact_lock key while migrating ("kiosk")
_UNAVAILABLE = (psycopg.OperationalError, psycopg.InterfaceError,
                psycopg.errors.ReadOnlySqlTransaction, psycopg_pool.PoolTimeout)


@lru_cache(maxsize=512)
def translate(sql: str) -> str:
    """`?` placeholders to psycopg's `%s`, a literal `%` doubled (psycopg's escape when
    parameters are passed). A `?` inside a quoted string literal would be taken for a
    placeholder, so such SQL is refused (ValueError) rather than silently changed; bind the
    value as a parameter instead. Cached: the same few statements run on every request."""
    if any("?" in literal for literal in re.findall(r"'(?:[^']|'')*'", sql)):
        raise ValueError("a '?' inside a string literal: pass the value as a parameter")
    return sql.replace("%", "%%").replace("?", "%s")


class PostgresDatabase(Database):
    """A PostgreSQL database over a connection pool (opened at once, connects lazily)."""

    dialect = "postgresql"

    def __init__(self, url: str, *, pool_size: int = 10, timeout: float = 10.0) -> None:
        super().__init__(url)
        password = urlsplit(url).password
        self._secrets = [password] if password else []
        self.pool = psycopg_pool.ConnectionPool(
            url, min_size=1, max_size=max(1, pool_size), timeout=timeout, open=False,
            name="central-db", check=psycopg_pool.ConnectionPool.check_connection,
            kwargs={"application_name": "kiosk-central", "connect_timeout": max(1, int(timeout))},
        )
        self.pool.open(wait=False)

    def _message(self, exc: BaseException) -> str:
        """The driver's first line, any password in it redacted."""
        text = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return re.sub(r"(password=)\S+", r"\1***", text)

    def mapped(self, exc: psycopg.Error | psycopg_pool.PoolTimeout) -> DatabaseError:
        """Our error for a driver one (DatabaseUnavailable when retrying can succeed)."""
        text = f"PostgreSQL at {self.url}: {self._message(exc)}"
        if isinstance(exc, _UNAVAILABLE):
            return DatabaseUnavailable(text)
        if isinstance(exc, psycopg.IntegrityError):
            return IntegrityError(text)
        return DatabaseError(text)

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        """One pooled connection, one transaction (READ COMMITTED), committed on success."""
        try:
            with self.pool.connection() as conn:
                yield _PgTx(conn, self)
        except (psycopg.Error, psycopg_pool.PoolTimeout) as exc:
            raise self.mapped(exc) from None

    def close(self) -> None:
        self.pool.close()

    def in_list(self, column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
        return f"{column} = ANY(?)", [list(values)]

    def lock_status_changes(self, tx: Tx) -> None:
        # Readers (ACCESS SHARE) are not blocked; a second writer waits for our commit, so
        # status_changes.seq values become visible in the order they were drawn.
        tx.execute("LOCK TABLE status_changes IN SHARE ROW EXCLUSIVE MODE")

    def lock_migrations(self, tx: Tx) -> None:
        tx.execute("SELECT pg_advisory_xact_lock(?)", [MIGRATION_LOCK])

    def table_exists(self, tx: Tx, name: str) -> bool:
        row = tx.execute("SELECT to_regclass(?) IS NOT NULL", [name]).fetchone()
        return bool(row and row[0])


class _PgTx:
    """A psycopg connection inside a transaction, speaking `?` parameters."""

    def __init__(self, conn: psycopg.Connection[Any], db: PostgresDatabase) -> None:
        self.conn = conn
        self.db = db

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Result:
        try:
            cur = self.conn.execute(translate(sql), list(params))  # type: ignore[arg-type]
            rows = cur.fetchall() if cur.description else []
            return Result([tuple(r) for r in rows], cur.rowcount)
        except psycopg.Error as exc:
            raise self.db.mapped(exc) from None

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        try:
            with self.conn.cursor() as cur:
                cur.executemany(translate(sql), [list(r) for r in rows])  # type: ignore[arg-type]
        except psycopg.Error as exc:
            raise self.db.mapped(exc) from None
