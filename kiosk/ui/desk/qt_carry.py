"""The supervisor's "Bawa dengan flashdisk" (carry on a USB drive) screen: the drives plugged
in (or a folder picked), how many records would go, the supervisor's PIN, then the export off
the GUI thread with a progress bar and Batal, and its result in words; the same screen reads
a drive's receipts back on request (the window also does it by itself, qt_carry_watch)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from kiosk.app.accounts import User
from kiosk.app.carry import CarryService, Drive, ReceiptsRead, drive_at
from kiosk.app.carry_words import NOTHING_WAITS, export_words
from kiosk.app.desk import DeskService
from kiosk.sync.carry import ExportResult
from kiosk.ui.desk.qt_desk import QtDeskScreen, error_text
from kiosk.ui.qt_common import button, label
from kiosk.ui.qt_i18n import fmt_datetime, fmt_int, locale, msg_text
from kiosk.ui.qt_supervisor import QtSupervisorDialog
from kiosk.ui.qt_tasks import TaskRunner

PATH_ROLE = int(Qt.ItemDataRole.UserRole)


def megabytes(n: int) -> str:
    """Bytes as megabytes with one decimal, in the language's format (1,5 / 1.5)."""
    return locale().toString(n / 1e6, "f", 1)


def room(n: int) -> str:
    """A drive's size: "14,9 GB", or "512 MB" for a small one."""
    if n >= 1e9:
        return f"{locale().toString(n / 1e9, 'f', 1)} GB"
    return f"{locale().toString(n / 1e6, 'f', 0)} MB"


def restyle(widget: QWidget, name: str) -> None:
    """Give `widget` the style sheet's look for `name` (hint, warning, error) at once."""
    widget.setObjectName(name)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


class QtCarryProgress(QObject):
    """Carries the export's progress to the GUI thread (a queued signal, never a widget call)."""

    progressed = Signal(int, int)


