"""The daily log as CSV (UTF-8, comma-separated, no BOM).

Shape: a header row (`rows.HEADERS`), one row per recording, one empty line, then the summary
as two-column rows starting with the row `Ringkasan,Nilai` (label, value). A reader takes the
rows up to the first empty line as the table. Times are local ('YYYY-MM-DD HH:MM:SS', the
station's zone, named in the summary); empty cells mean "none". Quoting is the csv module's
minimal quoting: a cell is quoted only when it holds a comma, a quote or a line break.

The rows are streamed: SQLite renders every non-personal cell of a row into two ready CSV
fragments (local times, sync words, quoting), and Python adds only what must be decrypted,
the NIK (masked unless asked) and the name, from each record's small sealed `ident`. A zone
with daylight saving time (Indonesia's have none) takes the general path through
`rows.gather_log`.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from kiosk.domain.days import day_bounds
from kiosk.domain.delivery import (
    LOG_ACCEPTED,
    LOG_CARRIED,
    LOG_CARRIED_RECEIVED,
    LOG_REJECTED,
    LOG_WORDS,
    UNSENT,
    DeliveryState,
    ProcessingStatus,
)
from kiosk.domain.logfacts import csv_cell
from kiosk.domain.nik import mask_nik
from kiosk.domain.sealing import SealContext
from kiosk.export.common import ExportResult, Progress, ProgressGate, run_export
from kiosk.export.rows import HEADERS, ROW_SELECT, DailyLog, log_row
from kiosk.store.outbox import BUCKET_SQL
from kiosk.store.save import IDENT_SEP, open_ident
from kiosk.store.station import Store

SUMMARY_MARK = ("Ringkasan", "Nilai")
LINE_END = "\r\n"  # the csv module's default line terminator


def _cell(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S")
    return v


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _sql_quote(expr: str) -> str:
    """SQL rendering the text `expr` as one CSV cell (QUOTE_MINIMAL)."""
    return (
        f"CASE WHEN instr({expr}, ',') OR instr({expr}, '\"') OR instr({expr}, char(13)) "
        f"OR instr({expr}, char(10)) THEN '\"' || replace({expr}, '\"', '\"\"') || '\"' "
        f"ELSE {expr} END"
    )


def _local_sql(column: str) -> str:
    """SQL writing a stored UTC ISO 8601 time (whose first 19 characters are the UTC second)
    in the station's zone, shifted by :shift: datetime() writes it exactly as 'YYYY-MM-DD
    HH:MM:SS', truncated like Python's strftime; '' when there is none."""
    return f"CASE WHEN {column} IS NULL THEN '' ELSE datetime(substr({column}, 1, 19), :shift) END"


# The cells that change after the save: the sync state (words exactly as
# delivery.log_words: the centre's decision, then carried on a drive or received by that road,
# then the state), when the server received the record, when it left on a drive and when its
# receipt came back on one.
_SYNC_SQL = (
    f"CASE WHEN processing_status = {_sql_text(ProcessingStatus.REJECTED)} THEN "
    + _sql_quote(f"({_sql_text(LOG_REJECTED)} || COALESCE(NULLIF(reject_reason, ''), '-'))")
    + f" WHEN processing_status = {_sql_text(ProcessingStatus.ACCEPTED)} THEN "
    + f"{_sql_text(LOG_ACCEPTED)}"
    + f" WHEN state IN ({', '.join(_sql_text(u) for u in UNSENT)}) AND carried_at != '' "
    + f"AND COALESCE(carry_receipt_at, '') = '' THEN {_sql_text(LOG_CARRIED)}"
    + f" WHEN state = {_sql_text(DeliveryState.RECEIVED)} AND carry_receipt_at != '' THEN "
    + f"{_sql_text(LOG_CARRIED_RECEIVED)} ELSE CASE state "
    + " ".join(f"WHEN {_sql_text(k)} THEN {_sql_text(v)}" for k, v in LOG_WORDS.items())
    + f" ELSE {_sql_quote('state')} END END"
)
_TIMES_SQL = " || ',' || ".join(_local_sql(c) for c in ("received_at", "carried_at",
                                                          "carry_receipt_at"))
# Per row: the ident's decryption context, the sealed ident, the cells before the NIK
# ("time,regno", kept at save) and those after the name (kept at save, plus the two above).
# head is NULL for a record saved before schema v003: that row is rendered the general way.
STREAM_SQL = (
    f"SELECT {SealContext.ident_sql('id')}, ident, log_head, "
    f"log_tail || ',' || {_SYNC_SQL} || ',' || {_TIMES_SQL}, "
    # for the summary, counted from the very rows written: 0 synced, 1 waiting, 2 rejected;
    # then whether it left on a drive, and whether its receipt came back that way
    f"{BUCKET_SQL}, carried_at IS NOT NULL, "
    "carried_at IS NOT NULL AND carry_receipt_at IS NOT NULL FROM records "
    "WHERE local_date >= :first AND local_date <= :last ORDER BY local_date, seq"
)


def _fixed_shift(store: Store, first: dt.date, last: dt.date) -> str | None:
    """The SQLite modifier for the zone's UTC offset, or None when the zone keeps daylight
    saving time around these days (a row's times, like when the server received it, may
    fall on either side of a switch; Indonesia's zones have none)."""
    tz = store.settings.timezone
    probes = {first, last}
    for year in range(first.year - 1, last.year + 2):
        probes |= {dt.date(year, 1, 1), dt.date(year, 7, 1)}
    offsets = {day_bounds(d, tz)[0].astimezone(tz).utcoffset() for d in probes}
    if len(offsets) != 1:
        return None
    (offset,) = offsets
    assert offset is not None
    return f"{int(offset.total_seconds() // 60):+d} minutes"


def _general_line(store: Store, no: int, record_id: str, full_nik: bool) -> str:
    """One row rendered from biodata and summary (a record saved before schema v003)."""
    rec = store.db.execute(f"{ROW_SELECT} WHERE id = ?", [record_id]).fetchone()
    nik, name = open_ident(store.sealer(), rec[0], rec[1], rec[2])
    row = log_row(no, rec, nik, name, full_nik, store.settings.timezone)
    return ",".join(csv_cell(_cell(v)) for v in row.values()) + LINE_END


def _stream_chunks(
    store: Store, log: DailyLog, shift: str, size: int, delivery: list[int]
) -> Iterator[list[str]]:
    """The CSV lines of the rows in recording order, `size` rows at a time; `delivery` counts
    the rows synced, waiting and rejected, then those carried and those whose receipt came
    back on a drive."""
    sealer = store.sealer()
    sep = IDENT_SEP
    full = log.full_nik
    cursor = store.db.conn.execute(
        STREAM_SQL,
        {"first": log.first.isoformat(), "last": log.last.isoformat(), "shift": shift},
    )
    no = 0
    while rows := cursor.fetchmany(size):
        lines = []
        for (ctx, _, head, tail, kind, carried, back), plain in zip(
                rows, sealer.open_rows(rows), strict=True):
            no += 1
            delivery[kind] += 1
            delivery[3] += carried
            delivery[4] += back
            if head is None or plain is None:
                lines.append(_general_line(store, no, SealContext.parse(ctx).record_id, full))
                continue
            nik, _, name = plain.decode().partition(sep)
            if not full:  # mask_nik, inlined for the usual 16 digits (hot loop)
                nik = nik[:6] + "********" + nik[14:] if len(nik) == 16 else mask_nik(nik)
            if "," in name or '"' in name or "\n" in name or "\r" in name:
                name = csv_cell(name)
            lines.append(f"{no},{head},{nik},{name},{tail}{LINE_END}")
        yield lines


def _write_summary(f: Any, log: DailyLog) -> None:
    w = csv.writer(f)
    w.writerow([])
    w.writerow(SUMMARY_MARK)
    for label, value in log.summary_items():
        w.writerow([label, value])


def write_csv(log: DailyLog, path: Path, gate: ProgressGate) -> None:
    """The general path: a log gathered with its rows."""
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADERS)
        for i, row in enumerate(log.rows, 1):
            w.writerow([_cell(v) for v in row.values()])
            gate(i)
        _write_summary(f, log)


