"""Frames of the shipped public-domain portrait, framed like a camera at a recording desk.

resources/demo/eileen-collins-nasa.png (NASA, public domain; see resources/demo/NOTICE.md).
`framed` puts the face where a well-seated applicant's face is in a 640x480 frame; its
arguments move, shrink, blur or darken it for the fake camera and the quality tests.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

from kiosk.paths import RESOURCES

PORTRAIT = RESOURCES / "demo" / "eileen-collins-nasa.png"
FACE_CENTRE = (224.5, 113.5)  # Haar box (177, 66, 95, 95) in the 512 x 512 source
HAAR_W = 95.0


@lru_cache(maxsize=1)
def source() -> np.ndarray:
    img = cv2.imread(str(PORTRAIT))
    if img is None:
        raise FileNotFoundError(PORTRAIT)
    return img


def framed(w: int = 640, h: int = 480, *, face_box_ratio: float = 0.45, dx: float = 0.0,
           dy: float = 0.0, blur: float = 0.0, gain: float = 1.0) -> np.ndarray:
    """A BGR frame with the Haar face box `face_box_ratio` x the portrait-window width.

    `dx`/`dy` shift the face by that fraction of the frame width/height; `blur` is a Gaussian
    sigma in pixels; `gain` scales brightness.
    """
    src = source()
    window_w = min(w, h * 3 // 4)
    scale = face_box_ratio * window_w / HAAR_W
    cx, cy = FACE_CENTRE[0] * scale, FACE_CENTRE[1] * scale
    # face centre at the middle of the frame, slightly above half height, as eyes sit high
    m = np.float32([[scale, 0, w / 2 + dx * w - cx], [0, scale, h * 0.42 + dy * h - cy]])
    out = cv2.warpAffine(src, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    if blur > 0:
        out = cv2.GaussianBlur(out, (0, 0), blur)
    if gain != 1.0:
        out = cv2.convertScaleAbs(out, alpha=gain, beta=0)
    return out


def write_video(path: Path, *, seconds: float = 2.0, fps: float = 30.0, w: int = 640,
                h: int = 480) -> Path:
    """An MJPG AVI of the framed portrait with a small sway, for the fake camera."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.stem + ".part.avi")
    writer = cv2.VideoWriter(str(tmp), cv2.VideoWriter_fourcc(*"MJPG"), fps, (w, h))
    if not writer.isOpened():
        raise OSError(f"cannot write video {tmp}")
    n = max(1, int(seconds * fps))
    base = framed(w, h)
    for i in range(n):
        # a person breathing: a couple of pixels of sway, loops seamlessly
        shift = 2.0 * np.sin(2 * np.pi * i / n)
        m = np.float32([[1, 0, shift], [0, 1, shift / 2]])
        writer.write(cv2.warpAffine(base, m, (w, h), borderMode=cv2.BORDER_REPLICATE))
    writer.release()
    tmp.replace(path)
    return path
