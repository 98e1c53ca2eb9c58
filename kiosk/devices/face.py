"""Face-photo quality gate (ISO/IEC 19794-5 / ICAO 9303 ranges) and the 3:4 card portrait.

The checks run on the *portrait window*: the largest centred 3:4 (portrait) region of the
frame, full height; it is what the preview outlines and what `portrait_jpeg` saves, so a frame
that passes gives a photo that passes.

Calibration of the Haar box against the head (OpenCV `haarcascade_frontalface_default`, on the
shipped NASA portrait resources/demo/eileen-collins-nasa.png): the cascade box is 95 x 95 px at
(177, 66). Measured by hand on that photo, crown to chin is 162 px (1.70 x the box: the crown
lies 0.54 box heights above the box top, the chin 0.17 below its bottom); cheek to cheek is
about 1.0 x the box; the hair spans 149 px (1.57 x). Ears are hidden there, so the ear-to-ear
head width of ISO 19794-5 is taken as 1.25 x the box (`face.haar_to_head_width`), which puts
the 1.70 x head height at 0.6-0.9 of the image height when the width ratio is in 0.50-0.75.
Sharpness, exposure and background thresholds were set from the same photo framed as the fake
camera frames it (sharpness ~95, blurred by sigma 2 ~15; face mean ~150, darkened to 0.35 ~53;
background std ~11) and from the degraded versions in tests/devices/test_face.py.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

import cv2
import numpy as np

from kiosk.settings import Settings

DETECT_WIDTH = 180  # the portrait window is downscaled to this width for detection (speed)
# Smallest face box searched: 36 px = 0.2 of the window (a head ratio of 0.25, half the allowed
# minimum), so a too-far face still gets its hint; skipping smaller scales halves the cost.
MIN_FACE = 36
EYE_WIDTH = 80  # face crops are resized to this width before the eye cascade
SHARP_WIDTH = 128  # ... and to this width before the Laplacian, so size does not bias it


@dataclass(frozen=True)
class FaceCheck:
    """One quality check: measured `value` against `threshold`, with an operator hint."""

    name: str
    passed: bool
    value: float | None
    threshold: str
    hint_id: str = ""
    hint_en: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class FaceBox:
    """A Haar face box in full-frame pixels."""

    x: int
    y: int
    w: int
    h: int


@lru_cache(maxsize=1)
def _cascades() -> tuple[cv2.CascadeClassifier, cv2.CascadeClassifier]:
    face = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")
    eyes = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_eye.xml")
    if face.empty() or eyes.empty():
        raise RuntimeError("OpenCV Haar cascades missing (opencv-python 4.x ships them)")
    return face, eyes


def portrait_window(shape: tuple[int, ...]) -> tuple[int, int, int, int]:
    """(x, y, w, h) of the largest centred 3:4 portrait region of a frame of `shape`."""
    h, w = shape[:2]
    ww = min(w, h * 3 // 4)
    hh = min(h, ww * 4 // 3)
    return (w - ww) // 2, (h - hh) // 2, ww, hh


def detect_faces(grey: np.ndarray) -> list[FaceBox]:
    """Frontal faces in a grey image, largest first, in the image's own pixels."""
    face_cc, _ = _cascades()
    scale = min(1.0, DETECT_WIDTH / grey.shape[1])
    small = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    small = cv2.equalizeHist(small)
    found = face_cc.detectMultiScale(small, scaleFactor=1.2, minNeighbors=5,
                                      minSize=(MIN_FACE, MIN_FACE))
    boxes = [FaceBox(*(int(round(v / scale)) for v in f)) for f in found]
    return sorted(boxes, key=lambda b: -b.w * b.h)


