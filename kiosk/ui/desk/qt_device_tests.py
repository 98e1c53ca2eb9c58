"""The self-test screen's device tests, one box each: the live camera preview, the thumbs test
capture, the signature test stroke and the server link's latency and clock skew.

The boxes only lay out and show; the screen (qt_selftest) runs the tests off the GUI thread and
sets every text, so the translations stay in its context."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QGridLayout, QGroupBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kiosk.settings import Settings
from kiosk.ui.desk.qt_desk import FAIL_COLOUR, PASS_COLOUR
from kiosk.ui.qt_common import button, label
from kiosk.ui.qt_signature import QtSignaturePad
from kiosk.ui.recording.qt_step_photo import bgr_to_qimage


def grey_pixmap(pixels: np.ndarray, height: int) -> QPixmap:
    h, w = pixels.shape
    img = QImage(np.ascontiguousarray(pixels).data, w, h, w, QImage.Format.Format_Grayscale8)
    return QPixmap.fromImage(img.copy()).scaledToHeight(
        height, Qt.TransformationMode.SmoothTransformation)


class QtCameraTestBox(QGroupBox):
    """The live preview and its start / stop button."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.preview = QLabel()
        self.preview.setObjectName("preview")
        self.preview.setFixedSize(256, 192)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setStyleSheet("background: #20262c; color: #dfe6ec; border-radius: 6px;")
        self.preview.setWordWrap(True)
        self.button = button()
        lay = QVBoxLayout(self)
        lay.addWidget(self.preview, 0, Qt.AlignmentFlag.AlignHCenter)
        lay.addWidget(self.button)

    def show_frame(self, frame: np.ndarray) -> None:
        """A BGR camera frame, scaled into the preview; its size in the tooltip."""
        h, w = frame.shape[:2]
        pix = QPixmap.fromImage(bgr_to_qimage(frame)).scaled(
            self.preview.size(), Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation)
        self.preview.setPixmap(pix)
        self.preview.setToolTip(f"{w}x{h}")

    def show_error(self, text: str) -> None:
        self.preview.setPixmap(QPixmap())
        self.preview.setText(text)


class QtThumbsTestBox(QGroupBox):
    """Both thumbs from a test capture, each with its quality score, and the capture button."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.button = button()
        self.button.setObjectName("testFinger")
        self.images = [QLabel(), QLabel()]
        self.scores = [label(), label()]
        self.status = label("hint", wrap=True)
        lay = QGridLayout(self)
        for i in range(2):
            self.images[i].setFixedSize(90, 112)
            self.images[i].setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.images[i].setStyleSheet("background: #eef2f6; border-radius: 6px;")
            lay.addWidget(self.images[i], 0, i, Qt.AlignmentFlag.AlignHCenter)
            lay.addWidget(self.scores[i], 1, i, Qt.AlignmentFlag.AlignHCenter)
        side = QVBoxLayout()
        side.addWidget(self.status, 1)
        side.addWidget(self.button)
        lay.addLayout(side, 0, 2, 2, 1)
        lay.setColumnStretch(2, 1)

    def show_thumbs(self, thumbs: list[tuple[str, int, np.ndarray]], threshold: int) -> None:
        """(name, quality, grey pixels) of each thumb; a score below `threshold` is red."""
        for i, (name, quality, pixels) in enumerate(thumbs[:2]):
            self.images[i].setPixmap(grey_pixmap(pixels, 108))
            ok = quality >= threshold
            self.scores[i].setText(f"{name}: {quality}")
            self.scores[i].setStyleSheet(
                f"color: {PASS_COLOUR if ok else FAIL_COLOUR}; font-size: 12pt;")

    def clear(self) -> None:
        for img, score in zip(self.images, self.scores, strict=True):
            img.setPixmap(QPixmap())
            score.setText("")


class QtSignatureTestBox(QGroupBox):
    """A signature pad for one test stroke, what was read from it, and a clear button."""

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pad = QtSignaturePad(settings)
        self.pad.setMinimumSize(300, 110)
        self.pad.setMaximumHeight(140)
        self.status = label("hint", wrap=True)
        self.status.setObjectName("signatureStatus")
        self.clear_button = button()
        self.clear_button.clicked.connect(self.pad.clear)
        lay = QVBoxLayout(self)
        lay.addWidget(self.pad)
        row = QHBoxLayout()
        row.addWidget(self.status, 1)
        row.addWidget(self.clear_button)
        lay.addLayout(row)

    def show_status(self, text: str, passed: bool | None = None) -> None:
        """The reading in green (passed), red (failed) or plain (nothing to judge yet)."""
        self.status.setText(text)
        if passed is None:
            self.status.setStyleSheet("")
        else:
            self.status.setStyleSheet(f"color: {PASS_COLOUR if passed else FAIL_COLOUR};")


class QtServerLinkBox(QGroupBox):
    """The central server's latency and clock skew from the last server check."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.latency = label("figure")
        self.latency.setObjectName("figure")
        self.skew = label("figure")
        self.skew.setObjectName("figure")
        self.captions = [label("hint"), label("hint")]
        self.note = label("hint", wrap=True)
        lay = QGridLayout(self)
        lay.addWidget(self.captions[0], 0, 0)
        lay.addWidget(self.captions[1], 0, 1)
        lay.addWidget(self.latency, 1, 0)
        lay.addWidget(self.skew, 1, 1)
        lay.addWidget(self.note, 2, 0, 1, 2)

    def show_link(self, latency_ms: float | None, skew_s: float | None, max_skew_s: float,
                  note: str) -> None:
        """The figures ("-" when unknown); a skew beyond `max_skew_s` is red."""
        self.latency.setText("-" if latency_ms is None else f"{latency_ms:.0f} ms")
        self.skew.setText("-" if skew_s is None else f"{skew_s:+.1f} s")
        bad = skew_s is not None and abs(skew_s) > max_skew_s
        self.skew.setStyleSheet(f"color: {FAIL_COLOUR};" if bad else "")
        self.note.setText(note)
