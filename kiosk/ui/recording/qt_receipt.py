"""The receipt (tanda bukti perekaman): on screen, printed, and saved as PDF with Qt printing."""

from __future__ import annotations

import io
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QMarginsF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QFont,
    QImage,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPixmap,
)
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kiosk.app.station import ReceiptView
from kiosk.ui.qt_common import button, label
from kiosk.ui.qt_i18n import fmt_datetime


def qr_image(text: str, box: int = 8) -> QImage:
    """A QR code of `text` as a QImage (qrcode -> PNG bytes -> QImage)."""
    import qrcode  # only when a receipt is made (start-up time)

    img = qrcode.make(text, box_size=box, border=2)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return QImage.fromData(buf.getvalue())


def receipt_lines(view: ReceiptView, with_name: bool = True) -> list[tuple[str, str]]:
    """(label, value) rows printed under the registration number.

    The PDF kept on the station leaves the name out (`with_name=False`): nothing personal is
    stored in plaintext there; the paper handed to the applicant and the screen show it."""
    captured = [
        QCoreApplication.translate("QtReceipt", "foto")
        if view.photo
        else QCoreApplication.translate("QtReceipt", "foto: tidak ada")
    ]
    captured.append(
        QCoreApplication.translate("QtReceipt", "{n} sidik jari").format(n=view.fingers_captured)
    )
    if view.fingers_excepted:
        captured.append(
            QCoreApplication.translate("QtReceipt", "{n} jari dengan pengecualian").format(
                n=view.fingers_excepted
            )
        )
    captured.append(
        QCoreApplication.translate("QtReceipt", "tanda tangan")
        if view.signature
        else QCoreApplication.translate("QtReceipt", "tanpa tanda tangan (pengecualian)")
    )
    name = [(QCoreApplication.translate("QtReceipt", "Nama"), view.applicant_name)]
    return [
        *(name if with_name else []),
        (QCoreApplication.translate("QtReceipt", "NIK"), view.nik_masked),
        (QCoreApplication.translate("QtReceipt", "Tanggal"), fmt_datetime(view.saved_at)),
        (
            QCoreApplication.translate("QtReceipt", "Tempat"),
            f"{view.station_name} ({view.station_code})",
        ),
        (QCoreApplication.translate("QtReceipt", "Direkam"), ", ".join(captured)),
    ]


def status_help() -> str:
    return QCoreApplication.translate(
        "QtReceipt",
        "Simpan tanda bukti ini. Untuk mengecek apakah rekaman Anda sudah sampai di "
        "server pusat, tunjukkan nomor registrasi (atau kode QR) ini kepada petugas "
        "di kantor kecamatan; petugas membuka menu Cek status. Anda tidak perlu "
        "direkam ulang kecuali petugas menghubungi Anda.",
    )


def paint_receipt(
    painter: QPainter, page: QRectF, view: ReceiptView, with_name: bool = True
) -> None:
    """Draw the receipt into `page` (device pixels): shared by PDF and printer."""
    dpi = painter.device().logicalDpiY()
    pt = dpi / 72.0
    y = page.top()

    def text(
        s: str,
        size: float,
        bold: bool = False,
        height: float = 0.0,
        flags: int = int(Qt.AlignmentFlag.AlignLeft) | int(Qt.TextFlag.TextWordWrap),
        left: float = 0.0,
    ) -> float:
        f = QFont("DejaVu Sans")
        f.setPointSizeF(size)
        f.setBold(bold)
        painter.setFont(f)
        rect = QRectF(page.left() + left, y, page.width() - left, height or page.height())
        bound = painter.boundingRect(rect, flags, s)
        painter.drawText(rect, flags, s)
        return bound.height()

    y += (
        text(QCoreApplication.translate("QtReceipt", "TANDA BUKTI PEREKAMAN KTP-el"), 16, True)
        + 6 * pt
    )
    y += text(view.station_name, 11) + 14 * pt
    y += text(QCoreApplication.translate("QtReceipt", "Nomor registrasi"), 10) + 2 * pt
    y += text(view.regno, 20, True) + 10 * pt
    qr_size = 130 * pt
    qr = qr_image(view.regno)
    painter.drawImage(QRectF(page.right() - qr_size, page.top(), qr_size, qr_size), qr)
    for key, value in receipt_lines(view, with_name):
        h1 = text(key, 10, True)
        h2 = text(value, 10, left=110 * pt)
        y += max(h1, h2) + 5 * pt
    y += 12 * pt
    text(status_help(), 10)


