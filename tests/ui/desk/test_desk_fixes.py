"""The supervisor's desk from the walk-through: a cap below today's count is asked first,
disabling an account is asked first, a trivial PIN is refused with its reason, the backlog
chart counts in whole numbers."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from kiosk.app import accounts
from kiosk.app.desk import DeskService
from kiosk.store.station import Store
from kiosk.ui.desk.qt_accounts import QtAccountsScreen
from kiosk.ui.desk.qt_cap import QtCapScreen
from kiosk.ui.desk.qt_dashboard import QtDashboardScreen, integer_axis
from tests.store.records import quick_recording


def answer_next_box(button_text: str, seen: list | None = None) -> None:
    """Click `button_text` in the next message box; its default button goes into `seen`."""

    def act() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(10, act)
            return
        if seen is not None:
            seen.append((box.text(), box.defaultButton().text() if box.defaultButton() else "",
                         box.escapeButton().text() if box.escapeButton() else ""))
        for b in box.buttons():
            if b.text() == button_text:
                b.click()
                return
        box.done(0)
        raise AssertionError(f"no button {button_text!r} in {[b.text() for b in box.buttons()]}")

    QTimer.singleShot(0, act)


def service(store: Store, tmp_path: Path, username: str = "pengawas") -> DeskService:
    return DeskService(store, tmp_path / "settings.toml", accounts.get_user(store, username))


def save(store: Store, n: int) -> None:
    for i in range(n):
        store.save_recording(quick_recording(i + 1, store.today()), "operator")


def test_a_cap_below_todays_count_is_asked_first_and_no_keeps_it(qtbot, station, tmp_path):
    save(station, 3)
    w = QtCapScreen(service(station, tmp_path))
    qtbot.addWidget(w)
    w.cap.setValue(2)
    w.reason.setText("listrik padam")
    seen: list = []
    answer_next_box("Tidak, jangan ubah", seen)
    assert not w.save()
    text, default, escape = seen[0]
    assert "Batas baru (2) lebih kecil dari jumlah perekaman hari ini (3)" in text
    assert "3 / 2" in text
    assert default == escape == "Tidak, jangan ubah"
    assert station.cap_status().cap == 30 and w.error.text() == "Batas tidak diubah."
    assert station.cap_history() == []
    answer_next_box("Ya, tetapkan 2")
    assert w.save()
    assert station.cap_status().cap == 2 and w.figure.text() == "3 / 2"


def test_a_cap_equal_to_the_count_is_asked_and_a_higher_one_is_not(qtbot, station, tmp_path):
    save(station, 3)
    w = QtCapScreen(service(station, tmp_path))
    qtbot.addWidget(w)
    w.cap.setValue(3)
    w.reason.setText("tutup lebih awal")
    seen: list = []
    answer_next_box("Ya, tetapkan 3", seen)
    assert w.save() and "tidak ada perekaman baru lagi hari ini" in seen[0][0]
    assert station.cap_status().cap == 3
    w.cap.setValue(40)
    w.reason.setText("antrean panjang")
    assert w.save()  # no question: nothing would stop
    assert station.cap_status().cap == 40
    # a standing cap under today's override starts tomorrow: nothing to ask today
    w.standing.setChecked(True)
    w.cap.setValue(2)
    w.reason.setText("SK camat")
    assert w.save()
    assert station.cap_status().standing_cap == 2 and station.cap_status().cap == 40


def test_disabling_an_account_asks_first_and_no_keeps_it_active(qtbot, station, tmp_path):
    w = QtAccountsScreen(service(station, tmp_path))
    qtbot.addWidget(w)
    w.select("operator")
    seen: list = []
    answer_next_box("Tidak, biarkan aktif", seen)
    assert not w.toggle_disabled()
    text, default, escape = seen[0]
    assert text.startswith("Petugas Demo (operator) tidak akan bisa masuk lagi")
    assert default == escape == "Tidak, biarkan aktif"
    assert not accounts.get_user(station, "operator").disabled
    assert station.db.execute("SELECT COUNT(*) FROM audit WHERE action = 'user.disabled'"
                              ).fetchone()[0] == 0
    answer_next_box("Ya, nonaktifkan")
    assert w.toggle_disabled() and accounts.get_user(station, "operator").disabled
    w.select("operator")
    assert w.toggle_disabled()  # enabling again asks nothing
    assert not accounts.get_user(station, "operator").disabled


def test_a_trivial_pin_is_refused_on_the_accounts_screen_with_the_reason(qtbot, station,
                                                                         tmp_path):
    w = QtAccountsScreen(service(station, tmp_path))
    qtbot.addWidget(w)
    w.add_username.setText("siti.r")
    w.add_name.setText("Siti Rahma")
    w.add_pin.setText("123456")
    assert not w.add()
    assert w.message.text().startswith("PIN tidak boleh angka berurutan naik atau turun")
    assert accounts.get_user(station, "siti.r") is None
    w.select("operator")
    w.new_pin.setText("222222")
    assert not w.reset_pin()
    assert "satu angka yang diulang" in w.message.text()


def tick_values(axis) -> list[float]:
    n = axis.tickCount()
    lo, hi = axis.min(), axis.max()
    return [lo + i * (hi - lo) / (n - 1) for i in range(n)]


def test_the_backlog_chart_counts_in_whole_distinct_numbers(qtbot, station, tmp_path):
    save(station, 1)  # a backlog of one: the chart that read 0, 0, 0, 1, 1
    w = QtDashboardScreen(service(station, tmp_path))
    qtbot.addWidget(w)
    for name, (_x, y) in w.axes.items():
        ticks = tick_values(y)
        assert all(t == int(t) for t in ticks), (name, ticks)
        assert len({int(t) for t in ticks}) == len(ticks), (name, ticks)
    assert tick_values(w.axes["sync"][1]) == [0.0, 1.0, 2.0]
    assert w.axes["sync"][1].labelFormat() == "%d"


def test_integer_axis_steps_are_whole_and_leave_headroom():
    for top in (0, 1, 2, 3, 5, 9, 10, 17, 30, 44, 99, 100, 250, 1440):
        high, ticks = integer_axis(top)
        step = high / (ticks - 1)
        assert step == int(step) and step >= 1
        assert high >= top and ticks <= 6
