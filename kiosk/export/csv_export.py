"""The daily log as CSV (UTF-8, comma-separated, no BOM).

Shape: a header row (`rows.HEADERS`), one row per recording, one empty line, then the summary
as two-column rows starting with the row `Ringkasan,Nilai` (label, value). A reader takes the
rows up to the first empty line as the table. Times are local ('YYYY-MM-DD HH:MM:SS', the
station's zone, named in the summary); empty cells mean "none".
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

from kiosk.export.common import ExportResult, Progress, ProgressGate, run_export
from kiosk.export.rows import HEADERS, DailyLog
from kiosk.store.station import Store

SUMMARY_MARK = ("Ringkasan", "Nilai")


def _cell(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S")
    return v


def write_csv(log: DailyLog, path: Path, gate: ProgressGate) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADERS)
        for i, row in enumerate(log.rows, 1):
            w.writerow([_cell(v) for v in row.values()])
            gate(i)
        w.writerow([])
        w.writerow(SUMMARY_MARK)
        for label, value in log.summary_items():
            w.writerow([label, value])


def export_csv(
    store: Store, first: dt.date, output: Path, *, last: dt.date | None = None,
    full_nik: bool = False, actor: str = "system", progress: Progress | None = None,
    now: dt.datetime | None = None,
) -> ExportResult:
    """Write the log of `first` (..`last`) as CSV at `output`; audited with its SHA-256."""
    return run_export(store, "csv", write_csv, first, output, last=last, full_nik=full_nik,
                      actor=actor, progress=progress, now=now)
