"""The technician's history: device and link incidents and past self-tests, by day and
device, and the incidents as CSV."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.domain.days import day_bounds, parse_ts
from kiosk.domain.messages import Msg
from kiosk.store.db import iso
from kiosk.store.station import Store

# What each incident kind is, for a person (the kind itself stays in the CSV and the log).
INCIDENT_WORDS: dict[str, Msg] = {
    "server_unreachable": Msg("server pusat tidak terjangkau", "central server unreachable"),
    "server_bad_answer": Msg("jawaban server pusat tidak dapat dipakai",
                             "unusable answer from the central server"),
    "record_missing_on_server": Msg("rekaman hilang di server, dikirim ulang",
                                    "record missing on the server, sent again"),
    "record_fault": Msg("rekaman tidak dapat dibaca untuk dikirim",
                        "record cannot be read for delivery"),
    "quality_failures": Msg("kualitas sidik jari rendah berulang kali",
                            "repeated low fingerprint quality"),
    "DeviceUnavailable": Msg("perangkat tidak tersedia", "device unavailable"),
    "DeviceBusy": Msg("perangkat sedang dipakai program lain", "device busy"),
    "CaptureTimeout": Msg("pengambilan melewati batas waktu", "capture timed out"),
    "CaptureFailed": Msg("pengambilan gagal", "capture failed"),
    "InvalidFingerException": Msg("data jari tidak sah dari perangkat",
                                  "invalid finger data from the device"),
}


def incident_words(kind: str) -> Msg:
    """The words for an incident kind; an unknown kind is shown as it is."""
    return INCIDENT_WORDS.get(kind) or Msg(kind, kind)


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
