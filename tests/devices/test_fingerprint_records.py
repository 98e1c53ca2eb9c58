"""Synthetic fingers through ISO 19794-4 records (what the simulator and demo data send), and the
synthetic finger generator itself."""

from __future__ import annotations

import numpy as np
import pytest

from kiosk.devices import iso19794
from kiosk.devices.sim import synthetic


def test_default_record_is_what_a_registration_device_sends_and_is_lossless():
    img = synthetic.ridge_image(7)
    record = iso19794.encode(7, 63, img)  # the call the simulator, demo data and harness make
    assert record[:8] == b"FIR\x00020\x00"
    assert len(record) < img.size  # JPEG 2000 lossless still compresses ridges
    back = iso19794.decode(record)
    assert (back.position, back.quality, back.ppi) == (7, 63, 500)
    assert (back.edition, back.compression) == ("2011", "jpeg2000_lossless")
    assert np.array_equal(back.pixels, img)
    assert synthetic.quality_proxy(back.pixels) == synthetic.quality_proxy(img)


@pytest.mark.parametrize("edition", ["2005", "2011"])
def test_wsq_record_round_trip_keeps_position_quality_size_and_ridges(edition):
    img = synthetic.ridge_image(7)
    record = iso19794.encode(7, 63, img, edition=edition, compression="wsq")
    assert record[:4] == b"FIR\x00"
    assert len(record) < img.size / 5  # WSQ compresses ridges well beyond 5:1
    back = iso19794.decode(record)
    assert (back.position, back.quality, back.ppi, back.edition) == (7, 63, 500, edition)
    assert back.pixels.shape == img.shape
    err = np.abs(back.pixels.astype(int) - img.astype(int))
    assert err.mean() < 10  # lossy (~15:1) but close
    assert abs(synthetic.quality_proxy(back.pixels) - synthetic.quality_proxy(img)) <= 5


@pytest.mark.parametrize(("edition", "offset"), [("2005", 10), ("2011", 10)])
def test_corrupt_length_field_is_refused(edition, offset):
    record = bytearray(iso19794.encode(1, 50, synthetic.ridge_image(1), edition=edition,
                                       compression="wsq"))
    record[offset] ^= 0xFF  # inside the record length field in both editions
    with pytest.raises(iso19794.InvalidFingerRecord, match="record is"):
        iso19794.decode(bytes(record))


def test_quality_proxy_falls_gradually_with_requested_quality():
    scores = [synthetic.quality_proxy(synthetic.ridge_image(3, quality=q))
              for q in (1.0, 0.8, 0.6, 0.4, 0.2, 0.0)]
    assert scores == sorted(scores, reverse=True)
    assert scores[0] >= 95 and scores[-1] <= 15
    steps = [a - b for a, b in zip(scores, scores[1:], strict=False)]
    assert all(4 <= s <= 35 for s in steps), scores  # no cliff, no plateau
