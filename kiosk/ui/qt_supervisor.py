"""Supervisor confirmation dialogs: raising today's cap, and leaving kiosk mode."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from kiosk.app.accounts import User
from kiosk.app.station import StationService
from kiosk.domain.messages import DomainError
from kiosk.ui.qt_common import label
from kiosk.ui.qt_i18n import msg_text
from kiosk.ui.qt_login import pin_edit


class QtSupervisorDialog(QDialog):
    """Asks a supervisor's user name and PIN (pre-filled when one is logged in)."""

    def __init__(self, service: StationService, action: str, title: str, intro: str,
                 current: User | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.action = action
        self.user: User | None = None
        self.setWindowTitle(title)
        self.setMinimumWidth(560)
        self.lay = QVBoxLayout(self)
        self.intro = label("subtitle", wrap=True)
        self.intro.setText(intro)
        self.lay.addWidget(self.intro)
        self.form = QFormLayout()
        self.username = QLineEdit(current.username if current and current.can(action) else "")
        self.username.setObjectName("supUser")
        self.pin = pin_edit()
        self.pin.setObjectName("supPin")
        self.form.addRow(self.tr("Nama pengguna pengawas"), self.username)
        self.form.addRow(self.tr("PIN pengawas"), self.pin)
        self.lay.addLayout(self.form)
        self.error = label("error", wrap=True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Lanjutkan"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Batal"))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

    def finish_layout(self) -> None:
        self.lay.addWidget(self.error)
        self.lay.addWidget(self.buttons)
        (self.pin if self.username.text() else self.username).setFocus()

    def extra_problem(self) -> str:
        """Checked before the PIN; subclasses add their own fields."""
        return ""

    def submit(self) -> None:
        problem = self.extra_problem()
        if problem:
            self.error.setText(problem)
            return
        try:
            self.user = self.service.authenticate_role(
                self.username.text(), self.pin.text(), self.action
            )
        except DomainError as exc:
            self.error.setText(msg_text(exc.msg))
            self.pin.clear()
            return
        self.accept()


class QtCapOverrideDialog(QtSupervisorDialog):
    """A supervisor raises today's cap, with a reason (audited by the store)."""

    def __init__(self, service: StationService, current: User | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(service, "cap", "", "", current=current, parent=parent)
        self.setWindowTitle(self.tr("Naikkan batas harian"))
        self.intro.setText(self.tr("Batas hari ini dapat dinaikkan oleh pengawas. "
                                   "Alasannya dicatat di log audit."))
        status = service.cap_status()
        self.cap = QSpinBox()
        self.cap.setObjectName("newCap")
        self.cap.setRange(status.count + 1, 1000)
        self.cap.setValue(max(status.cap, status.count) + 10)
        self.reason = QLineEdit()
        self.reason.setObjectName("reason")
        self.form.insertRow(0, self.tr("Batas baru hari ini"), self.cap)
        self.form.insertRow(1, self.tr("Alasan"), self.reason)
        self.finish_layout()
        self.reason.setFocus()

    def extra_problem(self) -> str:
        if not self.reason.text().strip():
            return self.tr("Alasan wajib diisi.")
        return ""
