"""The daily log as a PDF, drawn with Qt's own printing (QPdfWriter + QPainter).

A4 landscape, 7 pt table text, on every page: the title, the station line and the column
header; at the foot "Halaman i dari N". Rows never split across pages; long names and
exception lists wrap inside their cell; the operator's user name never wraps, its column is
as wide as the longest one in the log. The summary follows the last row (on a new page when
it does not fit). Painting goes straight to the page (no QTextDocument): a 10,000-row table
is laid out in one pass, which QTextDocument's table layout cannot do in reasonable time.

Works headless (QT_QPA_PLATFORM=offscreen) and off the GUI thread; a QApplication is created
when the process has none (a widgets one, so the same process can still open windows).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QMarginsF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
)
from PySide6.QtWidgets import QApplication

from kiosk.export.common import ExportResult, Progress, ProgressGate, run_export
from kiosk.export.rows import COLUMNS, DailyLog
from kiosk.store.station import Store

RESOLUTION = 300  # dots per inch of the painter's coordinates
PAD = 8.0  # cell padding in dots (0.68 mm)
_app: QApplication | None = None

# Columns whose content has a fixed shape: sized to a sample; the others share what is left.
SAMPLES = {
    "no": "99999", "time": "00:00:00", "regno": "627104-01-20260101-001",
    "nik": "6271041101900017", "face": "lulus", "fingers": "10", "finger_min": "100",
    "finger_mean": "100.0", "received_at": "2026-01-01 00:00",
    "captured": "foto, 10 jari, tanda tangan",
    "carried_at": "2026-01-01", "carry_receipt_at": "2026-01-01",  # the time wraps below
}
MINUTES = ("received_at", "carried_at", "carry_receipt_at")  # times to the minute
# Columns printed only when some row of the log has a value there: a log of a station that
# never carried a record to the centre on a drive keeps the whole page for the others.
WHEN_USED = ("carried_at", "carry_receipt_at")
WEIGHTS = {"name": 3.4, "exceptions": 2.6, "sync_state": 2.6}
# Columns as wide as their longest value in this log: a user name (up to 32 characters, no
# spaces) cannot wrap, so the operator's column fits the longest one whole, as far as the
# shared columns keep room for their longest word; a longer one is drawn in smaller type.
WHOLE = ("operator",)
WRAPPING = ("name", "captured", "exceptions", "sync_state", "face", *WHEN_USED)
WRAP = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop) | int(Qt.TextFlag.TextWordWrap)


def _share(room: float, mins: dict[str, float]) -> dict[str, float]:
    """`room` shared among the WEIGHTS columns by weight, none narrower than its `mins`
    (a column held at its minimum leaves the rest to the others by weight)."""
    held: dict[str, float] = {}
    while True:
        free = [k for k in WEIGHTS if k not in held]
        left = room - sum(held.values())
        total = sum(WEIGHTS[k] for k in free)
        share = {k: left * WEIGHTS[k] / total for k in free}
        short = [k for k in free if share[k] < mins[k]]
        if not short:
            return {**held, **share}
        held.update({k: mins[k] for k in short})
        if len(held) == len(WEIGHTS):
            return held


def ensure_app() -> QCoreApplication:
    """The process's Qt application, created (headless-safe) if there is none yet.

    A QApplication, not a QGuiApplication: a process whose first Qt use is a PDF export may
    open a window later, and Qt aborts when a widget is made under a QGuiApplication."""
    global _app
    app = QCoreApplication.instance()
    if app is None:
        _app = QApplication([])
        app = _app
    return app


def _font(points: int, bold: bool = False) -> QFont:
    font = QFont("DejaVu Sans", points)
    font.setBold(bold)
    # No ligatures: "offline" must stay six letters for anyone searching or copying the text.
    # (Not QFont.setFeature: in PySide6 6.12 it over-releases None and crashes the process.)
    font.setStyleStrategy(QFont.StyleStrategy.PreferNoShaping)
    return font


@dataclass
class _Page:
    rows: range
    summary: bool = False


class QtReportPainter:
    """Paginates and paints one DailyLog onto a QPdfWriter."""

    def __init__(self, log: DailyLog, writer: QPdfWriter) -> None:
        self.log = log
        self.writer = writer
        self.font = _font(7)
        self.bold = _font(7, bold=True)
        self.title_font = _font(11, bold=True)
        self.fm = QFontMetricsF(self.font, writer)
        self.fm_bold = QFontMetricsF(self.bold, writer)
        self.fm_title = QFontMetricsF(self.title_font, writer)
        layout = writer.pageLayout()
        self.page = QRectF(layout.paintRectPixels(RESOLUTION))
        self.page.moveTo(0, 0)
        self.single_day = log.first == log.last
        self.columns = [(k, h) for k, h in COLUMNS
                        if k not in WHEN_USED or any(getattr(r, k) for r in log.rows)]
        self.widths = self._widths()
        self.line = self.fm.lineSpacing()
        self.header_h = self._height([h for _, h in self.columns], self.fm_bold)
        self.top = self.fm_title.lineSpacing() + 2 * self.line + PAD
        self.bottom = self.page.height() - 2 * self.line

    # --- layout -----------------------------------------------------------------------

    def _widths(self) -> list[float]:
        fixed: dict[str, float] = {}
        for key, header in self.columns:
            if key in SAMPLES:
                sample = SAMPLES[key]
                if key == "time" and not self.single_day:
                    sample = "2026-01-01 00:00:00"
                longest_word = max(header.split(), key=self.fm_bold.horizontalAdvance)
                fixed[key] = max(self.fm.horizontalAdvance(sample),
                                 self.fm_bold.horizontalAdvance(longest_word)) + 2 * PAD
        rest = self.page.width() - sum(fixed.values())
        headers = dict(self.columns)
        mins = {k: self._longest_word(k, headers[k]) + 2 * PAD for k in WEIGHTS}
        for key in WHOLE:
            longest = max((self.fm.horizontalAdvance(str(getattr(r, key)))
                           for r in self.log.rows), default=0.0)
            need = max(longest, self.fm_bold.horizontalAdvance(headers[key])) + 2 * PAD + 1
            # as wide as the longest name, leaving every shared column its longest word
            fixed[key] = max(min(need, rest - sum(mins.values())),
                             self.fm_bold.horizontalAdvance(headers[key]) + 2 * PAD)
            rest -= fixed[key]
        fixed.update(_share(rest, mins))
        return [fixed[k] for k, _ in self.columns]

    def _longest_word(self, key: str, header: str) -> float:
        """The widest single word of a shared column (its header in bold, its values): the
        narrowest that column may be without a word running into the next."""
        widest = max(map(self.fm_bold.horizontalAdvance, header.split()), default=0.0)
        for r in self.log.rows:
            words = str(getattr(r, key) or "").split()
            widest = max(widest, *map(self.fm.horizontalAdvance, words), 0.0)
        return widest

    def _text(self, key: str, value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, dt.datetime):
            if key == "time" and self.single_day:
                return value.strftime("%H:%M:%S")
            return value.strftime("%Y-%m-%d %H:%M" if key in MINUTES else
                                  "%Y-%m-%d %H:%M:%S")
        return str(value)

    def _height(self, texts: tuple[str, ...] | list[str], fm: QFontMetricsF) -> float:
        lines = 1.0
        for (key, _), text, w in zip(self.columns, texts, self.widths, strict=True):
            wraps = key in WRAPPING or fm is self.fm_bold
            if wraps and fm.horizontalAdvance(text) > w - 2 * PAD:
                r = fm.boundingRect(QRectF(0, 0, w - 2 * PAD, 1e6), WRAP, text)
                lines = max(lines, round(r.height() / fm.lineSpacing()))
        return lines * fm.lineSpacing() + PAD

    def paginate(self) -> tuple[list[_Page], list[list[str]], list[float]]:
        texts = [[self._text(k, getattr(r, k)) for k, _ in self.columns]
                 for r in self.log.rows]
        heights = [self._height(t, self.fm) for t in texts]
        pages: list[_Page] = []
        start, y = 0, self.top + self.header_h
        for i, h in enumerate(heights):
            if y + h > self.bottom and i > start:
                pages.append(_Page(range(start, i)))
                start, y = i, self.top + self.header_h
            y += h
        summary_h = (len(self.log.summary_items()) + 3) * self.line
        pages.append(_Page(range(start, len(heights))))
        if y + summary_h <= self.bottom:
            pages[-1].summary = True
        else:
            pages.append(_Page(range(0), summary=True))
        return pages, texts, heights

    # --- painting ---------------------------------------------------------------------

    def paint(self, gate: ProgressGate) -> None:
        pages, texts, heights = self.paginate()
        p = QPainter(self.writer)
        try:
            done = 0
            for n, page in enumerate(pages, 1):
                if n > 1:
                    self.writer.newPage()
                self._frame(p, n, len(pages), table=bool(page.rows) or not page.summary)
                y = self.top + self.header_h
                for i in page.rows:
                    self._row(p, y, texts[i], heights[i], shaded=i % 2 == 1)
                    y += heights[i]
                    done += 1
                    gate(done)
                if page.summary:
                    self._summary(p, y + self.line if page.rows else self.top)
        finally:
            p.end()

    def _frame(self, p: QPainter, n: int, total: int, table: bool) -> None:
        p.setPen(QPen(QColor("#000000")))
        p.setFont(self.title_font)
        p.drawText(QRectF(0, 0, self.page.width(), self.fm_title.lineSpacing()),
                   int(Qt.AlignmentFlag.AlignLeft), self.log.title)
        p.setFont(self.font)
        nik = "NIK LENGKAP (diaudit)" if self.log.full_nik else "NIK disamarkan"
        info = (f"Stasiun {self.log.station}  |  Zona waktu {self.log.timezone}  |  Dibuat "
                f"{self.log.generated_at:%Y-%m-%d %H:%M}  |  {nik}  |  tanpa data biometrik")
        p.drawText(QRectF(0, self.fm_title.lineSpacing(), self.page.width(), self.line),
                   int(Qt.AlignmentFlag.AlignLeft), info)
        foot = QRectF(0, self.page.height() - self.line, self.page.width(), self.line)
        p.drawText(foot, int(Qt.AlignmentFlag.AlignRight), f"Halaman {n} dari {total}")
        p.drawText(foot, int(Qt.AlignmentFlag.AlignLeft), self.log.title)
        if table:
            p.fillRect(QRectF(0, self.top, self.page.width(), self.header_h), QColor("#d9e2ec"))
            p.setFont(self.bold)
            x = 0.0
            for (_, header), w in zip(self.columns, self.widths, strict=True):
                p.drawText(QRectF(x + PAD, self.top + PAD / 2, w - 2 * PAD, self.header_h),
                           WRAP, header)
                x += w
            p.setFont(self.font)

    def _row(self, p: QPainter, y: float, texts: list[str], h: float, shaded: bool) -> None:
        if shaded:
            p.fillRect(QRectF(0, y, self.page.width(), h), QColor("#f2f5f8"))
        x = 0.0
        for (key, _), text, w in zip(self.columns, texts, self.widths, strict=True):
            room = w - 2 * PAD
            if key in WHOLE and self.fm.horizontalAdvance(text) > room:
                # longer than the column may grow: smaller type, on one line, whole
                small = _font(7)
                small.setPointSizeF(7 * room / self.fm.horizontalAdvance(text) * 0.98)
                p.setFont(small)
                p.drawText(QRectF(x + PAD, y + PAD / 2, room, h), WRAP, text)
                p.setFont(self.font)
            elif text:
                p.drawText(QRectF(x + PAD, y + PAD / 2, room, h), WRAP, text)
            x += w

    def _summary(self, p: QPainter, y: float) -> None:
        p.setFont(self.bold)
        p.drawText(QRectF(0, y, self.page.width(), self.line), WRAP, "Ringkasan")
        y += self.line * 1.5
        label_w = self.page.width() * 0.25
        for label, value in self.log.summary_items():
            p.setFont(self.bold)
            p.drawText(QRectF(0, y, label_w, self.line), WRAP, label)
            p.setFont(self.font)
            p.drawText(QRectF(label_w, y, self.page.width() - label_w, self.line), WRAP,
                       str(value))
            y += self.line


def write_pdf(log: DailyLog, path: Path, gate: ProgressGate) -> None:
    """Paint `log` into a new PDF file at `path`."""
    ensure_app()
    writer = QPdfWriter(str(path))
    writer.setResolution(RESOLUTION)
    writer.setTitle(log.title)
    writer.setCreator("ektp-kiosk")
    writer.setPageLayout(QPageLayout(
        QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Landscape,
        QMarginsF(10, 10, 10, 10), QPageLayout.Unit.Millimeter,
    ))
    painter = QtReportPainter(log, writer)
    try:
        painter.paint(gate)
    finally:
        # The PDF is finished when the writer is destroyed; drop every reference now (a
        # cancel's traceback would otherwise keep it alive past the temp file's removal).
        painter.writer = None  # type: ignore[assignment]
        del painter, writer


def export_pdf(
    store: Store, first: dt.date, output: Path, *, last: dt.date | None = None,
    full_nik: bool = False, actor: str = "system", progress: Progress | None = None,
    now: dt.datetime | None = None,
) -> ExportResult:
    """Write the log of `first` (..`last`) as PDF at `output`; audited with its SHA-256."""
    return run_export(store, "pdf", write_pdf, first, output, last=last, full_nik=full_nik,
                      actor=actor, progress=progress, now=now)
