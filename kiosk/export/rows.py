"""The daily log's content: one row per recording and a summary, with no biometrics.

`gather_log` reads every record of the day(s) in one query and opens each record's small
sealed ident in memory (one AES-GCM decrypt per row, no further SQL), so 10,000 rows take
well under a second. The CSV export streams its rows instead (see csv_export).
NIKs are masked (627104********17) unless `full_nik`, which only a supervisor may ask for and
which is audited as 'export.full_nik'.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from kiosk.domain.days import day_bounds, overlap_minutes
from kiosk.domain.delivery import REJECTED, SYNCED, delivery_bucket, log_words
from kiosk.domain.logfacts import log_facts
from kiosk.domain.messages import DomainError, Msg
from kiosk.domain.nik import mask_nik
from kiosk.store.figures import (
    CapChange,
    CapHistory,
    incident_count,
    offline_intervals,
    selftest_counts,
)
from kiosk.store.save import open_ident
from kiosk.store.station import Store
from kiosk.store.users import require

# A log covers whole local days: the day after the last one and the day before the first
# must exist too (local midnight in UTC), so the calendar's first and last days are out.
EARLIEST_DAY = dt.date.min + dt.timedelta(days=1)
LATEST_DAY = dt.date.max - dt.timedelta(days=1)


class InvalidExportRange(DomainError):
    """Days that cannot make a log: the last before the first, or off the calendar."""

    def __init__(self, first: dt.date, last: dt.date, problem_id: str, problem_en: str) -> None:
        span = first.isoformat() if first == last else f"{first.isoformat()}..{last.isoformat()}"
        super().__init__(Msg(f"Tanggal log {span} tidak bisa dipakai: {problem_id}.",
                             f"The log dates {span} cannot be used: {problem_en}."))


def check_range(first: dt.date, last: dt.date | None = None) -> dt.date:
    """The last day of a log of first..last (default: first); InvalidExportRange if none."""
    last = last or first
    if last < first:
        raise InvalidExportRange(first, last, "--until sebelum --date",
                                 "--until is before --date")
    if first < EARLIEST_DAY or last > LATEST_DAY:
        raise InvalidExportRange(first, last, f"harus antara {EARLIEST_DAY} dan {LATEST_DAY}",
                                 f"they must lie between {EARLIEST_DAY} and {LATEST_DAY}")
    return last


# (key, column header) in the order every format shows them.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("no", "No"),
    ("time", "Waktu"),
    ("regno", "No. Registrasi"),
    ("nik", "NIK"),
    ("name", "Nama"),
    ("operator", "Petugas"),
    ("captured", "Direkam"),
    ("exceptions", "Pengecualian"),
    ("face", "Foto wajah"),
    ("fingers", "Jari direkam"),
    ("finger_min", "Kualitas jari min"),
    ("finger_mean", "Kualitas jari rata-rata"),
    ("sync_state", "Status kirim"),
    ("received_at", "Diterima server"),
    # added for records carried on a drive (issue 16): at the end, so a reader of the
    # earlier columns by position reads them unchanged
    ("carried_at", "Dibawa flashdisk"),
    ("carry_receipt_at", "Tanda terima flashdisk"),
)
HEADERS = tuple(h for _, h in COLUMNS)


@dataclass(frozen=True)
class LogRow:
    """One recording in the daily log. Times are aware, in the station's time zone."""

    no: int
    time: dt.datetime
    regno: str
    nik: str
    name: str
    operator: str
    captured: str
    exceptions: str
    face: str
    fingers: int
    finger_min: int | None
    finger_mean: float | None
    sync_state: str
    received_at: dt.datetime | None
    carried_at: dt.datetime | None = None  # when it was written to a drive (the last time)
    carry_receipt_at: dt.datetime | None = None  # when its receipt came back on a drive

    def values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, key) for key, _ in COLUMNS)


