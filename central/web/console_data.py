"""What the console shows, read from the database: one row per station (its latest report,
how many records arrived today and in 30 days, whether it fell silent), records found by
number, station or day, one record whole (its blobs and whether the store vouches for them,
its receipt, its decision), and today's picture. No HTML here (central/web/console.py)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from central.database import Database
from central.reports import latest_reports
from central.web.settings import WebSettings

WIB = "Asia/Jakarta"
WORK_START, WORK_END = 8, 16  # office hours, Monday to Friday, in the station's zone


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or WIB)
    except (KeyError, ValueError):
        return ZoneInfo(WIB)


def working_hours(start: dt.datetime, end: dt.datetime, tz: ZoneInfo) -> float:
    """Office hours (Mon-Fri 08:00-16:00 in `tz`) between two instants."""
    if end <= start:
        return 0.0
    total = 0.0
    day = start.astimezone(tz).date()
    last = end.astimezone(tz).date()
    if (last - day).days > 400:  # silent for over a year: the exact figure matters no more
        day = last - dt.timedelta(days=400)
    while day <= last:
        if day.weekday() < 5:
            opens = dt.datetime.combine(day, dt.time(WORK_START), tz)
            closes = dt.datetime.combine(day, dt.time(WORK_END), tz)
            overlap = (min(closes, end) - max(opens, start)).total_seconds()
            total += max(0.0, overlap) / 3600
        day += dt.timedelta(days=1)
    return total


@dataclass(frozen=True)
class StationRow:
    name: str
    report: dict[str, Any]  # the latest report (empty: never reported)
    today: int  # records received today (the station's calendar day)
    month: int  # in the last 30 days
    silent_hours: float | None  # working hours since the last report (None: never)
    backlog_hours: float | None  # age of its oldest unsent record, as it reported
    revoked: bool

    @property
    def zone(self) -> str:
        return str(self.report.get("timezone") or WIB)

    def alerts(self, web: WebSettings) -> list[str]:
        """The console's highlights for this station (keys of central.web.console WORDS)."""
        out = []
        if self.silent_hours is None or self.silent_hours > web.silent_working_hours:
            out.append("st.alert.silent")
        if self.backlog_hours is not None and self.backlog_hours > web.backlog_hours:
            out.append("st.alert.backlog")
        if self.report.get("incidents_open"):
            out.append("st.alert.incidents")
        return out


def _counts_since(db: Database, since: str) -> dict[int, int]:
    with db.read() as tx:
        rows = tx.execute("SELECT station, COUNT(*) FROM records WHERE received_at >= ? "
                          "GROUP BY station", [since]).fetchall()
    return {int(s): int(n) for s, n in rows}


def stations(db: Database, now: dt.datetime | None = None) -> list[StationRow]:
    """Every station, silent ones (then those with an old backlog) first."""
    now = now or dt.datetime.now(dt.UTC)
    reports = latest_reports(db)
    month = _counts_since(db, (now - dt.timedelta(days=30)).isoformat())
    with db.read() as tx:
        listed = tx.execute("SELECT id, name, revoked_at FROM stations ORDER BY name").fetchall()
    by_zone: dict[str, dict[int, int]] = {}  # one query per zone in use, not per station
    rows = []
    for sid, name, revoked in listed:
        report = reports.get(int(sid), {})
        tz = zone(report.get("timezone"))
        if tz.key not in by_zone:
            midnight = dt.datetime.combine(now.astimezone(tz).date(), dt.time(0), tz)
            by_zone[tz.key] = _counts_since(db, midnight.astimezone(dt.UTC).isoformat())
        today = by_zone[tz.key].get(int(sid), 0)
        seen = dt.datetime.fromisoformat(report["at"]) if report.get("at") else None
        oldest = report.get("oldest_unsent")
        rows.append(StationRow(
            name, report, int(today), month.get(int(sid), 0),
            working_hours(seen, now, tz) if seen else None,
            (now - dt.datetime.fromisoformat(oldest)).total_seconds() / 3600
            if oldest and report.get("waiting") else None, revoked is not None))
    return sorted(rows, key=lambda r: (-(r.silent_hours if r.silent_hours is not None
                                         else 1e9), r.name))


RECORD_LIST_COLS = ("record_id", "regno", "station", "received_at", "status", "reject_reason")


