"""Signature data without Qt: strokes (x, y, t, pressure), the checks, PNG and JSON output.

The Qt canvas (kiosk/ui/qt_signature.py) feeds points in; this module decides whether the
signature is usable and renders it. The stroke JSON keeps the shape of ISO/IEC 19794-7 time
series: {"w", "h", "input", "strokes": [[[x, y, t, pressure], ...], ...]}, t in seconds from
the first point, pressure 0..1 (mouse and touch report 0.5 / their own force).
"""

from __future__ import annotations

import json
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from kiosk.devices.base import READY, DeviceInfo
from kiosk.domain.messages import DomainError, Msg
from kiosk.settings import Settings

SIGNATURE_EXCEPTION_REASONS = ("unable", "illiterate", "disability")
PROC_INPUT = Path("/proc/bus/input/devices")


@dataclass(frozen=True)
class StrokePoint:
    x: float
    y: float
    t: float  # seconds since the first point
    pressure: float



def render_strokes(strokes: list[list[StrokePoint]], w: int = 600, h: int = 200) -> np.ndarray:
    """White canvas with black ink, line width following pressure."""
    img = np.full((h, w), 255, np.uint8)
    for stroke in strokes:
        for a, b in zip(stroke, stroke[1:], strict=False):
            width = max(1, int(round(1 + 3 * (a.pressure + b.pressure) / 2)))
            cv2.line(img, (int(a.x), int(a.y)), (int(b.x), int(b.y)), 0, width, cv2.LINE_AA)
    return img


class SignatureEmpty(DomainError):
    def __init__(self) -> None:
        super().__init__(Msg("Tanda tangan masih kosong. Minta pemohon menandatangani.",
                             "The signature is empty. Ask the applicant to sign."))


class SignatureTooSmall(DomainError):
    """The ink is too narrow (`what` = "width") or too little ("ink"): the sentence says how
    much there is and how much is needed, so the operator knows why Lanjut stays disabled."""

    def __init__(self, what: str, measured: float, needed: float) -> None:
        if what == "width":
            super().__init__(Msg(
                f"Tanda tangan terlalu kecil: lebarnya {_pct(measured)} dari kotak, perlu "
                f"paling sedikit {_pct(needed)}. Tekan Hapus, lalu minta pemohon "
                "menandatangani lebih lebar.",
                f"The signature is too small: it spans {_pct(measured)} of the pad's width, "
                f"at least {_pct(needed)} is needed. Press Clear and ask the applicant to "
                "sign wider."))
        else:
            super().__init__(Msg(
                f"Tanda tangan terlalu tipis: tintanya {_pct(measured, 2, True)} dari kotak, "
                f"perlu paling sedikit {_pct(needed, 2, True)}. Tekan Hapus, lalu minta pemohon "
                "menandatangani lebih besar dan lebih tebal.",
                f"The signature is too faint: its ink covers {_pct(measured, 2)} of the pad, at "
                f"least {_pct(needed, 2)} is needed. Press Clear and ask the applicant to sign "
                "larger and bolder."))
        self.what, self.measured, self.needed = what, measured, needed


def _pct(fraction: float, places: int = 0, comma: bool = False) -> str:
    """A fraction as a percentage; `comma`: Indonesian decimal comma (0,30%)."""
    text = f"{fraction * 100:.{places}f}%"
    return text.replace(".", ",") if comma else text


@dataclass(frozen=True)
class SignatureException:
    """'Tidak dapat tanda tangan' (cannot sign) with the operator's reason."""

    reason: str
    note: str = ""

    def label(self) -> str:
        return f"tidak dapat tanda tangan: {self.reason}" + (f" ({self.note})" if self.note else "")


@dataclass(frozen=True)
class SignatureResult:
    png: bytes
    strokes_json: bytes
    ink_ratio: float
    extent: float


