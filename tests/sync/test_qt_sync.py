"""QtSyncWorker delivers state by signal: offline before set-up, online with a backlog after."""

from __future__ import annotations

import pytest
from harness import link, make_station

from kiosk.settings import Settings
from kiosk.store.station import Store

pytest.importorskip("PySide6")  # the headless job runs tests/sync without Qt


def test_qt_sync_worker_reports_online_and_empties_the_backlog(qtbot, tmp_path, central):
    from kiosk.ui.qt_sync import QtSyncWorker

    data = tmp_path / "st"
    store = make_station(data, 2)
    link(store, central.url, central.add_station("qt"))
    store.close()
    states = []
    worker = QtSyncWorker(lambda: Store(data, Settings.load(data / "settings.toml")))
    worker.state_changed.connect(states.append)
    worker.start()
    try:
        qtbot.waitUntil(lambda: bool(states) and states[-1].idle
                        and states[-1].backlog["verified"] == 2, timeout=30000)
    finally:
        assert worker.stop()
    assert states[-1].link == "online" and states[-1].last_success


def test_a_rotten_record_does_not_end_the_gui_sync_thread(qtbot, tmp_path, central):
    """One record of six cannot be read: the thread keeps running, the five are verified, and
    the state names the faulted record."""
    from harness import record_ids, rot_blob

    from kiosk.ui.qt_sync import QtSyncWorker

    data = tmp_path / "st"
    store = make_station(data, 6)
    link(store, central.url, central.add_station("qt-rotten"))
    rotten = record_ids(store)[0]  # the oldest: sent first
    regno = store.outbox.regno(rotten)
    rot_blob(store, rotten)
    store.close()
    states = []
    worker = QtSyncWorker(lambda: Store(data, Settings.load(data / "settings.toml")))
    worker.state_changed.connect(states.append)
    worker.start()
    try:
        qtbot.waitUntil(lambda: bool(states) and states[-1].backlog["verified"] == 5
                        and states[-1].faulted == (regno,), timeout=30000)
        assert worker._thread.isRunning()
        assert states[-1].link == "online" and states[-1].last_success
    finally:
        assert worker.stop()


def test_a_store_that_cannot_be_opened_is_reported_and_retried_not_fatal(qtbot, tmp_path):
    """The data dir lies under a file: the worker says "stopped" with the reason, keeps its
    thread, and stops when asked."""
    from kiosk.ui.qt_sync import QtSyncWorker

    (tmp_path / "file").write_text("not a folder")
    states = []
    worker = QtSyncWorker(lambda: Store(tmp_path / "file" / "data", Settings()))
    worker.state_changed.connect(states.append)
    worker.start()
    try:
        qtbot.waitUntil(lambda: bool(states), timeout=10000)
        st = states[-1]
        assert st.link == "stopped" and st.stopped is not None
        assert "Pengiriman terhenti" in st.stopped.id and "stopped" in st.stopped.en
        assert worker._thread.isRunning()
    finally:
        assert worker.stop(5000)
