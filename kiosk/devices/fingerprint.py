"""The 4-4-2 fingerprint capture: right slap, left slap, both thumbs, quality-gated.

Each slap gets at most `finger.max_attempts` attempts; for every finger the best-scoring
image over the attempts is kept, so a later worse attempt never replaces a good finger. A
finger that cannot be captured is excused with a reason (amputated, bandaged, unable); it is
sent to the device in the request's `exception` list and recorded in the recording.

Every RCAPTURE of one applicant continues one hash chain (MOSIP SBI 0.9.5: the first
`previousHash` is SHA-256 of the empty string, each later one the hash the device returned
last), across the three slaps and their retries. Each merged capture is logged, and `blobs()`
adds the device's proof for the kept fingers (`sbi.evidence`, see ektp_protocol.sbi_evidence).

One attempt is three calls, so that the capture state is changed by one thread only (the GUI's,
which also paints and reads it): `request(slap)` takes what to ask from the state, `read(req)`
talks to the device (the device worker; it reads nothing of the state and changes nothing),
and `merge(capture)` keeps the better fingers. `attempt(slap)` does all three in line.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ektp_protocol import sbi_evidence
from kiosk.devices.base import CaptureFailed
from kiosk.devices.sbi import SbiCapture, SbiClient, SbiDevice
from kiosk.devices.sbi_protocol import EMPTY_HASH, SUB_ID_POSITIONS, SUB_LEFT, SUB_RIGHT, SUB_THUMBS
from kiosk.domain.messages import Msg
from kiosk.domain.recording import FINGER_EXCEPTION_REASONS, FINGER_NAMES_ID, Blob, finger_kind
from kiosk.settings import Settings


@dataclass(frozen=True)
class Slap:
    name: str
    sub_id: int
    positions: tuple[int, ...]
    label_id: str
    label_en: str


SLAPS = (
    Slap("right", SUB_RIGHT, SUB_ID_POSITIONS[SUB_RIGHT], "Empat jari kanan", "Right four"),
    Slap("left", SUB_LEFT, SUB_ID_POSITIONS[SUB_LEFT], "Empat jari kiri", "Left four"),
    Slap("thumbs", SUB_THUMBS, SUB_ID_POSITIONS[SUB_THUMBS], "Kedua ibu jari", "Both thumbs"),
)
_KIND = {1: "thumb", 6: "thumb", 2: "index", 7: "index", 3: "middle", 8: "middle",
         4: "ring", 9: "ring", 5: "little", 10: "little"}


def threshold(position: int, settings: Settings) -> int:
    """The enrolment quality threshold of one finger position (settings finger.threshold_*)."""
    return int(settings[f"finger.threshold_{_KIND[position]}"])


class InvalidFingerException(CaptureFailed):
    """An exception reason outside amputated / bandaged / unable."""

    def __init__(self, reason: str) -> None:
        super().__init__("finger", f"reason {reason!r}", hint=Msg(
            f"Alasan pengecualian jari tidak dikenal: {reason}. Pilih diamputasi, diperban, "
            "atau tidak dapat direkam.",
            f"Unknown finger exception reason: {reason}. Choose amputated, bandaged or unable."))


@dataclass
class FingerResult:
    """The best capture so far of one finger."""

    position: int
    record: bytes
    quality: int
    threshold: int
    attempt: int
    token: str = ""  # the device's signed `data` for this finger
    capture: int = -1  # index of its capture in FingerprintCapture.log, set when merged
    blob: Blob = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Hashed here, on the capture worker, not when the recording is saved.
        self.blob = Blob(finger_kind(self.position), self.record)

    @property
    def passed(self) -> bool:
        return self.quality >= self.threshold


@dataclass(frozen=True)
class SlapRequest:
    """One attempt as asked of the device, taken from the capture state before the call."""

    slap: str
    sub_id: int
    wanted: tuple[int, ...]
    excused: tuple[int, ...]
    requested_score: int
    timeout_ms: int
    previous_hash: str
    attempt: int  # the number this attempt gets if nothing else was merged meanwhile


@dataclass(frozen=True)
class SlapCapture:
    """What the device returned for one request: new results, not yet part of any state."""

    request: SlapRequest
    fingers: tuple[FingerResult, ...]
    sbi: SbiCapture | None = None


@dataclass
class SlapState:
    """Attempts made on one slap and the best finger images kept."""

    slap: Slap
    attempts: int = 0
    best: dict[int, FingerResult] = field(default_factory=dict)
    history: list[dict[int, int]] = field(default_factory=list)  # quality per attempt

    def passed(self, exceptions: dict[int, str]) -> bool:
        want = [p for p in self.slap.positions if p not in exceptions]
        return all(p in self.best and self.best[p].passed for p in want)


class FingerprintCapture:
    """One applicant's 4-4-2 capture against an SBI device."""

    def __init__(self, client: SbiClient, device: SbiDevice, settings: Settings) -> None:
        self.client, self.device, self.settings = client, device, settings
        self.max_attempts = int(settings["finger.max_attempts"])
        self.exceptions: dict[int, str] = {}
        self.slaps = {s.name: SlapState(s) for s in SLAPS}
        self._previous_hash = EMPTY_HASH
        self.log: list[dict[str, Any]] = []  # every merged RCAPTURE, in chain order
        self._device_info = ""
        self._last_capture_at: dt.datetime | None = None

    def excuse(self, position: int, reason: str) -> None:
        """Record that a finger cannot be captured, and why."""
        if reason not in FINGER_EXCEPTION_REASONS:
            raise InvalidFingerException(reason)
        if position not in FINGER_NAMES_ID:
            raise ValueError(f"finger position {position} is not 1..10")
        self.exceptions[position] = reason
        for state in self.slaps.values():
            state.best.pop(position, None)

    def can_attempt(self, slap: str) -> bool:
        state = self.slaps[slap]
        wanted = [p for p in state.slap.positions if p not in self.exceptions]
        return bool(wanted) and state.attempts < self.max_attempts

    def request(self, slap: str) -> SlapRequest:
        """What the next attempt of `slap` asks of the device; CaptureFailed when the slap has
        no attempts left."""
        state = self.slaps[slap]
        if not self.can_attempt(slap):
            raise CaptureFailed("finger", f"{slap}: no attempts left", hint=Msg(
                f"{state.slap.label_id}: batas {self.max_attempts} kali percobaan tercapai.",
                f"{state.slap.label_en}: the limit of {self.max_attempts} attempts is reached."))
        wanted = tuple(p for p in state.slap.positions if p not in self.exceptions)
        excused = tuple(p for p in state.slap.positions if p in self.exceptions)
        return SlapRequest(
            slap, state.slap.sub_id, wanted, excused,
            requested_score=max(threshold(p, self.settings) for p in wanted),
            timeout_ms=int(self.settings["sbi.capture_timeout_ms"]),
            previous_hash=self._previous_hash, attempt=state.attempts + 1)

    def read(self, req: SlapRequest) -> SlapCapture:
        """One RCAPTURE for `req` (may block: the device worker); the fingers come back as
        results, hashed here, and the capture state is left as it was. Device errors
        propagate."""
        sbi = self.client.capture(
            self.device, req.sub_id, list(req.wanted), list(req.excused),
            requested_score=req.requested_score, timeout_ms=req.timeout_ms,
            previous_hash=req.previous_hash)
        return SlapCapture(req, tuple(
            FingerResult(f.position, f.record, f.quality, threshold(f.position, self.settings),
                         req.attempt, token=f.token) for f in sbi.fingers), sbi)

    def merge(self, capture: SlapCapture) -> SlapState:
        """Count the attempt and keep each finger's best (the thread that owns the state);
        a finger excused while the device was capturing is not kept."""
        state = self.slaps[capture.request.slap]
        state.attempts += 1
        state.history.append({r.position: r.quality for r in capture.fingers})
        index = -1
        if capture.sbi is not None:  # the chain goes on from what the device returned last
            index = len(self.log)
            self.log.append(capture.sbi.log)
            self._previous_hash = capture.sbi.last_hash
            self._device_info = capture.sbi.device_info
            self._last_capture_at = dt.datetime.now(dt.UTC)
        for result in capture.fingers:
            if result.position in self.exceptions:
                continue
            result.attempt = state.attempts
            result.capture = index
            kept = state.best.get(result.position)
            if kept is None or result.quality > kept.quality:
                state.best[result.position] = result
        return state

    def attempt(self, slap: str) -> SlapState:
        """One RCAPTURE of `slap` in line (headless use); keeps each finger's best."""
        return self.merge(self.read(self.request(slap)))

    def failures_in_a_row(self, slap: str) -> int:
        """How many of the last attempts of `slap`, up to now, had a finger under its
        threshold (0 when the last one passed, or none was made)."""
        n = 0
        for qualities in reversed(self.slaps[slap].history):
            if all(q >= threshold(p, self.settings) for p, q in qualities.items()
                   if p not in self.exceptions):
                break
            n += 1
        return n

    def run_slap(self, slap: str) -> SlapState:
        """Attempt until every wanted finger passes or the attempts run out (headless use)."""
        state = self.slaps[slap]
        while self.can_attempt(slap) and not state.passed(self.exceptions):
            self.attempt(slap)
        return state

    def run_all(self) -> None:
        for s in SLAPS:
            self.run_slap(s.name)

    def missing(self) -> list[int]:
        """Positions neither captured nor excused."""
        have = {p for st in self.slaps.values() for p in st.best} | set(self.exceptions)
        return [p for p in FINGER_NAMES_ID if p not in have]

    def settled(self) -> set[int]:
        """Positions whose capture is final: the kept image passed its threshold, or its
        slap has no attempts left (the best image is kept, as the 4-4-2 procedure says)."""
        out = set()
        for name, st in self.slaps.items():
            exhausted = not self.can_attempt(name)
            out |= {p for p, r in st.best.items() if r.passed or exhausted}
        return out

    def results(self) -> dict[int, FingerResult]:
        return {p: r for st in self.slaps.values() for p, r in st.best.items()}

    def blobs(self) -> list[Blob]:
        """One `finger.N` blob per captured finger (the ISO 19794-4 record exactly as the
        device signed it), and the device's proof for them (`sbi.evidence`)."""
        results = sorted(self.results().items())
        out = [r.blob for _, r in results]
        kept = {p: (r.capture, r.token) for p, r in results if r.token and r.capture >= 0}
        if kept and self._device_info and self._last_capture_at is not None:
            out.append(Blob(sbi_evidence.KIND, sbi_evidence.build(
                self._device_info, self.log, kept, {p: r.record for p, r in results},
                self._last_capture_at)))
        return out

    def exception_kinds(self) -> dict[str, str]:
        """Recording.exceptions entries: 'finger.N' -> reason."""
        return {finger_kind(p): reason for p, reason in sorted(self.exceptions.items())}

    def quality(self) -> dict[str, Any]:
        """Recording.quality entries per finger: score, threshold, passed, attempts."""
        out: dict[str, Any] = {}
        for st in self.slaps.values():
            for p, r in st.best.items():
                out[finger_kind(p)] = {"score": r.quality, "threshold": r.threshold,
                                       "passed": r.passed, "attempt": r.attempt,
                                       "attempts": st.attempts}
        return out
