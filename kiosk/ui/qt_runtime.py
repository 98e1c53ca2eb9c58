"""StationRuntime: what a running station owns besides its window (the store, the device
worker, the devices, the sync worker, the demo's helpers), opened in order and closed in
reverse by one `close()`; and QtContext, the part of it the main window is built from."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # loaded in open(), after the login screen shows (bench/startup.py)
    from kiosk.app.devices import StationDevices
    from kiosk.app.station import StationService
    from kiosk.demo.environment import DemoEnvironment
    from kiosk.settings import Settings
    from kiosk.store.station import Store
    from kiosk.ui.qt_i18n import QtLanguage
    from kiosk.ui.qt_sync import QtSyncWorker
    from kiosk.ui.qt_tasks import QtTaskRunner, TaskRunner


@dataclass
class QtContext:
    """What the main window is built from (`StationRuntime.context()` or a test supplies it)."""

    service: StationService
    devices: StationDevices
    device_runner: TaskRunner
    settings_path: Path
    receipts_dir: Path
    demo_accounts: list[tuple[str, str, str]] = field(default_factory=list)
    kiosk_mode: bool = False
    language: QtLanguage | None = None


@dataclass
class StationRuntime:
    """One station process: how it runs (data dir, settings, demo, kiosk mode) and what it has
    opened so far. `close()` is safe on a runtime that failed half-way through `open()`."""

    data_dir: Path
    settings_path: Path
    settings: Settings
    language: QtLanguage | None = None
    demo: bool = False
    demo_central: bool = True  # the demo starts a local central server
    kiosk_mode: bool = False
    store: Store | None = None
    demo_env: DemoEnvironment | None = None
    runner: QtTaskRunner | None = None  # the device worker thread
    devices: StationDevices | None = None
    sync_workers: list[QtSyncWorker] = field(default_factory=list)

    @property
    def demo_accounts(self) -> list[tuple[str, str, str]]:
        """(username, PIN, role) shown on the demo's login screen; none outside the demo."""
        if not self.demo:
            return []
        from kiosk.demo.accounts import DEMO_ACCOUNTS

        return list(DEMO_ACCOUNTS)

    def open(self) -> None:
        """Open the store, the demo's devices and server (demo only), the device worker and
        the devices, in that order; each is kept as soon as it exists, for `close()`."""
        from kiosk.app.devices import StationDevices
        from kiosk.store.station import Store
        from kiosk.ui.qt_tasks import QtTaskRunner

        self.store = Store(self.data_dir, self.settings)
        if self.demo:
            from kiosk.demo.environment import ensure_demo_accounts, start_demo

            ensure_demo_accounts(self.store)
            self.demo_env = start_demo(self.store, self.settings_path, central=self.demo_central)
        self.runner = QtTaskRunner("devices")
        self.devices = StationDevices(self.settings)

    def context(self) -> QtContext:
        """What the main window is built from, on the opened store and devices."""
        from kiosk.app.station import StationService
        from kiosk.domain.regions import RegionTable

        if self.store is None or self.runner is None or self.devices is None:
            raise RuntimeError("StationRuntime.context() before open()")
        regions = RegionTable.load(self.settings["station.region_tables"])
        return QtContext(
            service=StationService(self.store, regions), devices=self.devices,
            device_runner=self.runner, settings_path=self.settings_path,
            receipts_dir=self.data_dir / "receipts", demo_accounts=self.demo_accounts,
            kiosk_mode=self.kiosk_mode, language=self.language,
        )

    def sync_worker(self) -> QtSyncWorker:
        """A new sync worker on its own store connection, owned (and stopped) by the runtime;
        connect its signals, then `start()` it."""
        from kiosk.store.station import Store
        from kiosk.ui.qt_sync import QtSyncWorker

        data_dir, settings = self.data_dir, self.settings
        worker = QtSyncWorker(lambda: Store(data_dir, settings))
        self.sync_workers.append(worker)
        return worker

    def close(self) -> None:
        """Stop the sync workers, then the device worker, close the devices, stop the demo's
        helpers and close the store; whatever was never opened is skipped."""
        for worker in self.sync_workers:
            worker.stop()
        self.sync_workers.clear()
        if self.runner is not None:
            self.runner.stop()
            self.runner = None
        if self.devices is not None:
            self.devices.close()
            self.devices = None
        if self.demo_env is not None:
            self.demo_env.stop()
            self.demo_env = None
        if self.store is not None:
            self.store.close()
            self.store = None
