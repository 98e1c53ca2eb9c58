"""The supervisor's daily log export (CSV, XLSX here; PDF in kiosk.ui.documents.qt_daylog_pdf).

    from kiosk.export import export_csv, export_xlsx, ExportCancelled
    result = export_csv(store, date(2026, 3, 2), Path("log.csv"), progress=cb)

Every export is written to a temporary file and renamed into place, and audited as 'export'
with the SHA-256 of the file. No export ever contains biometrics.
"""

from kiosk.export.common import FORMATS, ExportCancelled, ExportResult, Progress, run_export
from kiosk.export.csv_export import export_csv
from kiosk.export.rows import COLUMNS, HEADERS, DailyLog, LogRow, LogSummary, gather_log, mask_nik
from kiosk.export.xlsx_export import export_xlsx

__all__ = [
    "COLUMNS", "FORMATS", "HEADERS", "DailyLog", "ExportCancelled", "ExportResult", "LogRow",
    "LogSummary", "Progress", "export_csv", "export_xlsx", "gather_log", "mask_nik", "run_export",
]
