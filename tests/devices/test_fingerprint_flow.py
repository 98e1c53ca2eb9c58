"""The 4-4-2 flow over the simulator: thresholds, attempts keeping the best, exceptions."""

from __future__ import annotations

import pytest

from kiosk.devices.base import CaptureFailed
from kiosk.devices.fingerprint import FingerprintCapture, InvalidFingerException, threshold
from kiosk.domain.recording import FINGER_NAMES
from kiosk.settings import Settings


@pytest.fixture
def capture(client):
    return FingerprintCapture(client, client.find(), Settings())


def test_thresholds_per_finger_come_from_settings():
    s = Settings({"finger.threshold_ring": 15})
    assert [threshold(p, s) for p in (1, 2, 3, 4, 5)] == [30, 30, 20, 15, 10]
    assert threshold(9, s) == 15


def test_full_4_4_2_capture_with_good_fingers_takes_one_attempt_per_slap(sim, capture):
    capture.run_all()
    assert [st.attempts for st in capture.slaps.values()] == [1, 1, 1]
    assert capture.missing() == []
    kinds = [b.kind for b in capture.blobs()]
    assert kinds == [f"finger.{p}" for p in FINGER_NAMES] + ["sbi.evidence"]
    subs = [r["bio"][0]["deviceSubId"] for r in sim.state.requests]
    assert subs == ["2", "1", "3"]  # right slap, left slap, thumbs (strings, as the spec)
    assert all(q["passed"] for q in capture.quality().values())


def test_three_low_quality_attempts_then_the_best_is_kept(sim, capture):
    sim.control(quality=[0.1, 0.2, 0.0])  # all under the index threshold of 30
    state = capture.run_slap("right")
    assert state.attempts == 3
    scores = [h[2] for h in state.history]
    assert scores[1] == max(scores) and scores[1] < 30
    best = state.best[2]
    assert best.attempt == 2 and best.quality == scores[1] and not best.passed
    assert not capture.can_attempt("right")
    with pytest.raises(CaptureFailed) as err:
        capture.attempt("right")
    assert "batas 3 kali" in err.value.msg.id
    assert capture.quality()["finger.2"]["attempts"] == 3


def test_attempts_stop_as_soon_as_every_finger_passes(sim, capture):
    sim.control(quality=[0.1, 0.95, 0.1])
    state = capture.run_slap("left")
    assert state.attempts == 2 and state.passed(capture.exceptions)


def test_a_worse_later_attempt_never_replaces_a_better_finger(sim, capture):
    sim.control(quality=[0.9, 0.2])
    capture.attempt("thumbs")
    first = dict(capture.slaps["thumbs"].best)
    capture.attempt("thumbs")
    assert capture.slaps["thumbs"].best == first


def test_exceptions_are_sent_to_the_device_and_recorded(sim, capture):
    capture.excuse(2, "amputated")
    capture.excuse(6, "bandaged")
    capture.run_all()
    right = sim.state.requests[0]["bio"][0]
    assert right["exception"] == ["Right IndexFinger"] and right["count"] == "3"
    assert sim.state.requests[2]["bio"][0]["exception"] == ["Left Thumb"]
    assert capture.exception_kinds() == {"finger.2": "amputated", "finger.6": "bandaged"}
    assert capture.missing() == []
    assert "finger.2" not in {b.kind for b in capture.blobs()}


def test_a_fully_excused_slap_is_never_sent(sim, capture):
    for p in (1, 6):
        capture.excuse(p, "unable")
    assert not capture.can_attempt("thumbs")
    capture.run_slap("thumbs")
    assert sim.state.requests == []


def test_unknown_exception_reason_is_refused(capture):
    with pytest.raises(InvalidFingerException):
        capture.excuse(3, "lazy")


def test_reading_a_slap_leaves_the_capture_state_alone_until_it_is_merged(sim, capture):
    """`read` (the device worker's part) only talks to the device; `merge` (the GUI thread's)
    counts the attempt and keeps the fingers."""
    req = capture.request("right")
    got = capture.read(req)
    assert len(sim.state.requests) == 1
    assert capture.slaps["right"].attempts == 0 and capture.results() == {}
    assert sorted(f.position for f in got.fingers) == [2, 3, 4, 5]
    assert all(f.blob.kind == f"finger.{f.position}" for f in got.fingers)  # hashed there
    state = capture.merge(got)
    assert state.attempts == 1 and sorted(state.best) == [2, 3, 4, 5]
    assert state.best[2].attempt == 1


def test_a_finger_excused_while_the_scanner_was_capturing_is_not_kept(sim, capture):
    got = capture.read(capture.request("right"))
    capture.excuse(3, "bandaged")
    capture.merge(got)
    assert 3 not in capture.results()
    assert sorted(capture.slaps["right"].best) == [2, 4, 5]
    assert capture.exceptions == {3: "bandaged"}


def test_failures_in_a_row_count_the_last_attempts_under_the_threshold(sim, capture):
    sim.control(quality=[0.0, 0.0, 1.0])
    assert capture.failures_in_a_row("right") == 0
    capture.attempt("right")
    capture.attempt("right")
    assert capture.failures_in_a_row("right") == 2
    assert capture.failures_in_a_row("left") == 0
    capture.attempt("right")
    assert capture.failures_in_a_row("right") == 0
