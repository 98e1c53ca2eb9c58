"""Signature input names as the self-test shows them: no control or unprintable characters."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from kiosk.devices.base import READY
from kiosk.devices.signature import clean_device_name, input_devices, probe_signature_input
from kiosk.selftest import checks
from kiosk.settings import Settings


@pytest.mark.parametrize(("raw", "shown"), [
    ("Virtual core pointer\x00", "Virtual core pointer"),  # X11's name with its NUL
    ("mouse: Virtual core pointer\x00\x00", "mouse: Virtual core pointer"),
    ("Wacom\u00a0STU-540\tPen\u200b", "Wacom STU-540 Pen"),  # no-break space, tab, zero-width
    ("Logitech \ufffd Mouse\x7f", "Logitech Mouse"),  # an undecodable byte, DEL
    ("Pena Tanda Tangan", "Pena Tanda Tangan"),
])
def test_device_names_lose_control_and_unprintable_characters(raw, shown):
    assert clean_device_name(raw) == shown


def test_the_self_test_signature_row_shows_the_name_without_a_stray_glyph():
    """The GUI passes Qt's input names to the probe; X11 ends "Virtual core pointer" with a
    NUL, which the row drew as a box."""
    settings = Settings({"signature.input": "mouse"})
    ctx = SimpleNamespace(settings=settings, signature_probe=lambda s: probe_signature_input(
        s, ["keyboard: Virtual core keyboard\x00", "mouse: Virtual core pointer\x00"]))
    result = checks.signature(ctx)
    assert result.passed
    assert result.value["device"] == "mouse: Virtual core pointer"
    assert all(ch.isprintable() for ch in result.value["device"])


def test_kernel_names_are_cleaned_and_empty_ones_dropped(tmp_path):
    f = tmp_path / "devices"
    f.write_bytes(b'N: Name="Wacom Intuos S Pen\x01"\nN: Name="\x00"\n'
                  b'N: Name="USB \xff Mouse"\n')
    assert input_devices(f) == ["Wacom Intuos S Pen", "USB Mouse"]
    info = probe_signature_input(Settings({"signature.input": "tablet"}), input_devices(f))
    assert info.status == READY and info.vendor == "Wacom Intuos S Pen"
