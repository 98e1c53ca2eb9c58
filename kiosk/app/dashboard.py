"""The supervisor's dashboard: the last days as series (recordings against the cap, the backlog
carried into the next day, rejections, offline minutes, records that left on a drive and
receipts that came back on one)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kiosk.domain.days import day_bounds, overlap_minutes, parse_ts
from kiosk.store.db import iso
from kiosk.store.figures import CapHistory, offline_intervals
from kiosk.store.outbox import IS_REJECTED_SQL
from kiosk.store.station import Store


@dataclass(frozen=True)
class DayPoint:
    """One day of the dashboard.

    backlog: records recorded on or before the day that the server had not received by the
    day's end (local midnight) - the queue the station carried into the next day.
    rejections: records of that recording day that the server has rejected (so far).
    carried: records written to a drive that day (kiosk carry export; the last time each was).
    carry_receipts: records whose receipt came back on a drive that day.
    """

    day: dt.date
    recordings: int
    cap: int
    backlog: int
    rejections: int
    offline_minutes: float
    carried: int = 0
    carry_receipts: int = 0


def dashboard_series(
    store: Store, days: int = 30, today: dt.date | None = None, now: dt.datetime | None = None
) -> list[DayPoint]:
    """The last `days` local days ending with `today`, oldest first."""
    now = now or store.clock()
    today = today or store.today(now)
    tz = store.settings.timezone
    first = today - dt.timedelta(days=days - 1)
    per_day: dict[str, list[int]] = {}
    for day, n, rejected in store.db.execute(
        f"SELECT local_date, COUNT(*), SUM({IS_REJECTED_SQL}) FROM records "
        "WHERE local_date >= ? AND local_date <= ? GROUP BY local_date",
        [first.isoformat(), today.isoformat()],
    ):
        per_day[day] = [int(n), int(rejected or 0)]
    # (created day, received_at) for records not received before the window: one scan
    _, window_end = day_bounds(today, tz)
    pending = [
        (d, parse_ts(r)) for d, r in store.db.execute(
            "SELECT local_date, received_at FROM records WHERE local_date <= ? "
            "AND (received_at IS NULL OR received_at >= ?)",
            [today.isoformat(), iso(day_bounds(first, tz)[0])],
        )
    ]
    outages = offline_intervals(store, day_bounds(first, tz)[0], window_end)
    carried, back = _drive_days(store, first, today)
    caps = CapHistory(store)
    points = []
    for i in range(days):
        day = first + dt.timedelta(days=i)
        start, end = day_bounds(day, tz)
        key = day.isoformat()
        backlog = sum(1 for d, r in pending if d <= key and (r is None or r >= end))
        n, rejected = per_day.get(key, [0, 0])
        points.append(DayPoint(day, n, caps.cap_on(day), backlog, rejected,
                               overlap_minutes(outages, start, end, now),
                               carried.get(day, 0), back.get(day, 0)))
    return points


def _drive_days(store: Store, first: dt.date, last: dt.date
                ) -> tuple[dict[dt.date, int], dict[dt.date, int]]:
    """Per local day of first..last: records written to a drive, and receipts back by drive
    (times are stored in UTC: each is placed on its day in the station's zone)."""
    tz = store.settings.timezone
    start, end = iso(day_bounds(first, tz)[0]), iso(day_bounds(last, tz)[1])
    out: tuple[dict[dt.date, int], dict[dt.date, int]] = ({}, {})
    for column, days in zip(("carried_at", "carry_receipt_at"), out, strict=True):
        for (text,) in store.db.execute(
                f"SELECT {column} FROM records WHERE {column} >= ? AND {column} < ?",
                [start, end]):
            day = dt.datetime.fromisoformat(text).astimezone(tz).date()
            days[day] = days.get(day, 0) + 1
    return out