def find_records(db: Database, *, regno: str = "", station: str = "", day: str = "",
                 limit: int = 200) -> list[dict[str, Any]]:
    """Records by registration number (whole or its start), station name and save day
    (YYYY-MM-DD: the date inside the registration number), newest first."""
    where, params = [], []
    if regno:
        where.append("r.regno LIKE ?")
        params.append(regno.replace("%", "").replace("_", "\\_") + "%")
    if station:
        where.append("s.name = ?")
        params.append(station)
    if day:
        where.append("r.regno LIKE ?")
        params.append(f"%-{day.replace('-', '')}-%")
    sql = ("SELECT r.record_id, r.regno, s.name, r.received_at, r.status, r.reject_reason, "
           "rep.timezone FROM records r JOIN stations s ON s.id = r.station "
           "LEFT JOIN station_reports rep ON rep.station = r.station")
    if where:
        sql += " WHERE " + " AND ".join(where)
    with db.read() as tx:
        rows = tx.execute(sql + " ORDER BY r.seq DESC LIMIT ?", [*params, limit]).fetchall()
    return [{**dict(zip(RECORD_LIST_COLS, r[:6], strict=True)), "zone": r[6] or WIB}
            for r in rows]


def record(db: Database, record_id: str) -> dict[str, Any] | None:
    """One record: its manifest fields, station, receipt, decision, and each blob with
    whether the station's row is there, when the store last vouched for it, and any open
    finding of the scrubber. `complete`: every blob held and none found damaged or lost."""
    with db.read() as tx:
        row = tx.execute(
            "SELECT r.record_id, r.regno, s.name, r.received_at, r.status, r.reject_reason, "
            "r.seq, r.manifest_sha256, r.receipt_signature, r.manifest, rep.timezone, "
            "rep.office, r.station FROM records r JOIN stations s ON s.id = r.station "
            "LEFT JOIN station_reports rep ON rep.station = r.station "
            "WHERE r.record_id = ?", [record_id]).fetchone()
        if row is None:
            return None
        blobs = tx.execute(
            "SELECT rb.sha256, b.size, b.confirmed_at, (SELECT MIN(f.problem) FROM "
            "scrub_findings f WHERE f.sha256 = rb.sha256 AND f.healed_at IS NULL) "
            "FROM record_blobs rb LEFT JOIN blobs b ON b.sha256 = rb.sha256 AND "
            "b.station = ? WHERE rb.record_id = ? ORDER BY rb.sha256",
            [row[12], record_id]).fetchall()
    manifest = json.loads(bytes(row[9]))
    kinds = {b["sha256"]: b["kind"] for b in manifest.get("blobs", [])}
    items = [{"sha256": sha, "kind": kinds.get(sha, "?"), "size": size, "confirmed_at": at,
              "held": size is not None, "problem": problem}
             for sha, size, at, problem in blobs]
    return {
        "record_id": row[0], "regno": row[1], "station": row[2], "received_at": row[3],
        "status": row[4], "reject_reason": row[5], "server_seq": row[6],
        "manifest_sha256": row[7], "receipt_signature": row[8], "zone": row[10] or WIB,
        "office": row[11], "applicant": manifest.get("applicant") or {},
        "local_date": manifest.get("local_date"), "created_at": manifest.get("created_at"),
        "operator": manifest.get("operator"), "blobs": items,
        "complete": all(b["held"] and not b["problem"] for b in items),
    }


def photo_sha(db: Database, record_id: str) -> str | None:
    """The address of the record's photo blob (None: it has none)."""
    with db.read() as tx:
        row = tx.execute("SELECT manifest FROM records WHERE record_id = ?",
                         [record_id]).fetchone()
    if row is None:
        return None
    blobs = json.loads(bytes(row[0])).get("blobs", [])
    return next((b["sha256"] for b in blobs if b.get("kind") == "photo"), None)


def today(db: Database, now: dt.datetime | None = None) -> dict[str, Any]:
    """Today's picture: per station its count against its cap (as it reported) and what
    arrived, the day's rejections, and what the centre still waits for."""
    now = now or dt.datetime.now(dt.UTC)
    rows = stations(db, now)
    since = dt.datetime.combine(now.astimezone(zone(WIB)).date(), dt.time(0),
                                zone(WIB)).astimezone(dt.UTC).isoformat()
    with db.read() as tx:
        rejected = tx.execute(
            "SELECT c.record_id, r.regno, s.name, c.reason, c.at FROM status_changes c "
            "JOIN records r ON r.record_id = c.record_id JOIN stations s ON s.id = c.station "
            "WHERE c.status = 'rejected' AND c.at >= ? ORDER BY c.seq DESC LIMIT 200",
            [since]).fetchall()
    waiting = [r for r in rows if r.report.get("waiting")]
    return {
        "stations": rows,
        "rejected": [dict(zip(("record_id", "regno", "station", "reason", "at"), r,
                              strict=True)) for r in rejected],
        "waiting": waiting,
        "waiting_total": sum(int(r.report.get("waiting") or 0) for r in waiting),
        "received_total": sum(r.today for r in rows),
    }
