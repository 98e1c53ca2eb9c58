"""Device failures during normal work become incidents: opened once, closed on recovery.

The recording steps report every device call's outcome here (on the GUI thread, through the
GUI's store connection): a failure opens the device's incident, the next success ends it, so
the technician's history (kiosk.app.history) shows when the camera or the scanner was lost and
for how long. A slap whose attempts keep failing the quality threshold is an incident too.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable

from kiosk.devices.base import CaptureFailed, DeviceError
from kiosk.store.station import Store

log = logging.getLogger(__name__)

CAMERA, FINGERPRINT = "camera", "fingerprint"  # the `device` of the incidents rows
QUALITY_FAILURES = "quality_failures"  # the `kind` of a run of low-quality captures
QUALITY_FAILURES_IN_A_ROW = 3  # attempts of one slap under the threshold that make one


def is_device_fault(exc: BaseException) -> bool:
    """Whether a failed device call is the device's fault (an incident): a named device error,
    but not the applicant's finger placement, and never a bug (that is logged, not blamed on
    a device)."""
    if not isinstance(exc, DeviceError):
        return False
    from kiosk.devices.sbi_errors import PLACEMENT_CODES

    return not (isinstance(exc, CaptureFailed) and exc.code in PLACEMENT_CODES)


class DeviceIncidents:
    """One open incident per device (and one per device for its quality runs); `failed` opens
    it, `recovered` ends it.

    Workers' callbacks call `failed(device, exc)` whenever a device call raises and
    `recovered(device)` after the next success, so a flapping cable gives one incident with
    its duration rather than one row per frame. `resume` names devices whose incidents still
    open in the database (the station stopped mid-incident) are taken over, so the next
    success ends them.
    """

    def __init__(self, store: Store, *, quality_limit: int = QUALITY_FAILURES_IN_A_ROW,
                 resume: Iterable[str] = ()) -> None:
        self.store = store
        self.quality_limit = quality_limit
        self._open: dict[str, int] = {}
        self._lock = threading.Lock()
        wanted = set(resume)
        if wanted:
            for row in store.incidents():
                if row["ended_at"] is None and row["device"] in wanted:
                    key = _key(row["device"], row["kind"] == QUALITY_FAILURES)
                    self._open.setdefault(key, int(row["id"]))

    def failed(self, device: str, exc: BaseException) -> int | None:
        """Record a failed call (if no incident is open for `device`); the incident id, or
        None when the failure is not the device's (`is_device_fault`)."""
        if not is_device_fault(exc):
            return None
        detail = exc.detail if isinstance(exc, DeviceError) and exc.detail else str(exc)
        return self._begin(_key(device), type(exc).__name__, device, detail)

    def recovered(self, device: str) -> None:
        """A call on `device` worked: its open incident (if any) ends now."""
        self._end(_key(device))

    def quality(self, device: str, failures_in_a_row: int, what: str) -> None:
        """After a capture attempt: `failures_in_a_row` attempts of `what` (a slap) under the
        quality threshold, counting this one (0 when it passed). The limit opens one
        incident; the next passing attempt ends it."""
        key = _key(device, quality=True)
        if failures_in_a_row == 0:
            self._end(key)
        elif failures_in_a_row >= self.quality_limit:
            self._begin(key, QUALITY_FAILURES, device,
                        f"{what}: {failures_in_a_row} kali berturut-turut di bawah batas mutu")

    def open_devices(self) -> list[str]:
        with self._lock:
            return sorted({key.split(":")[0] for key in self._open})

    # --- the rows ----------------------------------------------------------------------

    def _begin(self, key: str, kind: str, device: str, detail: str) -> int | None:
        with self._lock:
            if key in self._open:
                return self._open[key]
            try:
                iid = self.store.add_incident(kind, device, detail)
            except Exception:  # noqa: BLE001 - the capture goes on; the log keeps the loss
                log.exception("incident not recorded: %s %s (%s)", kind, device, detail)
                return None
            self._open[key] = iid
            log.warning("incident %d opened: %s %s (%s)", iid, kind, device, detail)
            return iid

    def _end(self, key: str) -> None:
        with self._lock:
            iid = self._open.pop(key, None)
            if iid is None:
                return
            try:
                self.store.end_incident(iid)
            except Exception:  # noqa: BLE001 - kept open, so the next success tries again
                self._open[key] = iid
                log.exception("incident %d not ended", iid)
                return
        log.info("incident %d ended: %s works again", iid, key)


def _key(device: str, quality: bool = False) -> str:
    return f"{device}:{QUALITY_FAILURES}" if quality else device
