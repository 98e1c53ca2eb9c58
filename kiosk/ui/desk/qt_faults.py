"""The technician's faulted records: queued records delivery cannot read (a rotten blob), since
when, the error in words, how often it was tried and when it is tried next."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QWidget

from kiosk.app.desk import DeskService, FaultRow
from kiosk.ui.desk.qt_desk import FAIL_BG, QtDeskScreen, set_row, table
from kiosk.ui.qt_common import button, label
from kiosk.ui.qt_i18n import fmt_datetime, fmt_int, msg_text


class QtFaultsScreen(QtDeskScreen):
    """Faulted records, oldest recording first (technician and supervisor)."""

    ACTION = "incident_history"

    def __init__(self, service: DeskService, parent: QWidget | None = None) -> None:
        super().__init__(service, parent)
        self.items: list[FaultRow] = []
        self.table = table(5, stretch=2, wrap=True)
        self.lay.addWidget(self.table, 1)
        self.message = label("hint", wrap=True)
        self.refresh_button = button()
        self.refresh_button.clicked.connect(lambda: self.refresh())
        row = QHBoxLayout()
        row.addWidget(self.message, 1)
        row.addWidget(self.refresh_button)
        self.lay.addLayout(row)
        self.retranslate()
        self.refresh()

    def refresh(self) -> None:
        self.items = self.service.faults()
        self.table.setRowCount(len(self.items))
        for r, f in enumerate(self.items):
            set_row(self.table, r, [
                f.regno,
                fmt_datetime(f.since) if f.since else "-",
                f"{msg_text(f.words)}\n({f.error})",
                fmt_int(f.attempts),
                fmt_datetime(f.next_try) if f.next_try else self.tr("segera"),
            ], FAIL_BG)
        self.table.resizeRowsToContents()
        self.message.setText(
            self.tr("{n} rekaman tidak dapat dibaca untuk dikirim; rekaman lain tetap "
                    "dikirim.").format(n=fmt_int(len(self.items)))
            if self.items else self.tr("Tidak ada rekaman bermasalah: semua dapat dibaca."))

    def retranslate(self) -> None:
        self.title.setText(self.tr("Rekaman bermasalah"))
        self.subtitle.setText(self.tr(
            "Rekaman yang tidak dapat dibaca untuk dikirim ke server pusat (misalnya data "
            "terenkripsi yang rusak). Pengiriman mencobanya lagi secara berkala. Jalankan "
            "`kiosk db check` untuk rinciannya."))
        self.table.setHorizontalHeaderLabels([
            self.tr("No. registrasi"), self.tr("Sejak"), self.tr("Masalah"),
            self.tr("Percobaan"), self.tr("Dicoba lagi")])
        self.refresh_button.setText(self.tr("Muat ulang"))
        if self.items:
            self.refresh()
