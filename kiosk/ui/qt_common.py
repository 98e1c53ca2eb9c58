"""Shared look and small widgets: the stylesheet, big buttons, message labels, dialogs."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QLayout,
    QLayoutItem,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QWidget,
)

# Touch-friendly and readable at 1366x768: 15 pt text, 52 px buttons, high contrast.
STYLE = """
QWidget { font-size: 15pt; }
QMainWindow, QWidget#page { background: #f4f6f8; }
QLabel#title { font-size: 22pt; font-weight: 600; color: #1b2a3a; }
QLabel#subtitle { font-size: 13pt; color: #4a5a6a; }
QLabel#quota { font-size: 64pt; font-weight: 700; color: #0b5394; }
QLabel#error { color: #b3261e; font-size: 12pt; }
QLabel#warning { color: #7a4f00; background: #fff4d6; border-radius: 6px; padding: 6px;
                 font-size: 12pt; }
QLabel#ok { color: #1e6b2f; font-size: 12pt; }
QLabel#hint { color: #4a5a6a; font-size: 12pt; }
QLabel#demo { background: #e8f0fe; border-radius: 8px; padding: 10px; font-size: 12pt; }
QLabel#banner { background: #1e6b2f; color: white; font-size: 26pt; font-weight: 700;
                padding: 10px; border-radius: 8px; }
QLabel#regno { font-size: 28pt; font-weight: 700; color: #1b2a3a; }
QLabel#step { color: #6b7b8b; font-size: 12pt; padding: 6px 10px; border-radius: 14px; }
QLabel#stepCurrent { color: white; background: #0b5394; font-size: 12pt; padding: 6px 10px;
                     border-radius: 14px; font-weight: 600; }
QLabel#stepDone { color: #1e6b2f; font-size: 12pt; padding: 6px 10px; }
QFrame#topbar { background: #0b5394; }
QFrame#topbar QLabel { color: white; font-size: 13pt; }
QFrame#topbar QPushButton { background: #2a6fb0; color: white; border: none; min-height: 36px;
                            font-size: 12pt; padding: 4px 14px; }