class SignatureInk:
    """Strokes being drawn on a pad of `w` x `h` pixels."""

    def __init__(self, w: int, h: int, source: str = "mouse") -> None:
        self.w, self.h, self.source = w, h, source
        self.strokes: list[list[StrokePoint]] = []
        self._t0: float | None = None

    def begin(self, x: float, y: float, t: float, pressure: float) -> None:
        self.strokes.append([])
        self.add(x, y, t, pressure)

    def add(self, x: float, y: float, t: float, pressure: float) -> None:
        if not self.strokes:
            self.strokes.append([])
        if self._t0 is None:
            self._t0 = t
        self.strokes[-1].append(StrokePoint(float(x), float(y), round(t - self._t0, 4),
                                            float(min(1.0, max(0.0, pressure)))))

    def clear(self) -> None:
        self.strokes.clear()
        self._t0 = None

    @property
    def empty(self) -> bool:
        return not any(self.strokes)

    def image(self) -> np.ndarray:
        """White pad, black ink (grey, uint8)."""
        return render_strokes(self.strokes, self.w, self.h)

    def measure(self) -> tuple[float, float]:
        """(ink fraction of the pad, horizontal extent as a fraction of the pad width)."""
        img = self.image()
        ink = float(np.count_nonzero(img < 128)) / img.size
        xs = [p.x for s in self.strokes for p in s]
        extent = (max(xs) - min(xs)) / self.w if xs else 0.0
        return ink, extent

    def result(self, settings: Settings) -> SignatureResult:
        """PNG + stroke JSON; SignatureEmpty / SignatureTooSmall when it is not usable."""
        if self.empty:
            raise SignatureEmpty()
        ink, extent = self.measure()
        if extent < settings["signature.min_extent"]:
            raise SignatureTooSmall("width", extent, settings["signature.min_extent"])
        if ink < settings["signature.min_ink_ratio"]:
            raise SignatureTooSmall("ink", ink, settings["signature.min_ink_ratio"])
        ok, png = cv2.imencode(".png", self.image())
        if not ok:
            raise ValueError("PNG encoding failed")
        doc = {"w": self.w, "h": self.h, "input": self.source,
               "strokes": [[[p.x, p.y, p.t, p.pressure] for p in s] for s in self.strokes if s]}
        return SignatureResult(png.tobytes(), json.dumps(doc, separators=(",", ":")).encode(),
                               ink, extent)


def clean_device_name(name: str) -> str:
    """A device name fit to show: control, format and unassigned characters dropped (X11
    reports "Virtual core pointer" with its terminating NUL, which a screen draws as a box),
    replacement characters from undecodable bytes too, runs of spaces made one."""
    kept = "".join(" " if c.isspace() else c for c in name
                   if c.isspace() or not unicodedata.category(c).startswith("C")
                   and c != "\ufffd")
    return " ".join(kept.split())


def input_devices(proc_file: Path = PROC_INPUT) -> list[str]:
    """Names of Linux input devices (empty elsewhere or when unreadable), cleaned for display."""
    try:
        text = proc_file.read_text(errors="replace")
    except OSError:
        return []
    names = (clean_device_name(line.split("=", 1)[1].strip().strip('"'))
             for line in text.splitlines() if line.startswith("N: Name="))
    return [n for n in names if n]


_KEYWORDS = {"tablet": ("wacom", "tablet", "pen", "stylus", "signature", "topaz"),
             "touch": ("touch",), "mouse": ("mouse", "touchpad", "trackpad", "trackpoint")}


def probe_signature_input(settings: Settings, names: list[str] | None = None) -> DeviceInfo:
    """The configured signature input and whether a matching device is attached (no Qt).

    On Linux the kernel's input list is read; elsewhere (and for `mouse`/`auto`, which the
    GUI always has) the configured input is reported as present: the technician screen's Qt
    probe gives the definite answer there.
    """
    wanted = settings["signature.input"]
    names_given = names is not None
    names = input_devices() if names is None else [clean_device_name(n) for n in names]
    kinds = ("tablet", "touch", "mouse") if wanted == "auto" else (wanted,)
    for kind in kinds:
        for name in names:
            if any(k in name.lower() for k in _KEYWORDS[kind]):
                return DeviceInfo("signature", name, kind, "", "", READY, kind)
    listed = names_given or (sys.platform.startswith("linux") and PROC_INPUT.exists())
    if wanted in ("mouse", "auto") or not listed:
        return DeviceInfo("signature", "", wanted, "", "", READY, wanted)
    return DeviceInfo("signature", "", wanted, "", "", "Disconnected", wanted)
