"""How a time reads for a person: the station's zone, the receipt's words."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from kiosk.domain.days import fmt_day, fmt_local


def test_a_stored_utc_time_reads_in_the_station_zone_as_on_the_receipt():
    stored = "2026-12-01T23:31:12.707075+00:00"  # as the store writes it
    assert fmt_local(stored, ZoneInfo("Asia/Jakarta")) == "2 Desember 2026 06.31 WIB"
    assert fmt_local(stored, ZoneInfo("Asia/Makassar")) == "2 Desember 2026 07.31 WITA"
    assert fmt_local(stored, ZoneInfo("Asia/Jayapura"), seconds=True) == (
        "2 Desember 2026 08.31.12 WIT")


def test_a_naive_time_is_taken_as_utc_and_days_use_indonesian_month_names():
    naive = dt.datetime(2026, 1, 31, 17, 0)
    assert fmt_local(naive, ZoneInfo("Asia/Jakarta")) == "1 Februari 2026 00.00 WIB"
    assert [fmt_day(dt.date(2026, m, 1)).split()[1] for m in (5, 8, 10)] == [
        "Mei", "Agustus", "Oktober"]
