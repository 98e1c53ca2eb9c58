"""A capture in flight and the draft: the fingers reach the draft on the GUI thread only, the
flow does not move away while the scanner works, and a result arriving after the operator
discarded the draft (fingerprint or photo) never touches the next applicant's draft."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from kiosk.devices.fingerprint import SlapState
from tests.ui.conftest import applicant, login


def click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def start_recording(qtbot, window, station, seed: int = 7) -> None:
    if window.user is None:
        login(qtbot, window)
    click(qtbot, window.home.new_button)
    window.flow.steps["data"].fill(applicant(station, seed))
    click(qtbot, window.flow.next_button)


def open_fingers(qtbot, window, station, seed: int = 7):
    start_recording(qtbot, window, station, seed)
    window.flow.go_to("fingers")
    fingers = window.flow.steps["fingers"]
    qtbot.waitUntil(lambda: fingers.slap_buttons["right"].isEnabled(), timeout=10000)
    return fingers


def hold_runner(runner) -> tuple[threading.Event, threading.Event]:
    """Queue a job that blocks the device worker until released: (started, release)."""
    started, release = threading.Event(), threading.Event()

    def hold() -> None:
        started.set()
        release.wait(10)

    runner.run_task(hold, lambda _r: None, lambda exc: pytest.fail(f"hold failed: {exc!r}"))
    return started, release


def test_the_fingers_reach_the_capture_state_on_the_gui_thread_only(qtbot, window, station):
    """Every write to a slap's state (attempts, history, best fingers) happens on the GUI
    thread, after the device worker returned, while the screen paints from that state."""
    fingers = open_fingers(qtbot, window, station)
    cap = window.flow.draft.fingers
    writes: list[tuple[str, threading.Thread]] = []

    class WatchedDict(dict):
        def __setitem__(self, key, value):
            writes.append(("best", threading.current_thread()))
            super().__setitem__(key, value)

    class WatchedList(list):
        def append(self, value):
            writes.append(("history", threading.current_thread()))
            super().append(value)

    @dataclass
    class WatchedState(SlapState):
        def __setattr__(self, name, value):
            writes.append((name, threading.current_thread()))
            super().__setattr__(name, value)

    cap.slaps["right"] = WatchedState(cap.slaps["right"].slap, best=WatchedDict(),
                                      history=WatchedList())
    writes.clear()
    click(qtbot, fingers.slap_buttons["right"])
    qtbot.waitUntil(lambda: not fingers.busy, timeout=10000)
    assert fingers.error.text() == ""
    assert cap.slaps["right"].attempts == 1 and len(cap.slaps["right"].best) == 4
    assert {name for name, _ in writes} >= {"attempts", "history", "best"}
    assert [name for name, t in writes if t is not threading.main_thread()] == []


def test_back_next_and_jumps_wait_while_a_capture_runs(qtbot, window, station, sbi):
    """A slow capture: Back and Next are disabled and Alt+Left or an Edit jump does not move
    the flow; once the capture is in, Back works again."""
    fingers = open_fingers(qtbot, window, station)
    flow = window.flow
    assert flow.back_button.isEnabled()
    sbi.control(delay_s=1.5)
    click(qtbot, fingers.slap_buttons["right"])
    assert fingers.busy
    assert not flow.back_button.isEnabled() and not flow.next_button.isEnabled()
    flow.back()  # what Alt+Left calls
    flow.go_to("data")  # what review's Edit calls
    assert flow.names[flow.index] == "fingers"
    qtbot.waitUntil(lambda: not fingers.busy, timeout=10000)
    assert flow.draft.finger_state(2) == "captured"
    assert flow.back_button.isEnabled()
    click(qtbot, flow.back_button)
    assert flow.names[flow.index] == "photo"


def test_a_capture_finishing_after_the_draft_was_discarded_touches_no_other_draft(
    qtbot, window, station, sbi
):
    """The operator cancels during a slow capture and starts the next applicant: the old
    result is dropped, the step stays busy until the new applicant's scanner call is done,
    and the new draft starts with no fingers."""
    fingers = open_fingers(qtbot, window, station)
    flow, runner = window.flow, window.ctx.device_runner
    old = flow.draft.fingers
    sbi.control(delay_s=1.0)
    click(qtbot, fingers.slap_buttons["right"])
    started, release = hold_runner(runner)
    flow.discard()
    window.go_home()
    start_recording(qtbot, window, station, seed=8)
    new_draft = flow.draft
    flow.go_to("fingers")  # its scanner connection waits behind the capture and the hold
    qtbot.waitUntil(started.is_set, timeout=10000)  # the old capture has returned
    QApplication.processEvents()  # ... and its result reached the GUI thread
    assert old.slaps["right"].attempts == 0 and old.results() == {}
    assert new_draft.fingers is None
    assert fingers.busy and not flow.back_button.isEnabled()
    release.set()
    qtbot.waitUntil(lambda: not fingers.busy, timeout=10000)
    cap = new_draft.fingers
    assert cap is not None and cap is not old
    assert [s.attempts for s in cap.slaps.values()] == [0, 0, 0] and cap.results() == {}
    assert fingers.slap_buttons["right"].isEnabled()
    assert fingers.slap_buttons["right"].text().endswith("(0/3)")


def test_a_photo_taken_for_a_discarded_draft_is_not_given_to_the_next(qtbot, window, station):
    """Ambil foto, then the operator leaves before the portrait is cut: the next applicant's
    draft has no photo."""
    start_recording(qtbot, window, station)
    flow, runner = window.flow, window.ctx.device_runner
    photo = flow.steps["photo"]
    qtbot.waitUntil(photo.capture_button.isEnabled, timeout=15000)
    started, release = hold_runner(runner)
    click(qtbot, photo.capture_button)  # the portrait job waits behind the hold
    qtbot.waitUntil(started.is_set, timeout=10000)
    flow.discard()
    window.go_home()
    start_recording(qtbot, window, station, seed=8)
    new_draft = flow.draft
    release.set()
    # the new draft's preview frames were queued after the portrait: once one is shown, the
    # portrait's result has been delivered too
    qtbot.waitUntil(lambda: photo.capture_button.isEnabled() or new_draft.photo is not None,
                    timeout=15000)
    assert new_draft.photo is None
    assert flow.names[flow.index] == "photo"


def test_the_lock_screen_and_logout_during_a_capture(qtbot, window, station, sbi):
    """Locked during a slow capture, the fingers land in the same draft and are there after
    unlocking; logging out during one drops it, and the next recording starts clean."""
    fingers = open_fingers(qtbot, window, station)
    flow = window.flow
    draft = flow.draft
    sbi.control(delay_s=1.0)
    click(qtbot, fingers.slap_buttons["right"])
    window.lock()
    assert window.page() is window.lock_screen
    qtbot.waitUntil(lambda: not fingers.busy, timeout=10000)
    assert draft.finger_state(2) == "captured"
    qtbot.keyClicks(window.lock_screen.pin, "111111")
    click(qtbot, window.lock_screen.unlock_button)
    assert window.page() is flow and flow.draft is draft
    assert fingers.slap_buttons["right"].text().endswith("(1/3)")

    click(qtbot, fingers.slap_buttons["left"])

    def leave() -> None:  # "Tinggalkan perekaman?" -> "Ya, tinggalkan"
        box = QApplication.activeModalWidget()
        box.buttons()[0].click()

    QTimer.singleShot(0, leave)
    window.logout()
    assert window.page() is window.login and flow.draft is None
    qtbot.waitUntil(lambda: not fingers.busy, timeout=10000)
    assert draft.fingers.slaps["left"].attempts == 0
    sbi.control(delay_s=0.0)
    fingers = open_fingers(qtbot, window, station, seed=9)
    assert [s.attempts for s in flow.draft.fingers.slaps.values()] == [0, 0, 0]
