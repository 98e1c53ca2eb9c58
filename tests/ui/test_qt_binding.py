"""The Qt binding itself must be sound for a GUI that runs all day."""

from __future__ import annotations

import sys

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel


def test_void_qt_methods_do_not_leak_references_to_none(qtbot):
    """PySide6 6.12.0 on Python 3.11 took a reference from None on every void call, which
    aborts the process after a few thousand calls ("none_dealloc"); it is excluded in
    pyproject.toml, and this catches any release that brings the bug back."""
    label = QLabel("x")
    qtbot.addWidget(label)
    font = QFont()
    before = sys.getrefcount(None)
    for _ in range(1000):
        label.setFont(font)
        label.setText("y")
    assert sys.getrefcount(None) - before > -50
