"""Device interfaces, device info and the named errors every adapter raises.

One small interface per kind. Adapters never hang: every wait has a timeout, and a device that
disappears mid-capture raises `DeviceUnavailable`; the next call after it returns works again
without restarting anything.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np

from kiosk.domain.messages import DomainError, Msg

READY, BUSY, NOT_READY, NOT_REGISTERED, DISCONNECTED = (
    "Ready", "Busy", "Not Ready", "Not Registered", "Disconnected",
)


@dataclass(frozen=True)
class DeviceInfo:
    """What the technician screen shows about one attached device."""

    kind: str  # "camera" | "finger" | "signature"
    vendor: str
    model: str
    serial: str
    firmware: str
    status: str  # READY, BUSY, NOT_READY, NOT_REGISTERED, DISCONNECTED
    address: str = ""  # camera source, SBI callback URL, input name

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class DeviceError(DomainError):
    """Base of device errors: `device` names the kind, `detail` keeps the technical cause."""

    def __init__(self, msg: Msg, device: str = "", detail: str = "", code: int | None = None):
        super().__init__(msg)
        self.device = device
        self.detail = detail
        self.code = code


def _names(device: str) -> tuple[str, str]:
    return {
        "camera": ("Kamera", "The camera"),
        "finger": ("Pemindai sidik jari", "The fingerprint scanner"),
        "signature": ("Alat tanda tangan", "The signature pad"),
    }.get(device, ("Perangkat", "The device"))


class DeviceUnavailable(DeviceError):
    """The device is not attached, not answering, or vanished mid-capture."""

    def __init__(self, device: str, detail: str = "", code: int | None = None) -> None:
        i, e = _names(device)
        super().__init__(
            Msg(f"{i} tidak terhubung atau tidak menjawab. Periksa kabelnya, lalu coba lagi.",
                f"{e} is not connected or not answering. Check its cable, then try again."),
            device, detail, code,
        )


class DeviceBusy(DeviceError):
    """The device is serving another capture."""

    def __init__(self, device: str, detail: str = "", code: int | None = None) -> None:
        i, e = _names(device)
        super().__init__(
            Msg(f"{i} sedang sibuk. Tunggu sebentar, lalu coba lagi.",
                f"{e} is busy. Wait a moment, then try again."),
            device, detail, code,
        )


class CaptureTimeout(DeviceError):
    """No capture within the allowed time."""

    def __init__(self, device: str, detail: str = "", code: int | None = None) -> None:
        i, e = _names(device)
        super().__init__(
            Msg(f"{i} tidak selesai merekam dalam batas waktu. Ulangi perekaman.",
                f"{e} did not finish the capture in time. Capture again."),
            device, detail, code,
        )


class CaptureFailed(DeviceError):
    """The device answered but the capture is unusable (its reason is in `detail`)."""

    def __init__(self, device: str, detail: str = "", code: int | None = None,
                 hint: Msg | None = None) -> None:
        i, e = _names(device)
        msg = hint or Msg(f"{i} gagal merekam: {detail}. Ulangi perekaman.",
                          f"{e} failed to capture: {detail}. Capture again.")
        super().__init__(msg, device, detail, code)


@runtime_checkable
class Camera(Protocol):
    """A live camera: the newest frame is always available without waiting for the next."""

    def open(self) -> None: ...
    def close(self) -> None: ...
    def latest(self, timeout: float = 2.0) -> tuple[int, np.ndarray]:
        """(frame number, BGR frame); DeviceUnavailable or CaptureTimeout when none comes."""
        ...
    def info(self) -> DeviceInfo: ...


@runtime_checkable
class FingerprintScanner(Protocol):
    """A slap scanner: one call captures one slap (or both thumbs)."""

    def info(self) -> DeviceInfo: ...
    def capture(self, sub_id: int, positions: list[int], exceptions: list[int],
                requested_score: int, timeout_ms: int) -> list[Any]: ...


@runtime_checkable
class SignaturePad(Protocol):
    """An input that yields a signature (strokes + image) or a recorded exception."""

    def info(self) -> DeviceInfo: ...
