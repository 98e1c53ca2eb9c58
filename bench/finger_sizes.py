"""Fingerprint record sizes per finger and per ten-finger set, by what the station handles.

Raw 8-bit pixels (320 x 416 at 500 ppi) beside: the ISO/IEC 19794-4:2011 + JPEG 2000 lossless
record a registration device sends (MOSIP SBI 0.9.5), and a 2005 + WSQ record (what
authentication devices and the station's older records use). Fingers are the simulator's
synthetic ridge images at the qualities a good enrolment gives (0.85-1.0); medians over SETS
sets. Also the MockMDS sample records (real 2011/JPEG 2000 lossless prints) beside their raw
pixel counts, since synthetic ridges compress differently from real skin.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import numpy as np

from kiosk.devices import iso19794
from kiosk.devices.sim import synthetic

SETS = 3
MOCKMDS = Path(__file__).resolve().parent.parent / "tests/devices/data/mockmds/iso"
KINDS = {"jp2_lossless_2011": {}, "wsq_2005": {"edition": "2005", "compression": "wsq"}}


def _kb(n: float) -> float:
    return round(n / 1024, 1)


def _synthetic() -> dict:
    rng = np.random.default_rng(11)
    per_finger = {k: [] for k in KINDS}
    per_set = {k: [] for k in KINDS}
    raw = 0
    for s in range(SETS):
        totals = dict.fromkeys(KINDS, 0)
        for pos in range(1, 11):
            img = synthetic.ridge_image(s * 10 + pos, quality=float(rng.uniform(0.85, 1.0)))
            raw = img.size
            for kind, args in KINDS.items():
                rec = iso19794.encode(pos, synthetic.quality_proxy(img), img, **args)
                back = iso19794.decode(rec)
                assert back.pixels.shape == img.shape
                if kind == "jp2_lossless_2011":
                    assert np.array_equal(back.pixels, img)
                per_finger[kind].append(len(rec))
                totals[kind] += len(rec)
        for kind in KINDS:
            per_set[kind].append(totals[kind])
    out = {"raw_kb_per_finger": _kb(raw), "raw_kb_per_set": _kb(raw * 10)}
    for kind in KINDS:
        med = statistics.median(per_finger[kind])
        out[f"{kind}_kb_per_finger_median"] = _kb(med)
        out[f"{kind}_kb_per_finger_max"] = _kb(max(per_finger[kind]))
        out[f"{kind}_kb_per_set_median"] = _kb(statistics.median(per_set[kind]))
        out[f"{kind}_ratio_to_raw"] = round(raw / med, 1)
    return out


def _mockmds() -> dict:
    rows = {}
    for path in sorted(MOCKMDS.glob("*.iso")):
        record = path.read_bytes()
        info = iso19794.describe(record)
        pixels = info.width * info.height
        rows[path.stem] = {"compression": info.compression, "size": f"{info.width}x{info.height}",
                           "record_kb": _kb(len(record)), "raw_kb": _kb(pixels),
                           "ratio_to_raw": round(pixels / len(record), 2)}
    reg = [r for name, r in rows.items() if r["compression"] == "jpeg2000_lossless"]
    return {"records": rows,
            "registration_set_kb": round(sum(r["record_kb"] for r in reg), 1),
            "registration_set_raw_kb": round(sum(r["raw_kb"] for r in reg), 1)}


def main() -> None:
    print(json.dumps({"benchmark": "finger_sizes", "image": "320x416 8-bit, 500 ppi",
                      "sets": SETS, "synthetic": _synthetic(), "mockmds": _mockmds()}, indent=1))


if __name__ == "__main__":
    main()