def _eyes(grey: np.ndarray, box: FaceBox) -> int:
    _, eye_cc = _cascades()
    top = grey[box.y : box.y + box.h * 6 // 10, box.x : box.x + box.w]
    if top.size == 0:
        return 0
    scale = EYE_WIDTH / top.shape[1]
    top = cv2.resize(top, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    found = eye_cc.detectMultiScale(top, scaleFactor=1.1, minNeighbors=3, minSize=(10, 10))
    return len(found)


def _check(name: str, passed: bool, value: float | None, threshold: str,
           hint: tuple[str, str]) -> FaceCheck:
    return FaceCheck(name, bool(passed), None if value is None else round(float(value), 3),
                     threshold, *(("", "") if passed else hint))


def check_face(frame: np.ndarray, settings: Settings) -> list[FaceCheck]:
    """All face checks on a BGR frame, in a fixed order (see the module docstring)."""
    s = settings
    wx, wy, ww, wh = portrait_window(frame.shape)
    grey_full = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    grey = grey_full[wy : wy + wh, wx : wx + ww]
    faces = detect_faces(grey)
    checks = [_check("face_count", len(faces) == 1, len(faces), "== 1",
                     ("Tidak ada wajah terdeteksi, hadapkan wajah ke kamera" if not faces else
                      "Lebih dari satu wajah, hanya pemohon di depan kamera",
                      "No face found, face the camera" if not faces else
                      "More than one face, only the applicant in front of the camera"))]
    no_face = ("Wajah tidak terdeteksi", "No face found")
    if not faces:
        # still tell the operator whether the picture is simply too dark or too bright
        centre = grey[wh // 4 : wh * 3 // 4, ww // 4 : ww * 3 // 4]
        checks += [_check(n, False, None, "", no_face)
                   for n in ("size", "centring", "eyes", "sharpness")]
        checks += _exposure(centre, s)
        checks.append(_check("background", False, None, "", no_face))
        return checks
    box = faces[0]
    head_w = box.w * s["face.haar_to_head_width"] / ww
    lo, hi = s["face.min_width_ratio"], s["face.max_width_ratio"]
    checks.append(_check(
        "size", lo <= head_w <= hi, head_w, f"{lo}-{hi}",
        ("Wajah terlalu jauh, mendekat ke kamera", "Face too far, move closer to the camera")
        if head_w < lo else
        ("Wajah terlalu dekat, mundur sedikit", "Face too close, move back a little")))
    centre = (box.x + box.w / 2) / ww
    clo, chi = s["face.centre_min"], s["face.centre_max"]
    checks.append(_check(
        "centring", clo <= centre <= chi, centre, f"{clo}-{chi}",
        ("Wajah tidak di tengah, geser ke tengah bingkai",
         "Face not centred, move to the middle of the frame")))
    n_eyes = _eyes(grey, box)
    checks.append(_check("eyes", n_eyes >= 2, n_eyes, ">= 2",
                         ("Mata tidak terlihat, buka mata dan lepas kacamata gelap",
                          "Eyes not visible, open the eyes and remove dark glasses")))
    face = grey[box.y : box.y + box.h, box.x : box.x + box.w]
    sharp = sharpness(face)
    checks.append(_check("sharpness", sharp >= s["face.min_sharpness"], sharp,
                         f">= {s['face.min_sharpness']}",
                         ("Gambar kabur, diam sebentar atau bersihkan lensa",
                          "Picture blurred, hold still or clean the lens")))
    checks += _exposure(face, s)
    checks.append(_background(grey, box, s))
    return checks


def _exposure(region: np.ndarray, s: Settings) -> list[FaceCheck]:
    mean = float(region.mean())
    lo, hi = s["face.min_exposure"], s["face.max_exposure"]
    clipped = float(np.count_nonzero((region <= 5) | (region >= 250))) / max(1, region.size)
    return [
        _check("exposure", lo <= mean <= hi, mean, f"{lo}-{hi}",
               ("Wajah terlalu gelap, tambah cahaya", "Face too dark, add light") if mean < lo
               else ("Wajah terlalu terang, kurangi cahaya", "Face too bright, reduce light")),
        _check("clipping", clipped <= s["face.max_clipped"], clipped,
               f"<= {s['face.max_clipped']}",
               ("Cahaya terlalu keras, hindari pantulan dan bayangan pekat",
                "Light too harsh, avoid glare and deep shadows")),
    ]


def sharpness(face: np.ndarray) -> float:
    """Variance of the Laplacian of the face at a fixed width, normalised to mean grey 128.

    The fixed width keeps a near face from scoring blurrier than a far one; the brightness
    normalisation (the variance scales with the square of the gain) keeps a dark but sharp
    face failing on exposure, not on sharpness.
    """
    small = cv2.resize(face, (SHARP_WIDTH, max(1, face.shape[0] * SHARP_WIDTH // face.shape[1])),
                       interpolation=cv2.INTER_AREA)
    mean = max(8.0, float(small.mean()))
    return float(cv2.Laplacian(small, cv2.CV_32F).var()) * (128.0 / mean) ** 2


def _background(grey: np.ndarray, box: FaceBox, s: Settings) -> FaceCheck:
    """Grey-level spread of the window's top and side bands, outside an ellipse around the head.

    The ellipse (centre 0.2 box heights above the box centre, half-axes 0.85 x 1.05 box)
    covers hair and ears as calibrated on the shipped portrait; below the box bottom the
    shoulders begin, so only rows above it count.
    """
    h, w = grey.shape
    band = max(4, w // 8)
    yy, xx = np.ogrid[0:h, 0:w]
    cx, cy = box.x + box.w / 2, box.y + box.h * 0.3
    head = ((xx - cx) / (box.w * 0.85)) ** 2 + ((yy - cy) / (box.h * 1.05)) ** 2 <= 1.0
    border = (xx < band) | (xx >= w - band) | (yy < band)
    mask = border & ~head & (yy < box.y + box.h)
    pixels = grey[mask]
    if pixels.size < 200:  # the head fills the window: nothing left to judge
        value = None
        passed = False
    else:
        value = float(pixels.std())
        passed = value <= s["face.max_background_std"]
    return _check("background", passed, value, f"<= {s['face.max_background_std']}",
                  ("Latar belakang tidak polos, gunakan latar polos di belakang pemohon",
                   "Background not plain, use a plain backdrop behind the applicant"))


def passed(checks: list[FaceCheck]) -> bool:
    return all(c.passed for c in checks)


def portrait_jpeg(frame: np.ndarray, settings: Settings) -> bytes:
    """The accepted photo: the portrait window, resized to the card's 3:4, as JPEG bytes."""
    x, y, w, h = portrait_window(frame.shape)
    out_w = settings["face.photo_width"]
    crop = cv2.resize(frame[y : y + h, x : x + w], (out_w, out_w * 4 // 3),
                      interpolation=cv2.INTER_AREA if w > out_w else cv2.INTER_CUBIC)
    ok, jpg = cv2.imencode(".jpg", crop, [cv2.IMWRITE_JPEG_QUALITY, settings["face.jpeg_quality"]])
    if not ok:
        raise ValueError("JPEG encoding failed")
    return jpg.tobytes()
