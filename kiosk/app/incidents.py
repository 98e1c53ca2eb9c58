"""Device failures during normal work become incidents: opened once, closed on recovery."""

from __future__ import annotations

import threading

from kiosk.devices.base import DeviceError
from kiosk.store.station import Store


class DeviceIncidents:
    """One open incident per device; `failed` opens it, `recovered` ends it.

    Workers call `failed(device, exc)` whenever a device call raises and `recovered(device)`
    after the next success, so a flapping cable gives one incident with its duration rather
    than one row per frame.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self._open: dict[str, int] = {}
        self._lock = threading.Lock()

    def failed(self, device: str, exc: BaseException) -> int:
        """Record the failure (if none is open for `device`); returns the incident id."""
        with self._lock:
            if device in self._open:
                return self._open[device]
            detail = exc.detail if isinstance(exc, DeviceError) and exc.detail else str(exc)
            kind = type(exc).__name__
            iid = self.store.add_incident(kind, device, detail)
            self._open[device] = iid
            return iid

    def recovered(self, device: str) -> None:
        with self._lock:
            iid = self._open.pop(device, None)
        if iid is not None:
            self.store.end_incident(iid)

    def open_devices(self) -> list[str]:
        with self._lock:
            return sorted(self._open)
