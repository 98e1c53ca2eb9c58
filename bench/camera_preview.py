"""Camera preview throughput with the face-quality overlay, beside a bare OpenCV read loop.

Source: the fake camera's 640x480 MJPG video at 30 fps. Both loops pace the file to its frame
rate, as a live camera would deliver it (an unpaced file read would just measure the decoder).
Bare loop: `VideoCapture.read()` and nothing else. Station path: OpenCVCamera's reader thread
plus a consumer that takes every new frame and computes all face checks on it.
Targets: >= 25 fps delivered with the overlay and >= 0.9 x the bare loop.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

from kiosk.devices import face
from kiosk.devices.camera import OpenCVCamera
from kiosk.devices.sim.camera import fake_camera_source
from kiosk.settings import Settings

SECONDS = 8.0


def bare_loop(path: Path) -> float:
    cap = cv2.VideoCapture(str(path))
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    period, n = 1.0 / fps, 0
    start = time.monotonic()
    due = start
    while time.monotonic() - start < SECONDS:
        ok, _ = cap.read()
        if not ok:
            cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
            continue
        n += 1
        due += period
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    cap.release()
    return n / (time.monotonic() - start)


def station_loop(path: Path) -> tuple[float, int, float]:
    settings = Settings()
    face.check_face(np.zeros((480, 640, 3), np.uint8), settings)  # load cascades untimed
    with OpenCVCamera(str(path)) as cam:
        seq, _ = cam.latest()
        first = seq
        start = time.monotonic()
        checked = passed = 0
        while time.monotonic() - start < SECONDS:
            seq, frame = cam.latest(after=seq)
            passed += face.passed(face.check_face(frame, settings))
            checked += 1
        elapsed = time.monotonic() - start
        skipped = (seq - first) - checked
    return checked / elapsed, skipped, passed / max(1, checked)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = fake_camera_source(Path(tmp))
        bare = bare_loop(path)
        fps, skipped, pass_rate = station_loop(path)
    print(json.dumps({
        "benchmark": "camera_preview", "source": "640x480 MJPG file, 30 fps, paced",
        "seconds_each": SECONDS, "bare_opencv_read_fps": round(bare, 1),
        "preview_with_quality_fps": round(fps, 1), "ratio_to_bare": round(fps / bare, 3),
        "frames_skipped_by_preview": skipped, "frames_passing_quality": round(pass_rate, 3),
        "target_fps": 25, "target_ratio": 0.9,
        "meets_target": fps >= 25 and fps / bare >= 0.9,
    }))


if __name__ == "__main__":
    main()
