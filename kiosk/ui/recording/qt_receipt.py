"""The receipt (tanda bukti perekaman) on screen, and printed through the print dialog.

The paper and PDF layout lives in kiosk/ui/documents/qt_receipt_pdf.py (the `kiosk receipt`
command draws it too); its names are re-exported here for the screens."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kiosk.app.receipts import qr_content
from kiosk.app.station import ReceiptView
from kiosk.ui.documents.qt_receipt_pdf import (
    page_layout,
    paint_on,
    paint_receipt,
    qr_image,
    receipt_lines,
    status_help,
    write_pdf,
)
from kiosk.ui.qt_common import button, label

__all__ = ["QtReceiptScreen", "paint_receipt", "print_receipt", "qr_image", "receipt_lines",
           "status_help", "write_pdf"]


def print_receipt(view: ReceiptView, parent: QWidget, status_url: str = "") -> bool:
    """Ask for a printer and print (A5 unless the operator picks another paper in the
    dialog); False when the operator cancelled. `status_url`: receipt.status_url."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageLayout(page_layout("a5"))
    dialog = QPrintDialog(printer, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False
    paint_on(printer, view, status_url=status_url)
    return True


class QtReceiptScreen(QWidget):
    """ "Tersimpan": the registration number, its QR code, and print / done."""

    done = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view: ReceiptView | None = None
        self.pdf_path: Path | None = None
        self.status_url = ""  # the central status page (receipt.status_url), "" when none
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

    def show_receipt(self, view: ReceiptView, pdf_path: Path | None,
                     status_url: str = "") -> None:
        """Show `view`; its QR code and help point to `status_url` (receipt.status_url) when
        the station knows the central status page."""
        self.view = view
        self.pdf_path = pdf_path
        self.status_url = status_url
        self.qr.setPixmap(
            QPixmap.fromImage(qr_image(qr_content(view.regno, status_url), 6)).scaled(
                self.qr.size(), Qt.AspectRatioMode.KeepAspectRatio
            )
        )
        self.retranslate()
        self.done_button.setFocus()

    def print(self) -> None:
        if self.view is not None:
            print_receipt(self.view, self, self.status_url)

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
        self.help.setText(status_help(self.status_url))
        self.pdf_note.setText(
            self.tr("PDF tersimpan: {path}").format(path=self.pdf_path) if self.pdf_path else ""
        )
