"""The database layer's vocabulary: its errors, the rows it answers, the transaction object
and password redaction (re-exported by central.database, which is what callers import)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

IN_CHUNK = 500  # record ids or shas in one query at most (SQLite binds one parameter each)


class DatabaseError(Exception):
    """The database refused or failed an operation (a bug or a broken database, not load)."""


class DatabaseUnavailable(DatabaseError):
    """The database cannot answer now (connection lost, restarting, busy, serialization
    failure); the same request can succeed later, so the API answers 503 + Retry-After."""

    retry_after = 1


class IntegrityError(DatabaseError):
    """A constraint refused the write (a duplicate name or token, a missing station)."""


class SchemaOutOfDate(DatabaseError):
    """The database's schema is older than this code: `kiosk-central migrate` brings it up."""


class SchemaTooNew(DatabaseError):
    """The database's schema is newer than this code: a newer server migrated it."""


def redact_url(url: str) -> str:
    """The URL with its password replaced by `***` (and nothing else changed)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparsable database URL>"
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


def status_lookup(regno: object, birth_date: object) -> str | None:
    """The key the applicant's status page finds a record by: SHA-256 of "v1|regno|birth
    date". An unknown number and a wrong birth date are then the same miss of one indexed
    query (same answer, same time). None when the manifest lacks either."""
    if not isinstance(regno, str) or not isinstance(birth_date, str) or not regno or \
            not birth_date:
        return None
    return hashlib.sha256(f"v1|{regno.strip()}|{birth_date.strip()}".encode()).hexdigest()


def now_iso() -> str:
    """The time stamps this database keeps: UTC ISO 8601 with microseconds (as text, so a
    signed receipt's `received_at` reads back byte for byte on both backends)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


class Result:
    """The rows a statement answered (fetched at once) and how many rows it changed."""

    def __init__(self, rows: list[tuple[Any, ...]], rowcount: int) -> None:
        self.rows = rows
        self.rowcount = rowcount

    def fetchone(self) -> tuple[Any, ...] | None:
        return self.rows[0] if self.rows else None

    def fetchall(self) -> list[tuple[Any, ...]]:
        return list(self.rows)

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return iter(self.rows)


class Tx(Protocol):
    """A connection inside one transaction: `?` parameters on both backends."""

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Result: ...

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...


@dataclass(frozen=True)
class StationRow:
    id: int
    name: str
    public_key: str | None
    created_at: str
    revoked_at: str | None


@dataclass(frozen=True)
class RecordRow:
    """A stored record as its receipt and status need it (not the manifest bytes)."""

    seq: int  # the server_seq of its receipt
    record_id: str
    station: int
    manifest_sha256: str
    received_at: str
    receipt_signature: str
    status: str
    reject_reason: str | None


@dataclass(frozen=True)
class PutOutcome:
    """What `put_record` found or did; the caller turns it into its answer.

    `row`: the stored record, new (`created`) or already there (its station and
    manifest_sha256 may differ from the caller's: WrongStation, ManifestConflict); None when
    nothing was stored. `claimed_by`: another station whose records name this station_id.
    `missing`: blobs the station has no row for. `wrong_sizes`: blobs whose stated size is not
    the stored one. A new record is stored only when all three are empty/None."""

    row: RecordRow | None
    created: bool
    missing: list[str]
    claimed_by: int | None = None
    wrong_sizes: list[str] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return bool(self.claimed_by is not None or self.missing or self.wrong_sizes)


@dataclass(frozen=True)
class StatusChange:
    seq: int  # the station's cursor
    record_id: str
    status: str
    reason: str | None


STATION_COLS = "id, name, public_key, created_at, revoked_at"
RECORD_COLS = ("seq, record_id, station, manifest_sha256, received_at, receipt_signature, "
                "status, reject_reason")


def record_row(row: Sequence[Any] | None) -> RecordRow | None:
    return RecordRow(*row[:8]) if row else None


