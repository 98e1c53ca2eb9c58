"""Signature checks and the non-Qt input probe."""

from __future__ import annotations

import json

import pytest

from kiosk.devices.base import READY
from kiosk.devices.signature import (
    SignatureEmpty,
    SignatureInk,
    SignatureTooSmall,
    input_devices,
    probe_signature_input,
)
from kiosk.devices.sim import synthetic
from kiosk.settings import Settings


def _ink(strokes) -> SignatureInk:
    ink = SignatureInk(600, 200, "tablet")
    for stroke in strokes:
        ink.begin(stroke[0].x, stroke[0].y, stroke[0].t, stroke[0].pressure)
        for p in stroke[1:]:
            ink.add(p.x, p.y, p.t, p.pressure)
    return ink


def test_scripted_signature_passes_and_round_trips_as_json():
    strokes = synthetic.signature_strokes(4)
    result = _ink(strokes).result(Settings())
    assert result.png[:8] == b"\x89PNG\r\n\x1a\n"
    doc = json.loads(result.strokes_json)
    assert len(doc["strokes"]) == len(strokes)
    assert doc["strokes"][0][0][2] == 0.0  # time starts at the first point


def test_empty_and_too_narrow_signatures_are_refused():
    with pytest.raises(SignatureEmpty):
        SignatureInk(600, 200).result(Settings())
    narrow = [[synthetic.StrokePoint(100 + i, 100 + (i % 5), i * 0.01, 0.5) for i in range(30)]]
    with pytest.raises(SignatureTooSmall):
        _ink(narrow).result(Settings())


def test_thin_ink_is_refused_by_the_ink_ratio_setting():
    strokes = synthetic.signature_strokes(2)
    with pytest.raises(SignatureTooSmall):
        _ink(strokes).result(Settings({"signature.min_ink_ratio": 0.5}))


def test_probe_finds_a_configured_tablet_by_name():
    s = Settings({"signature.input": "tablet"})
    found = probe_signature_input(s, ["AT Translated Set 2 keyboard", "Wacom STU-540 Pen"])
    assert found.status == READY and found.vendor == "Wacom STU-540 Pen"
    missing = probe_signature_input(s, ["AT Translated Set 2 keyboard"])
    assert missing.status != READY


def test_probe_reports_mouse_input_as_present_without_qt():
    info = probe_signature_input(Settings({"signature.input": "mouse"}), [])
    assert info.status == READY and info.model == "mouse"


def test_input_devices_reads_the_kernel_list(tmp_path):
    f = tmp_path / "devices"
    f.write_text('I: Bus=0003\nN: Name="Wacom Intuos S Pen"\nP: Phys=usb\n\n'
                 'N: Name="Logitech USB Mouse"\n')
    assert input_devices(f) == ["Wacom Intuos S Pen", "Logitech USB Mouse"]
    assert input_devices(tmp_path / "absent") == []
