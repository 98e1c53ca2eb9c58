"""The main window's top bar: the station, the user, the language switch, lock and log-out."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QWidget

from kiosk.ui.qt_common import ElidedLabel, button


class QtTopBar(QFrame):
    """The station's name on the left; on the right the user's name, the language switch and
    the lock and log-out buttons. The window connects the buttons and sets every text.

    The buttons always keep their room: a long station or user name is shortened (with its
    whole text as a tooltip), so the bar never asks for more than the screen's width."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("topbar")
        self.station_label = ElidedLabel()
        self.user_label = ElidedLabel()
        self.lang_button = button()
        self.lang_button.setObjectName("language")
        self.lock_button = button()
        self.logout_button = button()
        self._lay = QHBoxLayout(self)
        self._lay.setContentsMargins(16, 6, 16, 6)
        self._lay.addWidget(self.station_label, 1)
        for widget in (self.user_label, self.lang_button, self.lock_button, self.logout_button):
            self._lay.addWidget(widget)

    def add(self, widget: QWidget) -> None:
        """Put a widget left of the user's name (the demo's server switch)."""
        self._lay.insertWidget(self._lay.indexOf(self.user_label), widget)
