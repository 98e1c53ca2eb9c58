"""A leaner save: only indexes that are used, and the rows that always follow a record or an
audit entry written by SQLite itself."""

from __future__ import annotations

import sqlite_utils

from kiosk.store.db import migration


@migration(2, "lean save: indexes that pay their way; outbox and audit head kept by triggers")
def _lean_save(db: sqlite_utils.Database) -> None:
    # records (local_date) gives way to (local_date, state, processing_status): the same
    # cost on every save, and the daily log's delivery counts (synced / waiting / rejected
    # over a day or a quarter) read the index alone instead of every wide record row.
    db.execute("DROP INDEX IF EXISTS records_local_date")
    db.execute(
        "CREATE INDEX records_day_state ON records (local_date, state, processing_status)"
    )
    # Blobs are looked up by (record_id, kind), never by digest on the station.
    db.execute("DROP INDEX IF EXISTS blobs_sha256")
    # Every saved record is queued for delivery in the same statement that saves it: no
    # code path can insert a record and forget its outbox row.
    db.execute(
        """
        CREATE TRIGGER records_enqueue AFTER INSERT ON records WHEN NEW.state = 'saved'
        BEGIN
            INSERT INTO outbox (record_id, enqueued_at, attempts)
            VALUES (NEW.id, NEW.created_at, 0);
        END
        """
    )
    # The chain head (which lets `audit verify` notice a deleted last row) follows every
    # append, whoever appends.
    db.execute(
        """
        CREATE TRIGGER audit_head AFTER INSERT ON audit
        BEGIN
            INSERT INTO meta (key, value) VALUES ('audit_head', NEW.seq || ':' || NEW.hash)
            ON CONFLICT (key) DO UPDATE SET value = excluded.value;
        END
        """
    )
