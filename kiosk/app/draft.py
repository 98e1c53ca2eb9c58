"""The recording in progress (draft): what the operator has captured so far, in memory only.

A draft is never written to disk. A crash or power cut mid-flow loses only the draft; the
applicant is still at the desk and the operator starts again. Persisting an encrypted draft
would buy little (capture takes minutes) and would add a second place biometrics live.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kiosk.domain.applicant import Applicant
from kiosk.domain.recording import (
    FINGER_ITEMS,
    PHOTO,
    PHOTO_ITEMS,
    REQUIRED_ITEMS,
    SIGNATURE_ITEMS,
    SIGNATURE_PNG,
    SIGNATURE_STROKES,
    Blob,
    Recording,
    finger_kind,
    missing_items,
)
from kiosk.domain.sealing import SealContext

if TYPE_CHECKING:
    from kiosk.devices.fingerprint import FingerprintCapture

log = logging.getLogger(__name__)


@dataclass
class Draft:
    """Everything captured for one applicant before it is saved."""

    applicant: Applicant = field(default_factory=Applicant)
    started_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    face_checks: list[dict[str, Any]] = field(default_factory=list)
    fingers: FingerprintCapture | None = None  # the 4-4-2 capture, once a scanner is found
    signature_exception: str | None = None
    # Captured items are kept as Blobs, hashed the moment they are accepted, and sealed then
    # too when the draft has a `seal` (Store.seal_items): the save at the end of the flow only
    # writes. The ciphertexts stay in memory like the plaintext; a crash loses both.
    record_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    seal: Callable[[str, Iterable[Blob], dict[str, bytes]], None] | None = field(
        default=None, repr=False
    )
    sealed: dict[str, bytes] = field(default_factory=dict, repr=False)
    _items: dict[str, Blob] = field(default_factory=dict, repr=False)

    def _get(self, kind: str) -> bytes | None:
        blob = self._items.get(kind)
        return blob.data if blob is not None else None

    def _set(self, kind: str, data: bytes | None) -> None:
        if data is None:
            self._items.pop(kind, None)
        else:
            self._items[kind] = Blob(kind, data)
        # A retaken or removed item's ciphertext is of no further use.
        for context in [c for c in self.sealed if SealContext.parse(c).kind == kind]:
            del self.sealed[context]
        if data is not None:
            self.seal_captured([self._items[kind]])

    def seal_captured(self, blobs: Iterable[Blob] | None = None) -> None:
        """Seal what has been captured (or `blobs`) ahead of the save. Best effort: an item
        that cannot be sealed now (keyring gone) is sealed by the save, which then reports
        the failure to the operator properly."""
        if self.seal is None:
            return
        if blobs is None:
            blobs = list(self._items.values())
            if self.fingers is not None:
                blobs += self.fingers.blobs()
        try:
            self.seal(self.record_id, blobs, self.sealed)
        except Exception:  # noqa: BLE001 - see the docstring: the save seals and reports
            log.warning("sealing ahead of the save failed; the save will seal", exc_info=True)

    @property
    def photo(self) -> bytes | None:
        """The accepted face photo (JPEG), or None."""
        return self._get(PHOTO)

    @photo.setter
    def photo(self, data: bytes | None) -> None:
        self._set(PHOTO, data)

    @property
    def signature_png(self) -> bytes | None:
        return self._get(SIGNATURE_PNG)

    @signature_png.setter
    def signature_png(self, data: bytes | None) -> None:
        self._set(SIGNATURE_PNG, data)

    @property
    def signature_strokes(self) -> bytes | None:
        return self._get(SIGNATURE_STROKES)

    @signature_strokes.setter
    def signature_strokes(self, data: bytes | None) -> None:
        self._set(SIGNATURE_STROKES, data)

    # --- fingers --------------------------------------------------------------------

    def finger_state(self, position: int) -> str:
        """'captured', 'low' (best kept but under threshold), 'exception' or 'missing'."""
        cap = self.fingers
        if cap is None:
            return "missing"
        if position in cap.exceptions:
            return "exception"
        result = cap.results().get(position)
        if result is None:
            return "missing"
        return "captured" if result.passed else "low"

    # --- completeness (one rule: kiosk.domain.recording.missing_items) -------------------

    def missing(self, need: Iterable[str] = REQUIRED_ITEMS) -> list[str]:
        """Items of `need` not yet settled: neither captured for good nor excused. A finger
        below its threshold counts once its slap has used up its attempts."""
        captured = {k for k in (PHOTO, SIGNATURE_PNG) if k in self._items}
        excused = {SIGNATURE_PNG} if self.signature_exception else set()
        if self.fingers is not None:
            captured |= {finger_kind(p) for p in self.fingers.settled()}
            excused |= set(self.fingers.exception_kinds())
        return missing_items(captured, excused, need)

    def fingers_done(self) -> bool:
        return not self.missing(FINGER_ITEMS)

    def photo_done(self) -> bool:
        return not self.missing(PHOTO_ITEMS)

    def signature_done(self) -> bool:
        return not self.missing(SIGNATURE_ITEMS)

    # --- the whole recording ----------------------------------------------------------

    def to_recording(self) -> Recording:
        """The complete recording for Store.save_recording."""
        blobs: list[Blob] = []
        exceptions: dict[str, str] = {}
        quality: dict[str, Any] = {}
        if self.photo is not None:
            blobs.append(self._items[PHOTO])
            quality["face"] = {
                "passed": all(c.get("passed") for c in self.face_checks),
                "checks": {c["name"]: c.get("value") for c in self.face_checks},
            }
        if self.fingers is not None:
            blobs += self.fingers.blobs()
            exceptions.update(self.fingers.exception_kinds())
            quality.update(self.fingers.quality())
        if self.signature_exception:
            exceptions[SIGNATURE_PNG] = self.signature_exception
        elif self.signature_png is not None:
            blobs.append(self._items[SIGNATURE_PNG])
            if self.signature_strokes is not None:
                blobs.append(self._items[SIGNATURE_STROKES])
        return Recording(
            applicant=self.applicant,
            blobs=blobs,
            exceptions=exceptions,
            quality=quality,
            record_id=self.record_id,
            sealed=self.sealed,
        )
