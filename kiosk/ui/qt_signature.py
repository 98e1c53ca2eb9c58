"""The signature canvas: tablet (with pressure), touch and mouse, drawn live.

The widget only collects points and paints them; what counts as a usable signature, the PNG
and the stroke JSON come from kiosk.devices.signature (plain Python, tested without Qt).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
    QTabletEvent,
    QTouchEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from kiosk.devices.signature import (
    SIGNATURE_EXCEPTION_REASONS,
    SignatureException,
    SignatureInk,
    SignatureResult,
)
from kiosk.settings import Settings

MOUSE_PRESSURE = 0.5  # a mouse has no pressure: draw a mid-width line


class QtSignaturePad(QWidget):
    """Signature pad widget; `changed` fires after every stroke, clear or exception."""

    changed = Signal()

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents, True)
        self.setAttribute(Qt.WidgetAttribute.WA_StaticContents, True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(400, 140)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setAccessibleName("Bidang tanda tangan / signature pad")
        self.ink = SignatureInk(self.width(), self.height())
        self.exception: SignatureException | None = None
        self._drawing: str | None = None  # "tablet" | "touch" | "mouse" while a stroke is open

    # --- public API ------------------------------------------------------------------

    @property
    def is_empty(self) -> bool:
        return self.ink.empty

    def clear(self) -> None:
        self.ink.clear()
        self.ink.w, self.ink.h = self.width(), self.height()
        self._drawing = None
        self.update()
        self.changed.emit()

    def result(self) -> SignatureResult:
        """PNG + strokes; SignatureEmpty / SignatureTooSmall when not usable."""
        return self.ink.result(self.settings)

    def declare_unable(self, reason: str, note: str = "") -> SignatureException:
        """Record 'tidak dapat tanda tangan' with a reason; clears any ink."""
        if reason not in SIGNATURE_EXCEPTION_REASONS:
            raise ValueError(f"reason must be one of {SIGNATURE_EXCEPTION_REASONS}")
        self.ink.clear()
        self.exception = SignatureException(reason, note)
        self.setEnabled(False)
        self.update()
        self.changed.emit()
        return self.exception

    def withdraw_exception(self) -> None:
        self.exception = None
        self.setEnabled(True)
        self.changed.emit()

    # --- input -----------------------------------------------------------------------

    def _press(self, source: str, pos: QPointF, t_ms: int, pressure: float) -> None:
        if self.exception is not None:
            return
        if self.ink.empty:
            self.ink.w, self.ink.h = self.width(), self.height()
        self._drawing = source
        self.ink.source = source
        self.ink.begin(pos.x(), pos.y(), t_ms / 1000.0, pressure)
        self.update()

    def _move(self, source: str, pos: QPointF, t_ms: int, pressure: float) -> None:
        if self._drawing == source:
            self.ink.add(pos.x(), pos.y(), t_ms / 1000.0, pressure)
            self.update()

    def _release(self, source: str, pos: QPointF, t_ms: int, pressure: float) -> None:
        if self._drawing == source:
            self.ink.add(pos.x(), pos.y(), t_ms / 1000.0, pressure)
            self._drawing = None
            self.update()
            self.changed.emit()

    def tabletEvent(self, event: QTabletEvent) -> None:  # noqa: N802 (Qt override)
        kind = event.type()
        args = ("tablet", event.position(), event.timestamp(), event.pressure())
        if kind == QEvent.Type.TabletPress:
            self._press(*args)
        elif kind == QEvent.Type.TabletMove:
            self._move(*args)
        elif kind == QEvent.Type.TabletRelease:
            self._release(*args)
        event.accept()  # accepted: Qt does not also synthesise mouse events from the pen

    def event(self, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate, QEvent.Type.TouchEnd):
            assert isinstance(event, QTouchEvent)
            points = event.points()
            if points:
                p = points[0]
                force = p.pressure() if p.pressure() > 0 else MOUSE_PRESSURE
                args = ("touch", p.position(), event.timestamp(), force)
                if kind == QEvent.Type.TouchBegin:
                    self._press(*args)
                elif kind == QEvent.Type.TouchUpdate:
                    self._move(*args)
                else:
                    self._release(*args)
            event.accept()
            return True
        return super().event(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton and self._drawing is None:
            self._press("mouse", event.position(), event.timestamp(), MOUSE_PRESSURE)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self._move("mouse", event.position(), event.timestamp(), MOUSE_PRESSURE)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton:
            self._release("mouse", event.position(), event.timestamp(), MOUSE_PRESSURE)

    # --- painting --------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        if self.ink.empty:
            self.ink.w, self.ink.h = self.width(), self.height()
        super().resizeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor("white"))
        p.setPen(QPen(QColor("#9aa"), 1, Qt.PenStyle.DashLine))
        base = int(self.height() * 0.75)
        p.drawLine(16, base, self.width() - 16, base)
        if self.exception is not None:
            p.setPen(QColor("#555"))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter,
                       "Tidak dapat tanda tangan / cannot sign\n" + self.exception.label())
            return
        for stroke in self.ink.strokes:
            for a, b in zip(stroke, stroke[1:], strict=False):
                width = max(1.0, 1 + 3 * (a.pressure + b.pressure) / 2)
                p.setPen(QPen(QColor("black"), width, Qt.PenStyle.SolidLine,
                              Qt.PenCapStyle.RoundCap))
                p.drawLine(QPointF(a.x, a.y), QPointF(b.x, b.y))
        p.end()
