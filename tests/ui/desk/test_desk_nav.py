"""Home leads each role to its own screens, and only to those."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from kiosk.app import accounts
from kiosk.ui.desk.qt_desk_nav import QtDeskPage
from tests.ui.conftest import OPERATOR, SUPERVISOR, login


def shown_desk_buttons(window) -> set[str]:
    return {n for n, b in window.home.desk_buttons.items() if b.isVisible()}


def test_an_operator_sees_no_desk_buttons_and_is_refused_a_desk_screen(qtbot, window):
    login(qtbot, window, OPERATOR)
    assert shown_desk_buttons(window) == set()
    seen: list[str] = []

    def close_refusal() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.append(box.text())
        box.accept()

    QTimer.singleShot(0, close_refusal)
    assert window.open_desk("export") is None
    assert seen and "operator" in seen[0]
    assert window.page() is window.home


def test_a_technician_reaches_the_technician_screens_only(qtbot, window, station):
    accounts.create_user(station, SUPERVISOR[0], "teknisi", "Teknisi Demo", "technician",
                         "222222", demo=True)
    login(qtbot, window, ("teknisi", "222222"))
    assert shown_desk_buttons(window) == {"selftest", "history", "device_settings"}


def test_a_supervisor_opens_the_cap_screen_and_returns_home(qtbot, window):
    login(qtbot, window, SUPERVISOR)
    assert {"export", "cap", "accounts", "dashboard", "selftest"} <= shown_desk_buttons(window)
    assert "rerecord" not in shown_desk_buttons(window)  # nothing was rejected yet
    qtbot.mouseClick(window.home.desk_buttons["cap"], Qt.MouseButton.LeftButton)
    page = window.page()
    assert isinstance(page, QtDeskPage) and type(page.screen).__name__ == "QtCapScreen"
    qtbot.mouseClick(page.back_button, Qt.MouseButton.LeftButton)
    assert window.page() is window.home


def test_rejected_records_bring_the_re_recording_button_home(qtbot, window, station):
    from kiosk.demo.records import demo_recording

    saved = station.save_recording(
        demo_recording(4, station.settings["station.kecamatan"], window.service.regions,
                       station.today()), "operator")
    station.db.execute("UPDATE records SET processing_status = 'rejected', "
                       "reject_reason = 'foto buram' WHERE id = ?", [saved.record_id])
    login(qtbot, window, SUPERVISOR)
    button = window.home.desk_buttons["rerecord"]
    assert button.isVisible() and "1" in button.text()


def test_a_big_backlog_shows_progress_and_a_supervisor_can_hold_delivery(qtbot, window, station):
    from kiosk.ui.qt_home import SyncView

    login(qtbot, window, SUPERVISOR)
    home = window.home
    home.set_sync(SyncView("offline", 40))
    home.set_sync(SyncView("online", 30))
    assert home.progress.isVisible()
    assert (home.progress.value(), home.progress.maximum()) == (10, 40)
    assert home.pause_button.isVisible() and home.pause_button.text() == "Jeda pengiriman"
    with qtbot.waitSignal(window.sync_pause_requested) as blocker:
        qtbot.mouseClick(home.pause_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [True]
    home.set_sync(SyncView("paused", 30))
    assert home.sync_state.text() == "Pengiriman dijeda"
    assert home.pause_button.text() == "Lanjutkan pengiriman"
    actions = [r[0] for r in station.db.execute("SELECT action FROM audit")]
    assert "sync.paused" in actions
    home.set_sync(SyncView("online", 0))
    assert not home.progress.isVisible() and not home.pause_button.isVisible()


def test_an_operator_sees_progress_but_cannot_hold_delivery(qtbot, window):
    from kiosk.ui.qt_home import SyncView

    login(qtbot, window, OPERATOR)
    window.home.set_sync(SyncView("online", 25))
    assert window.home.progress.isVisible() and not window.home.pause_button.isVisible()