class QtCarryScreen(QtDeskScreen):
    """Carry unsent records to Disdukcapil on a drive; `exported(ExportResult)` when an export
    ends (cancelled or not), `receipts_read(ReceiptsRead)` when a drive's receipts are read,
    `failed(str)` with the sentence shown."""

    ACTION = "carry"
    exported = Signal(object)
    receipts_read = Signal(object)
    failed = Signal(str)

    def __init__(self, service: DeskService, runner: TaskRunner,
                 carry: CarryService | None = None, parent: QWidget | None = None) -> None:
        super().__init__(service, parent)
        self.runner = runner
        self.carry = carry or CarryService(service.store, service.user)
        self.flag: threading.Event | None = None
        self.dialog: QtSupervisorDialog | None = None
        self.result: ExportResult | None = None
        self.found: list[Drive] = []
        self.picked: list[Drive] = []  # folders chosen by hand, kept while the screen is open
        self.bridge = QtCarryProgress(self)
        self.bridge.progressed.connect(self._progress)

        self.figures_box = QGroupBox()
        fig = QVBoxLayout(self.figures_box)
        self.figures = label(wrap=True)
        self.figures.setObjectName("carryFigures")
        fig.addWidget(self.figures)
        self.lay.addWidget(self.figures_box)
        self._build_drives()
        self._build_actions()
        self.lay.addStretch(1)
        self.retranslate()
        self.refresh()

    def _build_drives(self) -> None:
        self.drive_box = QGroupBox()
        box = QVBoxLayout(self.drive_box)
        self.drive_list = QListWidget()
        self.drive_list.setObjectName("drives")
        self.drive_list.setMinimumHeight(72)
        self.drive_list.setMaximumHeight(110)
        self.drive_list.currentItemChanged.connect(lambda *_a: self._plan())
        self.no_drive = label("hint", wrap=True)
        self.rescan_button = button()
        self.rescan_button.clicked.connect(self.scan)
        self.pick_button = button()
        self.pick_button.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.no_drive, 1)
        row.addWidget(self.rescan_button)
        row.addWidget(self.pick_button)
        box.addWidget(self.drive_list)
        box.addLayout(row)
        self.plan = label(wrap=True)
        self.plan.setObjectName("carryPlan")
        box.addWidget(self.plan)
        self.lay.addWidget(self.drive_box)

    def _build_actions(self) -> None:
        self.progress = QProgressBar()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.export_button = button("primary")
        self.export_button.clicked.connect(self.ask_pin)
        self.cancel_button = button("danger")
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.setEnabled(False)
        self.receipts_button = button()
        self.receipts_button.clicked.connect(self.read_receipts)
        actions = QHBoxLayout()
        actions.addWidget(self.progress, 1)
        actions.addWidget(self.cancel_button)
        actions.addWidget(self.receipts_button)
        actions.addWidget(self.export_button)
        self.lay.addLayout(actions)
        self.status = label(wrap=True)
        self.status.setObjectName("carryStatus")
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.lay.addWidget(self.status)

    # --- what there is ---------------------------------------------------------------------

    def refresh(self) -> None:
        """Re-read the figures and look for drives again."""
        self._show_figures()
        self.scan()

    def receipts_read_elsewhere(self) -> None:
        """The watcher read a drive's receipts while this page is open: its figures again."""
        self._show_figures()

    def _show_figures(self) -> None:
        f = self.carry.figures()
        lines = [self.tr("Belum diterima server pusat: {n} rekaman (sekitar {mb} MB).").format(
            n=fmt_int(f.unsent), mb=megabytes(f.unsent_bytes))]
        if f.carried:
            lines.append(self.tr("Di antaranya {n} sudah dibawa dengan flashdisk dan menunggu "
                                 "tanda terima.").format(n=fmt_int(f.carried)))
        if f.last_export is not None:
            lines.append(self.tr("Ekspor terakhir: {when} (folder {folder}).").format(
                when=fmt_datetime(f.last_export), folder=f.last_export_folder or "-"))
        if f.last_receipts is not None:
            lines.append(self.tr("Tanda terima flashdisk terakhir kembali: {when}; {n} rekaman "
                                 "diterima pusat lewat flashdisk.").format(
                when=fmt_datetime(f.last_receipts), n=fmt_int(f.received_by_drive)))
        self.unsent = f.unsent
        self.unsent_bytes = f.unsent_bytes
        self.figures.setText("\n".join(lines))

    def scan(self) -> None:
        """List the drives plugged in now (off the GUI thread: a hung drive hangs a worker)."""
        self.rescan_button.setEnabled(False)
        self.runner.run_task(self.carry.drives_job(), self._scanned, self._scan_failed)

    def _scanned(self, found: list[Drive]) -> None:
        if not shiboken6.isValid(self):
            return
        self.found = list(found)
        self.rescan_button.setEnabled(not self.busy)
        self._fill_list()

    def _scan_failed(self, exc: BaseException) -> None:
        if shiboken6.isValid(self):
            self.rescan_button.setEnabled(not self.busy)
            self.status.setText(error_text(exc))

    def _fill_list(self, select: Path | None = None) -> None:
        target = select or self.chosen()
        self.drive_list.blockSignals(True)
        self.drive_list.clear()
        found = {f.path for f in self.found}
        for d in [*self.found, *(p for p in self.picked if p.path not in found)]:
            text = self.tr("{label}  ·  {path}  ·  kosong {free} dari {total}").format(
                label=d.label, path=str(d.path), free=room(d.free), total=room(d.total))
            if not d.writable:
                text += "  ·  " + self.tr("tidak bisa ditulisi")
            item = QListWidgetItem(text)
            item.setData(PATH_ROLE, str(d.path))
            self.drive_list.addItem(item)
            if d.path == target or self.drive_list.currentItem() is None:
                self.drive_list.setCurrentItem(item)
        self.drive_list.blockSignals(False)
        self.no_drive.setText("" if self.drive_list.count() else self.tr(
            "Belum ada flashdisk terpasang. Pasang flashdisk, tunggu sebentar, lalu tekan "
            "\"Cari lagi\"; atau pilih folder lain."))
        self._plan()

    def chosen(self) -> Path | None:
        item = self.drive_list.currentItem()
        return Path(item.data(PATH_ROLE)) if item is not None else None

    def choose(self, folder: Path) -> None:
        """Use `folder` (picked by hand) as the drive."""
        drive = drive_at(folder)
        if drive is None:
            self.status.setText(self.tr("{path} tidak bisa dibuka.").format(path=str(folder)))
            return
        self.picked = [p for p in self.picked if p.path != drive.path] + [drive]
        self._fill_list(select=drive.path)

    def _browse(self) -> None:
        start = str(self.chosen() or (self.carry.roots[0] if self.carry.roots else Path.home()))
        folder = QFileDialog.getExistingDirectory(self, self.tr("Pilih folder flashdisk"), start)
        if folder:
            self.choose(Path(folder))

    def _plan(self) -> None:
        """What an export would write where, and what stands in the way."""
        drive = next((d for d in [*self.found, *self.picked] if d.path == self.chosen()), None)
        text, warn = self.tr("Akan ditulis: {n} rekaman, sekitar {mb} MB.").format(
            n=fmt_int(self.unsent), mb=megabytes(self.unsent_bytes)), False
        if self.unsent == 0:
            text = self.tr("Semua rekaman sudah diterima server pusat: tidak ada yang perlu "
                           "dibawa.")
        elif drive is None:
            text, warn = self.tr("Pilih flashdisk atau folder tujuan dulu."), True
        elif not drive.writable:
            text, warn = self.tr("Flashdisk ini tidak bisa ditulisi (hanya-baca): pakai "
                                 "flashdisk lain."), True
        elif drive.free < self.unsent_bytes * 1.05:
            text, warn = text + " " + self.tr(
                "Ruang kosongnya hanya {free}: sebagian saja yang muat; sisanya tetap "
                "menunggu untuk flashdisk berikutnya.").format(free=room(drive.free)), True
        self.plan.setText(text)
        restyle(self.plan, "warning" if warn else "hint")
        self.export_button.setEnabled(not self.busy and drive is not None and self.unsent > 0)
        self.receipts_button.setEnabled(not self.busy and drive is not None)

    # --- export ----------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self.flag is not None

    def ask_pin(self) -> None:
        """The supervisor's name and PIN, as for every protected act; the export starts when
        they are right."""
        if self.busy or self.chosen() is None:
            return
        if self.unsent == 0:
            self.status.setText(msg_text(NOTHING_WAITS))
            return
        self.dialog = QtSupervisorDialog(
            self.carry, "carry", self.tr("Bawa dengan flashdisk"),
            self.tr("Menulis rekaman ke flashdisk perlu PIN pengawas. Isinya terkunci untuk "
                    "server pusat: flashdisk yang hilang tidak membuka data siapa pun."),
            current=self.service.user, parent=self)
        self.dialog.finish_layout()
        self.dialog.accepted.connect(lambda d=self.dialog: self.start(d.user))
        self.dialog.open()

    def start(self, user: User | None) -> None:
        """Export as `user` (PIN checked) in the worker; progress and result by signal."""
        drive = self.chosen()
        if self.busy or user is None or drive is None:
            return
        flag = threading.Event()
        bridge = self.bridge

        def progress(done: int, total: int) -> None:
            bridge.progressed.emit(done, total)  # queued to the GUI thread

        try:
            job = self.carry.export_job(user, drive, progress, flag)
        except Exception as exc:
            self._failed(exc)
            return
        self.flag, self.result = flag, None
        self.destroyed.connect(lambda *_a: flag.set())  # a page closed stops its export
        self.progress.setRange(0, 0)  # busy until the first packet is written
        self.status.setText(self.tr("Menulis ke {path}... Jangan cabut flashdisk.").format(
            path=str(drive)))
        self._set_running(True)
        self.runner.run_task(job, self._done, self._failed)

    def cancel(self) -> None:
        """Stop after the packet being written (each is whole or absent; the index lists the
        whole ones)."""
        if self.flag is not None:
            self.flag.set()
            self.status.setText(self.tr("Membatalkan: rekaman yang sedang ditulis diselesaikan "
                                        "dulu..."))
            self.cancel_button.setEnabled(False)

    def _progress(self, done: int, total: int) -> None:
        if self.busy:
            self.progress.setRange(0, max(total, 1))
            self.progress.setValue(done)

    def _done(self, result: ExportResult) -> None:
        if not shiboken6.isValid(self):
            return
        self.result = result
        self._set_running(False)
        self.progress.setRange(0, max(result.total, 1))
        self.progress.setValue(len(result.written))
        restyle(self.status, "warning" if result.cancelled or result.unreadable else "")
        self.status.setText(msg_text(export_words(result)))
        self._after()
        self.exported.emit(result)

    def _failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self._set_running(False)
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        restyle(self.status, "error")
        self.status.setText(error_text(exc))
        self._after()  # part may be on the drive: the figures say so
        self.failed.emit(self.status.text())

    def _after(self) -> None:
        self._show_figures()
        self.scan()
        self.changed.emit()

    def _set_running(self, running: bool) -> None:
        if not running:
            self.flag = None
        for w in (self.drive_list, self.rescan_button, self.pick_button):
            w.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        self._plan()

    # --- receipts back ---------------------------------------------------------------------

    def read_receipts(self) -> None:
        """Read the receipts on the chosen drive (the centre wrote them at import)."""
        drive = self.chosen()
        if self.busy or drive is None:
            return
        self.runner.run_task(self.carry.apply_job(drive), self._receipts_done, self._failed)

    def _receipts_done(self, read: ReceiptsRead) -> None:
        if not shiboken6.isValid(self):
            return
        restyle(self.status, "error" if read.result.refused else "")
        self.status.setText(msg_text(read.words))
        self._after()
        self.receipts_read.emit(read)

    # --- text ------------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.title.setText(self.tr("Bawa dengan flashdisk"))
        self.subtitle.setText(self.tr(
            "Bila jaringan lama putus: rekaman yang belum diterima server pusat ditulis ke "
            "flashdisk, terkunci untuk server pusat, lalu flashdisk dibawa ke Disdukcapil. "
            "Rekaman tetap di antrean stasiun dan tetap dikirim bila jaringan kembali."))
        self.figures_box.setTitle(self.tr("Di stasiun ini"))
        self.drive_box.setTitle(self.tr("Flashdisk tujuan"))
        self.rescan_button.setText(self.tr("Cari lagi"))
        self.pick_button.setText(self.tr("Pilih folder lain..."))
        self.export_button.setText(self.tr("Tulis ke flashdisk"))
        self.cancel_button.setText(self.tr("Batal"))
        self.receipts_button.setText(self.tr("Baca tanda terima"))
        if hasattr(self, "unsent"):
            self._show_figures()
            self._fill_list()

    def closeEvent(self, event: Any) -> None:  # noqa: N802
        self.cancel()  # a closing screen must not leave an export running
        super().closeEvent(event)
