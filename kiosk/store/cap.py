"""The daily cap in the database: today's count against the cap in force, and its changes.

One query (`DAY_SQL`) answers both the home screen's question ("how many today, of how many")
and the save's ("may this one still be saved, and with which sequence number"): the save runs
it inside its write transaction, so two windows cannot pass the cap together.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kiosk.domain.cap import DailyCapReached, cap_in_force, next_reset
from kiosk.store import audit
from kiosk.store.db import iso, write_transaction

if TYPE_CHECKING:
    from kiosk.store.station import Store

# ?1 is the local day: (count, last sequence number, the day's last override and its reason,
# the standing cap), the last two from cap_changes (local_date NULL: a standing change).
DAY_SQL = (
    "SELECT COUNT(*), COALESCE(MAX(seq), 0), "
    "(SELECT cap FROM cap_changes WHERE local_date = ?1 ORDER BY id DESC LIMIT 1), "
    "(SELECT reason FROM cap_changes WHERE local_date = ?1 ORDER BY id DESC LIMIT 1), "
    "(SELECT cap FROM cap_changes WHERE local_date IS NULL ORDER BY id DESC LIMIT 1) "
    "FROM records WHERE local_date = ?1"
)


@dataclass(frozen=True)
class CapStatus:
    """Today's use of the daily cap."""

    day: dt.date
    count: int
    cap: int
    standing_cap: int
    override_reason: str | None
    resets_at: dt.datetime
    last_seq: int = 0  # the day's highest registration sequence number so far

    @property
    def reached(self) -> bool:
        return self.count >= self.cap

    @property
    def remaining(self) -> int:
        return max(0, self.cap - self.count)


def day_status(conn: sqlite3.Connection, day: dt.date, default_cap: int,
               tz: Any) -> CapStatus:
    """The day's count and cap in force, in one query (inside the save's transaction too)."""
    count, last_seq, override, reason, standing = conn.execute(
        DAY_SQL, [day.isoformat()]).fetchone()
    standing_cap = cap_in_force(None, standing, default_cap)
    return CapStatus(
        day=day, count=int(count), cap=cap_in_force(override, standing, default_cap),
        standing_cap=standing_cap, override_reason=reason if override is not None else None,
        resets_at=next_reset(day, tz), last_seq=int(last_seq),
    )


def cap_status(store: Store, now: dt.datetime | None = None) -> CapStatus:
    return day_status(store.db.conn, store.today(now), int(store.settings["cap.daily"]),
                      store.settings.timezone)


def refuse_if_reached(status: CapStatus) -> None:
    if status.reached:
        raise DailyCapReached(status.count, status.cap, status.resets_at)


def change_cap(store: Store, cap: int, reason: str, actor: str, day: dt.date | None) -> None:
    """Today's override (`day`) or the standing cap (None), with a reason; audited."""
    if not reason.strip():
        raise ValueError("a reason is required / alasan wajib diisi")
    if not 1 <= cap <= 1000:
        raise ValueError("cap must be 1..1000 / batas harus 1..1000")
    with write_transaction(store.db):
        store.db.execute(
            "INSERT INTO cap_changes (ts, local_date, cap, reason, actor) VALUES (?, ?, ?, ?, ?)",
            [iso(store.clock()), day.isoformat() if day else None, cap, reason.strip(), actor],
        )
        audit.append(
            store.db, actor, "cap.override" if day else "cap.standing",
            {"date": day.isoformat() if day else None, "cap": cap, "reason": reason.strip()},
        )


def cap_history(store: Store) -> list[dict[str, Any]]:
    """Every cap change, newest first."""
    return list(store.db.query("SELECT * FROM cap_changes ORDER BY id DESC"))
