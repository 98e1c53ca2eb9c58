"""The idle watcher: the station locks its screen when nobody has touched it for a while."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal

INPUT_EVENTS = {QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
                QEvent.Type.Wheel, QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate,
                QEvent.Type.TabletPress, QEvent.Type.TabletMove}


class QtIdleWatcher(QObject):
    """An application event filter: any input restarts the idle timer; `idle` on timeout."""

    idle = Signal()

    def __init__(self, minutes: float, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(int(minutes * 60_000))
        self.timer.timeout.connect(self.idle)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() in INPUT_EVENTS and self.timer.isActive():
            self.timer.start()
        return False
