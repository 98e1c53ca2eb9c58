"""The technician's self-test screen, driven with qtbot on the real devices of the test
station (fake camera video, SBI simulator) and on unplugged ones."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QColor

from kiosk.app import accounts
from kiosk.app.accounts import PermissionDenied
from kiosk.app.desk import DeskService
from kiosk.devices.sim.sbi import SbiSimulator
from kiosk.store.station import Store
from kiosk.ui.desk.qt_desk import FAIL_COLOUR, PASS_COLOUR
from kiosk.ui.desk.qt_selftest import QtSelfTestScreen
from kiosk.ui.qt_tasks import QtTaskRunner
from tests.ui.conftest import sign

TECHNICIAN = ("teknisi", "222222")


@pytest.fixture
def runner():
    r = QtTaskRunner("selftest-test")
    yield r
    r.stop()


@pytest.fixture
def screen(qtbot, station: Store, runner: QtTaskRunner, tmp_path: Path):
    accounts.create_user(station, "pengawas", *TECHNICIAN[:1], "Teknisi", "technician",
                         TECHNICIAN[1], demo=True)
    user = accounts.get_user(station, TECHNICIAN[0])
    w = QtSelfTestScreen(DeskService(station, tmp_path / "settings.toml", user), runner)
    qtbot.addWidget(w)
    yield w
    w.previewing = False
    w.camera.close()


def _colour(screen: QtSelfTestScreen, name: str) -> str:
    return screen.rows[name].item(1).background().color().name()


def test_stopped_scanner_and_missing_camera_show_red_with_their_hints(
    qtbot, screen: QtSelfTestScreen, station: Store, sbi: SbiSimulator, tmp_path: Path
):
    """An unplugged SBI service and a camera source that is gone turn their rows red, each
    with the hint a technician acts on; single checks are shown but not saved."""
    sbi.stop()
    station.settings.set("camera.source", str(tmp_path / "no-such-camera.avi"))
    screen.rows["fingerprint"].run.click()
    screen.rows["camera"].run.click()
    qtbot.waitUntil(lambda: screen.rows["fingerprint"].passed is False
                    and screen.rows["camera"].passed is False, timeout=20000)
    finger, camera = screen.rows["fingerprint"], screen.rows["camera"]
    assert finger.state_text == "GAGAL" and _colour(screen, "fingerprint") == FAIL_COLOUR
    assert "Pemindai sidik jari tidak ditemukan" in finger.hint
    assert "Kamera tidak terhubung" in camera.hint
    assert _colour(screen, "camera") == QColor(FAIL_COLOUR).name()
    assert screen.rows["disk"].passed is None  # not run
    assert station.last_selftest() is None


def test_run_all_saves_a_selftest_and_working_devices_are_green(
    qtbot, screen: QtSelfTestScreen, station: Store
):
    """Camera video and simulator pass; the unconfigured server fails; the run is saved."""
    with qtbot.waitSignal(screen.finished, timeout=30000) as sig:
        screen.run_all_button.click()
    report = sig.args[0]
    assert report.selftest_id is not None
    for name in ("camera", "fingerprint", "disk", "database"):
        assert screen.rows[name].passed is True, screen.rows[name].hint
        assert _colour(screen, name) == PASS_COLOUR
    assert screen.rows["server"].passed is False
    assert "Server belum diatur" in screen.rows["server"].hint
    last = station.last_selftest()
    assert last["id"] == report.selftest_id and not last["passed"]
    assert "GAGAL" in screen.last_run.text()
    assert "fps" in screen.rows["camera"].item(2).text()


def test_test_capture_shows_both_thumbs_with_their_scores(qtbot, screen: QtSelfTestScreen):
    screen.finger_button.click()
    qtbot.waitUntil(lambda: screen.finger_button.isEnabled()
                    and screen.finger_scores[1].text() != "", timeout=20000)
    assert screen.finger_scores[0].text().startswith("Ibu jari kanan: ")
    assert screen.finger_scores[1].text().startswith("Ibu jari kiri: ")
    assert all(not img.pixmap().isNull() for img in screen.finger_images)
    assert "batas mutu" in screen.finger_status.text()


def test_live_preview_shows_camera_frames(qtbot, screen: QtSelfTestScreen):
    screen.start_preview()
    qtbot.waitUntil(lambda: not screen.preview.pixmap().isNull(), timeout=15000)
    first = screen.last_seq
    qtbot.waitUntil(lambda: screen.last_seq > first, timeout=15000)
    screen.stop_preview()


def test_signature_test_stroke_is_read_from_the_pad(qtbot, screen: QtSelfTestScreen):
    screen.resize(1366, 720)
    screen.show()
    qtbot.waitExposed(screen)
    sign(screen.pad)
    assert "Goresan terbaca" in screen.signature_status.text()
    screen.pad.clear()
    screen.check_signature()
    assert "goresan uji" in screen.signature_status.text()


def test_an_operator_cannot_open_the_selftest_screen(station: Store, runner, tmp_path: Path):
    operator = accounts.get_user(station, "operator")
    with pytest.raises(PermissionDenied):
        QtSelfTestScreen(DeskService(station, tmp_path / "s.toml", operator), runner)


def test_a_bug_in_the_test_capture_reads_as_an_unexpected_error_with_a_logged_traceback(
    qtbot, screen: QtSelfTestScreen, caplog, monkeypatch
):
    """A TypeError in the thumbs test is not shown as 'Gagal: TypeError: ...' but as the
    unexpected-error sentence; the log has its traceback."""
    import logging

    caplog.set_level(logging.INFO, logger="kiosk")

    def broken() -> None:
        raise TypeError("'NoneType' object is not subscriptable")

    monkeypatch.setattr(screen.service, "test_fingerprint", broken)
    screen.finger_button.click()
    qtbot.waitUntil(screen.finger_button.isEnabled, timeout=5000)
    assert screen.finger_status.text() == (
        "Terjadi kesalahan tak terduga; rinciannya ada di log. Bila berulang, hubungi teknisi.")
    assert "TypeError" not in screen.finger_status.text()
    assert [r for r in caplog.records if r.exc_info and r.exc_info[0] is TypeError]
