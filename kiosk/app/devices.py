"""The station's devices as the screens use them (plain Python; called from workers): the one
place a camera or a scanner is opened, for the capture steps and the self-test screen alike.

Every method here may block (camera frames, HTTP to the SBI service), so the screens call
them only through a task runner, never on the GUI thread.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kiosk.domain.messages import DomainError
from kiosk.settings import Settings

if TYPE_CHECKING:  # OpenCV, numpy and the SBI client load with the first capture step
    import numpy as np

    from kiosk.devices import face
    from kiosk.devices.camera import OpenCVCamera
    from kiosk.devices.fingerprint import FingerprintCapture
    from kiosk.devices.sbi import SbiClient, SbiDevice


def open_camera(settings: Settings, source: str | None = None) -> OpenCVCamera:
    """The camera per the settings (camera.source unless `source`, camera.width/height),
    opened; DeviceUnavailable when it cannot be. May block: call from a worker."""
    from kiosk.devices.camera import OpenCVCamera

    cam = OpenCVCamera(source if source is not None else str(settings["camera.source"]),
                       settings["camera.width"], settings["camera.height"])
    cam.open()
    return cam


def open_scanner(settings: Settings) -> tuple[SbiClient, SbiDevice]:
    """The first SBI fingerprint scanner found on the sbi.* ports, its device info read;
    DeviceUnavailable when there is none. May block: call from a worker."""
    from kiosk.devices.sbi import SbiClient

    client = SbiClient.from_settings(settings)
    device = client.find("Finger")
    client.device_info(device)
    return client, device


@dataclass(frozen=True)
class FaceFrame:
    """One preview frame with its quality checks."""

    seq: int
    frame: np.ndarray  # BGR
    checks: list[face.FaceCheck]

    @property
    def passed(self) -> bool:
        from kiosk.devices import face

        return face.passed(self.checks)


class StationDevices:
    """Camera and fingerprint scanner per the settings (camera.source, sbi.*)."""

    def __init__(self, settings: Settings, camera_source: str | None = None) -> None:
        self.settings = settings
        self.camera_source = camera_source or settings["camera.source"]
        self._camera: OpenCVCamera | None = None
        self._lock = threading.Lock()

    # --- camera ----------------------------------------------------------------------

    def open_camera(self) -> None:
        """Open (or re-open after a failure) the camera; DeviceUnavailable when it cannot."""
        with self._lock:
            if self._camera is not None and self._camera.is_open:
                return
            self._camera = open_camera(self.settings, self.camera_source)

    def close_camera(self) -> None:
        with self._lock:
            if self._camera is not None:
                self._camera.close()
                self._camera = None

    def face_frame(self, after: int = 0) -> FaceFrame:
        """The newest frame after `after`, checked; DeviceUnavailable when the camera is gone."""
        if self._camera is None:
            self.open_camera()
        assert self._camera is not None
        try:
            seq, frame = self._camera.latest(timeout=2.0, after=after)
        except Exception:
            self.close_camera()  # the next call re-opens it (retry)
            raise
        from kiosk.devices import face

        return FaceFrame(seq, frame, face.check_face(frame, self.settings))

    def portrait(self, frame: np.ndarray) -> bytes:
        """The card portrait (JPEG) cut from an accepted frame."""
        from kiosk.devices import face

        return face.portrait_jpeg(frame, self.settings)

    # --- fingerprints ----------------------------------------------------------------

    def fingerprint_capture(self) -> FingerprintCapture:
        """A 4-4-2 capture on the first SBI scanner found; DeviceUnavailable when none."""
        from kiosk.devices.fingerprint import FingerprintCapture

        client, device = open_scanner(self.settings)
        return FingerprintCapture(client, device, self.settings)

    def close(self) -> None:
        self.close_camera()


class PreviewCamera:
    """The self-test screen's live camera, opened on first use per the current settings.

    Every method may block: call them from the device worker only.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._camera: Any = None
        self._opened_with: tuple[Any, ...] = ()

    def _wanted(self) -> tuple[Any, ...]:
        s = self.settings
        return (str(s["camera.source"]), s["camera.width"], s["camera.height"])

    def frame(self, after: int = 0) -> tuple[int, np.ndarray]:
        """The newest frame after `after`; DeviceUnavailable when the camera cannot give one.
        *worker*"""
        if self._camera is None or self._opened_with != self._wanted() or not self._camera.is_open:
            self.close()
            wanted = self._wanted()
            self._camera, self._opened_with = open_camera(self.settings, wanted[0]), wanted
        try:
            return self._camera.latest(timeout=2.0, after=after)
        except DomainError:
            self.close()  # the next call re-opens it
            raise

    def close(self) -> None:
        """Release the camera (before the camera check opens it, and on leaving)."""
        if self._camera is not None:
            self._camera.close()
            self._camera = None
