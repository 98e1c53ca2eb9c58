"""The demo's server switch: the local central server goes down and comes back on the same
address, so the station shows offline and then catches up."""

from __future__ import annotations

import requests
from PySide6.QtCore import Qt

from kiosk.demo.environment import start_demo
from kiosk.settings import Settings
from kiosk.store.station import Store
from kiosk.ui.qt_demo import QtDemoServerButton
from kiosk.ui.qt_tasks import QtInlineRunner


def _up(url: str) -> bool:
    try:
        return requests.get(f"{url}/v1/health", timeout=1).ok
    except requests.RequestException:
        return False


def test_the_switch_stops_and_restarts_the_demo_server_on_the_same_address(qtbot, tmp_path):
    store = Store(tmp_path / "d", Settings(path=tmp_path / "settings.toml"))
    env = start_demo(store, tmp_path / "settings.toml", cache_dir=tmp_path / "cache")
    try:
        assert env.central_running and _up(env.central_url)
        switch = QtDemoServerButton(env, QtInlineRunner())
        qtbot.addWidget(switch)
        assert switch.text() == "Demo: matikan server pusat"
        with qtbot.waitSignal(switch.switched):
            qtbot.mouseClick(switch, Qt.MouseButton.LeftButton)
        assert not env.central_running and not _up(env.central_url)
        assert switch.text() == "Demo: nyalakan server pusat"
        with qtbot.waitSignal(switch.switched):
            qtbot.mouseClick(switch, Qt.MouseButton.LeftButton)
        assert env.central_running and _up(env.central_url)
    finally:
        env.stop()
        store.close()