def write_pdf(view: ReceiptView, path: Path) -> Path:
    """Save the receipt as an A5 PDF (Qt's own PDF writer)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = QPdfWriter(str(path))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A5))
    writer.setPageMargins(QMarginsF(12, 12, 12, 12), QPageLayout.Unit.Millimeter)
    writer.setResolution(300)
    writer.setTitle(f"Tanda bukti {view.regno}")
    writer.setCreator("ektp-kiosk")
    _paint_on(writer, view, with_name=False)
    return path


def _paint_on(device: QPagedPaintDevice, view: ReceiptView, with_name: bool = True) -> None:
    painter = QPainter(device)
    try:
        rect = device.pageLayout().paintRectPixels(device.resolution())
        paint_receipt(painter, QRectF(0, 0, rect.width(), rect.height()), view, with_name)
    finally:
        painter.end()


def print_receipt(view: ReceiptView, parent: QWidget) -> bool:
    """Ask for a printer and print; False when the operator cancelled."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A5))
    dialog = QPrintDialog(printer, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False
    _paint_on(printer, view)
    return True


class QtReceiptScreen(QWidget):
    """ "Tersimpan": the registration number, its QR code, and print / done."""

    done = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view: ReceiptView | None = None
        self.pdf_path: Path | None = None
        self.banner = label("banner")
        self.banner.setObjectName("banner")
        self.banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.regno_title = label("subtitle")
        self.regno = label("regno")
        self.regno.setObjectName("regno")
        self.regno.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details = label(wrap=True)
        self.details.setObjectName("receiptDetails")
        self.help = label("hint", wrap=True)
        self.pdf_note = label("hint", wrap=True)
        self.qr = QLabel()
        self.qr.setFixedSize(220, 220)
        self.print_button = button()
        self.print_button.clicked.connect(self.print)
        self.done_button = button("primary")
        self.done_button.clicked.connect(self.done)
        card = QFrame()
        card.setObjectName("card")
        c = QHBoxLayout(card)
        text = QVBoxLayout()
        text.addWidget(self.regno_title)
        text.addWidget(self.regno)
        text.addWidget(self.details)
        text.addWidget(self.help)
        text.addStretch(1)
        c.addLayout(text, 1)
        c.addWidget(self.qr, 0, Qt.AlignmentFlag.AlignTop)
        row = QHBoxLayout()
        row.addWidget(self.pdf_note, 1)
        row.addWidget(self.print_button)
        row.addWidget(self.done_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(28, 20, 28, 20)
        lay.addWidget(self.banner)
        lay.addWidget(card, 1)
        lay.addLayout(row)
        self.retranslate()

    def show_receipt(self, view: ReceiptView, pdf_path: Path | None) -> None:
        self.view = view
        self.pdf_path = pdf_path
        self.qr.setPixmap(
            QPixmap.fromImage(qr_image(view.regno, 6)).scaled(
                self.qr.size(), Qt.AspectRatioMode.KeepAspectRatio
            )
        )
        self.retranslate()
        self.done_button.setFocus()

    def print(self) -> None:
        if self.view is not None:
            print_receipt(self.view, self)

    def changeEvent(self, event) -> None:  # noqa: N802
        from PySide6.QtCore import QEvent

        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.banner.setText(self.tr("Tersimpan"))
        self.regno_title.setText(self.tr("Nomor registrasi"))
        self.print_button.setText(self.tr("Cetak tanda bukti"))
        self.done_button.setText(self.tr("Selesai"))
        if self.view is None:
            return
        self.regno.setText(self.view.regno)
        self.details.setText("\n".join(f"{k}: {v}" for k, v in receipt_lines(self.view)))
        self.help.setText(status_help())
        self.pdf_note.setText(
            self.tr("PDF tersimpan: {path}").format(path=self.pdf_path) if self.pdf_path else ""
        )