def stream_csv(store: Store, log: DailyLog, path: Path, gate: ProgressGate, shift: str) -> None:
    """The fast path: a log gathered without rows; they are streamed from the database."""
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write(",".join(csv_cell(h) for h in HEADERS) + LINE_END)
        done = 0
        delivery = [0, 0, 0, 0, 0]
        for lines in _stream_chunks(store, log, shift, max(gate.every, 500), delivery):
            f.write("".join(lines))
            done += len(lines)
            gate(done)
        # The summary says what these rows say, even if a recording was saved meanwhile.
        assert log.summary is not None
        synced, waiting, rejected, carried, carry_received = delivery
        log.summary = replace(log.summary, recordings=done, synced=synced, waiting=waiting,
                              rejected=rejected, carried=carried,
                              carry_received=carry_received)
        _write_summary(f, log)


def export_csv(
    store: Store, first: dt.date, output: Path, *, last: dt.date | None = None,
    full_nik: bool = False, actor: str = "system", progress: Progress | None = None,
    now: dt.datetime | None = None,
) -> ExportResult:
    """Write the log of `first` (..`last`) as CSV at `output`; audited with its SHA-256."""
    shift = _fixed_shift(store, first, last or first)
    if shift is None:
        return run_export(store, "csv", write_csv, first, output, last=last,
                          full_nik=full_nik, actor=actor, progress=progress, now=now)

    def write(log: DailyLog, path: Path, gate: ProgressGate) -> None:
        stream_csv(store, log, path, gate, shift)

    return run_export(store, "csv", write, first, output, last=last, full_nik=full_nik,
                      actor=actor, progress=progress, now=now, with_rows=False)
