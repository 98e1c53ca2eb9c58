"""What a station says of itself: `PUT /v1/station/report` (protocol v1, negotiated: a server
without it answers 404, or 413 from an older gate, and the station stops sending it).

A station sends a small report at its health contacts (when it comes online, then every few
minutes): its clock, software version, office, zone, today's cap and count, how many records
wait to be delivered and since when, and how many incidents are open. The centre keeps the
latest per station (`station_reports`); the console shows it, and highlights stations that
fell silent or whose backlog grows old. The answer carries the status page's address for the
station's receipts (null when the server has none)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from fastapi import FastAPI
from pydantic import AwareDatetime, BaseModel, BeforeValidator, Field

from central.database import Database, now_iso
from central.storage import CentralStore, Station

REPORT_PATH = "/v1/station/report"
# RFC 3339's date-time, the JSON Schema "date-time" format: pydantic alone also takes
# "174179" (seconds since 1970), a date without a time and "+0700" without its colon
_RFC3339 = re.compile(r"\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)")


def _text(value: object) -> object:
    if not isinstance(value, str) or not _RFC3339.fullmatch(value):
        raise ValueError("a time is given as text (RFC 3339, with its offset)")
    return value


# a time as text with its offset (a number of seconds is not taken for one)
Instant = Annotated[AwareDatetime, BeforeValidator(_text)]
def _number(value: object) -> object:
    """JSON's integers: 3 and 3.0 (JSON Schema counts both), never `false` or "3"."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("a count is a whole number")
    return value


# the bounds before the validator, so the schema says minimum/maximum (after it, pydantic
# writes ge/le, which JSON Schema does not know, and a fuzzer rightly sends -5)
Count = Annotated[int, Field(ge=0, le=1_000_000), BeforeValidator(_number)]


class StationReport(BaseModel):
    """A station's report of itself (every field but its clock may be left out)."""

    station_time: Instant = Field(description="the station's clock")
    software: str | None = Field(None, max_length=40)
    office: str | None = Field(None, max_length=100, description="office name (receipts)")
    kecamatan: str | None = Field(None, pattern=r"^[0-9]{6}$")
    timezone: str | None = Field(None, max_length=40, description="IANA zone of the office "
                                 "(shown as given; times fall back to WIB if it is unknown)")
    cap: Count | None = None
    recorded_today: Count | None = None
    waiting: Count | None = Field(None, description="records not yet received by the centre")
    oldest_unsent: Instant | None = Field(None, description="save time of the oldest")
    incidents_open: Count | None = None


class ReportAnswer(BaseModel):
    status_url: str | None = Field(description="the applicant's status page (receipts' QR)")


def save_report(db: Database, station: Station, report: StationReport) -> None:
    """Keep `report` as the station's latest, with the clock difference it shows."""
    at = now_iso()
    skew = (report.station_time - dt.datetime.fromisoformat(at)).total_seconds()
    cols = ("software", "office", "kecamatan", "timezone", "cap", "recorded_today", "waiting",
            "oldest_unsent", "incidents_open")
    values = [getattr(report, c) for c in cols]
    if report.oldest_unsent is not None:
        values[cols.index("oldest_unsent")] = report.oldest_unsent.astimezone(dt.UTC).isoformat()
    with db.transaction() as tx:
        tx.execute(
            f"INSERT INTO station_reports (station, at, skew_seconds, {', '.join(cols)}) "
            f"VALUES ({', '.join('?' * (len(cols) + 3))}) ON CONFLICT (station) DO UPDATE SET "
            + ", ".join(f"{c} = excluded.{c}" for c in ("at", "skew_seconds", *cols)),
            [station.id, at, skew, *values])


def latest_reports(db: Database) -> dict[int, dict[str, Any]]:
    """station id -> its latest report (every column), for the console."""
    with db.read() as tx:
        rows = tx.execute("SELECT station, at, skew_seconds, software, office, kecamatan, "
                          "timezone, cap, recorded_today, waiting, oldest_unsent, "
                          "incidents_open FROM station_reports").fetchall()
    keys = ("at", "skew_seconds", "software", "office", "kecamatan", "timezone", "cap",
            "recorded_today", "waiting", "oldest_unsent", "incidents_open")
    return {int(r[0]): dict(zip(keys, r[1:], strict=True)) for r in rows}


def office_of(db: Database, station_id: int) -> tuple[str | None, str | None]:
    """(office name, IANA zone) a station last reported (None, None when it never did)."""
    with db.read() as tx:
        row = tx.execute("SELECT office, timezone FROM station_reports WHERE station = ?",
                         [station_id]).fetchone()
    return (row[0], row[1]) if row else (None, None)


def add_report_routes(api: FastAPI, store: CentralStore, auth: Any,
                      status_url: str, responses: dict[int | str, dict[str, Any]]) -> None:
    """Register `PUT /v1/station/report`; `auth` is central.app's station dependency."""

    @api.put(REPORT_PATH, responses=responses)
    def station_report(report: StationReport, station: Station = auth) -> ReportAnswer:
        """Keep the station's report of itself; answers the status page's address."""
        save_report(store.db, station, report)
        return ReportAnswer(status_url=status_url or None)


_URL = re.compile(r"^https?://[^\s/]+(/\S*)?$")


def check_status_url(url: str) -> str:
    """The status page address as given, or ValueError for one that is not a web address."""
    if url and not _URL.match(url):
        raise ValueError(f"not a web address: {url!r}")
    return url
