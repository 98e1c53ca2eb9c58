"""The fake camera: the shipped demo face as a looping video, played through the real OpenCV
camera (kiosk.devices.camera.OpenCVCamera), so tests and the demo exercise the same path."""

from __future__ import annotations

from pathlib import Path

import platformdirs

from kiosk.devices.sim import face as demo_face
from kiosk.paths import APP_NAME


def fake_camera_source(cache_dir: Path | None = None) -> Path:
    """A looping MJPG video of the shipped demo face (created once, then reused)."""
    folder = cache_dir or Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))
    path = folder / "demo-face-640x480-30fps.avi"
    if not path.exists():
        demo_face.write_video(path)
    return path
