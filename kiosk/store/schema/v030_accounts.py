"""Station accounts: operators, technicians and supervisors who log in with a PIN."""

from __future__ import annotations

import sqlite_utils

from kiosk.store.db import migration


@migration(30, "user accounts")
def _accounts(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        -- PINs are never stored: pin_hash is 'scrypt$n$r$p$salt_hex$key_hex' (per-user salt).
        CREATE TABLE users (
            username TEXT PRIMARY KEY,
            display_name TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('operator', 'technician', 'supervisor')),
            pin_hash TEXT NOT NULL,
            failed_attempts INTEGER NOT NULL DEFAULT 0,
            locked_until TEXT,              -- ISO UTC; NULL when not locked
            disabled INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        """
    )
