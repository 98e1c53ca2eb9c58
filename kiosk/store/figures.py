"""Per-day figures shared by the daily log export, the dashboard and the freeze gates: the cap
in force on a day, server outages, incidents and self-tests.

Timestamps in the database are ISO 8601 UTC strings of one fixed shape, so comparing them as
strings orders them in time. A "day" is the office's local calendar day (kiosk.domain.days).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kiosk.domain.cap import cap_in_force
from kiosk.domain.days import Interval, day_bounds, overlap_minutes, parse_ts
from kiosk.store.db import iso
from kiosk.store.station import Store

OFFLINE_KIND = "server_unreachable"


@dataclass(frozen=True)
class CapChange:
    """One row of cap_changes: a day's override (day set) or a standing change (day None)."""

    ts: dt.datetime
    day: dt.date | None
    cap: int
    reason: str
    actor: str


class CapHistory:
    """Every cap change, loaded once, answering "which cap was in force on day D"."""

    def __init__(self, store: Store) -> None:
        self.default = int(store.settings["cap.daily"])
        self.changes = [
            CapChange(
                ts=dt.datetime.fromisoformat(r["ts"]),
                day=dt.date.fromisoformat(r["local_date"]) if r["local_date"] else None,
                cap=int(r["cap"]),
                reason=r["reason"],
                actor=r["actor"],
            )
            for r in store.db.query("SELECT * FROM cap_changes ORDER BY id")
        ]
        self.tz = store.settings.timezone

    def standing_on(self, day: dt.date) -> int:
        """The standing cap at the end of `day` (the latest change made by then)."""
        _, end = day_bounds(day, self.tz)
        cap = self.default
        for c in self.changes:
            if c.day is None and c.ts < end:
                cap = c.cap
        return cap

    def overrides_on(self, day: dt.date) -> list[CapChange]:
        return [c for c in self.changes if c.day == day]

    def cap_on(self, day: dt.date) -> int:
        """The day's last override, else the standing cap then (as Store.cap_status does)."""
        overrides = self.overrides_on(day)
        return cap_in_force(overrides[-1].cap if overrides else None, self.standing_on(day),
                            self.default)


def offline_intervals(store: Store, start: dt.datetime, end: dt.datetime) -> list[Interval]:
    """'server_unreachable' incidents that overlap [start, end) (an open one has no end)."""
    rows = store.db.execute(
        "SELECT started_at, ended_at FROM incidents WHERE kind = ? AND started_at < ? "
        "AND (ended_at IS NULL OR ended_at > ?)",
        [OFFLINE_KIND, iso(end), iso(start)],
    ).fetchall()
    return [Interval(dt.datetime.fromisoformat(a), parse_ts(b)) for a, b in rows]


def offline_minutes(store: Store, day: dt.date, now: dt.datetime | None = None) -> float:
    """Minutes of `day` during which the server was unreachable."""
    start, end = day_bounds(day, store.settings.timezone)
    return overlap_minutes(offline_intervals(store, start, end), start, end, now or store.clock())


def incident_count(store: Store, first: dt.date, last: dt.date) -> int:
    """Incidents (any kind) that started on the local days first..last."""
    start, _ = day_bounds(first, store.settings.timezone)
    _, end = day_bounds(last, store.settings.timezone)
    return int(store.db.execute(
        "SELECT COUNT(*) FROM incidents WHERE started_at >= ? AND started_at < ?",
        [iso(start), iso(end)],
    ).fetchone()[0])


def selftest_counts(store: Store, first: dt.date, last: dt.date) -> tuple[int, int]:
    """(self-tests run, of which failed) on the local days first..last."""
    start, _ = day_bounds(first, store.settings.timezone)
    _, end = day_bounds(last, store.settings.timezone)
    run, failed = store.db.execute(
        "SELECT COUNT(*), COALESCE(SUM(passed = 0), 0) FROM selftests WHERE ts >= ? AND ts < ?",
        [iso(start), iso(end)],
    ).fetchone()
    return int(run), int(failed)
