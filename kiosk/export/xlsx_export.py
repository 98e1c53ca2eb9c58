"""The daily log as an Excel workbook (openpyxl, streaming write-only mode).

Sheet "Perekaman": a bold, frozen header row with an auto filter, one row per recording;
times are real datetimes (local, station zone, no tz in the cell since Excel has none),
counts and scores are numbers, NIKs and registration numbers text. Sheet "Ringkasan": the
summary as label / value rows.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from kiosk.export.common import ExportResult, Progress, ProgressGate, run_export
from kiosk.export.rows import COLUMNS, HEADERS, DailyLog
from kiosk.store.station import Store

SHEET_ROWS = "Perekaman"
SHEET_SUMMARY = "Ringkasan"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
WIDTHS = {
    "no": 6, "time": 20, "regno": 24, "nik": 19, "name": 28, "operator": 14, "captured": 26,
    "exceptions": 30, "face": 10, "fingers": 8, "finger_min": 10, "finger_mean": 12,
    "sync_state": 24, "received_at": 20, "carried_at": 20, "carry_receipt_at": 20,
}


def write_xlsx(log: DailyLog, path: Path, gate: ProgressGate) -> None:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(SHEET_ROWS)
    for i, (key, _) in enumerate(COLUMNS, 1):
        ws.column_dimensions[get_column_letter(i)].width = WIDTHS.get(key, 14)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{len(log.rows) + 1}"
    bold = Font(bold=True)

    def header_cell(text: str) -> WriteOnlyCell:
        c = WriteOnlyCell(ws, value=text)
        c.font = bold
        return c

    ws.append([header_cell(h) for h in HEADERS])

    def cell(v: Any) -> Any:
        if isinstance(v, dt.datetime):
            c = WriteOnlyCell(ws, value=v.replace(tzinfo=None))
            c.number_format = DATETIME_FORMAT
            return c
        return v

    mean_at = [k for k, _ in COLUMNS].index("finger_mean")
    try:
        for i, row in enumerate(log.rows, 1):
            values = [cell(v) for v in row.values()]
            if values[mean_at] is not None:
                values[mean_at] = WriteOnlyCell(ws, value=values[mean_at])
                values[mean_at].number_format = "0.0"
            ws.append(values)
            gate(i)
    except BaseException:
        ws.close()  # finish the sheet's temp file cleanly; the caller discards everything
        raise

    summary = wb.create_sheet(SHEET_SUMMARY)
    summary.column_dimensions["A"].width = 30
    summary.column_dimensions["B"].width = 60
    summary.append([header_cell(log.title)])
    summary.append([])
    for label, value in log.summary_items():
        summary.append([label, value])
    wb.save(path)


def export_xlsx(
    store: Store, first: dt.date, output: Path, *, last: dt.date | None = None,
    full_nik: bool = False, actor: str = "system", progress: Progress | None = None,
    now: dt.datetime | None = None,
) -> ExportResult:
    """Write the log of `first` (..`last`) as XLSX at `output`; audited with its SHA-256."""
    return run_export(store, "xlsx", write_xlsx, first, output, last=last, full_nik=full_nik,
                      actor=actor, progress=progress, now=now)
