"""Schema migrations of the station database, in order. Never edit one that has shipped."""

from __future__ import annotations

import sqlite_utils

from kiosk.store.db import migration

# The SQL is exactly what shipped as version 1 (held in a constant to keep the function short).
SCHEMA = """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

        -- One row per saved recording. Personal data only inside `biodata` (AES-256-GCM).
        CREATE TABLE records (
            id TEXT PRIMARY KEY,
            regno TEXT NOT NULL UNIQUE,
            local_date TEXT NOT NULL,
            seq INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            operator TEXT NOT NULL,
            nik_hash TEXT NOT NULL,
            biodata BLOB NOT NULL,
            summary TEXT NOT NULL,          -- JSON, no personal data: items, exceptions, quality
            state TEXT NOT NULL DEFAULT 'saved',
            manifest_sha256 TEXT,
            receipt TEXT,
            received_at TEXT,
            verified_at TEXT,
            processing_status TEXT,
            reject_reason TEXT,
            purged_at TEXT,
            contacted_at TEXT,
            UNIQUE (local_date, seq)
        );
        CREATE INDEX records_nik_hash ON records (nik_hash);
        CREATE INDEX records_state ON records (state, created_at);
        CREATE INDEX records_local_date ON records (local_date);

        -- Biometric blobs, sealed. sha256 is of the plaintext (the wire and server identity).
        CREATE TABLE blobs (
            record_id TEXT NOT NULL REFERENCES records(id),
            kind TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            size INTEGER NOT NULL,
            content_type TEXT NOT NULL,
            sealed BLOB,                    -- NULL once purged after retention
            PRIMARY KEY (record_id, kind)
        );
        CREATE INDEX blobs_sha256 ON blobs (sha256);

        -- What the sync worker still has to deliver.
        CREATE TABLE outbox (
            record_id TEXT PRIMARY KEY REFERENCES records(id),
            enqueued_at TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT,
            last_error TEXT
        );

        -- Append-only, hash-chained. Triggers refuse UPDATE and DELETE.
        CREATE TABLE audit (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            ts TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            detail TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        );
        CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
            BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
        CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
            BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;

        -- Standing cap changes (local_date NULL) and per-day overrides.
        CREATE TABLE cap_changes (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            ts TEXT NOT NULL,
            local_date TEXT,
            cap INTEGER NOT NULL,
            reason TEXT NOT NULL,
            actor TEXT NOT NULL
        );

        CREATE TABLE incidents (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            started_at TEXT NOT NULL,
            ended_at TEXT,
            kind TEXT NOT NULL,
            device TEXT NOT NULL,
            detail TEXT NOT NULL
        );
        CREATE INDEX incidents_started ON incidents (started_at);

        CREATE TABLE selftests (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            ts TEXT NOT NULL,
            passed INTEGER NOT NULL,
            results TEXT NOT NULL
        );
"""


@migration(1, "records, blobs, outbox, audit, cap, incidents, self-tests")
def _initial(db: sqlite_utils.Database) -> None:
    db.executescript(SCHEMA)
