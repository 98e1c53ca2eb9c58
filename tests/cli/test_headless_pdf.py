"""PDFs from the command line on a machine with no display (a server, ssh, cron): Qt's offscreen
platform is chosen before Qt starts, instead of xcb aborting the process (it used to: SIGABRT,
exit 134, "xcb-cursor0 is needed")."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from kiosk.ui.documents import use_offscreen_without_display

HEADLESS = ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")


@pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="poppler-utils not installed")
def test_export_pdf_without_any_display_writes_the_pdf(station, tmp_path):
    for name in HEADLESS:
        station.env.pop(name, None)
    out = tmp_path / "log.pdf"
    r = station.kiosk("export", "--date", "2026-03-02", "--format", "pdf", "--output", str(out))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "xcb" not in r.stderr and "0 baris / rows" in r.stdout
    assert out.read_bytes().startswith(b"%PDF")
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True,
                          check=True).stdout
    assert re.search(r"Page size:\s+842(\.\d+)? x 595(\.\d+)? pts", info), info  # A4 landscape


@pytest.mark.parametrize(("env", "chosen"), [
    ({}, "offscreen"),
    ({"DISPLAY": ""}, "offscreen"),  # set but empty: still no display
    ({"DISPLAY": ":0"}, None),
    ({"WAYLAND_DISPLAY": "wayland-0"}, None),
    ({"QT_QPA_PLATFORM": "xcb"}, "xcb"),  # a platform chosen by hand is kept
], ids=["nothing", "empty-display", "x11", "wayland", "chosen"])
def test_offscreen_only_when_there_is_no_display(monkeypatch, env, chosen):
    monkeypatch.setattr("sys.platform", "linux")
    environ = dict(env)
    assert use_offscreen_without_display(environ) is (chosen == "offscreen" and not env.get(
        "QT_QPA_PLATFORM"))
    assert environ.get("QT_QPA_PLATFORM") == chosen
