"""The daily cap policy: per station, per local calendar day in the station's time zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from kiosk.domain.messages import DomainError, Msg


def local_day(now: dt.datetime, tz: ZoneInfo) -> dt.date:
    """The office's calendar day at the aware instant `now`."""
    return now.astimezone(tz).date()


def next_reset(day: dt.date, tz: ZoneInfo) -> dt.datetime:
    """Local midnight that ends `day` (an aware datetime in the office's zone)."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 0), tzinfo=tz)


class DailyCapReached(DomainError):
    """Today's cap is used up; says how many, the cap, and when it resets."""

    def __init__(self, count: int, cap: int, resets_at: dt.datetime) -> None:
        when = resets_at.strftime("%d-%m-%Y %H:%M")
        zone = resets_at.tzname() or ""
        super().__init__(
            Msg(
                f"Batas harian tercapai: {count} dari {cap} perekaman hari ini. Kuota dibuka lagi "
                f"{when} {zone}. Pengawas dapat menaikkan batas hari ini dengan alasan.",
                f"Daily cap reached: {count} of {cap} recordings today. It resets at {when} "
                f"{zone}. A supervisor can raise today's cap with a reason.",
            )
        )
        self.count = count
        self.cap = cap
        self.resets_at = resets_at


def cap_in_force(override: int | None, standing: int | None, default: int) -> int:
    """The day's cap: its last override, else the standing cap then, else the setting."""
    if override is not None:
        return int(override)
    return int(standing) if standing is not None else int(default)
