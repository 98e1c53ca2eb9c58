"""A save that fails for real (the station's disk fills up while the applicant is at the
desk): the operator reads a sentence, the draft stays, "Simpan" is enabled again, and once
space is freed the same Simpan saves the recording, once."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from kiosk.app import accounts
from kiosk.app.devices import StationDevices
from kiosk.app.station import StationService
from kiosk.domain.regions import RegionTable
from kiosk.settings import Settings
from kiosk.store.station import Store
from kiosk.ui.qt_main import QtContext, QtMainWindow
from kiosk.ui.qt_tasks import QtTaskRunner
from tests.store.mounts import small_disk
from tests.ui.conftest import OPERATOR, SUPERVISOR, applicant, login, sign


def click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


@pytest.fixture
def disk(tmp_path):
    with small_disk(tmp_path / "disk", "16m") as d:
        yield d


@pytest.fixture
def station_on_disk(disk, camera_video, sbi, tmp_path):
    settings = Settings()
    settings.set("camera.source", str(camera_video))
    sbi.write_trust(tmp_path / "sbi-trust")  # off the small disk: only the data lives there
    settings.set("sbi.trust_store", str(tmp_path / "sbi-trust"))
    settings.set("sbi.port_first", sbi.port)
    settings.set("sbi.port_last", sbi.port)
    settings.set("sbi.capture_timeout_ms", 4000)
    # a 16 MB disk: the free-space gate would (rightly) freeze it before the first recording
    settings.set("freeze.record_size_mb", 0.1)
    settings.set("freeze.disk_margin_mb", 0)
    store = Store(disk.path / "data", settings)
    accounts.create_first_supervisor(store, SUPERVISOR[0], "Pengawas Demo", SUPERVISOR[1],
                                     demo=True)
    accounts.create_user(store, SUPERVISOR[0], OPERATOR[0], "Petugas Demo", "operator",
                         OPERATOR[1], demo=True)
    yield store
    store.close()


@pytest.fixture
def win(qtbot, station_on_disk, tmp_path):
    runner = QtTaskRunner("devices")
    devices = StationDevices(station_on_disk.settings)
    ctx = QtContext(service=StationService(station_on_disk, RegionTable.load()),
                    devices=devices, device_runner=runner,
                    settings_path=tmp_path / "settings.toml", receipts_dir=tmp_path / "receipts")
    w = QtMainWindow(ctx)
    w.show()
    yield w
    w.flow.discard()
    w.close()
    w.deleteLater()
    runner.stop()
    devices.close()
    QApplication.instance().removeEventFilter(w.idle)


def _to_review(qtbot, win, store) -> None:
    login(qtbot, win)
    click(qtbot, win.home.new_button)
    flow = win.flow
    assert win.page() is flow
    flow.steps["data"].fill(applicant(store))
    click(qtbot, flow.next_button)
    photo = flow.steps["photo"]
    assert flow.names[flow.index] == "photo"
    qtbot.waitUntil(photo.capture_button.isEnabled, timeout=15000)
    click(qtbot, photo.capture_button)
    qtbot.waitUntil(lambda: flow.draft.photo is not None or bool(photo.error.text()),
                    timeout=5000)
    click(qtbot, flow.next_button)
    fingers = flow.steps["fingers"]
    for name in ("right", "left", "thumbs"):
        qtbot.waitUntil(fingers.slap_buttons[name].isEnabled, timeout=10000)
        click(qtbot, fingers.slap_buttons[name])
        qtbot.waitUntil(lambda: not fingers.busy, timeout=10000)
    click(qtbot, flow.next_button)
    sign(flow.steps["signature"].pad)
    click(qtbot, flow.next_button)
    assert flow.names[flow.index] == "review" and flow.next_button.text() == "Simpan"


def test_a_save_on_a_full_disk_keeps_the_draft_and_saves_once_space_is_freed(
        qtbot, win, station_on_disk, disk):
    store = station_on_disk
    _to_review(qtbot, win, store)
    flow = win.flow
    draft = flow.draft
    disk.fill()
    click(qtbot, flow.next_button)  # Simpan, on a full disk
    assert win.page() is flow and flow.draft is draft  # nothing lost on screen
    text = flow.error.text()
    assert "Rekaman belum tersimpan" in text and "penuh" in text and "Simpan lagi" in text
    assert "sqlite" not in text.lower() and "Traceback" not in text
    assert flow.next_button.isEnabled()
    assert store.find(draft.record_id) == []
    disk.free()
    click(qtbot, flow.next_button)  # Simpan again, the same draft
    assert win.page() is win.receipt
    assert win.receipt.banner.text() == "Tersimpan"
    rows = store.find(draft.record_id)
    assert len(rows) == 1 and rows[0]["regno"] == win.receipt.regno.text()
    assert store.db.execute("SELECT COUNT(*) FROM records").fetchone()[0] == 1
