"""Start-up and leaving: first-run set-up, status lookup, kiosk mode, single instance,
the error hook, lockout, keyboard steps and the question before a recording is dropped."""

from __future__ import annotations

import sys

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from kiosk.app import accounts
from kiosk.app.devices import StationDevices
from kiosk.app.station import StationService
from kiosk.domain.regions import RegionTable
from kiosk.settings import Settings
from kiosk.store.station import Store
from kiosk.ui.qt_app import install_excepthook, single_instance
from kiosk.ui.qt_main import QtContext, QtMainWindow
from kiosk.ui.qt_tasks import QtInlineRunner
from tests.ui.conftest import OPERATOR, SUPERVISOR, applicant, login


def _answer_next_box(button_text: str | None = None, seen: list | None = None) -> None:
    """Close the next modal box: click the button with this text, or accept it."""

    def act() -> None:
        box = QApplication.activeModalWidget()
        if box is None:
            QTimer.singleShot(10, act)
            return
        if seen is not None:
            seen.append(box)
        if button_text is None:
            box.accept() if not hasattr(box, "submit") else box.submit()
            return
        for b in box.buttons():
            if b.text() == button_text:
                b.click()
                return
        raise AssertionError(f"no button {button_text!r}")

    QTimer.singleShot(0, act)


def _window(qtbot, store: Store, tmp_path, kiosk_mode: bool = False) -> QtMainWindow:
    win = QtMainWindow(QtContext(StationService(store, RegionTable.load()),
                                 StationDevices(store.settings), QtInlineRunner(),
                                 tmp_path / "settings.toml", tmp_path / "receipts",
                                 kiosk_mode=kiosk_mode))
    qtbot.addWidget(win)
    win.show()
    return win


def test_first_run_walks_through_the_setup_wizard_to_the_login(qtbot, tmp_path):
    store = Store(tmp_path / "fresh", Settings(path=tmp_path / "settings.toml"))
    win = _window(qtbot, store, tmp_path)
    assert win.page() is win.setup
    setup = win.setup
    setup.number.setText("02")
    setup.kecamatan.setCurrentIndex(setup.kecamatan.findData("627101"))
    setup.timezone.setCurrentIndex(setup.timezone.findData("Asia/Makassar"))
    setup.cap.setValue(45)
    qtbot.keyClicks(setup.username, "kepala")
    qtbot.keyClicks(setup.display_name, "Kepala Seksi")
    qtbot.keyClicks(setup.pin, "246810")
    qtbot.keyClicks(setup.pin2, "246811")
    setup.submit()
    assert "PIN" in setup.error.text() and win.page() is win.setup  # the two PINs differ
    setup.pin2.clear()
    qtbot.keyClicks(setup.pin2, "246810")
    setup.submit()
    assert win.page() is win.login
    saved = Settings.load(tmp_path / "settings.toml")
    assert (saved["station.number"], saved["station.kecamatan"], saved["cap.daily"]) == (
        "02", "627101", 45)
    assert str(saved.timezone) == "Asia/Makassar"
    assert accounts.authenticate(store, "kepala", "246810").role == "supervisor"
    win.close()
    store.close()


def test_status_lookup_tells_where_a_recording_stands_by_regno_or_nik(qtbot, window, station):
    from kiosk.demo.records import demo_recording

    rec = demo_recording(8, "627104", window.service.regions, station.today())
    saved = station.save_recording(rec, "operator")
    login(qtbot, window)
    window.open_status()
    for query in (saved.regno, rec.applicant.nik):
        window.status.query.setText(query)
        window.status.search()
        assert saved.regno in window.status.results.text()
        assert "menunggu dikirim" in window.status.results.text().lower()
    window.status.query.setText("627104-01-20200101-999")
    window.status.search()
    assert saved.regno not in window.status.results.text()
    assert window.status.results.text()  # says that nothing was found


def test_kiosk_mode_closes_only_for_a_supervisor(qtbot, station, tmp_path):
    win = _window(qtbot, station, tmp_path, kiosk_mode=True)
    QTimer.singleShot(0, lambda: QApplication.activeModalWidget().reject())
    assert not win.close()
    assert win.isVisible()

    def operator_tries() -> None:
        dialog = QApplication.activeModalWidget()
        dialog.username.setText(OPERATOR[0])
        dialog.pin.setText(OPERATOR[1])
        dialog.submit()
        assert dialog.error.text()  # an operator may not
        dialog.reject()

    QTimer.singleShot(0, operator_tries)
    assert not win.close()

    def supervisor_closes() -> None:
        dialog = QApplication.activeModalWidget()
        dialog.username.setText(SUPERVISOR[0])
        dialog.pin.setText(SUPERVISOR[1])
        dialog.submit()

    QTimer.singleShot(0, supervisor_closes)
    assert win.close()
    QApplication.instance().removeEventFilter(win.idle)


def test_a_second_station_process_on_the_same_data_dir_is_refused(tmp_path):
    first = single_instance(tmp_path / "d")
    assert first is not None
    assert single_instance(tmp_path / "d") is None
    first.unlock()
    again = single_instance(tmp_path / "d")
    assert again is not None
    again.unlock()


def test_an_unexpected_error_is_logged_and_shown_in_words(qtbot, tmp_path, monkeypatch):
    log_path = tmp_path / "kiosk.log"
    import logging

    handler = logging.FileHandler(log_path)
    logging.getLogger().addHandler(handler)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    install_excepthook(log_path)
    seen: list = []
    _answer_next_box(seen=seen)
    try:
        raise RuntimeError("kamera meledak")
    except RuntimeError:
        sys.excepthook(*sys.exc_info())
    logging.getLogger().removeHandler(handler)
    handler.close()
    assert isinstance(seen[0], QMessageBox)
    assert "Perekaman yang sudah tersimpan aman" in seen[0].text()
    assert "Terjadi kesalahan tak terduga" in seen[0].text()
    # the person reads words; the exception's class and text are only in the log
    assert "RuntimeError" not in seen[0].text() and "kamera meledak" not in seen[0].text()
    assert "kamera meledak" in log_path.read_text()


def test_repeated_wrong_pins_lock_the_account_on_screen(qtbot, window, station):
    for _ in range(int(station.settings["ui.max_login_failures"])):
        window.login.username.setText(OPERATOR[0])
        window.login.pin.setText("000000")
        window.login.submit()
    window.login.username.setText(OPERATOR[0])
    window.login.pin.setText(OPERATOR[1])
    window.login.submit()
    assert window.page() is window.login
    assert "terkunci" in window.login.error.text().lower()


def test_steps_walk_by_keyboard_and_leaving_half_way_asks_first(qtbot, window, station):
    login(qtbot, window)
    qtbot.mouseClick(window.home.new_button, Qt.MouseButton.LeftButton)
    flow = window.flow
    flow.steps["data"].fill(applicant(station))
    qtbot.keyClick(flow, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert flow.names[flow.index] == "photo"
    qtbot.keyClick(flow, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert flow.names[flow.index] == "data"
    _answer_next_box("Tidak, lanjutkan perekaman")
    qtbot.mouseClick(flow.cancel_button, Qt.MouseButton.LeftButton)
    assert window.page() is flow and flow.in_progress
    _answer_next_box("Ya, tinggalkan")
    qtbot.mouseClick(flow.cancel_button, Qt.MouseButton.LeftButton)
    assert window.page() is window.home