@dataclass(frozen=True)
class LogSummary:
    """The figures under the rows: recordings against the cap, delivery, incidents."""

    first: dt.date
    last: dt.date
    recordings: int
    cap: int  # the cap in force; summed over the days for a range
    standing_cap: int
    overrides: list[CapChange]
    synced: int  # received or verified by the server (and not rejected)
    waiting: int  # saved or uploading
    rejected: int  # the server's processing status is 'rejected'
    incidents: int  # incidents (any kind) that started on these days
    offline_minutes: float  # server unreachable, clipped to these days
    selftests: int
    selftests_failed: int
    carried: int = 0  # rows written to a drive (kiosk carry export)
    carry_received: int = 0  # of those, rows whose receipt came back on a drive

    def items(self) -> list[tuple[str, Any]]:
        """(label, value) pairs, the same in every format."""
        period = self.first.isoformat()
        if self.last != self.first:
            period += f" s.d. {self.last.isoformat()}"
        out: list[tuple[str, Any]] = [
            ("Tanggal", period),
            ("Jumlah perekaman", self.recordings),
            ("Batas harian berlaku", self.cap),
            ("Batas harian tetap", self.standing_cap),
            ("Jumlah perubahan batas", len(self.overrides)),
        ]
        for o in self.overrides:
            out.append((
                f"Perubahan batas {o.day.isoformat() if o.day else ''}",
                f"{o.cap} oleh {o.actor}: {o.reason}",
            ))
        out += [
            ("Terkirim ke server", self.synced),
            ("Menunggu kirim", self.waiting),
            ("Ditolak server", self.rejected),
            ("Dibawa dengan flashdisk", self.carried),
            ("Tanda terima flashdisk kembali", self.carry_received),
            ("Insiden", self.incidents),
            ("Menit offline", self.offline_minutes),
            ("Swauji dijalankan", self.selftests),
            ("Swauji gagal", self.selftests_failed),
        ]
        return out


@dataclass
class DailyLog:
    """Everything an export writes: a header, the rows and the summary."""

    station: str
    office: str
    timezone: str
    generated_at: dt.datetime
    first: dt.date
    last: dt.date
    full_nik: bool
    rows: list[LogRow] = field(default_factory=list)
    summary: LogSummary | None = None

    def summary_items(self) -> list[tuple[str, Any]]:
        """Header facts (station, zone, when, NIK mode) then the summary figures."""
        assert self.summary is not None
        return [
            ("Stasiun", self.station),
            ("Kantor", self.office),
            ("Zona waktu", self.timezone),
            ("Dibuat", self.generated_at.strftime("%Y-%m-%d %H:%M:%S")),
            ("NIK lengkap", "ya" if self.full_nik else "tidak (disamarkan)"),
            *self.summary.items(),
        ]

    @property
    def title(self) -> str:
        period = self.first.isoformat()
        if self.last != self.first:
            period += f" s.d. {self.last.isoformat()}"
        return f"Log harian perekaman e-KTP {self.station} ({self.office}) - {period}"


# The columns a log row is made from, in this order (see _row).
ROW_SELECT = (
    "SELECT id, ident, biodata, regno, created_at, operator, summary, state, received_at, "
    "processing_status, reject_reason, carried_at, carry_receipt_at FROM records"
)
ROW_SQL = f"{ROW_SELECT} WHERE local_date >= ? AND local_date <= ? ORDER BY local_date, seq"


def log_row(no: int, rec: tuple[Any, ...], nik: str, name: str, full_nik: bool, tz: Any) -> LogRow:
    """Row `no` of the log from one ROW_SQL result and the record's NIK and name."""
    (_, _, _, regno, created, operator, summary_txt, state, received, status, reason, carried,
     carried_back) = rec
    summary = json.loads(summary_txt)
    facts = log_facts(
        summary.get("items", []), summary.get("exceptions", {}), summary.get("quality", {})
    )
    return LogRow(
        no=no,
        time=dt.datetime.fromisoformat(created).astimezone(tz),
        regno=regno,
        nik=nik if full_nik else mask_nik(nik),
        name=name,
        operator=operator,
        captured=facts.captured,
        exceptions=facts.exceptions,
        face=facts.face,
        fingers=facts.fingers,
        finger_min=facts.finger_min,
        finger_mean=facts.finger_mean,
        sync_state=log_words(state, status, reason, carried, carried_back),
        received_at=_local(received, tz),
        carried_at=_local(carried, tz),
        carry_receipt_at=_local(carried_back, tz),
    )


