"""The camera: OpenCV `VideoCapture` on a device index or a file/URL, read on its own thread.

The reader thread keeps only the newest frame, so preview and capture never wait for a stale
one. A file source is paced to its own frame rate and loops, so a recorded video behaves like
a live camera (the fake camera is exactly that: kiosk.devices.sim.camera). A camera that
stops delivering frames raises `DeviceUnavailable` from `latest`; `open` again reconnects it.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import cv2
import numpy as np

from kiosk.devices.base import DISCONNECTED, READY, DeviceInfo, DeviceUnavailable

FAILED_READS_BEFORE_LOST = 15  # ~0.5 s of a 30 fps camera returning nothing


def _parse_source(source: str | int) -> str | int:
    if isinstance(source, int):
        return source
    return int(source) if source.strip().isdigit() else source


class OpenCVCamera:
    """A `Camera` over OpenCV; frames are BGR `numpy` arrays."""

    def __init__(self, source: str | int, width: int = 640, height: int = 480) -> None:
        self.source = _parse_source(source)
        self.width, self.height = width, height
        self.fps = 0.0
        self._cap: cv2.VideoCapture | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._cond = threading.Condition()
        self._frame: np.ndarray | None = None
        self._seq = 0
        self._lost: str | None = None
        self._is_file = isinstance(self.source, str) and Path(self.source).exists()

    # --- life cycle ------------------------------------------------------------------

    def open(self) -> None:
        """Open the source and start the reader; DeviceUnavailable when it cannot be opened."""
        self.close()
        cap = cv2.VideoCapture(self.source)
        if not cap.isOpened():
            cap.release()
            raise DeviceUnavailable("camera", f"cannot open source {self.source!r}")
        if isinstance(self.source, int):
            cap.set(cv2.CAP_PROP_FRAME_WIDTH, self.width)
            cap.set(cv2.CAP_PROP_FRAME_HEIGHT, self.height)
        fps = cap.get(cv2.CAP_PROP_FPS)
        self.fps = float(fps) if fps and 1 <= fps <= 240 else 30.0
        self._cap = cap
        self._lost = None
        self._frame = None
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="camera-reader", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2.0)
            self._thread = None
        if self._cap is not None:
            self._cap.release()
            self._cap = None
        with self._cond:
            self._frame = None  # a closed camera must not serve a stale frame
            self._cond.notify_all()

    def __enter__(self) -> OpenCVCamera:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def is_open(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # --- frames ----------------------------------------------------------------------

    def _run(self) -> None:
        cap = self._cap
        assert cap is not None
        period = 1.0 / self.fps
        next_due = time.monotonic()
        failures = 0
        while not self._stop.is_set():
            ok, frame = cap.read()
            if not ok and self._is_file:
                cap.set(cv2.CAP_PROP_POS_FRAMES, 0)  # loop the recording like a live feed
                ok, frame = cap.read()
            if not ok:
                failures += 1
                if failures >= FAILED_READS_BEFORE_LOST:
                    with self._cond:
                        self._lost = "the camera stopped delivering frames"
                        self._cond.notify_all()
                    return
                self._stop.wait(period)
                continue
            failures = 0
            with self._cond:
                self._frame = frame
                self._seq += 1
                self._cond.notify_all()
            if self._is_file:
                # a live camera blocks in read(); a file must be paced to its frame rate
                next_due += period
                delay = next_due - time.monotonic()
                if delay > 0:
                    self._stop.wait(delay)
                else:
                    next_due = time.monotonic()

    def latest(self, timeout: float = 2.0, after: int = 0) -> tuple[int, np.ndarray]:
        """(sequence number, newest frame), waiting for one newer than `after`."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._seq <= after or self._frame is None:
                if self._lost:
                    raise DeviceUnavailable("camera", self._lost)
                if self._thread is None:
                    raise DeviceUnavailable("camera", "camera is not open")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise DeviceUnavailable("camera", f"no frame within {timeout:.1f} s")
                self._cond.wait(left)
            return self._seq, self._frame

    def info(self) -> DeviceInfo:
        backend = self._cap.getBackendName() if self._cap is not None else ""
        status = READY if self.is_open and not self._lost else DISCONNECTED
        h, w = (self._frame.shape[:2] if self._frame is not None else (self.height, self.width))
        return DeviceInfo("camera", f"OpenCV {backend}".strip(), f"{w}x{h} @ {self.fps:.0f} fps",
                          "", cv2.__version__, status, str(self.source))


def list_cameras(max_index: int = 4) -> list[DeviceInfo]:
    """Camera indices that open (slow on some systems: call it from a worker)."""
    found = []
    for i in range(max_index):
        cap = cv2.VideoCapture(i)
        if cap.isOpened():
            found.append(DeviceInfo("camera", f"OpenCV {cap.getBackendName()}", f"index {i}", "",
                                    cv2.__version__, READY, str(i)))
        cap.release()
    return found
