"""A station window on a temporary data dir, the fake camera video and a real SBI simulator."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from kiosk.app import accounts
from kiosk.app.devices import StationDevices
from kiosk.app.station import StationService
from kiosk.demo.records import demo_applicant
from kiosk.devices.sim.camera import fake_camera_source
from kiosk.devices.sim.sbi import SbiSimulator
from kiosk.domain.applicant import Applicant
from kiosk.domain.regions import RegionTable
from kiosk.settings import Settings
from kiosk.store.station import Store
from kiosk.ui.qt_main import QtContext, QtMainWindow
from kiosk.ui.qt_tasks import QtTaskRunner

OPERATOR = ("operator", "111111")
SUPERVISOR = ("pengawas", "333333")


@pytest.fixture(scope="session")
def camera_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fake_camera_source(tmp_path_factory.mktemp("camera"))


@pytest.fixture
def sbi():
    sim = SbiSimulator().start()
    yield sim
    sim.stop()


@pytest.fixture
def station(tmp_path: Path, camera_video: Path, sbi: SbiSimulator):
    settings = Settings()
    settings.set("camera.source", str(camera_video))
    settings.set("sbi.port_first", sbi.port)
    settings.set("sbi.port_last", sbi.port)
    settings.set("sbi.capture_timeout_ms", 4000)
    settings.set("sbi.trust_store", str(tmp_path / "sbi-trust"))
    sbi.write_trust(tmp_path / "sbi-trust")
    store = Store(tmp_path / "data", settings)
    accounts.create_first_supervisor(store, SUPERVISOR[0], "Pengawas Demo", SUPERVISOR[1],
                                     demo=True)  # the demo's accounts and PINs
    accounts.create_user(store, SUPERVISOR[0], OPERATOR[0], "Petugas Demo", "operator",
                         OPERATOR[1], demo=True)
    yield store
    store.close()


@pytest.fixture
def window(qtbot, station: Store, tmp_path: Path):
    runner = QtTaskRunner("devices")
    devices = StationDevices(station.settings)
    ctx = QtContext(
        service=StationService(station, RegionTable.load()),
        devices=devices,
        device_runner=runner,
        settings_path=tmp_path / "settings.toml",
        receipts_dir=tmp_path / "receipts",
    )
    win = QtMainWindow(ctx)
    win.show()
    yield win
    win.flow.discard()  # so closing asks nothing
    win.close()
    win.deleteLater()
    win.language.set_language("id")
    runner.stop()
    devices.close()
    QApplication.instance().removeEventFilter(win.idle)


def login(qtbot, win: QtMainWindow, who: tuple[str, str] = OPERATOR) -> None:
    qtbot.keyClicks(win.login.username, who[0])
    qtbot.keyClicks(win.login.pin, who[1])
    qtbot.mouseClick(win.login.login_button, Qt.MouseButton.LeftButton)
    assert win.page() is win.home


def applicant(store: Store, seed: int = 7) -> Applicant:
    rng = np.random.default_rng(seed)
    return demo_applicant(rng, store.settings["station.kecamatan"], RegionTable.load(),
                          store.today(), serial=seed)


def sign(widget, strokes: int = 3) -> None:
    """Draw a few wide strokes on the signature pad with mouse events."""
    w, h = widget.width(), widget.height()

    def send(kind, x, y, button, buttons):
        ev = QMouseEvent(kind, QPointF(x, y), QPointF(x, y), button, buttons,
                         Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(widget, ev)

    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    for s in range(strokes):
        y0 = h * (0.3 + 0.15 * s)
        send(QEvent.Type.MouseButtonPress, w * 0.1, y0, left, left)
        for i in range(1, 40):
            x = w * (0.1 + 0.7 * i / 40)
            y = y0 + np.sin(i / 3) * h * 0.1
            send(QEvent.Type.MouseMove, x, y, none, left)
        send(QEvent.Type.MouseButtonRelease, w * 0.8, y0, left, none)


