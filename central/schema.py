"""The central database's tables and their migrations (`PRAGMA user_version`).

Version 0 is the first shipped layout (`BASE`, created with IF NOT EXISTS, so it is also what
an old database already has). Each later version is a list of statements; those not yet
applied run in one `BEGIN IMMEDIATE` transaction that re-reads the version first, so several
server processes starting together on one database migrate it exactly once, and a failure
leaves it as it was. A new database takes the same path as an old one.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from pydantic import BaseModel, Field

BASE = """
CREATE TABLE IF NOT EXISTS stations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    token_hash TEXT NOT NULL UNIQUE,
    public_key TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS blobs (
    station INTEGER NOT NULL REFERENCES stations(id),
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    stored_at TEXT NOT NULL,
    PRIMARY KEY (station, sha256)
);
CREATE TABLE IF NOT EXISTS records (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    record_id TEXT NOT NULL UNIQUE,
    station INTEGER NOT NULL REFERENCES stations(id),
    manifest BLOB NOT NULL,
    manifest_sha256 TEXT NOT NULL,
    station_signature TEXT NOT NULL,
    received_at TEXT NOT NULL,
    receipt_signature TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'received',  -- ProcessingStatus.RECEIVED
    reject_reason TEXT,
    status_at TEXT
);
CREATE TABLE IF NOT EXISTS record_blobs (
    record_id TEXT NOT NULL REFERENCES records(record_id) ON DELETE CASCADE,
    sha256 TEXT NOT NULL,
    PRIMARY KEY (record_id, sha256)
);
"""


# The station-side id a record's manifest names (the expression its index is built on).
CLAIMED_STATION_ID = "json_extract(CAST(manifest AS TEXT), '$.station_id')"


# Version 1: a monotonic log of processing decisions (what `GET /v1/status-changes` pages
# through), and each record's station-side save time (the station's newest record, `GET
# /v1/station`). Decisions taken before it enter the log in the order they were taken.
V1_STATUS_CHANGES = (
    """CREATE TABLE status_changes (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: the stations' cursor
        station INTEGER NOT NULL REFERENCES stations(id),
        record_id TEXT NOT NULL,
        status TEXT NOT NULL,
        reason TEXT,
        at TEXT NOT NULL
    )""",
    "CREATE INDEX status_changes_station ON status_changes (station, seq)",
    """INSERT INTO status_changes (station, record_id, status, reason, at)
        SELECT station, record_id, status, reject_reason, COALESCE(status_at, received_at)
        FROM records WHERE status != 'received'
        ORDER BY COALESCE(status_at, received_at), seq""",
    "ALTER TABLE records ADD COLUMN created_at TEXT",
    "UPDATE records SET created_at = json_extract(CAST(manifest AS TEXT), '$.created_at')",
    "CREATE INDEX records_station_created ON records (station, created_at)",
)

# Version 2: a station's token can be revoked (`kiosk-central station revoke`; checked on
# every request, so every process sharing the database honours it at once), every such action
# audited (who, when), and an index to find which server station delivered records under a
# station-side `station_id` (one station may not claim another's).
V2_REVOCATION = (
    "ALTER TABLE stations ADD COLUMN revoked_at TEXT",
    """CREATE TABLE station_audit (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        station INTEGER NOT NULL REFERENCES stations(id),
        action TEXT NOT NULL,
        actor TEXT NOT NULL,
        at TEXT NOT NULL
    )""",
    f"CREATE INDEX records_claimed_station_id ON records ({CLAIMED_STATION_ID}, station)",
)

MIGRATIONS: tuple[tuple[str, ...], ...] = (V1_STATUS_CHANGES, V2_REVOCATION)
VERSION = len(MIGRATIONS)


def keep_private(data_dir: Path, blob_dir: Path, db_path: Path) -> None:
    """Make the data directory private: its files hold applicants' NIK, name, address and
    birth date. Folders 0700, files 0600: the database is created 0600 before SQLite opens it
    (SQLite gives its WAL and SHM files the database's mode; blobs and the server key are made
    by mkstemp, 0600); an older data directory is tightened the same way at every start."""
    blob_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.close(os.open(db_path, os.O_WRONLY | os.O_CREAT, 0o600))
    for path in (data_dir, blob_dir, *blob_dir.iterdir(), *data_dir.glob("central.db*")):
        path.chmod(0o700 if path.is_dir() else 0o600)


def version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the database to VERSION; returns the version it had (0 for a new one). `conn`
    is in autocommit mode (isolation_level=None), outside any transaction."""
    conn.executescript(BASE)
    if version(conn) >= VERSION:
        return VERSION
    conn.execute("BEGIN IMMEDIATE")
    try:
        had = version(conn)  # another process may have migrated while we waited for the lock
        for statements in MIGRATIONS[had:]:
            for sql in statements:
                conn.execute(sql)
        conn.execute(f"PRAGMA user_version = {VERSION}")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return had


# --- the API's error bodies (what the OpenAPI document promises) --------------------------


class FieldError(BaseModel):
    """One reason a request was invalid (the input itself is never echoed)."""

    loc: list[str | int]
    msg: str
    type: str


class Problem(BaseModel):
    """Every error answer: a sentence, or the list of invalid fields (422)."""

    detail: str | list[FieldError]


class MissingBlobsProblem(BaseModel):
    """422 to a manifest whose blobs are not all held: upload these, then the manifest."""

    missing_blobs: list[str] = Field(description="SHA-256 of each blob still to upload")
