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
