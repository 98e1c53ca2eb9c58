"""The central database's tables and their migrations (`PRAGMA user_version`).

Version 0 is the first shipped layout (`BASE`, created with IF NOT EXISTS, so it is also what
an old database already has). Each later version is a list of statements; those not yet
applied run in one `BEGIN IMMEDIATE` transaction that re-reads the version first, so several
server processes starting together on one database migrate it exactly once, and a failure
leaves it as it was. A new database takes the same path as an old one.
"""

from __future__ import annotations

import sqlite3

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

MIGRATIONS: tuple[tuple[str, ...], ...] = (V1_STATUS_CHANGES,)
VERSION = len(MIGRATIONS)


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