QFrame#card { background: white; border: 1px solid #d5dde5; border-radius: 10px; }
QPushButton { min-height: 48px; padding: 4px 18px; border-radius: 8px; background: #e3e9ef;
              border: 1px solid #b8c4d0; }
QPushButton:focus { border: 3px solid #f0a202; }
QPushButton:disabled { color: #8a96a3; background: #eceff2; }
QPushButton#primary { background: #0b5394; color: white; border: none; font-weight: 600; }
QPushButton#primary:disabled { background: #9fb3c8; color: #eef2f6; }
QPushButton#big { background: #0b5394; color: white; border: none; font-size: 22pt;
                  font-weight: 700; min-height: 72px; }
QPushButton#big:disabled { background: #9fb3c8; color: #eef2f6; }
QPushButton[compact="true"] { min-height: 38px; font-size: 13pt; padding: 2px 14px; }
QPushButton#danger { background: #fbe9e7; color: #b3261e; border: 1px solid #e6b0aa; }
QLineEdit, QComboBox { min-height: 40px; padding: 2px 8px; border: 1px solid #9aa8b6;
                       border-radius: 6px; background: white; }
QLineEdit[invalid="true"], QComboBox[invalid="true"] { border: 2px solid #b3261e; }
QLineEdit:focus, QComboBox:focus { border: 2px solid #0b5394; }
"""


def tr(context: str, text: str) -> str:
    """Translate outside a QObject (e.g. module-level labels), in the given context."""
    return QCoreApplication.translate(context, text)


def label(name: str = "", wrap: bool = False) -> QLabel:
    """A QLabel with an object name for the stylesheet (title, error, hint...)."""
    lab = QLabel()
    if name:
        lab.setObjectName(name)
    lab.setWordWrap(wrap)
    lab.setTextFormat(Qt.TextFormat.PlainText)
    return lab


class ElidedLabel(QLabel):
    """One line of text that gives way when room is short: shortened with "…", the whole text
    then in its tooltip. It asks for its whole text's width but needs only a little."""

    def __init__(self, name: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if name:
            self.setObjectName(name)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self._full = ""

    def setText(self, text: str) -> None:  # noqa: N802
        self._full = text
        self.updateGeometry()
        self._elide()

    def text(self) -> str:
        return self._full

    def sizeHint(self) -> QSize:  # noqa: N802
        m = self.contentsMargins()
        width = self.fontMetrics().horizontalAdvance(self._full) + m.left() + m.right() + 2
        return QSize(width, super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        m = self.contentsMargins()
        width = self.fontMetrics().horizontalAdvance("…" * 4) + m.left() + m.right()
        return QSize(min(width, self.sizeHint().width()), super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        room = self.contentsRect().width()
        shown = self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, room)
        super().setText(shown)
        self.setToolTip(self._full if shown != self._full else "")


class FlowLayout(QLayout):
    """Widgets left to right, wrapping to a new row when the width runs out (rows of buttons
    that must fit any screen and any language)."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 10) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._gap = spacing
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        return self._place(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802
        super().setGeometry(rect)
        self._place(rect, move=True)

    def sizeHint(self) -> QSize:  # noqa: N802
        return self.minimumSize()

    def minimumSize(self) -> QSize:  # noqa: N802
        size = QSize()
        for item in self._items:
            if not item.isEmpty():
                size = size.expandedTo(item.minimumSize())
        m = self.contentsMargins()
        return size + QSize(m.left() + m.right(), m.top() + m.bottom())

    def _place(self, rect: QRect, move: bool) -> int:
        m = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        x, y, row_height = area.x(), area.y(), 0
        for item in self._items:
            if item.isEmpty():
                continue
            hint = item.sizeHint().boundedTo(QSize(area.width(), item.sizeHint().height()))
            if x > area.x() and x + hint.width() > area.right() + 1:
                x, y, row_height = area.x(), y + row_height + self._gap, 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self._gap
            row_height = max(row_height, hint.height())
        return y + row_height - rect.y() + m.bottom()


class CurrentStack(QStackedWidget):
    """Pages one at a time, asking only for the room of the page shown (a QStackedWidget
    asks for its largest page's, so one tall page would make every page scroll)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.currentChanged.connect(lambda _i: self.updateGeometry())

    def sizeHint(self) -> QSize:  # noqa: N802
        page = self.currentWidget()
        return page.sizeHint() if page is not None else super().sizeHint()

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        page = self.currentWidget()
        if page is None:
            return super().minimumSizeHint()
        return page.minimumSizeHint().expandedTo(page.minimumSize())

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        page = self.currentWidget()
        return page is not None and page.hasHeightForWidth()

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        page = self.currentWidget()
        return page.heightForWidth(width) if page is not None else -1


def scrolled(widget: QWidget) -> QScrollArea:
    """`widget` in a borderless scroll area: when it needs more room than there is it scrolls,
    instead of asking its window to grow past the screen."""
    area = QScrollArea()
    area.setObjectName("pageScroll")
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidgetResizable(True)
    area.setStyleSheet("QScrollArea#pageScroll { background: transparent; }")
    area.viewport().setAutoFillBackground(False)  # the window's background shows through
    area.setWidget(widget)
    widget.setAutoFillBackground(False)
    return area


class QtPageStack(QStackedWidget):
    """The window's pages, one shown at a time, each in its own scroll area: a page that
    needs more room than the screen has scrolls, it never makes the window grow (and so
    nothing a page once asked for keeps the window larger than the screen afterwards)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._areas: dict[QWidget, QScrollArea] = {}

    def add(self, page: QWidget) -> None:
        area = scrolled(page)
        self._areas[page] = area
        self.addWidget(area)

    def show_page(self, page: QWidget) -> None:
        self.setCurrentWidget(self._areas[page])

    def current(self) -> QWidget | None:
        area = self.currentWidget()
        return area.widget() if isinstance(area, QScrollArea) else None

    def pages(self) -> list[QWidget]:
        return list(self._areas)

    def remove(self, page: QWidget) -> None:
        """Take the page out and delete it (with its scroll area)."""
        area = self._areas.pop(page)
        self.removeWidget(area)
        area.deleteLater()


def button(name: str = "", parent: QWidget | None = None) -> QPushButton:
    btn = QPushButton(parent)
    if name:
        btn.setObjectName(name)
    btn.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
    return btn


def set_invalid(widget: QWidget, invalid: bool) -> None:
    """Mark a field red (stylesheet property) or clear it."""
    if widget.property("invalid") != invalid:
        widget.setProperty("invalid", invalid)
        widget.style().unpolish(widget)
        widget.style().polish(widget)


def confirm(parent: QWidget, title: str, text: str, yes: str, no: str) -> bool:
    """Ask a yes/no question with explicit button words (not OK/Cancel). `no` is the safe
    answer: the default button (Enter) and what Escape or closing the box means."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
    yes_btn = box.addButton(yes, QMessageBox.ButtonRole.YesRole)
    no_btn = box.addButton(no, QMessageBox.ButtonRole.NoRole)
    box.setDefaultButton(no_btn)
    box.setEscapeButton(no_btn)
    box.exec()
    return box.clickedButton() is yes_btn


def inform(parent: QWidget, title: str, text: str, error: bool = False) -> None:
    icon = QMessageBox.Icon.Warning if error else QMessageBox.Icon.Information
    box = QMessageBox(icon, title, text, parent=parent)
    box.exec()
