"""Synthetic biometrics for fakes and demo data: ridge-pattern fingers and signature strokes.

Fingers: an orientation field from core/delta singularities (Sherlock-Monro zero-pole model),
then noise grown into ridges by repeated oriented Gabor filtering, as SFinGe does. Quality is a
documented proxy (ridge contrast times orientation coherence, 0-100), never called NFIQ2.
"""

from __future__ import annotations

import math
from functools import lru_cache

import cv2
import numpy as np

from kiosk.devices.signature import StrokePoint

FINGER_W, FINGER_H = 320, 416  # 500 ppi: about 16 x 21 mm
N_ORIENT = 16


def _orientation_field(w: int, h: int, rng: np.random.Generator) -> np.ndarray:
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    cx, cy = w * rng.uniform(0.4, 0.6), h * rng.uniform(0.35, 0.5)
    kind = rng.integers(0, 3)  # 0 loop, 1 whorl, 2 arch-like
    cores = [(cx, cy)]
    deltas = [(cx + rng.uniform(-0.35, 0.35) * w, cy + h * rng.uniform(0.3, 0.45))]
    if kind == 1:
        cores.append((cx + rng.uniform(-10, 10), cy + rng.uniform(20, 40)))
        deltas.append((cx - 0.4 * w, cy + 0.4 * h))
    theta = np.zeros((h, w), np.float32)
    for px, py in cores:
        theta += np.arctan2(yy - py, xx - px)
    for px, py in deltas:
        theta -= np.arctan2(yy - py, xx - px)
    theta *= 0.5
    if kind == 2:
        theta = 0.35 * np.sin((xx - cx) / w * math.pi) * np.exp(-((yy - cy) / h) ** 2)
    return theta


def _gabor_bank(freq: float, sigma: float) -> list[np.ndarray]:
    k = int(3 * sigma) | 1
    bank = []
    for i in range(N_ORIENT):
        ang = math.pi * i / N_ORIENT
        kern = cv2.getGaborKernel((2 * k + 1, 2 * k + 1), sigma, ang, 1.0 / freq, 1.0, 0)
        bank.append((kern - kern.mean()).astype(np.float32))
    return bank


_BANK = _gabor_bank(freq=1 / 9.0, sigma=3.5)


@lru_cache(maxsize=64)
def _clean_ridges(seed: int, w: int, h: int) -> np.ndarray:
    """Ridges in -1..1 before degradation (cached: the Gabor growth is the slow part)."""
    rng = np.random.default_rng(seed)
    theta = _orientation_field(w, h, rng)
    # ridge direction is perpendicular to the Gabor kernel's wave direction
    idx = np.round(((theta + math.pi / 2) % math.pi) / math.pi * N_ORIENT).astype(int) % N_ORIENT
    img = rng.standard_normal((h, w)).astype(np.float32)
    for _ in range(5):
        out = np.zeros_like(img)
        for i, kern in enumerate(_BANK):
            mask = idx == i
            if mask.any():
                out[mask] = cv2.filter2D(img, -1, kern)[mask]
        img = np.tanh(out / (out.std() + 1e-6) * 1.5)
    img.setflags(write=False)
    return img


def ridge_image(
    seed: int, *, w: int = FINGER_W, h: int = FINGER_H, quality: float = 1.0
) -> np.ndarray:
    """An 8-bit grey finger image at 500 ppi; `quality` 0..1 degrades it (smudge and noise).

    The degradation is scaled so that `quality_proxy` falls roughly in step with `quality`
    (about 100 at 1.0, 75 at 0.6, 45 at 0.4, 20 at 0.2, under 10 at 0) instead of collapsing.
    """
    img = _clean_ridges(seed, w, h)
    rng = np.random.default_rng((seed, 1))
    # finger outline: an ellipse with a soft edge
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    ell = ((xx - w / 2) / (w * 0.46)) ** 2 + ((yy - h * 0.52) / (h * 0.5)) ** 2
    mask = np.clip((1.0 - ell) * 6, 0, 1)
    q = float(np.clip(quality, 0.0, 1.0))
    if q < 1.0:
        d = (1.0 - q) * 0.5
        img = cv2.GaussianBlur(img, (0, 0), 0.5 + d * 3.0)
        img = img + rng.standard_normal(img.shape).astype(np.float32) * d * 1.2
    grey = 255 - (img * 0.5 + 0.5) * 200 * mask
    return np.clip(grey, 0, 255).astype(np.uint8)


def quality_proxy(img: np.ndarray) -> int:
    """0-100 from ridge contrast and orientation coherence in the finger area (not NFIQ2)."""
    f = img.astype(np.float32)
    fg = f < 235
    if fg.mean() < 0.1:
        return 0
    gx = cv2.Sobel(f, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(f, cv2.CV_32F, 0, 1, ksize=3)
    gxx = cv2.blur(gx * gx, (16, 16))
    gyy = cv2.blur(gy * gy, (16, 16))
    gxy = cv2.blur(gx * gy, (16, 16))
    coh = np.sqrt((gxx - gyy) ** 2 + 4 * gxy**2) / (gxx + gyy + 1e-6)
    contrast = min(1.0, float(f[fg].std()) / 60.0)
    score = float(coh[fg].mean()) ** 1.5 * contrast * 110
    return int(np.clip(round(score), 0, 100))


def signature_strokes(seed: int, w: int = 600, h: int = 200) -> list[list[StrokePoint]]:
    """A plausible handwritten signature as strokes of (x, y, t, pressure)."""
    rng = np.random.default_rng(seed)
    strokes: list[list[StrokePoint]] = []
    t = 0.0
    x0 = w * 0.1
    for _ in range(int(rng.integers(2, 4))):
        n = 60
        span = w * rng.uniform(0.2, 0.3)
        xs = x0 + np.linspace(0, span, n)
        ys = h / 2 + np.sin(np.linspace(0, rng.uniform(4, 9), n)) * h * rng.uniform(0.15, 0.3)
        ys += rng.normal(0, 2, n)
        pts = []
        for x, y in zip(xs, ys, strict=True):
            t += 0.012
            pts.append(StrokePoint(float(x), float(y), round(t, 3), float(rng.uniform(0.3, 0.9))))
        strokes.append(pts)
        x0 += span + w * 0.04
        t += 0.25
    return strokes
