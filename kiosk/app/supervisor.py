"""The supervisor's and technician's desk, without Qt: re-recordings, dashboard series,
incident and self-test history (with CSV export)."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.app import accounts
from kiosk.domain.messages import DomainError, Msg
from kiosk.domain.nik import mask_nik
from kiosk.store import audit
from kiosk.store.db import iso, write_transaction
from kiosk.store.figures import CapHistory, Interval, day_bounds, overlap_minutes, parse_ts
from kiosk.store.station import Store


class NotRejected(DomainError):
    def __init__(self, record_id: str) -> None:
        super().__init__(Msg(
            f"Rekaman {record_id} tidak ditolak server; tidak perlu rekam ulang.",
            f"Record {record_id} was not rejected by the server; no re-recording needed.",
        ))


# --- re-recordings (perlu rekam ulang) ----------------------------------------------------


@dataclass(frozen=True)
class Rerecord:
    """A record the server rejected: who to call and why."""

    record_id: str
    regno: str
    local_date: dt.date
    name: str
    nik_masked: str
    phone: str  # empty when the applicant gave none
    reject_reason: str
    contacted_at: dt.datetime | None


def rerecord_list(store: Store) -> list[Rerecord]:
    """Rejected records, not yet contacted first, oldest first within each group."""
    sealer = store.sealer()
    out = []
    for rid, regno, day, biodata, reason, contacted in store.db.execute(
        "SELECT id, regno, local_date, biodata, reject_reason, contacted_at FROM records "
        "WHERE processing_status = 'rejected' "
        "ORDER BY contacted_at IS NOT NULL, created_at"
    ):
        applicant = json.loads(sealer.open(biodata, f"biodata:{rid}"))["applicant"]
        out.append(Rerecord(
            record_id=rid, regno=regno, local_date=dt.date.fromisoformat(day),
            name=applicant.get("nama", ""), nik_masked=mask_nik(applicant.get("nik", "")),
            phone=applicant.get("telepon", ""), reject_reason=reason or "",
            contacted_at=parse_ts(contacted),
        ))
    return out


def mark_contacted(
    store: Store, record_id: str, actor: str, now: dt.datetime | None = None
) -> dt.datetime:
    """The applicant was informed ("sudah dihubungi"); audited. Returns the time recorded."""
    accounts.require(store, actor, "rerecord")
    when = now or store.clock()
    with write_transaction(store.db):
        row = store.db.execute(
            "SELECT processing_status FROM records WHERE id = ?", [record_id]
        ).fetchone()
        if row is None:
            raise KeyError(record_id)
        if row[0] != "rejected":
            raise NotRejected(record_id)
        store.db.execute("UPDATE records SET contacted_at = ? WHERE id = ?",
                         [iso(when), record_id])
        audit.append(store.db, actor, "rerecord.contacted", {"record_id": record_id})
    return when


# --- dashboard ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DayPoint:
    """One day of the dashboard.

    backlog: records recorded on or before the day that the server had not received by the
    day's end (local midnight) - the queue the station carried into the next day.
    rejections: records of that recording day that the server has rejected (so far).
    """

    day: dt.date
    recordings: int
    cap: int
    backlog: int
    rejections: int
    offline_minutes: float


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
        "SELECT local_date, COUNT(*), SUM(processing_status = 'rejected') FROM records "
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
    outages = [
        Interval(dt.datetime.fromisoformat(a), parse_ts(b)) for a, b in store.db.execute(
            "SELECT started_at, ended_at FROM incidents WHERE kind = 'server_unreachable' "
            "AND started_at < ? AND (ended_at IS NULL OR ended_at > ?)",
            [iso(window_end), iso(day_bounds(first, tz)[0])],
        )
    ]
    caps = CapHistory(store)
    points = []
    for i in range(days):
        day = first + dt.timedelta(days=i)
        start, end = day_bounds(day, tz)
        key = day.isoformat()
        backlog = sum(1 for d, r in pending if d <= key and (r is None or r >= end))
        n, rejected = per_day.get(key, [0, 0])
        points.append(DayPoint(day, n, caps.cap_on(day), backlog, rejected,
                               overlap_minutes(outages, start, end, now)))
    return points


# --- technician history -------------------------------------------------------------------


@dataclass(frozen=True)
class Incident:
    """A device or link incident, times in the station's zone; open ones have no end."""

    id: int
    kind: str
    device: str
    detail: str
    started_at: dt.datetime
    ended_at: dt.datetime | None
    duration_minutes: float | None


def incident_history(
    store: Store, day: dt.date | None = None, device: str | None = None,
    kind: str | None = None,
) -> list[Incident]:
    """Incidents, newest first, optionally only those started on local `day` / of `device`."""
    tz = store.settings.timezone
    sql = "SELECT id, kind, device, detail, started_at, ended_at FROM incidents WHERE 1=1"
    args: list[Any] = []
    if day is not None:
        start, end = day_bounds(day, tz)
        sql += " AND started_at >= ? AND started_at < ?"
        args += [iso(start), iso(end)]
    if device:
        sql += " AND device = ?"
        args.append(device)
    if kind:
        sql += " AND kind = ?"
        args.append(kind)
    out = []
    for iid, k, dev, detail, started, ended in store.db.execute(
        sql + " ORDER BY started_at DESC, id DESC", args
    ):
        s, e = dt.datetime.fromisoformat(started), parse_ts(ended)
        out.append(Incident(
            id=iid, kind=k, device=dev, detail=detail, started_at=s.astimezone(tz),
            ended_at=e.astimezone(tz) if e else None,
            duration_minutes=round((e - s).total_seconds() / 60, 1) if e else None,
        ))
    return out


def incident_devices(store: Store) -> list[str]:
    """The devices named in incidents (for the history screen's filter)."""
    return [r[0] for r in store.db.execute("SELECT DISTINCT device FROM incidents ORDER BY 1")]


INCIDENT_HEADERS = ("Mulai", "Selesai", "Durasi (menit)", "Jenis", "Perangkat", "Keterangan")


def write_incidents_csv(incidents: list[Incident], output: Path) -> Path:
    """The incidents as CSV (UTF-8, header row, local times), written atomically."""
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(f".{output.name}.{os.getpid()}.part")
    try:
        with tmp.open("w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(INCIDENT_HEADERS)
            for i in incidents:
                w.writerow([
                    i.started_at.strftime("%Y-%m-%d %H:%M:%S"),
                    i.ended_at.strftime("%Y-%m-%d %H:%M:%S") if i.ended_at else "",
                    "" if i.duration_minutes is None else i.duration_minutes,
                    i.kind, i.device, i.detail,
                ])
        os.replace(tmp, output)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return output


@dataclass(frozen=True)
class SelfTestRun:
    id: int
    ts: dt.datetime
    passed: bool
    results: list[dict[str, Any]]


def selftest_history(store: Store, day: dt.date | None = None) -> list[SelfTestRun]:
    """Past self-tests, newest first, optionally only those of local `day`."""
    tz = store.settings.timezone
    sql, args = "SELECT id, ts, passed, results FROM selftests", []
    if day is not None:
        start, end = day_bounds(day, tz)
        sql += " WHERE ts >= ? AND ts < ?"
        args = [iso(start), iso(end)]
    return [
        SelfTestRun(i, dt.datetime.fromisoformat(ts).astimezone(tz), bool(p), json.loads(r))
        for i, ts, p, r in store.db.execute(sql + " ORDER BY id DESC", args)
    ]
