"""ISO 19794-4 WSQ records and the synthetic finger generator."""

from __future__ import annotations

import numpy as np
import pytest

from kiosk.devices import iso19794
from kiosk.devices.sim import synthetic


def test_wsq_record_round_trip_keeps_position_quality_size_and_ridges():
    img = synthetic.ridge_image(7)
    record = iso19794.encode(7, 63, img)
    assert record[:4] == b"FIR\x00"
    assert len(record) < img.size / 5  # WSQ compresses ridges well beyond 5:1
    back = iso19794.decode(record)
    assert (back.position, back.quality, back.ppi) == (7, 63, 500)
    assert back.pixels.shape == img.shape
    err = np.abs(back.pixels.astype(int) - img.astype(int))
    assert err.mean() < 10  # lossy (~15:1) but close
    assert abs(synthetic.quality_proxy(back.pixels) - synthetic.quality_proxy(img)) <= 5


def test_corrupt_record_is_refused():
    record = bytearray(iso19794.encode(1, 50, synthetic.ridge_image(1)))
    record[10] ^= 0xFF  # length field
    with pytest.raises(iso19794.InvalidFingerRecord):
        iso19794.decode(bytes(record))


def test_quality_proxy_falls_gradually_with_requested_quality():
    scores = [synthetic.quality_proxy(synthetic.ridge_image(3, quality=q))
              for q in (1.0, 0.8, 0.6, 0.4, 0.2, 0.0)]
    assert scores == sorted(scores, reverse=True)
    assert scores[0] >= 95 and scores[-1] <= 15
    steps = [a - b for a, b in zip(scores, scores[1:], strict=False)]
    assert all(4 <= s <= 35 for s in steps), scores  # no cliff, no plateau
