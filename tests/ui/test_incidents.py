"""Device failures during real work reach the technician's history as incidents: the camera
lost in the photo step, the scanner unplugged mid-capture, a slap failing the quality threshold
three times in a row. One incident per failure (not per frame or retry), ended when the device
works again, written on the GUI thread. Driven through the window on the real fake devices."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt

from kiosk.app import history
from kiosk.app.incidents import QUALITY_FAILURES
from tests.ui.conftest import applicant, login


def click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


@pytest.fixture
def written_on(station, monkeypatch):
    """The thread of every incident row written or ended (the GUI's store connection)."""
    threads: list[threading.Thread] = []
    add, end = station.add_incident, station.end_incident

    def add_incident(*args, **kwargs):
        threads.append(threading.current_thread())
        return add(*args, **kwargs)

    def end_incident(*args, **kwargs):
        threads.append(threading.current_thread())
        return end(*args, **kwargs)

    monkeypatch.setattr(station, "add_incident", add_incident)
    monkeypatch.setattr(station, "end_incident", end_incident)
    return threads


def start_recording(qtbot, window, station) -> None:
    login(qtbot, window)
    click(qtbot, window.home.new_button)
    window.flow.steps["data"].fill(applicant(station))
    click(qtbot, window.flow.next_button)


def open_fingers(qtbot, window, station):
    start_recording(qtbot, window, station)
    window.flow.go_to("fingers")
    fingers = window.flow.steps["fingers"]
    qtbot.waitUntil(lambda: fingers.slap_buttons["right"].isEnabled(), timeout=10000)
    return fingers


def device_rows(station, device: str) -> list[dict]:
    return [r for r in station.incidents() if r["device"] == device]


def test_the_camera_lost_in_the_photo_step_is_one_incident_until_frames_come_back(
    qtbot, window, station, tmp_path, written_on
):
    """Frames flow, then the camera's source is gone (re-opened on a missing file): one
    DeviceUnavailable incident, still one after a failed retry; frames again end it, and the
    history shows its duration."""
    start_recording(qtbot, window, station)
    photo, devices = window.flow.steps["photo"], window.ctx.devices
    qtbot.waitUntil(photo.capture_button.isEnabled, timeout=15000)
    assert device_rows(station, "camera") == []

    good = devices.camera_source
    devices.camera_source = str(tmp_path / "unplugged.avi")
    window.ctx.device_runner.run_task(devices.close_camera, lambda _r: None,
                                      lambda exc: pytest.fail(f"close failed: {exc!r}"))
    qtbot.waitUntil(lambda: bool(photo.error.text()), timeout=10000)
    assert "Kamera tidak terhubung" in photo.error.text()
    rows = device_rows(station, "camera")
    assert len(rows) == 1 and rows[0]["kind"] == "DeviceUnavailable"
    assert "unplugged.avi" in rows[0]["detail"] and rows[0]["ended_at"] is None

    click(qtbot, photo.retry_button)  # still unplugged: the same incident goes on
    qtbot.waitUntil(lambda: bool(photo.error.text()), timeout=10000)
    assert len(device_rows(station, "camera")) == 1

    devices.camera_source = good
    click(qtbot, photo.retry_button)
    qtbot.waitUntil(photo.capture_button.isEnabled, timeout=15000)
    (row,) = device_rows(station, "camera")
    assert row["ended_at"] is not None
    (shown,) = history.incident_history(station, device="camera")
    assert shown.duration_minutes is not None and shown.ended_at >= shown.started_at
    assert written_on and all(t is threading.main_thread() for t in written_on)


def test_the_scanner_stopped_mid_capture_is_an_incident_ended_by_the_next_capture(
    qtbot, window, station, sbi, written_on
):
    """The SBI service stops while a slap is on the glass: the step says so and one incident
    opens; the service back, the next capture of the slap works and ends it."""
    fingers = open_fingers(qtbot, window, station)
    sbi.control(delay_s=3.0)
    click(qtbot, fingers.slap_buttons["right"])
    qtbot.waitUntil(lambda: len(sbi.state.requests) == 1, timeout=5000)
    port = sbi.port
    sbi.stop()
    qtbot.waitUntil(lambda: not fingers.busy, timeout=10000)
    assert fingers.error.text()
    rows = device_rows(station, "fingerprint")
    assert len(rows) == 1 and rows[0]["kind"] == "DeviceUnavailable"
    assert rows[0]["ended_at"] is None
    assert window.flow.draft.fingers.slaps["right"].attempts == 0

    sbi.port = port
    sbi.control(delay_s=0.0)
    sbi.start()
    click(qtbot, fingers.slap_buttons["right"])
    qtbot.waitUntil(lambda: not fingers.busy, timeout=10000)
    assert fingers.error.text() == ""
    assert window.flow.draft.finger_state(2) == "captured"
    (row,) = device_rows(station, "fingerprint")
    assert row["ended_at"] is not None
    assert all(t is threading.main_thread() for t in written_on)


def test_three_low_quality_attempts_of_a_slap_open_one_incident_the_next_good_one_ends_it(
    qtbot, window, station, sbi
):
    """Poor fingers on the right slap: no incident after one or two attempts, one
    quality_failures incident after the third; a passing left slap ends it."""
    fingers = open_fingers(qtbot, window, station)
    sbi.control(quality=0.0)
    counts = []
    for _ in range(3):
        click(qtbot, fingers.slap_buttons["right"])
        qtbot.waitUntil(lambda: not fingers.busy, timeout=10000)
        counts.append(len([r for r in station.incidents() if r["kind"] == QUALITY_FAILURES]))
    assert counts == [0, 0, 1]
    assert not fingers.slap_buttons["right"].isEnabled()  # the attempts are used up
    (row,) = [r for r in station.incidents() if r["kind"] == QUALITY_FAILURES]
    assert row["device"] == "fingerprint" and row["ended_at"] is None
    assert "Empat jari kanan" in row["detail"] and "3 kali" in row["detail"]
    assert window.flow.draft.finger_state(2) == "low"

    sbi.control(quality=1.0)
    click(qtbot, fingers.slap_buttons["left"])
    qtbot.waitUntil(lambda: not fingers.busy, timeout=10000)
    assert window.flow.draft.finger_state(7) == "captured"
    (row,) = [r for r in station.incidents() if r["kind"] == QUALITY_FAILURES]
    assert row["ended_at"] is not None
    assert [r for r in station.incidents() if r["kind"] != QUALITY_FAILURES] == []
