"""Local days and spans of time: what "a day" means for the daily log, the dashboard and the
gates (the office's calendar day in station.timezone), minutes covered by intervals, and how a
time reads for a person (the receipt's way: "2 Desember 2026 08.31 WIB")."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo


def day_bounds(day: dt.date, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """Local midnight starting `day` and the one ending it, as aware UTC datetimes."""
    start = dt.datetime.combine(day, dt.time(0, 0), tzinfo=tz)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 0), tzinfo=tz)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


MONTHS_ID = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
             "September", "Oktober", "November", "Desember")


def fmt_day(day: dt.date) -> str:
    """'2 Desember 2026': a day as the receipt writes it."""
    return f"{day.day} {MONTHS_ID[day.month - 1]} {day.year}"


def fmt_local(when: dt.datetime | str, tz: ZoneInfo, *, seconds: bool = False) -> str:
    """'2 Desember 2026 08.31 WIB': an aware time (or its ISO text) in the station's zone,
    written as the receipt writes it (kiosk.ui.qt_i18n.fmt_datetime in Indonesian);
    `seconds` adds them ('08.31.12') where events minutes apart must be told apart."""
    moment = dt.datetime.fromisoformat(when) if isinstance(when, str) else when
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)  # the store writes UTC
    local = moment.astimezone(tz)
    clock = f"{local:%H.%M.%S}" if seconds else f"{local:%H.%M}"
    return f"{fmt_day(local.date())} {clock} {local.tzname() or ''}".strip()


def parse_ts(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


@dataclass(frozen=True)
class Interval:
    started: dt.datetime
    ended: dt.datetime | None


def overlap_minutes(
    intervals: list[Interval], start: dt.datetime, end: dt.datetime, now: dt.datetime
) -> float:
    """Minutes of [start, end) covered by the intervals; an open interval runs until `now`.

    Overlapping incidents are merged first, so two reports of one outage count once.
    """
    spans = []
    for iv in intervals:
        a = max(iv.started, start)
        b = min(iv.ended or now, end)
        if b > a:
            spans.append((a, b))
    spans.sort()
    total = dt.timedelta()
    cur_a: dt.datetime | None = None
    cur_b: dt.datetime | None = None
    for a, b in spans:
        if cur_b is None or a > cur_b:
            if cur_a is not None and cur_b is not None:
                total += cur_b - cur_a
            cur_a, cur_b = a, b
        else:
            cur_b = max(cur_b, b)
    if cur_a is not None and cur_b is not None:
        total += cur_b - cur_a
    return round(total.total_seconds() / 60.0, 1)
