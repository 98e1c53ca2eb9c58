"""Face quality on the shipped NASA portrait: framed, it passes; degraded, the right check fails."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from kiosk.devices import face
from kiosk.devices.sim import face as demo_face
from kiosk.settings import Settings


def _by_name(frame: np.ndarray) -> dict[str, face.FaceCheck]:
    return {c.name: c for c in face.check_face(frame, Settings())}


def _failed(frame: np.ndarray) -> set[str]:
    return {c.name for c in face.check_face(frame, Settings()) if not c.passed}


def test_well_framed_portrait_passes_every_check():
    checks = face.check_face(demo_face.framed(), Settings())
    assert [c.name for c in checks] == [
        "face_count", "size", "centring", "eyes", "sharpness", "exposure", "clipping",
        "background"]
    assert face.passed(checks), [c for c in checks if not c.passed]


def test_plain_square_source_photo_fails_only_on_framing_not_detection():
    """The raw 512x512 photo has the head too small for a card portrait."""
    checks = _by_name(demo_face.source())
    assert checks["face_count"].passed and checks["eyes"].passed
    assert not checks["size"].passed
    assert "mendekat" in checks["size"].hint_id


@pytest.mark.parametrize("dx", [-0.08, 0.08])
def test_shifted_face_fails_centring(dx):
    failed = _failed(demo_face.framed(dx=dx))
    assert "centring" in failed
    assert failed <= {"centring", "background"}  # the flag may enter the background band


def test_shrunk_face_fails_size_with_move_closer_hint():
    checks = _by_name(demo_face.framed(face_box_ratio=0.3))
    assert not checks["size"].passed
    assert checks["size"].value < Settings()["face.min_width_ratio"]
    assert checks["size"].hint_id == "Wajah terlalu jauh, mendekat ke kamera"
    assert {c.name for c in checks.values() if not c.passed} == {"size"}


def test_enlarged_face_fails_size_with_move_back_hint():
    checks = _by_name(demo_face.framed(face_box_ratio=0.7))
    assert not checks["size"].passed
    assert "mundur" in checks["size"].hint_id


@pytest.mark.parametrize("sigma", [2.0, 3.0])
def test_blurred_face_fails_sharpness_only(sigma):
    assert _failed(demo_face.framed(blur=sigma)) == {"sharpness"}


def test_darkened_face_fails_exposure_only():
    checks = _by_name(demo_face.framed(gain=0.35))
    assert {c.name for c in checks.values() if not c.passed} == {"exposure"}
    assert "gelap" in checks["exposure"].hint_id


def test_overexposed_face_fails_exposure_and_clipping():
    failed = _failed(demo_face.framed(gain=1.6))
    assert {"exposure", "clipping"} <= failed


def test_busy_background_fails_background_check():
    frame = demo_face.framed()
    stripes = np.indices(frame.shape[:2]).sum(axis=0) // 12 % 2 * 255
    x, y, w, h = face.portrait_window(frame.shape)
    band = w // 8
    frame[y : y + h // 3, x : x + band] = stripes[: h // 3, :band, None]
    assert _failed(frame) == {"background"}


def test_empty_scene_reports_no_face_and_still_judges_exposure():
    checks = _by_name(np.full((480, 640, 3), 20, np.uint8))
    assert checks["face_count"].value == 0 and not checks["face_count"].passed
    assert not checks["exposure"].passed and checks["exposure"].value == pytest.approx(20)


def test_two_faces_fail_face_count():
    one = demo_face.framed(face_box_ratio=0.22)
    two = np.concatenate([one[:, 230:410], one[:, 230:410]], axis=1)  # 360 x 480: all window
    checks = _by_name(two)
    assert checks["face_count"].value == 2 and not checks["face_count"].passed


def test_portrait_jpeg_is_a_3_to_4_jpeg_of_the_configured_width():
    data = face.portrait_jpeg(demo_face.framed(), Settings())
    img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    assert data[:2] == b"\xff\xd8"
    assert img.shape[1] == Settings()["face.photo_width"]
    assert abs(img.shape[0] * 3 - img.shape[1] * 4) <= 4  # 3:4 up to rounding
    assert face.passed(face.check_face(img, Settings()))


def test_thresholds_come_from_settings():
    strict = Settings({"face.min_sharpness": 10_000.0})
    checks = {c.name: c for c in face.check_face(demo_face.framed(), strict)}
    assert not checks["sharpness"].passed and checks["sharpness"].threshold == ">= 10000.0"
