"""Login and lock screens: user name + six-digit PIN; the lock keeps the recording in progress."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QRegularExpression, Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QFormLayout, QFrame, QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from kiosk.domain.messages import DomainError
from kiosk.ui.qt_common import button, label
from kiosk.ui.qt_i18n import msg_text

if TYPE_CHECKING:
    from kiosk.app.accounts import User
    from kiosk.app.station import StationService


def pin_edit() -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setMaxLength(6)
    edit.setValidator(QRegularExpressionValidator(QRegularExpression("[0-9]{0,6}")))
    edit.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly)
    return edit


def _card(inner: QVBoxLayout) -> QWidget:
    """A centred white card holding `inner`."""
    outer = QWidget()
    outer.setObjectName("page")
    row = QHBoxLayout(outer)
    card = QFrame()
    card.setObjectName("card")
    card.setLayout(inner)
    card.setMinimumWidth(560)
    card.setMaximumWidth(720)
    row.addStretch(1)
    row.addWidget(card, 3)
    row.addStretch(1)
    return outer


class QtLoginScreen(QWidget):
    """User name + PIN; shows the demo accounts when the station runs as a demo."""

    logged_in = Signal(object)  # User

    def __init__(self, service: StationService | None,
                 demo_accounts: list[tuple[str, str, str]],
                 parent: QWidget | None = None) -> None:
        """`service` None: shown while the station starts; `attach` enables logging in."""
        super().__init__(parent)
        self.service = service
        self.demo_accounts = demo_accounts
        inner = QVBoxLayout()
        inner.setContentsMargins(32, 28, 32, 28)
        inner.setSpacing(14)
        self.title = label("title")
        self.subtitle = label("subtitle", wrap=True)
        form = QFormLayout()
        self.user_label = label()
        self.pin_label = label()
        self.username = QLineEdit()
        self.username.setObjectName("username")
        self.pin = pin_edit()
        self.pin.setObjectName("pin")
        form.addRow(self.user_label, self.username)
        form.addRow(self.pin_label, self.pin)
        self.error = label("error", wrap=True)
        self.login_button = button("primary")
        self.login_button.clicked.connect(self.submit)
        self.login_button.setEnabled(service is not None)
        self.pin.returnPressed.connect(self.submit)
        self.username.returnPressed.connect(self.pin.setFocus)
        self.demo = label("demo", wrap=True)
        self.demo.setVisible(bool(demo_accounts))
        inner.addWidget(self.title)
        inner.addWidget(self.subtitle)
        inner.addLayout(form)
        inner.addWidget(self.error)
        inner.addWidget(self.login_button)
        inner.addWidget(self.demo)
        lay = QVBoxLayout(self)
        lay.addStretch(1)
        lay.addWidget(_card(inner))
        lay.addStretch(2)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Masuk ke stasiun perekaman"))
        self.subtitle.setText(self.tr("Masukkan nama pengguna dan PIN 6 angka Anda."))
        self.user_label.setText(self.tr("Nama pengguna"))
        self.pin_label.setText(self.tr("PIN"))
        self.login_button.setText(self.tr("Masuk"))
        if self.demo_accounts:
            lines = [self.tr("Akun demo (data contoh saja):")]
            for username, pin, role in self.demo_accounts:
                lines.append(f"  {username} / {pin}  ({self.role_name(role)})")
            self.demo.setText("\n".join(lines))

    def role_name(self, role: str) -> str:
        return {
            "operator": self.tr("Petugas"),
            "technician": self.tr("Teknisi"),
            "supervisor": self.tr("Pengawas"),
        }.get(role, role)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt name)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def reset(self) -> None:
        self.username.clear()
        self.pin.clear()
        self.error.clear()
        self.username.setFocus()

    def attach(self, service: StationService) -> None:
        self.service = service
        self.login_button.setEnabled(True)

    def submit(self) -> None:
        if self.service is None:  # still starting (a fraction of a second)
            return
        try:
            user = self.service.authenticate(self.username.text(), self.pin.text())
        except DomainError as exc:
            self.error.setText(msg_text(exc.msg))
            self.pin.clear()
            self.pin.setFocus()
            return
        self.reset()
        self.logged_in.emit(user)


class QtLockScreen(QWidget):
    """The idle lock: only the same user's PIN opens it, so the draft stays theirs."""

    unlocked = Signal()
    switch_user = Signal()

    def __init__(self, service: StationService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.user: User | None = None
        inner = QVBoxLayout()
        inner.setContentsMargins(32, 28, 32, 28)
        inner.setSpacing(14)
        self.title = label("title")
        self.who = label("subtitle", wrap=True)
        self.pin = pin_edit()
        self.pin.setObjectName("lockPin")
        self.pin.returnPressed.connect(self.submit)
        self.error = label("error", wrap=True)
        self.unlock_button = button("primary")
        self.unlock_button.clicked.connect(self.submit)
        self.switch_button = button()
        self.switch_button.clicked.connect(self.switch_user)
        inner.addWidget(self.title)
        inner.addWidget(self.who)
        inner.addWidget(self.pin)
        inner.addWidget(self.error)
        inner.addWidget(self.unlock_button)
        inner.addWidget(self.switch_button)
        lay = QVBoxLayout(self)
        lay.addStretch(1)
        lay.addWidget(_card(inner))
        lay.addStretch(2)
        self.retranslate()

    def lock(self, user: User) -> None:
        self.user = user
        self.pin.clear()
        self.error.clear()
        self.retranslate()
        self.pin.setFocus()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Layar terkunci"))
        name = self.user.display_name if self.user else ""
        self.who.setText(self.tr("Dikunci karena tidak ada kegiatan. Perekaman yang sedang "
                                 "berjalan tetap tersimpan di layar. {name}, masukkan PIN "
                                 "Anda untuk melanjutkan.").format(name=name))
        self.unlock_button.setText(self.tr("Buka kunci"))
        self.switch_button.setText(self.tr("Ganti pengguna"))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def submit(self) -> None:
        if self.user is None:
            return
        try:
            self.service.authenticate(self.user.username, self.pin.text())
        except DomainError as exc:
            self.error.setText(msg_text(exc.msg))
            self.pin.clear()
            return
        self.pin.clear()
        self.unlocked.emit()
