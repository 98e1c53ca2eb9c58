"""Start-up: the login screen shows before the store loads, and works once it has."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from kiosk.app.devices import StationDevices
from kiosk.app.station import StationService
from kiosk.domain.regions import RegionTable
from kiosk.ui.qt_main import QtContext, QtMainWindow
from kiosk.ui.qt_tasks import QtInlineRunner
from tests.ui.conftest import OPERATOR


def test_login_shows_first_and_accepts_a_pin_once_the_station_is_attached(
    qtbot, station, tmp_path
):
    win = QtMainWindow(settings=station.settings, demo_accounts=[("operator", "111111",
                                                                   "operator")])
    qtbot.addWidget(win)
    win.show()
    assert win.page() is win.login and not win.ready
    assert not win.login.login_button.isEnabled()
    assert "operator / 111111" in win.login.demo.text()
    qtbot.keyClicks(win.login.username, OPERATOR[0])
    qtbot.keyClicks(win.login.pin, OPERATOR[1])
    win.login.submit()  # ignored while starting
    assert win.page() is win.login

    devices = StationDevices(station.settings)
    win.attach(QtContext(StationService(station, RegionTable.load()), devices, QtInlineRunner(),
                         tmp_path / "settings.toml", tmp_path / "receipts"))
    assert win.ready and win.login.login_button.isEnabled()
    assert win.login.username.text() == OPERATOR[0]  # what was typed while starting stays
    qtbot.mouseClick(win.login.login_button, Qt.MouseButton.LeftButton)
    assert win.page() is win.home
    QApplication.instance().removeEventFilter(win.idle)
    devices.close()
