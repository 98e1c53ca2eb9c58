"""The technician's history: past self-tests and device incidents, by day and device; CSV."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QCheckBox, QComboBox, QDateEdit, QHBoxLayout, QTabWidget, QWidget

from kiosk.app.desk import DeskService
from kiosk.app.history import Incident, SelfTestRun, incident_words
from kiosk.domain.messages import DomainError, Msg
from kiosk.ui.desk.qt_desk import FAIL_BG, PASS_BG, QtDeskScreen, error_text, set_row, table
from kiosk.ui.qt_common import button, label
from kiosk.ui.qt_i18n import current_lang, msg_text

log = logging.getLogger(__name__)


def _minutes(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


class QtHistoryScreen(QtDeskScreen):
    """Incidents (start, end, duration) and self-tests, filtered by day and device."""

    ACTION = "incident_history"

    def __init__(self, service: DeskService, parent: QWidget | None = None) -> None:
        super().__init__(service, parent)
        self.incidents: list[Incident] = []
        self.runs: list[SelfTestRun] = []
        self.last_csv: Path | None = None
        self.use_day = QCheckBox()
        self.use_day.toggled.connect(self.refresh)
        self.day = QDateEdit()
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("dd-MM-yyyy")
        today = service.store.today()
        self.day.setDate(QDate(today.year, today.month, today.day))
        self.day.dateChanged.connect(self.refresh)
        self.device = QComboBox()
        self.device.currentIndexChanged.connect(self.refresh)
        self.device_label = label()
        self.export_button = button()
        self.export_button.clicked.connect(lambda: self.export_csv())
        self.status = label("hint", wrap=True)
        filters = QHBoxLayout()
        filters.addWidget(self.use_day)
        filters.addWidget(self.day)
        filters.addSpacing(20)
        filters.addWidget(self.device_label)
        filters.addWidget(self.device, 1)
        filters.addStretch(1)
        filters.addWidget(self.export_button)
        self.lay.addLayout(filters)
        self.tabs = QTabWidget()
        self.incident_table = table(6, stretch=5)
        self.selftest_table = table(4, stretch=3)
        self.tabs.addTab(self.incident_table, "")
        self.tabs.addTab(self.selftest_table, "")
        self.lay.addWidget(self.tabs, 1)
        self.lay.addWidget(self.status)
        self._fill_devices()
        self.retranslate()
        self.refresh()

    def _fill_devices(self) -> None:
        self.device.blockSignals(True)
        current = self.device.currentData()
        self.device.clear()
        self.device.addItem("", None)
        for name in self.service.incident_devices():
            self.device.addItem(name, name)
        index = self.device.findData(current)
        self.device.setCurrentIndex(max(0, index))
        self.device.blockSignals(False)

    def selected_day(self) -> dt.date | None:
        if not self.use_day.isChecked():
            return None
        d = self.day.date()
        return dt.date(d.year(), d.month(), d.day())

    def refresh(self) -> None:
        day, device = self.selected_day(), self.device.currentData()
        self.day.setEnabled(day is not None)
        self.incidents = self.service.incidents(day, device)
        self.runs = self.service.selftests(day)
        fmt = "%Y-%m-%d %H:%M"
        t = self.incident_table
        t.setRowCount(len(self.incidents))
        for r, i in enumerate(self.incidents):
            end = i.ended_at.strftime(fmt) if i.ended_at else self.tr("masih berlangsung")
            set_row(t, r, [i.started_at.strftime(fmt), end, _minutes(i.duration_minutes),
                           i.device, msg_text(incident_words(i.kind)), i.detail])
        s = self.selftest_table
        s.setRowCount(len(self.runs))
        en = current_lang() == "en"
        for r, run in enumerate(self.runs):
            failed = [x for x in run.results if not x.get("passed")]
            hints = "; ".join(str(x.get("hint_en" if en else "hint_id") or x.get("hint_id", ""))
                              for x in failed)
            set_row(s, r, [run.ts.strftime(fmt),
                           self.tr("LULUS") if run.passed else self.tr("GAGAL"),
                           ", ".join(str(x.get("name")) for x in failed), hints],
                    PASS_BG if run.passed else FAIL_BG)
        self.retranslate_counts()

    def export_csv(self, output: Path | None = None) -> Path | None:
        """The incidents on screen as CSV (audited); the file is named by filter and date."""
        if output is None:
            day = self.selected_day()
            stem = f"insiden-{day.isoformat() if day else 'semua'}"
            if self.device.currentData():
                stem += f"-{self.device.currentData()}"
            output = self.service.export_dir / f"{stem}.csv"
        try:
            self.last_csv = self.service.write_incidents_csv(self.incidents, output)
        except DomainError as exc:
            self.status.setText(error_text(exc))
            return None
        except OSError:
            log.warning("incidents CSV not written to %s", output, exc_info=True)
            self.status.setText(msg_text(Msg(
                f"Berkas CSV tidak dapat ditulis ke {output}. Periksa folder tujuan dan sisa "
                "ruang disk, lalu coba lagi.",
                f"The CSV file could not be written to {output}. Check the folder and the free "
                "disk space, then try again.")))
            return None
        self.status.setText(self.tr("Disimpan: {path}").format(path=str(self.last_csv)))
        return self.last_csv

    def retranslate_counts(self) -> None:
        self.tabs.setTabText(0, self.tr("Insiden perangkat ({n})").format(n=len(self.incidents)))
        self.tabs.setTabText(1, self.tr("Swauji ({n})").format(n=len(self.runs)))

    def retranslate(self) -> None:
        self.title.setText(self.tr("Riwayat swauji dan insiden"))
        self.subtitle.setText(self.tr(
            "Perangkat hilang saat perekaman, mutu gagal berturut-turut, dan masa server tidak "
            "terjangkau, dengan mulai, selesai dan durasinya."))
        self.use_day.setText(self.tr("Hanya tanggal"))
        self.device_label.setText(self.tr("Perangkat"))
        self.device.setItemText(0, self.tr("Semua perangkat"))
        self.export_button.setText(self.tr("Ekspor CSV"))
        self.incident_table.setHorizontalHeaderLabels([
            self.tr("Mulai"), self.tr("Selesai"), self.tr("Durasi (menit)"), self.tr("Perangkat"),
            self.tr("Jenis"), self.tr("Keterangan")])
        self.selftest_table.setHorizontalHeaderLabels([
            self.tr("Waktu"), self.tr("Hasil"), self.tr("Gagal pada"), self.tr("Petunjuk")])
        for r, incident in enumerate(getattr(self, "incidents", [])):
            cell = self.incident_table.item(r, 4)
            if cell is not None:
                cell.setText(msg_text(incident_words(incident.kind)))
        self.retranslate_counts()
