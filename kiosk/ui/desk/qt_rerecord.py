"""The supervisor's re-recordings (perlu rekam ulang): records the server rejected, why, the
applicant's phone, and a "sudah dihubungi" (informed) mark with its date."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QWidget

from kiosk.app.desk import DeskService
from kiosk.app.rerecords import Rerecord
from kiosk.domain.messages import DomainError
from kiosk.ui.desk.qt_desk import PASS_BG, QtDeskScreen, error_text, set_row, table
from kiosk.ui.qt_common import button, label
from kiosk.ui.qt_i18n import fmt_date, fmt_datetime


class QtRerecordScreen(QtDeskScreen):
    """Rejected records, not yet contacted first; `changed` after a mark (home's badge)."""

    ACTION = "rerecord"

    def __init__(self, service: DeskService, parent: QWidget | None = None) -> None:
        super().__init__(service, parent)
        self.items: list[Rerecord] = []
        self.table = table(7, stretch=5)
        self.table.itemSelectionChanged.connect(self._selected)
        self.lay.addWidget(self.table, 1)
        self.message = label("hint", wrap=True)
        self.mark_button = button("primary")
        self.mark_button.setObjectName("primary")
        self.mark_button.clicked.connect(lambda: self.mark_contacted())
        row = QHBoxLayout()
        row.addWidget(self.message, 1)
        row.addWidget(self.mark_button)
        self.lay.addLayout(row)
        self.retranslate()
        self.refresh()

    def refresh(self) -> None:
        self.items = self.service.rerecords()
        self.table.setRowCount(len(self.items))
        tz = self.service.settings.timezone
        for r, i in enumerate(self.items):
            contacted = (fmt_datetime(i.contacted_at.astimezone(tz)) if i.contacted_at
                         else self.tr("belum"))
            set_row(self.table, r, [fmt_date(i.local_date), i.regno, i.name, i.nik_masked,
                                    i.phone or self.tr("(tidak ada)"), i.reject_reason,
                                    contacted], PASS_BG if i.contacted_at else None)
        waiting = sum(1 for i in self.items if i.contacted_at is None)
        self.message.setText(self.tr("{n} pemohon belum dihubungi.").format(n=waiting)
                             if self.items else self.tr("Tidak ada rekaman yang ditolak server."))
        self._selected()

    def selected(self) -> Rerecord | None:
        rows = self.table.selectionModel().selectedRows()
        return self.items[rows[0].row()] if rows and rows[0].row() < len(self.items) else None

    def _selected(self) -> None:
        item = self.selected()
        self.mark_button.setEnabled(item is not None and item.contacted_at is None)

    def mark_contacted(self, record_id: str | None = None) -> bool:
        """Mark the selected (or given) record as informed; audited with the time."""
        rid = record_id or (self.selected().record_id if self.selected() else None)
        if rid is None:
            return False
        try:
            self.service.mark_contacted(rid)
        except (DomainError, KeyError) as exc:
            self.message.setText(error_text(exc))
            return False
        self.refresh()
        self.changed.emit()
        return True

    def retranslate(self) -> None:
        self.title.setText(self.tr("Perlu rekam ulang"))
        self.subtitle.setText(self.tr(
            "Rekaman yang ditolak server pusat. Hubungi pemohon agar datang merekam ulang, "
            "lalu tandai \"sudah dihubungi\"."))
        self.table.setHorizontalHeaderLabels([
            self.tr("Tanggal rekam"), self.tr("No. registrasi"), self.tr("Nama"), self.tr("NIK"),
            self.tr("Telepon"), self.tr("Alasan penolakan"), self.tr("Sudah dihubungi")])
        self.mark_button.setText(self.tr("Tandai sudah dihubungi"))
        if self.items:
            self.refresh()
