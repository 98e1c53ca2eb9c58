"""Fingerprint record sizes: KB per finger (ISO 19794-4, WSQ) and per ten-finger set.

Beside the raw 8-bit image (320 x 416 at 500 ppi) in the same run. Fingers are the simulator's
synthetic ridge images at the qualities a good enrolment gives (0.85-1.0).
"""

from __future__ import annotations

import json
import statistics

import numpy as np

from kiosk.devices import iso19794
from kiosk.devices.sim import synthetic

SETS = 3


def main() -> None:
    rng = np.random.default_rng(11)
    per_finger, per_set = [], []
    raw = 0
    for s in range(SETS):
        total = 0
        for pos in range(1, 11):
            img = synthetic.ridge_image(s * 10 + pos, quality=float(rng.uniform(0.85, 1.0)))
            rec = iso19794.encode(pos, synthetic.quality_proxy(img), img)
            assert iso19794.decode(rec).pixels.shape == img.shape
            per_finger.append(len(rec) / 1024)
            total += len(rec)
            raw = img.size
        per_set.append(total / 1024)
    print(json.dumps({
        "benchmark": "finger_sizes", "image": "320x416 8-bit, 500 ppi", "sets": SETS,
        "wsq_record_kb_per_finger_median": round(statistics.median(per_finger), 1),
        "wsq_record_kb_per_finger_max": round(max(per_finger), 1),
        "wsq_record_kb_per_set_median": round(statistics.median(per_set), 1),
        "raw_kb_per_finger": round(raw / 1024, 1),
        "raw_kb_per_set": round(raw * 10 / 1024, 1),
        "compression_ratio": round(raw / 1024 / statistics.median(per_finger), 1),
    }))


if __name__ == "__main__":
    main()
