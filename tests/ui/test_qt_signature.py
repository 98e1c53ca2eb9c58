"""The signature canvas driven like a person would: mouse, pen with pressure, finger."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QInputDevice, QPointingDevice, QTabletEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from kiosk.devices.signature import SignatureEmpty, SignatureTooSmall
from kiosk.settings import Settings
from kiosk.ui.qt_signature import QtSignaturePad


@pytest.fixture
def pad(qtbot):
    w = QtSignaturePad(Settings())
    w.resize(600, 200)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def _drag(pad, points):
    QTest.mousePress(pad, Qt.MouseButton.LeftButton, pos=QPoint(*points[0]))
    for x, y in points[1:]:
        QTest.mouseMove(pad, QPoint(x, y))
    QTest.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=QPoint(*points[-1]))


def _wave(x0, x1, n=40, y=100, amp=40):
    return [(int(x0 + (x1 - x0) * i / (n - 1)), int(y + amp * np.sin(i / 3))) for i in range(n)]


def test_mouse_signature_gives_png_and_stroke_json(qtbot, pad):
    with qtbot.waitSignal(pad.changed, timeout=2000):
        _drag(pad, _wave(60, 300))
    _drag(pad, _wave(320, 520))
    result = pad.result()
    img = cv2.imdecode(np.frombuffer(result.png, np.uint8), cv2.IMREAD_GRAYSCALE)
    assert img.shape == (200, 600) and (img < 128).any()
    doc = json.loads(result.strokes_json)
    assert doc["input"] == "mouse" and len(doc["strokes"]) == 2
    x, y, t, p = doc["strokes"][0][0]
    assert (round(x), round(y), t, p) == (60, 100, 0.0, 0.5)
    assert result.extent > 0.7


def test_empty_pad_is_refused(pad):
    with pytest.raises(SignatureEmpty) as err:
        pad.result()
    assert "kosong" in err.value.msg.id


def test_tiny_scribble_is_refused_as_too_small(pad):
    _drag(pad, [(100, 100), (110, 104), (115, 98)])
    with pytest.raises(SignatureTooSmall):
        pad.result()
    pad.clear()
    assert pad.is_empty


def _tablet(pad, kind, x, y, pressure):
    dev = QPointingDevice("test pen", 77, QInputDevice.DeviceType.Stylus,
                          QPointingDevice.PointerType.Pen,
                          QInputDevice.Capability.Position | QInputDevice.Capability.Pressure,
                          1, 2)
    button = Qt.MouseButton.NoButton if kind == QEvent.Type.TabletMove else (
        Qt.MouseButton.LeftButton)
    buttons = Qt.MouseButton.NoButton if kind == QEvent.Type.TabletRelease else (
        Qt.MouseButton.LeftButton)
    ev = QTabletEvent(kind, dev, QPointF(x, y), QPointF(pad.mapToGlobal(QPoint(x, y))),
                      pressure, 0.0, 0.0, 0.0, 0.0, 0.0, Qt.KeyboardModifier.NoModifier,
                      button, buttons)
    QApplication.sendEvent(pad, ev)


def test_tablet_pen_pressure_is_recorded(pad):
    pts = _wave(50, 450, n=30)
    _tablet(pad, QEvent.Type.TabletPress, *pts[0], 0.2)
    for i, (x, y) in enumerate(pts[1:-1]):
        _tablet(pad, QEvent.Type.TabletMove, x, y, 0.2 + 0.7 * i / len(pts))
    _tablet(pad, QEvent.Type.TabletRelease, *pts[-1], 0.1)
    doc = json.loads(pad.result().strokes_json)
    pressures = [p[3] for p in doc["strokes"][0]]
    assert doc["input"] == "tablet"
    assert pressures[0] == pytest.approx(0.2) and max(pressures) > 0.8


def test_touch_input_draws_a_stroke(qtbot, pad):
    dev = QTest.createTouchDevice()
    pts = _wave(80, 480, n=25)
    QTest.touchEvent(pad, dev).press(0, QPoint(*pts[0])).commit()
    for x, y in pts[1:]:
        QTest.touchEvent(pad, dev).move(0, QPoint(x, y)).commit()
    QTest.touchEvent(pad, dev).release(0, QPoint(*pts[-1])).commit()
    doc = json.loads(pad.result().strokes_json)
    assert doc["input"] == "touch" and len(doc["strokes"][0]) >= 20


def test_cannot_sign_exception_keeps_the_reason_and_blocks_ink(pad):
    exc = pad.declare_unable("disability", "tangan kanan cedera")
    assert exc.label() == "tidak dapat tanda tangan: disability (tangan kanan cedera)"
    assert pad.exception == exc and not pad.isEnabled()
    _drag(pad, _wave(60, 300))
    assert pad.is_empty
    with pytest.raises(ValueError):
        pad.declare_unable("bored")
    pad.withdraw_exception()
    assert pad.exception is None and pad.isEnabled()
