"""The desk screens built on demo data, for screenshots and manual trials.

    demo = build_desk_demo(Path(tmp))      # a QApplication must exist
    for name, screen in demo.screens.items(): screen.grab().save(f"{name}.png")
    demo.close()
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtWidgets import QWidget

from kiosk.app import accounts
from kiosk.app.desk import DeskService
from kiosk.demo.history import seed_desk_demo
from kiosk.devices.sim.camera import fake_camera_source
from kiosk.devices.sim.sbi import SbiSimulator
from kiosk.settings import Settings
from kiosk.store.station import Store
from kiosk.ui.qt_tasks import QtTaskRunner


@dataclass
class QtDeskDemo:
    """Demo store, devices and the screens; `close()` ends them all."""

    store: Store
    sbi: SbiSimulator
    runner: QtTaskRunner
    screens: dict[str, QWidget] = field(default_factory=dict)

    def close(self) -> None:
        for screen in self.screens.values():
            screen.hide()  # stops the camera preview
            screen.deleteLater()
        self.runner.stop()
        self.sbi.stop()
        self.store.close()


def build_desk_demo(root: Path, days: int = 30) -> QtDeskDemo:
    """Every technician and supervisor screen on a fresh demo station under `root`."""
    from kiosk.ui.desk.qt_accounts import QtAccountsScreen
    from kiosk.ui.desk.qt_cap import QtCapScreen
    from kiosk.ui.desk.qt_dashboard import QtDashboardScreen
    from kiosk.ui.desk.qt_device_settings import QtDeviceSettingsScreen
    from kiosk.ui.desk.qt_export import QtExportScreen
    from kiosk.ui.desk.qt_history import QtHistoryScreen
    from kiosk.ui.desk.qt_rerecord import QtRerecordScreen
    from kiosk.ui.desk.qt_selftest import QtSelfTestScreen

    root = Path(root)
    settings_path = root / "data" / "settings.toml"
    settings = Settings.load(settings_path)
    sbi = SbiSimulator(port=0, pki_dir=root / "sbi-sim-pki").start()
    sbi.write_trust(root / "data" / "sbi-trust")
    settings.set("sbi.trust_store", str(root / "data" / "sbi-trust"))
    settings.set("sbi.port_first", sbi.port)
    settings.set("sbi.port_last", sbi.port)
    settings.set("camera.source", str(fake_camera_source(root / "cache")))
    store = Store(root / "data", settings)
    seed_desk_demo(store, days=days)
    runner = QtTaskRunner("desk-devices")
    supervisor = accounts.get_user(store, "pengawas")
    technician = accounts.get_user(store, "teknisi")
    assert supervisor is not None and technician is not None
    sup = DeskService(store, settings_path, supervisor, export_dir=root / "ekspor")
    tech = DeskService(store, settings_path, technician, export_dir=root / "ekspor")
    demo = QtDeskDemo(store, sbi, runner)
    demo.screens = {
        "selftest": QtSelfTestScreen(tech, runner),
        "history": QtHistoryScreen(tech),
        "device_settings": QtDeviceSettingsScreen(tech),
        "export": QtExportScreen(sup, runner),
        "cap": QtCapScreen(sup),
        "accounts": QtAccountsScreen(sup),
        "rerecord": QtRerecordScreen(sup),
        "dashboard": QtDashboardScreen(sup),
    }
    for screen in demo.screens.values():
        screen.resize(1366, 720)
    return demo
