"""Documents drawn with Qt's printing (QPdfWriter + QPainter), with no window: the daily log
PDF and the applicant's receipt. The `kiosk` command imports these too, which is why they sit
apart from the screens.

This module itself imports no Qt: `use_offscreen_without_display` must run before the
process's Qt application exists."""

from __future__ import annotations

import os
import sys


def use_offscreen_without_display(environ: dict[str, str] | None = None) -> bool:
    """For the command line only (never the GUI): on Linux with neither an X display nor a
    Wayland one, choose Qt's offscreen platform, so that drawing a PDF or printing works on a
    headless machine (Qt would otherwise try xcb and abort the process). A platform already
    chosen (QT_QPA_PLATFORM) is kept. Call before the Qt application is created; returns
    whether it chose offscreen."""
    env = os.environ if environ is None else environ
    if not sys.platform.startswith("linux") or env.get("QT_QPA_PLATFORM"):
        return False
    if env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"):
        return False
    env["QT_QPA_PLATFORM"] = "offscreen"
    return True
