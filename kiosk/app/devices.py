"""The station's devices as the capture steps use them (plain Python; called from workers).

Every method here may block (camera frames, HTTP to the SBI service), so the screens call
them only through a task runner, never on the GUI thread.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kiosk.settings import Settings

if TYPE_CHECKING:  # OpenCV, numpy and the SBI client load with the first capture step
    import numpy as np

    from kiosk.devices import face
    from kiosk.devices.camera import OpenCVCamera
    from kiosk.devices.fingerprint import FingerprintCapture


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
            from kiosk.devices.camera import OpenCVCamera

            cam = OpenCVCamera(self.camera_source, self.settings["camera.width"],
                               self.settings["camera.height"])
            cam.open()
            self._camera = cam

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
        from kiosk.devices.sbi import SbiClient

        client = SbiClient.from_settings(self.settings)
        device = client.find("Finger")
        client.device_info(device)
        return FingerprintCapture(client, device, self.settings)

    def close(self) -> None:
        self.close_camera()
