"""What the daily log says about one recording's capture, fixed when the recording is saved.

The captured items, the exceptions, the face verdict and the finger scores never change after
the save. `log_facts` derives them from a record's (plaintext) summary; the store also keeps
them pre-rendered as CSV cells beside the record, so a CSV export of thousands of rows does
not redo this per row. None of them is personal data (no name, no NIK, no biometric). The
words are Indonesian: the daily log is an office document in Bahasa Indonesia.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kiosk.domain.recording import (
    FINGER_NAMES_ID,
    PHOTO,
    SBI_EVIDENCE,
    SIGNATURE_PNG,
    SIGNATURE_STROKES,
)

EXCEPTION_WORDS = {"amputated": "diamputasi", "bandaged": "diperban", "unable": "tidak dapat"}
FINGER_KINDS = tuple(f"finger.{p}" for p in range(1, 11))
_NUMBER = (int, float)


@dataclass(frozen=True)
class LogFacts:
    """The capture cells of one daily-log row."""

    captured: str  # "foto, 10 jari, tanda tangan"
    exceptions: str  # "kelingking kiri: diamputasi; ..." or ""
    face: str  # "lulus", "tidak lulus" or "-"
    fingers: int
    finger_min: int | None
    finger_mean: float | None

    def csv_tail(self, operator: str) -> str:
        """The CSV cells 'operator,captured,exceptions,face,fingers,min,mean' (see
        Store.save_recording: kept with the record, streamed by the CSV export)."""
        return ",".join(
            csv_cell(v)
            for v in (operator, self.captured, self.exceptions, self.face, self.fingers,
                      self.finger_min, self.finger_mean)
        )


def csv_cell(value: object) -> str:
    """One CSV cell as the csv module writes it (QUOTE_MINIMAL; None is empty). Hot: the CSV
    export calls it for every name."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if "," in text or '"' in text or "\n" in text or "\r" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def kind_words(kind: str) -> str:
    """'finger.7' -> the finger's Indonesian name; 'photo' -> 'foto'."""
    if kind.startswith("finger."):
        try:
            return FINGER_NAMES_ID[int(kind.split(".", 1)[1])]
        except (KeyError, ValueError):
            return kind
    return {PHOTO: "foto", SIGNATURE_PNG: "tanda tangan", SIGNATURE_STROKES: "goresan",
            SBI_EVIDENCE: "bukti pemindai"}.get(
        kind, kind
    )


def _quality(q: Mapping[str, Any]) -> tuple[str, list[float]]:
    """Face verdict and the finger scores (plain numbers or {"score": n})."""
    face = q.get("face")
    if isinstance(face, dict) and "passed" in face:
        face_words = "lulus" if face["passed"] else "tidak lulus"
    else:
        face_words = "-"
    scores: list[float] = []
    for kind in FINGER_KINDS:
        value = q.get(kind)
        if isinstance(value, dict):
            value = value.get("score")
        if type(value) in _NUMBER:
            scores.append(value)
    return face_words, scores


def log_facts(
    items: Iterable[str], exceptions: Mapping[str, str], quality: Mapping[str, Any]
) -> LogFacts:
    """The cells from a record's summary: its item kinds, exception reasons (kind -> reason
    word, e.g. 'amputated') and quality summary."""
    have = set(items)
    fingers = len(have.intersection(FINGER_KINDS))
    captured = []
    if PHOTO in have:
        captured.append("foto")
    if fingers:
        captured.append(f"{fingers} jari")
    if SIGNATURE_PNG in have:
        captured.append("tanda tangan")
    excuses = "; ".join(
        f"{kind_words(k)}: {EXCEPTION_WORDS.get(v, v)}" for k, v in sorted(exceptions.items())
    )
    face, scores = _quality(quality)
    return LogFacts(
        captured=", ".join(captured),
        exceptions=excuses,
        face=face,
        fingers=fingers,
        finger_min=int(min(scores)) if scores else None,
        finger_mean=round(sum(scores) / len(scores), 1) if scores else None,
    )
