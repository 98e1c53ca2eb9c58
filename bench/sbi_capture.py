"""What one applicant's ten fingers weigh, from the scanner to the centre.

Captures full 4-4-2 sets from the SBI simulator over real HTTP (RS256 + x5c, 2011 records with
JPEG 2000 lossless images, as registration devices send) and prints JSON with, per finger and
per ten-finger set (medians over the sets): the raw 8-bit image, the record as captured (the
device's signed ISO/IEC 19794-4:2011 bytes, kept byte for byte), the device's proof the
station adds (`sbi.evidence`, gzip JSON) and what is sent to the centre for the fingers
(records + evidence), beside a 2005/WSQ record of the same image (what the station used to
send, which no device signature covers). Also the RCAPTURE answer on the wire.
"""

from __future__ import annotations

import argparse
import json
import statistics

from kiosk.devices import iso19794
from kiosk.devices.fingerprint import FingerprintCapture
from kiosk.devices.sbi import SbiClient
from kiosk.devices.sim.sbi import SbiSimulator
from kiosk.settings import Settings


def _kb(n: float) -> float:
    return round(n / 1024, 1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sets", type=int, default=3)
    args = ap.parse_args()
    per = {k: [] for k in ("raw", "captured", "wsq_2005")}
    sets = {k: [] for k in ("raw", "captured", "evidence", "sent", "wsq_2005", "answer")}
    for n in range(args.sets):
        with SbiSimulator(seed=n + 1) as sim:
            answers: list[int] = []
            original = sim.capture

            def counted(req, original=original, answers=answers):
                out = original(req)
                answers.append(len(json.dumps(out)))
                return out

            sim.capture = counted  # type: ignore[method-assign]
            client = SbiClient(port_first=sim.port, port_last=sim.port, trust=sim.trust())
            capture = FingerprintCapture(client, client.find(), Settings())
            capture.run_all()
            blobs = {b.kind: b.data for b in capture.blobs()}
        records = [v for k, v in blobs.items() if k.startswith("finger.")]
        raw = wsq = 0
        for rec in records:
            image = iso19794.decode(rec)
            size = image.pixels.size
            w = len(iso19794.encode(image.position, image.quality, image.pixels,
                                    edition="2005", compression="wsq"))
            per["raw"].append(size)
            per["captured"].append(len(rec))
            per["wsq_2005"].append(w)
            raw, wsq = raw + size, wsq + w
        evidence = len(blobs["sbi.evidence"])
        captured = sum(len(r) for r in records)
        for key, value in (("raw", raw), ("captured", captured), ("evidence", evidence),
                           ("sent", captured + evidence), ("wsq_2005", wsq),
                           ("answer", sum(answers))):
            sets[key].append(value)
    med = {k: statistics.median(v) for k, v in sets.items()}
    print(json.dumps({
        "benchmark": "sbi_capture", "sets": args.sets,
        "image": "320x416 8-bit, 500 ppi (simulator's synthetic ridges)",
        "per_finger_kb_median": {k: _kb(statistics.median(v)) for k, v in per.items()},
        "per_set_kb_median": {
            "raw_8bit": _kb(med["raw"]), "captured_2011_jpeg2000": _kb(med["captured"]),
            "evidence": _kb(med["evidence"]), "sent_to_centre": _kb(med["sent"]),
            "rcapture_answers_on_the_wire": _kb(med["answer"]),
            "wsq_2005_for_comparison": _kb(med["wsq_2005"])},
        "ratios": {
            "raw_over_captured": round(med["raw"] / med["captured"], 2),
            "evidence_over_captured": round(med["evidence"] / med["captured"], 4),
            "sent_over_wsq_2005": round(med["sent"] / med["wsq_2005"], 2)},
    }, indent=2))


if __name__ == "__main__":
    main()
