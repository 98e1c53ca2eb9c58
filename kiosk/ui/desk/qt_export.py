"""The supervisor's daily log export: a day, a format, masked or full NIKs (audited), a
progress bar and a cancel button; the export runs off the GUI thread."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QObject, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QProgressBar,
    QRadioButton,
    QWidget,
)

from kiosk.app.desk import CancelFlag, DeskService
from kiosk.export import ExportCancelled, ExportResult, export_csv, export_xlsx
from kiosk.ui.desk.qt_desk import QtDeskScreen, error_text
from kiosk.ui.documents.qt_daylog_pdf import export_pdf
from kiosk.ui.qt_common import button, label
from kiosk.ui.qt_i18n import fmt_date, fmt_int
from kiosk.ui.qt_tasks import TaskRunner

EXPORTERS = {"csv": export_csv, "xlsx": export_xlsx, "pdf": export_pdf}


class QtExportProgress(QObject):
    """Carries a worker's progress to the GUI thread (a queued signal, never a widget call)."""

    progressed = Signal(int, int)


class QtExportScreen(QtDeskScreen):
    """Daily log (log harian) export; `exported(ExportResult)` after a file is written."""

    ACTION = "export"
    exported = Signal(object)
    cancelled = Signal()
    failed = Signal(str)

    def __init__(self, service: DeskService, runner: TaskRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(service, parent)
        self.runner = runner
        self.flag: CancelFlag | None = None
        self.result: ExportResult | None = None
        self.bridge = QtExportProgress(self)
        self.bridge.progressed.connect(self._progress)

        self.day = QDateEdit()
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("dd-MM-yyyy")
        today = service.store.today()
        self.day.setDate(QDate(today.year, today.month, today.day))
        self.day.setMaximumDate(self.day.date())
        self.day.dateChanged.connect(self._suggest)
        self.day_note = label("hint")
        self.formats = QButtonGroup(self)
        self.format_buttons: dict[str, QRadioButton] = {}
        fmt_row = QHBoxLayout()
        for i, fmt in enumerate(EXPORTERS):
            rb = QRadioButton(fmt.upper())
            self.formats.addButton(rb, i)
            self.format_buttons[fmt] = rb
            fmt_row.addWidget(rb)
        fmt_row.addStretch(1)
        self.format_buttons["csv"].setChecked(True)
        self.formats.buttonToggled.connect(lambda _b, on: on and self._suggest())
        self.full_nik = QCheckBox()
        self.full_nik.setObjectName("fullNik")
        self.full_nik_note = label("warning", wrap=True)
        self.full_nik.toggled.connect(self.full_nik_note.setVisible)
        self.full_nik_note.hide()
        self.output = QLineEdit()
        self.output.setObjectName("output")
        self.browse = button()
        self.browse.clicked.connect(self._browse)
        out_row = QHBoxLayout()
        out_row.addWidget(self.output, 1)
        out_row.addWidget(self.browse)

        self.form_box = QGroupBox()
        form = QFormLayout(self.form_box)
        self.form_labels = [label() for _ in range(4)]
        day_row = QHBoxLayout()
        day_row.addWidget(self.day)
        day_row.addWidget(self.day_note, 1)
        form.addRow(self.form_labels[0], day_row)
        form.addRow(self.form_labels[1], fmt_row)
        form.addRow(self.form_labels[2], self.full_nik)
        form.addRow("", self.full_nik_note)
        form.addRow(self.form_labels[3], out_row)
        self.lay.addWidget(self.form_box)

        self.progress = QProgressBar()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.status = label("hint", wrap=True)
        self.status.setObjectName("exportStatus")
        self.export_button = button("primary")
        self.export_button.clicked.connect(self.start)
        self.cancel_button = button("danger")
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.setEnabled(False)
        actions = QHBoxLayout()
        actions.addWidget(self.progress, 1)
        actions.addWidget(self.cancel_button)
        actions.addWidget(self.export_button)
        self.lay.addLayout(actions)
        self.lay.addWidget(self.status)
        self.lay.addStretch(1)
        self.retranslate()
        self._suggest()

    # --- choices ---------------------------------------------------------------------

    def selected_day(self) -> dt.date:
        d = self.day.date()
        return dt.date(d.year(), d.month(), d.day())

    def selected_format(self) -> str:
        return next(f for f, rb in self.format_buttons.items() if rb.isChecked())

    def set_format(self, fmt: str) -> None:
        self.format_buttons[fmt].setChecked(True)

    def _suggest(self) -> None:
        """A file name from the day and format, in the chosen folder."""
        day = self.selected_day()
        folder = Path(self.output.text()).parent if self.output.text() else self.service.export_dir
        station = f"{self.service.settings['station.kecamatan']}-" \
                  f"{self.service.settings['station.number']}"
        name = f"log-harian-{station}-{day.isoformat()}.{self.selected_format()}"
        self.output.setText(str(folder / name))
        n = self.service.records_on(day)
        self.day_note.setText(self.tr("{date}: {n} perekaman").format(
            date=fmt_date(day), n=fmt_int(n)))

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Pilih folder"),
                                                  str(Path(self.output.text()).parent))
        if folder:
            self.output.setText(str(Path(folder) / Path(self.output.text()).name))

    # --- running ---------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self.flag is not None

    def start(self) -> None:
        """Export in the worker; progress and the result come back by signal."""
        if self.busy:
            return
        flag = self.flag = CancelFlag()
        bridge = self.bridge

        def progress(done: int, total: int) -> bool:
            bridge.progressed.emit(done, total)  # queued to the GUI thread
            return not flag.cancelled

        fmt = self.selected_format()
        try:
            job = self.service.export_job(EXPORTERS[fmt], self.selected_day(),
                                          Path(self.output.text()), self.full_nik.isChecked(),
                                          progress)
        except Exception as exc:
            self._failed(exc)
            return
        self.result = None
        self.progress.setRange(0, 0)  # busy until the first figure arrives
        self.status.setText(self.tr("Mengekspor..."))
        self._set_running(True)
        self.runner.run_task(job, self._done, self._failed)

    def cancel(self) -> None:
        if self.flag is not None:
            self.flag.cancel()
            self.status.setText(self.tr("Membatalkan..."))
            self.cancel_button.setEnabled(False)

    def _progress(self, done: int, total: int) -> None:
        if self.busy:
            self.progress.setRange(0, max(total, 1))
            self.progress.setValue(done)

    def _done(self, result: ExportResult) -> None:
        self.result = result
        self._set_running(False)
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        self.status.setText(self.tr(
            "Selesai: {rows} baris ditulis ke {path}\nSHA-256 {sha} (dicatat di log audit)"
        ).format(rows=fmt_int(result.rows), path=str(result.path), sha=result.sha256))
        self.exported.emit(result)

    def _failed(self, exc: BaseException) -> None:
        self._set_running(False)
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.status.setText(error_text(exc))
        if isinstance(exc, ExportCancelled):
            self.cancelled.emit()
        else:
            self.failed.emit(error_text(exc))

    def _set_running(self, running: bool) -> None:
        if not running:
            self.flag = None
        for w in (self.export_button, self.day, self.form_box):
            w.setEnabled(not running)
        self.cancel_button.setEnabled(running)

    # --- text ------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.title.setText(self.tr("Ekspor log harian"))
        self.subtitle.setText(self.tr(
            "Satu baris per perekaman dan ringkasan hari itu. Tidak pernah berisi data "
            "biometrik; setiap ekspor dicatat di log audit dengan SHA-256 berkasnya."))
        for lab, text in zip(self.form_labels, (self.tr("Tanggal"), self.tr("Format"),
                                                self.tr("NIK"), self.tr("Simpan ke")),
                             strict=True):
            lab.setText(text)
        self.full_nik.setText(self.tr("Tampilkan NIK lengkap (bukan 627104********17)"))
        self.full_nik_note.setText(self.tr(
            "NIK lengkap adalah data pribadi. Permintaan ini dicatat di log audit atas nama "
            "Anda."))
        self.browse.setText(self.tr("Pilih folder..."))
        self.export_button.setText(self.tr("Ekspor"))
        self.cancel_button.setText(self.tr("Batal"))

    def closeEvent(self, event: Any) -> None:  # noqa: N802
        self.cancel()  # a closing screen must not leave an export running
        super().closeEvent(event)
