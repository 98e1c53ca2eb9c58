"""Receipts back "on the screen when the drive is inserted": while the station runs, a QTimer
looks (every carry.poll_seconds) at the drives plugged in for an export folder of this station
holding a receipts file it has not read; one found is read at once on a worker thread
(kiosk.app.carry.CarryService.read_new_receipts: each receipt checked as an online one), and
the operator is told in a window that does not block the work: how many records the centre
now holds, and each refusal with its reason."""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from kiosk.app.carry import CarryService, ReceiptsRead
from kiosk.ui.qt_i18n import msg_text
from kiosk.ui.qt_tasks import QtTaskRunner, TaskRunner, failure_text

log = logging.getLogger(__name__)


class QtCarryWatch(QObject):
    """Polls for receipts on drives; `read(list[ReceiptsRead])` after a drive's receipts were
    read (home's figures and the sync worker may want to know), the notice shown meanwhile."""

    read = Signal(object)

    def __init__(self, service: CarryService, parent: QWidget, seconds: float | None = None,
                 runner: TaskRunner | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.window = parent
        self.own_runner = runner is None  # a thread of its own: an export must not delay it
        self.runner: TaskRunner = runner or QtTaskRunner("drives", self)
        self.looking = False
        self.notice: QMessageBox | None = None
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.poll)
        if seconds is None:
            seconds = float(service.store.settings["carry.poll_seconds"])
        if seconds > 0:
            self.timer.start(int(seconds * 1000))
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.stop)

    def poll(self) -> None:
        """One look at the drives (skipped while the last one is still going)."""
        if self.looking:
            return
        self.looking = True
        self.runner.run_task(self.service.read_new_job(), self._done, self._failed)

    def _done(self, reads: list[ReceiptsRead]) -> None:
        self.looking = False
        if not reads:
            return
        text = "\n\n".join(msg_text(r.words) for r in reads)
        failed = all(r.failed for r in reads) or any(r.result.refused for r in reads)
        log.info("receipts read from a drive: %s", "; ".join(r.words.en for r in reads))
        self.show_notice(text, failed)
        self.read.emit(reads)

    def _failed(self, exc: BaseException) -> None:
        self.looking = False  # logged by the runner; the next look tries again
        self.show_notice(failure_text(exc), True)

    def show_notice(self, text: str, error: bool) -> None:
        """The result in a window that leaves the screen usable (a recording goes on)."""
        title = self.tr("Tanda terima dari flashdisk")
        if self.notice is None:
            self.notice = QMessageBox(self.window)
            self.notice.setObjectName("carryNotice")
            self.notice.setWindowModality(Qt.WindowModality.NonModal)
            self.notice.setStandardButtons(QMessageBox.StandardButton.Ok)
        elif self.notice.isVisible() and self.notice.text():
            text = self.notice.text() + "\n\n" + text  # one not yet closed keeps its news
        self.notice.setIcon(QMessageBox.Icon.Warning if error else QMessageBox.Icon.Information)
        self.notice.setWindowTitle(title)
        self.notice.setText(text)
        self.notice.show()

    def stop(self) -> None:
        self.timer.stop()
        if self.own_runner and isinstance(self.runner, QtTaskRunner):
            self.runner.stop()
