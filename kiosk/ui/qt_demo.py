"""Demo only: a top-bar button that takes the local central server down and brings it back,
to show the station going offline, recording on, and catching up."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, Signal
from PySide6.QtWidgets import QPushButton, QWidget

from kiosk.demo.environment import DemoEnvironment
from kiosk.domain.messages import Msg
from kiosk.ui.qt_common import inform
from kiosk.ui.qt_i18n import msg_text
from kiosk.ui.qt_tasks import TaskRunner, failure_text


class QtDemoServerButton(QPushButton):
    """Stops or restarts the demo's `kiosk-central` off the GUI thread."""

    switched = Signal()  # the server went down or came back (wake the sync worker)

    def __init__(self, env: DemoEnvironment, runner: TaskRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.env = env
        self.runner = runner
        self.clicked.connect(self.toggle)
        self.retranslate()

    def toggle(self) -> None:
        self.setEnabled(False)
        job = self.env.stop_central if self.env.central_running else self.env.start_central_again
        self.runner.run_task(job, lambda _r: self._done(), self._failed)

    def _done(self) -> None:
        self.setEnabled(True)
        self.retranslate()
        self.switched.emit()

    def _failed(self, exc: BaseException) -> None:
        """The server did not stop or start: say so (the runner logged why), then go on."""
        self._done()
        inform(self.window(), msg_text(Msg("Server pusat demo", "Demo central server")),
               failure_text(exc), error=True)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        if self.env.central_running:
            self.setText(QCoreApplication.translate("QtDemoServerButton",
                                                    "Demo: matikan server pusat"))
        else:
            self.setText(QCoreApplication.translate("QtDemoServerButton",
                                                    "Demo: nyalakan server pusat"))
