"""A recording (perekaman): the applicant, their biometric blobs, exceptions and quality."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from kiosk.domain.applicant import Applicant

FINGER_NAMES = {
    1: "Right Thumb",
    2: "Right IndexFinger",
    3: "Right MiddleFinger",
    4: "Right RingFinger",
    5: "Right LittleFinger",
    6: "Left Thumb",
    7: "Left IndexFinger",
    8: "Left MiddleFinger",
    9: "Left RingFinger",
    10: "Left LittleFinger",
}
FINGER_NAMES_ID = {
    1: "Ibu jari kanan",
    2: "Telunjuk kanan",
    3: "Jari tengah kanan",
    4: "Jari manis kanan",
    5: "Kelingking kanan",
    6: "Ibu jari kiri",
    7: "Telunjuk kiri",
    8: "Jari tengah kiri",
    9: "Jari manis kiri",
    10: "Kelingking kiri",
}
PHOTO = "photo"
SIGNATURE_PNG = "signature.png"
SIGNATURE_STROKES = "signature.strokes"
SBI_EVIDENCE = "sbi.evidence"  # the scanner's signed proof of the finger records
FINGER_EXCEPTION_REASONS = ("amputated", "bandaged", "unable")
CONTENT_TYPES = {
    PHOTO: "image/jpeg",
    SIGNATURE_PNG: "image/png",
    SIGNATURE_STROKES: "application/json",
    SBI_EVIDENCE: "application/gzip",
}


def finger_kind(position: int) -> str:
    """Blob kind of a finger record: 'finger.1' .. 'finger.10'."""
    if position not in FINGER_NAMES:
        raise ValueError(f"finger position {position} is not 1..10")
    return f"finger.{position}"


# What a complete recording holds, each item captured or excused with a reason.
PHOTO_ITEMS = (PHOTO,)
FINGER_ITEMS = tuple(f"finger.{p}" for p in FINGER_NAMES)
SIGNATURE_ITEMS = (SIGNATURE_PNG,)
REQUIRED_ITEMS = PHOTO_ITEMS + FINGER_ITEMS + SIGNATURE_ITEMS


def missing_items(
    captured: Iterable[str], excused: Iterable[str], need: Iterable[str] = REQUIRED_ITEMS
) -> list[str]:
    """The kinds of `need` neither captured nor excused: the one rule of a complete recording,
    used by the draft (each step's readiness), the review and the save."""
    have = set(captured) | set(excused)
    return [k for k in need if k not in have]


def content_type(kind: str) -> str:
    return CONTENT_TYPES.get(
        kind,
        "application/x-iso19794-4" if kind.startswith("finger.") else "application/octet-stream",
    )


@dataclass(frozen=True)
class Blob:
    """One biometric item in plaintext (lives only in memory).

    Its SHA-256 (the content address the store, the manifest and the server use) is computed
    once, when the item is captured: the capture worker and the draft build Blobs as each item
    arrives, so saving the finished recording does not hash ~300 KB again.
    """

    kind: str
    data: bytes
    sha256: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sha256", hashlib.sha256(self.data).hexdigest())

    @property
    def content_type(self) -> str:
        return content_type(self.kind)


@dataclass
class Recording:
    """A complete recording ready to save: applicant, blobs, exceptions, quality summary."""

    applicant: Applicant
    blobs: list[Blob]
    exceptions: dict[str, str] = field(default_factory=dict)  # kind -> reason
    quality: dict[str, Any] = field(default_factory=dict)
    record_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    # Items already sealed while they were captured (Store.seal_items), keyed by the sealing
    # context that binds them to this record id, kind and digest; the save seals the rest.
    sealed: dict[str, bytes] = field(default_factory=dict, repr=False)

    def missing_items(self) -> list[str]:
        """Kinds neither captured nor excused (a complete recording has none)."""
        return missing_items((b.kind for b in self.blobs), self.exceptions)


_REGNO_RE = re.compile(r"^(\d{6})-(\d{2})-(\d{8})-(\d{3,})$")


def format_regno(kecamatan: str, station_no: str, day: dt.date, seq: int) -> str:
    """'627104-01-20261128-017'."""
    return f"{kecamatan}-{int(station_no):02d}-{day.year:04d}{day.month:02d}{day.day:02d}-{seq:03d}"


def is_regno(text: str) -> bool:
    return bool(_REGNO_RE.match(text.strip()))


def is_record_id(text: str) -> bool:
    try:
        uuid.UUID(text.strip())
    except ValueError:
        return False
    return True
