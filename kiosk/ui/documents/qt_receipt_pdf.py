"""The applicant's receipt (tanda bukti perekaman) on paper and as PDF, drawn with Qt's printing.

One layout for every page size (A4, A5) and device (PDF writer, printer): `receipt_layout`
places every text and the QR code in its own box, top to bottom, none over another:

    title, office                       (full width)
    ---------------------------------
    "Nomor registrasi"
    627104-01-20261128-017              (large type, one line, sized to the width, never cut)
    Nama / NIK / Tanggal / ...  | QR    (the rows beside the code, which has its own column)
    how to check the status             (full width, below both)
    "Dicetak ulang ..."                 (a reprint only)

The QR code holds `kiosk.app.receipts.qr_content`: the central status page's address for the
number when the station knows it (`status_url`, the setting receipt.status_url), and the text
then says "cek sendiri di <that address>"; the bare number and the ask-the-office text
otherwise. Texts are in the language on screen (Indonesian source, English from kiosk_en.ts,
context QtReceipt); times in the record's own zone, the station's.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QMarginsF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPaintDevice,
    QPainter,
    QPdfWriter,
    QPen,
)

from kiosk.app.receipts import qr_content, short_url
from kiosk.app.station import ReceiptView
from kiosk.domain.messages import DomainError, Msg
from kiosk.ui.qt_i18n import fmt_datetime, msg_text

translate = QCoreApplication.translate  # lupdate reads translate("QtReceipt", "...")
PAPERS = {"a4": QPageSize.PageSizeId.A4, "a5": QPageSize.PageSizeId.A5}
MARGIN_MM = 12.0
A5_WIDTH_MM = 148.0 - 2 * MARGIN_MM
RESOLUTION = 300  # dots per inch of the PDF's painter coordinates
REGNO_MAX_PT, REGNO_MIN_PT = 28.0, 10.0
TOP_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
WRAP = TOP_LEFT | int(Qt.TextFlag.TextWordWrap)
ONE_LINE = TOP_LEFT | int(Qt.TextFlag.TextSingleLine) | int(Qt.TextFlag.TextDontClip)


def qr_image(text: str, box: int = 8) -> QImage:
    """A QR code of `text` as a QImage (qrcode -> PNG bytes -> QImage), with the standard
    quiet zone of four modules."""
    import qrcode  # only when a receipt is made (start-up time)

    img = qrcode.make(text, box_size=box, border=4)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    # one bit a pixel: Qt's PDF writer stores such an image losslessly (a colour one would be
    # stored as JPEG, whose artefacts blur the modules' edges)
    return QImage.fromData(buf.getvalue()).convertToFormat(QImage.Format.Format_Mono)


def receipt_lines(view: ReceiptView, with_name: bool = True) -> list[tuple[str, str]]:
    """(label, value) rows printed under the registration number.

    The PDF kept on the station leaves the name out (`with_name=False`): nothing personal is
    stored in plaintext there; the paper handed to the applicant and the screen show it."""
    captured = [translate("QtReceipt", "foto") if view.photo
                else translate("QtReceipt", "foto: tidak ada")]
    captured.append(
        translate("QtReceipt", "{n} sidik jari").format(n=view.fingers_captured))
    if view.fingers_excepted:
        captured.append(translate("QtReceipt", "{n} jari dengan pengecualian").format(
            n=view.fingers_excepted))
    captured.append(translate("QtReceipt", "tanda tangan") if view.signature
                    else translate("QtReceipt", "tanpa tanda tangan (pengecualian)"))
    name = [(translate("QtReceipt", "Nama"), view.applicant_name)]
    return [
        *(name if with_name else []),
        (translate("QtReceipt", "NIK"), view.nik_masked),
        (translate("QtReceipt", "Tanggal"), fmt_datetime(view.saved_at)),
        (translate("QtReceipt", "Tempat"), f"{view.station_name} ({view.station_code})"),
        (translate("QtReceipt", "Direkam"), ", ".join(captured)),
    ]


def status_help(status_url: str = "") -> str:
    """How the applicant checks the recording: at the status page when the station knows its
    address (a Msg pair: the address is data, not a text a translator rewrites), else through
    the office."""
    if status_url.strip():
        short = short_url(status_url)
        return msg_text(Msg(
            f"Simpan tanda bukti ini dan cek sendiri di {short} (atau pindai kode QR) dengan "
            "nomor registrasi dan tanggal lahir Anda: apakah rekaman sudah sampai di pusat, "
            "sudah diterima, atau perlu rekam ulang. Anda tidak perlu direkam ulang kecuali "
            "halaman itu atau petugas mengatakannya.",
            f"Keep this receipt and check for yourself at {short} (or scan the QR code) with "
            "the registration number and your date of birth: whether the recording reached "
            "the centre, was accepted, or needs re-recording. You do not need to be recorded "
            "again unless that page or an officer says so.",
        ))
    return translate(
        "QtReceipt",
        "Simpan tanda bukti ini. Untuk mengecek apakah rekaman Anda sudah sampai di "
        "server pusat, tunjukkan nomor registrasi (atau kode QR) ini kepada petugas "
        "di kantor kecamatan; petugas membuka menu Cek status. Anda tidak perlu "
        "direkam ulang kecuali petugas menghubungi Anda.",
    )


@dataclass(frozen=True)
class Box:
    """One thing on the receipt and the rectangle it may occupy (device pixels): a text
    ('text': its own extent, measured), the QR code ('qr') or a rule ('rule')."""

    kind: str
    rect: QRectF
    text: str = ""
    font: QFont | None = None
    flags: int = WRAP


def _font(points: float, bold: bool = False) -> QFont:
    font = QFont("DejaVu Sans")
    font.setPointSizeF(points)
    font.setBold(bold)
    font.setStyleStrategy(QFont.StyleStrategy.PreferNoShaping)  # no ligatures: searchable
    return font


class _Flow:
    """Places boxes top to bottom on `device`, measuring each text where it will be drawn."""

    def __init__(self, device: QPaintDevice, page: QRectF) -> None:
        self.device, self.page = device, page
        self.pt = device.logicalDpiY() / 72.0
        # type and gaps grow with the paper: 1 on A5 (124 mm wide inside the margins), at
        # most 1.3 (A4, 186 mm)
        self.scale = min(max(page.width() / (A5_WIDTH_MM / 25.4 * device.logicalDpiX()), 1.0),
                         1.3)
        self.y = page.top()
        self.boxes: list[Box] = []

    def font(self, points: float, bold: bool = False) -> QFont:
        return _font(points * self.scale, bold)

    def measure(self, text: str, font: QFont, width: float, flags: int = WRAP) -> QRectF:
        fm = QFontMetricsF(font, self.device)
        return fm.boundingRect(QRectF(0, 0, width, 1e7), flags, text)

    def text(self, text: str, font: QFont, left: float = 0.0, width: float | None = None,
             flags: int = WRAP, top: float | None = None) -> float:
        """Place `text` at (left, top or the flow's y); returns its height (the flow's y is
        not moved: the caller decides the gap)."""
        width = self.page.width() - left if width is None else width
        bound = self.measure(text, font, width, flags)
        y = self.y if top is None else top
        # a wrapped text gets the whole width it was measured in (drawn in a narrower box it
        # could break differently); one line gets its own extent
        rect = QRectF(self.page.left() + left, y,
                      bound.width() if flags == ONE_LINE else width, bound.height())
        self.boxes.append(Box("text", rect, text, font, flags))
        return bound.height()

    def fitted_size(self, text: str, width: float) -> float:
        """The largest bold point size (REGNO_MAX_PT down to REGNO_MIN_PT) at which `text` fits
        `width` on one line; the smallest if even that does not (it is then drawn whole,
        never elided)."""
        size = REGNO_MAX_PT * self.scale
        while size > REGNO_MIN_PT:
            if QFontMetricsF(_font(size, True), self.device).horizontalAdvance(text) <= width:
                break
            size -= 0.5
        return size


def receipt_layout(device: QPaintDevice, page: QRectF, view: ReceiptView,
                   with_name: bool = True, reprinted_at: dt.datetime | None = None,
                   status_url: str = "") -> list[Box]:
    """Every box of the receipt inside `page` (device pixels of `device`), none overlapping;
    `status_url`: the central status page (receipt.status_url), empty when there is none."""
    f = _Flow(device, page)
    pt, width = f.pt * f.scale, page.width()
    title = translate("QtReceipt", "TANDA BUKTI PEREKAMAN KTP-el")
    f.y += f.text(title, f.font(15, True)) + 3 * pt
    f.y += f.text(view.station_name, f.font(11)) + 6 * pt
    f.boxes.append(Box("rule", QRectF(page.left(), f.y, width, 1.0 * pt)))
    f.y += 10 * pt
    f.y += f.text(translate("QtReceipt", "Nomor registrasi"), f.font(10)) + 2 * pt
    regno_font = _font(f.fitted_size(view.regno, width), True)
    f.y += f.text(view.regno, regno_font, flags=ONE_LINE) + 12 * pt
    # the rows on the left, the QR code in its own column on the right
    body_top = f.y
    side = min(width * 0.34, 48 * f.scale / 25.4 * device.logicalDpiY())
    f.boxes.append(Box("qr", QRectF(page.right() - side, body_top, side, side),
                       qr_content(view.regno, status_url)))
    rows = receipt_lines(view, with_name)
    key_font, value_font = f.font(10, True), f.font(10)
    key_w = max(f.measure(k, key_font, width, ONE_LINE).width() for k, _ in rows) + 8 * pt
    value_w = width - side - 14 * pt - key_w
    for key, value in rows:
        h = max(f.text(key, key_font, width=key_w - 8 * pt),
                f.text(value, value_font, left=key_w, width=value_w))
        f.y += h + 5 * pt
    f.y = max(f.y, body_top + side) + 12 * pt
    f.y += f.text(status_help(status_url), f.font(10)) + 10 * pt
    if reprinted_at is not None:
        note = translate("QtReceipt", "Dicetak ulang {when}")
        f.text(note.format(when=fmt_datetime(reprinted_at)), f.font(8))
    return f.boxes


def paint_receipt(painter: QPainter, page: QRectF, view: ReceiptView, with_name: bool = True,
                  reprinted_at: dt.datetime | None = None, status_url: str = "") -> list[Box]:
    """Draw the receipt into `page` (device pixels): shared by PDF and printer. Returns the
    boxes drawn."""
    boxes = receipt_layout(painter.device(), page, view, with_name, reprinted_at, status_url)
    # the PDF keeps the QR code's pixels exact (by default Qt may store an image as JPEG)
    painter.setRenderHint(QPainter.RenderHint.LosslessImageRendering)
    painter.setPen(QPen(QColor("#000000")))
    for box in boxes:
        if box.kind == "qr":
            painter.drawImage(box.rect, qr_image(box.text, 10))
        elif box.kind == "rule":
            painter.fillRect(box.rect, QColor("#000000"))
        else:
            painter.setFont(box.font)
            painter.drawText(box.rect, box.flags, box.text)
    return boxes


def paint_on(device: QPagedPaintDevice, view: ReceiptView, with_name: bool = True,
             reprinted_at: dt.datetime | None = None, status_url: str = "") -> None:
    """Paint the receipt as one page of `device` (a PDF writer or a printer)."""
    painter = QPainter()
    if not painter.begin(device):
        raise OSError("the paint device could not be opened")
    try:
        rect = device.pageLayout().paintRectPixels(device.resolution())
        paint_receipt(painter, QRectF(0, 0, rect.width(), rect.height()), view, with_name,
                      reprinted_at, status_url)
    finally:
        painter.end()


def page_layout(paper: str) -> QPageLayout:
    """Portrait `paper` ('a4' or 'a5') with the receipt's margins."""
    return QPageLayout(QPageSize(PAPERS[paper]), QPageLayout.Orientation.Portrait,
                       QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
                       QPageLayout.Unit.Millimeter)


