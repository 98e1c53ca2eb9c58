"""The technician's and supervisor's screens as pages of the main window, reached from home.

Each desk screen checks the user's role when it is built (PermissionDenied); this module only
decides which buttons home shows for a role, says what the window may expect of a screen
(`DeskScreen`) and wraps a screen with a title bar and "Kembali".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Signal, SignalInstance
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from kiosk.app.accounts import can
from kiosk.ui.qt_common import button, scrolled

if TYPE_CHECKING:
    from kiosk.app.desk import DeskService
    from kiosk.ui.qt_tasks import TaskRunner


class DeskScreen(Protocol):
    """What the main window relies on in a desk screen (a QWidget; every `QtDeskScreen` is
    one): it says when home's figures may have changed and when the device settings did."""

    changed: SignalInstance  # () home's figures (quota, re-recordings, ...) may have changed
    devices_changed: SignalInstance  # (dict) the device settings that changed, and their values

    def retranslate(self) -> None:
        """Set every visible text in the current language."""


def _t(text: str) -> str:
    return QCoreApplication.translate("QtDeskNav", text)


@dataclass(frozen=True)
class DeskEntry:
    """One desk screen: the permission it needs, its button text, how to build it."""

    name: str
    action: str
    text: str  # source text (Indonesian), translated at display time
    build: Callable[[DeskService, TaskRunner], DeskScreen]


def _selftest(s: DeskService, r: TaskRunner) -> DeskScreen:
    from kiosk.ui.desk.qt_selftest import QtSelfTestScreen

    return QtSelfTestScreen(s, r)


def _history(s: DeskService, r: TaskRunner) -> DeskScreen:
    from kiosk.ui.desk.qt_history import QtHistoryScreen

    return QtHistoryScreen(s)


def _device_settings(s: DeskService, r: TaskRunner) -> DeskScreen:
    from kiosk.ui.desk.qt_device_settings import QtDeviceSettingsScreen

    return QtDeviceSettingsScreen(s)


def _export(s: DeskService, r: TaskRunner) -> DeskScreen:
    from kiosk.ui.desk.qt_export import QtExportScreen

    return QtExportScreen(s, r)


def _cap(s: DeskService, r: TaskRunner) -> DeskScreen:
    from kiosk.ui.desk.qt_cap import QtCapScreen

    return QtCapScreen(s)


def _accounts(s: DeskService, r: TaskRunner) -> DeskScreen:
    from kiosk.ui.desk.qt_accounts import QtAccountsScreen

    return QtAccountsScreen(s)


def _rerecord(s: DeskService, r: TaskRunner) -> DeskScreen:
    from kiosk.ui.desk.qt_rerecord import QtRerecordScreen

    return QtRerecordScreen(s)


def _faults(s: DeskService, r: TaskRunner) -> DeskScreen:
    from kiosk.ui.desk.qt_faults import QtFaultsScreen

    return QtFaultsScreen(s)


def _carry(s: DeskService, r: TaskRunner) -> DeskScreen:
    from kiosk.ui.desk.qt_carry import QtCarryScreen

    return QtCarryScreen(s, r)


def _dashboard(s: DeskService, r: TaskRunner) -> DeskScreen:
    from kiosk.ui.desk.qt_dashboard import QtDashboardScreen

    return QtDashboardScreen(s)


# QT_TRANSLATE_NOOP marks the texts for lupdate; `button_text` translates them.
DESK: tuple[DeskEntry, ...] = (
    DeskEntry("selftest", "selftest", QT_TRANSLATE_NOOP("QtDeskNav", "Swauji perangkat"),
              _selftest),
    DeskEntry("history", "incident_history", QT_TRANSLATE_NOOP("QtDeskNav", "Riwayat insiden"),
              _history),
    # home shows this one only while the sync worker reports faulted records
    DeskEntry("faults", "incident_history",
              QT_TRANSLATE_NOOP("QtDeskNav", "Rekaman bermasalah"), _faults),
    DeskEntry("device_settings", "device_settings",
              QT_TRANSLATE_NOOP("QtDeskNav", "Pengaturan perangkat"), _device_settings),
    DeskEntry("dashboard", "dashboard", QT_TRANSLATE_NOOP("QtDeskNav", "Dasbor"), _dashboard),
    DeskEntry("export", "export", QT_TRANSLATE_NOOP("QtDeskNav", "Log harian"), _export),
    DeskEntry("carry", "carry", QT_TRANSLATE_NOOP("QtDeskNav", "Bawa dengan flashdisk"),
              _carry),
    DeskEntry("cap", "cap", QT_TRANSLATE_NOOP("QtDeskNav", "Batas harian"), _cap),
    DeskEntry("accounts", "accounts", QT_TRANSLATE_NOOP("QtDeskNav", "Akun"), _accounts),
    DeskEntry("rerecord", "rerecord", QT_TRANSLATE_NOOP("QtDeskNav", "Perlu rekam ulang"),
              _rerecord),
)
BY_NAME = {e.name: e for e in DESK}


def button_text(entry: DeskEntry) -> str:
    return _t(entry.text)


def entries_for(role: str) -> list[DeskEntry]:
    """The desk screens a role may open, in button order."""
    return [e for e in DESK if can(role, e.action)]


class QtDeskPage(QWidget):
    """A desk screen with a back button above it; the screen scrolls below the button when it
    needs more room than the window has."""

    back = Signal()

    def __init__(self, screen: DeskScreen, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.screen = screen
        self.back_button = button()
        self.back_button.setProperty("compact", True)
        self.back_button.clicked.connect(self.back)
        top = QHBoxLayout()
        top.setContentsMargins(16, 8, 16, 0)
        top.addWidget(self.back_button)
        top.addStretch(1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(top)
        lay.addWidget(scrolled(screen), 1)
        self.retranslate()

    def retranslate(self) -> None:
        self.back_button.setText(QCoreApplication.translate("QtDeskNav", "‹ Kembali ke beranda"))
