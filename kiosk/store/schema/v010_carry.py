"""Records carried on a drive (kiosk carry export): when a record left on a drive and in
which export folder, and when its receipt came back by that road. A carried record stays in
the outbox (the link still delivers it if it comes back first): these columns only say what
happened on the drive's side."""

from __future__ import annotations

import sqlite_utils

from kiosk.store.db import migration


@migration(10, "records carried on a drive: when, in which folder, receipt back when")
def _carry(db: sqlite_utils.Database) -> None:
    db.execute("ALTER TABLE records ADD COLUMN carried_at TEXT")
    db.execute("ALTER TABLE records ADD COLUMN carry_folder TEXT")
    db.execute("ALTER TABLE records ADD COLUMN carry_receipt_at TEXT")
