"""What the daily log needs of a record, kept with it when it is saved (records never change
after the save, so these never go stale): a small sealed copy of the two personal cells, and
the non-personal cells pre-rendered as CSV. A CSV log of thousands of rows then costs one
tiny decrypt a row and no JSON parsing."""

from __future__ import annotations

import sqlite_utils

from kiosk.store.db import migration


@migration(3, "daily-log cells per record: sealed ident, pre-rendered CSV cells")
def _log_cells(db: sqlite_utils.Database) -> None:
    # All three stay NULL on records saved before this version; the export renders those
    # rows from their biodata and summary instead.
    # ident: AES-256-GCM of "NIK \x1f name" under the context "ident:<record id>".
    db.execute("ALTER TABLE records ADD COLUMN ident BLOB")
    # log_head: "YYYY-MM-DD HH:MM:SS,<regno>", the local time in the station's zone at save.
    db.execute("ALTER TABLE records ADD COLUMN log_head TEXT")
    # log_tail: "operator,captured,exceptions,face,fingers,finger min,finger mean".
    db.execute("ALTER TABLE records ADD COLUMN log_tail TEXT")
