"""The flow's other paths: a NIK recorded before is flagged, a finger and the signature are
excused with reasons, review's edit jumps back, and the exceptions are what gets saved."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from kiosk.demo.records import demo_recording
from tests.ui.conftest import applicant, login


def click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def test_duplicate_nik_exceptions_and_review_edit_reach_the_saved_record(
    qtbot, window, station
):
    person = applicant(station, seed=11)
    earlier = demo_recording(11, "627104", window.service.regions, station.today())
    earlier.applicant = person
    first = station.save_recording(earlier, "operator")

    login(qtbot, window)
    click(qtbot, window.home.new_button)
    flow = window.flow
    data = flow.steps["data"]
    data.fields["nik"].setText(person.nik)  # typing the NIK warns about the earlier recording
    assert data.duplicate.isVisible() and first.regno in data.duplicate.text()
    data.fill(person)
    click(qtbot, flow.next_button)

    photo = flow.steps["photo"]
    qtbot.waitUntil(photo.capture_button.isEnabled, timeout=15000)
    click(qtbot, photo.capture_button)
    qtbot.waitUntil(lambda: flow.draft.photo is not None, timeout=5000)
    click(qtbot, flow.next_button)

    fingers = flow.steps["fingers"]
    qtbot.waitUntil(lambda: fingers.exception_button.isEnabled(), timeout=10000)

    def excuse_little_finger() -> None:
        dialog = QApplication.activeModalWidget()
        dialog.finger.setCurrentIndex(dialog.finger.findData(5))
        dialog.reason.setCurrentIndex(dialog.reason.findData("amputated"))
        dialog.accept()

    QTimer.singleShot(0, excuse_little_finger)
    click(qtbot, fingers.exception_button)
    assert flow.draft.finger_state(5) == "exception"
    for name in ("right", "left", "thumbs"):
        qtbot.waitUntil(fingers.slap_buttons[name].isEnabled, timeout=10000)
        click(qtbot, fingers.slap_buttons[name])
        qtbot.waitUntil(lambda: not fingers.busy, timeout=10000)
    assert flow.draft.fingers_done()
    click(qtbot, flow.next_button)

    sig = flow.steps["signature"]
    assert not flow.next_button.isEnabled() or not sig.is_ready()  # nothing signed yet
    click(qtbot, sig.unable_button)
    assert sig.is_ready() and flow.draft.signature_exception
    click(qtbot, flow.next_button)

    review = flow.steps["review"]
    assert flow.names[flow.index] == "review"
    click(qtbot, review.edit_buttons["data"])
    assert flow.names[flow.index] == "data"
    flow.go_to("review")
    assert flow.names[flow.index] == "review"
    click(qtbot, flow.next_button)

    assert window.page() is window.receipt
    rows = station.find(window.receipt.regno.text())
    _, exceptions = station.applicant(rows[0]["id"])
    assert exceptions["finger.5"].startswith("amputated")
    assert "signature.png" in exceptions
    kinds = {b["kind"] for b in station.blob_rows(rows[0]["id"])}
    assert "finger.5" not in kinds and "signature.png" not in kinds and "finger.4" in kinds
    assert len(station.nik_seen(person.nik)) == 2