def write_pdf(view: ReceiptView, path: Path, *, paper: str = "a5", with_name: bool = False,
              reprinted_at: dt.datetime | None = None, status_url: str = "") -> Path:
    """Save the receipt as a PDF at `path` (Qt's own PDF writer); by default A5 without the
    applicant's name (the copy the station keeps)."""
    from kiosk.ui.documents.qt_daylog_pdf import ensure_app

    ensure_app()
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = QPdfWriter(str(path))
    writer.setResolution(RESOLUTION)
    writer.setPageLayout(page_layout(paper))
    writer.setTitle(f"Tanda bukti {view.regno}")
    writer.setCreator("ektp-kiosk")
    try:
        paint_on(writer, view, with_name, reprinted_at, status_url)
    finally:
        del writer  # the file is complete once the writer is gone
    return path


class NoPrinter(DomainError):
    """The system has no printer (or none is the default): nothing can be printed."""

    def __init__(self) -> None:
        super().__init__(Msg(
            "Tidak ada printer bawaan di komputer ini, jadi tanda bukti tidak dicetak. Pasang "
            "printer dan jadikan printer bawaan (pengaturan printer sistem), atau simpan tanda "
            "bukti sebagai PDF dengan --output BERKAS.pdf lalu cetak dari komputer lain.",
            "This computer has no default printer, so the receipt was not printed. Install a "
            "printer and make it the default (the system's printer settings), or save the "
            "receipt as a PDF with --output FILE.pdf and print it from another computer.",
        ))


