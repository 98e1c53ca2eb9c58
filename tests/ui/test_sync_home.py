"""Home's delivery card: holding delivery is the supervisor's own permission (checked against
the current account), a sync that cannot go on is said in words, and the last delivery time
is known after a restart."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from kiosk.app import accounts
from kiosk.domain.messages import Msg
from kiosk.settings import Settings
from kiosk.store.station import Store
from kiosk.sync.engine import SyncState
from kiosk.ui.qt_app import sync_view
from kiosk.ui.qt_home import SyncView
from tests.ui.conftest import SUPERVISOR, login

TECHNICIAN = ("teknisi", "222222")


def _close_next_box(seen: list[str]) -> None:
    def close() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.append(box.text())
        box.accept()
    QTimer.singleShot(0, close)


def _sync_actions(station) -> list[str]:
    return [r[0] for r in station.db.execute(
        "SELECT action FROM audit WHERE action LIKE 'sync.%'")]


def test_a_technician_may_not_hold_delivery(qtbot, window, station):
    """No button for a technician; asked anyway, the service refuses, nothing is held and
    nothing audited as a pause."""
    accounts.create_user(station, SUPERVISOR[0], TECHNICIAN[0], "Teknisi", "technician",
                         TECHNICIAN[1], demo=True)
    login(qtbot, window, TECHNICIAN)
    window.home.set_sync(SyncView("online", 40))
    assert window.home.progress.isVisible() and not window.home.pause_button.isVisible()

    with pytest.raises(accounts.PermissionDenied):
        window.service.set_sync_paused(window.user, True)
    emitted: list[bool] = []
    window.sync_pause_requested.connect(emitted.append)
    seen: list[str] = []
    _close_next_box(seen)
    assert window._pause_sync(True) is False
    assert emitted == [] and seen and "teknisi" in seen[0]
    assert _sync_actions(station) == []


def test_a_supervisor_demoted_after_login_is_refused_at_the_click(qtbot, window, station):
    """The check reads the account as it is now, not as it was at login."""
    login(qtbot, window, SUPERVISOR)
    accounts.create_user(station, SUPERVISOR[0], "kepala", "Kepala", "supervisor", "480317")
    accounts.set_role(station, actor="kepala", username=SUPERVISOR[0], role="technician")
    window.home.set_sync(SyncView("online", 40))
    assert window.home.pause_button.isVisible()  # the screen still shows what login knew
    seen: list[str] = []
    _close_next_box(seen)
    assert window._pause_sync(True) is False
    assert _sync_actions(station) == []
    accounts.set_role(station, actor="kepala", username=SUPERVISOR[0], role="supervisor")
    assert window._pause_sync(True) is True
    assert _sync_actions(station) == ["sync.paused"]


def test_a_stopped_sync_is_said_in_words_in_both_languages(qtbot, window):
    login(qtbot, window, SUPERVISOR)
    last = dt.datetime(2026, 3, 2, 1, 30, tzinfo=dt.UTC)
    window.home.set_sync(SyncView("online", 0, last))
    why = Msg("Kunci data tidak cocok.", "The data key does not match.")
    window.home.set_sync(sync_view(SyncState("stopped", {"saved": 2}, None, "x", stopped=why)))
    home = window.home
    assert home.sync_state.text() == "Pengiriman terhenti"
    assert home.sync_problem.isVisible() and "Kunci data tidak cocok." in home.sync_problem.text()
    assert "Terakhir berhasil" in home.last_sync.text()  # kept from before
    window.language.set_language("en")
    qtbot.waitUntil(lambda: home.sync_state.text() == "Delivery stopped", timeout=2000)
    assert "The data key does not match." in home.sync_problem.text()
    window.language.set_language("id")


def test_faulted_records_bring_their_button_home_for_a_technician(qtbot, window, station):
    accounts.create_user(station, SUPERVISOR[0], TECHNICIAN[0], "Teknisi", "technician",
                         TECHNICIAN[1], demo=True)
    login(qtbot, window, TECHNICIAN)
    assert not window.home.desk_buttons["faults"].isVisible()
    window.home.set_sync(sync_view(SyncState("online", {"saved": 1}, None, "",
                                             True, ("627104-01-20260302-001",))))
    button = window.home.desk_buttons["faults"]
    assert button.isVisible() and button.text() == "Rekaman bermasalah (1)"
    assert "1 rekaman tidak dapat dibaca" in window.home.sync_problem.text()


def test_after_a_restart_home_shows_the_last_delivery_time(qtbot, window, station):
    """A worker on a station that delivered before (its time kept in the database) reports
    it even before it reaches any server: home does not say "never"."""
    from kiosk.store.outbox import LAST_SUCCESS
    from kiosk.ui.qt_sync import QtSyncWorker

    station.set_meta(LAST_SUCCESS, "2026-03-02T01:30:00.000000+00:00")  # an earlier run's
    login(qtbot, window, SUPERVISOR)
    worker = QtSyncWorker(lambda: Store(station.data_dir, Settings()))
    worker.state_changed.connect(lambda st: window.set_sync(sync_view(st)))
    worker.start()
    try:
        qtbot.waitUntil(lambda: window.home.sync is not None, timeout=10000)
    finally:
        assert worker.stop()
    text = window.home.last_sync.text()
    assert text.startswith("Terakhir berhasil") and "2026" in text