def _local(text: str | None, tz: Any) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text).astimezone(tz) if text else None


def carry_counts(store: Store, first: dt.date, last: dt.date) -> tuple[int, int]:
    """(records written to a drive, of them with their receipt back by drive) of the days."""
    row = store.db.execute(
        "SELECT COALESCE(SUM(carried_at IS NOT NULL), 0), "
        "COALESCE(SUM(carried_at IS NOT NULL AND carry_receipt_at IS NOT NULL), 0) "
        "FROM records WHERE local_date >= ? AND local_date <= ?",
        [first.isoformat(), last.isoformat()]).fetchone()
    return int(row[0]), int(row[1])


def gather_log(
    store: Store,
    first: dt.date,
    last: dt.date | None = None,
    *,
    full_nik: bool = False,
    actor: str = "system",
    now: dt.datetime | None = None,
    with_rows: bool = True,
) -> DailyLog:
    """The log of local day `first` (or the days first..last), rows in recording order.
    `with_rows=False` gathers the header and summary only (a writer that streams the rows
    itself, like the CSV one).

    `full_nik` needs `actor` to be an active supervisor (PermissionDenied otherwise) and is
    audited before any NIK is decrypted.
    """
    last = check_range(first, last)
    now = now or store.clock()
    settings = store.settings
    tz = settings.timezone
    if full_nik:
        require(store, actor, "export")
        store.audit(actor, "export.full_nik",
                    {"date": first.isoformat(), "until": last.isoformat()})
    rows: list[LogRow] = []
    if with_rows:
        # Counted from the very rows gathered, so rows and summary always agree.
        synced = waiting = rejected = carried = carry_received = 0
        sealer = store.sealer()
        for rec in store.db.execute(ROW_SQL, [first.isoformat(), last.isoformat()]):
            nik, name = open_ident(sealer, rec[0], rec[1], rec[2])
            rows.append(log_row(len(rows) + 1, rec, nik, name, full_nik, tz))
            bucket = delivery_bucket(rec[7], rec[9])
            carried += rec[11] is not None
            carry_received += rec[11] is not None and rec[12] is not None
            if bucket == REJECTED:
                rejected += 1
            elif bucket == SYNCED:
                synced += 1
            else:
                waiting += 1
        count = len(rows)
    else:  # a streaming writer recounts from what it writes
        count, synced, waiting, rejected = store.outbox.delivery_counts(first, last)
        carried, carry_received = carry_counts(store, first, last)
    caps = CapHistory(store)
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    start, _ = day_bounds(first, tz)
    _, end = day_bounds(last, tz)
    tests, failed = selftest_counts(store, first, last)
    summary = LogSummary(
        first=first,
        last=last,
        recordings=count,
        cap=sum(caps.cap_on(d) for d in days),
        standing_cap=caps.standing_on(last),
        overrides=[o for d in days for o in caps.overrides_on(d)],
        synced=synced,
        waiting=waiting,
        rejected=rejected,
        incidents=incident_count(store, first, last),
        offline_minutes=overlap_minutes(offline_intervals(store, start, end), start, end, now),
        selftests=tests,
        selftests_failed=failed,
        carried=carried,
        carry_received=carry_received,
    )
    return DailyLog(
        station=f"{settings['station.kecamatan']}-{settings['station.number']}",
        office=settings["station.name"],
        timezone=settings["station.timezone"],
        generated_at=now.astimezone(tz),
        first=first,
        last=last,
        full_nik=full_nik,
        rows=rows,
        summary=summary,
    )