class PrintFailed(DomainError):
    """The printer was there but could not take the page."""

    def __init__(self, printer: str) -> None:
        super().__init__(Msg(
            f"Printer '{printer}' tidak bisa dipakai; tanda bukti tidak dicetak. Periksa "
            "printernya (menyala, tersambung, ada kertas), lalu ulangi, atau simpan sebagai PDF "
            "dengan --output BERKAS.pdf.",
            f"The printer '{printer}' cannot be used; the receipt was not printed. Check the "
            "printer (on, connected, paper loaded) and try again, or save it as a PDF with "
            "--output FILE.pdf.",
        ))
        self.printer = printer


def default_printer() -> str:
    """The name of the system's default printer; NoPrinter when there is none."""
    from PySide6.QtPrintSupport import QPrinterInfo

    from kiosk.ui.documents.qt_daylog_pdf import ensure_app

    ensure_app()
    info = QPrinterInfo.defaultPrinter()
    if info.isNull() or not info.printerName():
        raise NoPrinter()
    return info.printerName()


def print_to_default(view: ReceiptView, *, paper: str = "a4", with_name: bool = True,
                     reprinted_at: dt.datetime | None = None, status_url: str = "") -> str:
    """Print the receipt on the default printer, no dialog (the command line); returns the
    printer's name. NoPrinter / PrintFailed when it cannot be printed."""
    from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

    name = default_printer()
    printer = QPrinter(QPrinterInfo.printerInfo(name), QPrinter.PrinterMode.HighResolution)
    if not printer.isValid():
        raise PrintFailed(name)
    printer.setPageLayout(page_layout(paper))
    printer.setDocName(f"Tanda bukti {view.regno}")
    try:
        paint_on(printer, view, with_name, reprinted_at, status_url)
    except OSError:
        raise PrintFailed(name) from None
    return name


_language: list[object] = []  # the command line's QtLanguage, kept alive with its translator


def use_language(lang: str) -> None:
    """Draw the next receipts in `lang` ('id' or 'en', the station's ui.language): for the
    command line, which has no screen whose language it could follow."""
    from kiosk.ui.documents.qt_daylog_pdf import ensure_app
    from kiosk.ui.qt_i18n import QtLanguage

    ensure_app()
    if not _language:
        _language.append(QtLanguage())
    _language[0].set_language(lang)  # type: ignore[attr-defined]
