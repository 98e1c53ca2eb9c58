"""Shared parts of the technician and supervisor screens: the permission-checked base screen,
tables, colours, and the English translation file of these screens (kiosk6_en.qm)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTranslator, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kiosk.domain.messages import DomainError
from kiosk.ui.qt_common import STYLE, label
from kiosk.ui.qt_i18n import TRANSLATIONS, QtLanguage
from kiosk.ui.qt_tasks import failure_text, log_failure

if TYPE_CHECKING:
    from kiosk.app.desk import DeskService

PASS_COLOUR = "#1e6b2f"
FAIL_COLOUR = "#b3261e"
PASS_BG = QColor("#e3f4e8")
FAIL_BG = QColor("#fbe3e1")
DESK_QM = "kiosk6_{lang}.qm"

DESK_STYLE = STYLE + """
QTableWidget { font-size: 12pt; background: white; gridline-color: #d5dde5; }
QHeaderView::section { font-size: 12pt; font-weight: 600; background: #e3e9ef; padding: 4px;
                       border: none; border-right: 1px solid #c9d3dd; }
QLabel#figure { font-size: 26pt; font-weight: 700; color: #0b5394; }
QLabel#pass { color: white; background: #1e6b2f; border-radius: 6px; padding: 2px 10px;
              font-size: 12pt; font-weight: 600; }
QLabel#fail { color: white; background: #b3261e; border-radius: 6px; padding: 2px 10px;
              font-size: 12pt; font-weight: 600; }
QLabel#pending { color: #4a5a6a; background: #e3e9ef; border-radius: 6px; padding: 2px 10px;
                 font-size: 12pt; }
QGroupBox { font-size: 13pt; font-weight: 600; border: 1px solid #d5dde5; border-radius: 8px;
            margin-top: 14px; background: white; }
QGroupBox::title { subcontrol-origin: margin; left: 10px; padding: 0 4px; }
QSpinBox, QDateEdit { min-height: 40px; padding: 2px 8px; }
QProgressBar { min-height: 28px; border: 1px solid #9aa8b6; border-radius: 6px;
               text-align: center; background: white; }
QProgressBar::chunk { background: #0b5394; border-radius: 5px; }
"""


def error_text(exc: BaseException) -> str:
    """What the user reads about a failed call: a named domain error's own sentence; anything
    else is logged with its traceback (once: a task runner may have logged it already) and
    reads as the unexpected-error sentence, never as the exception's name or text."""
    if not isinstance(exc, DomainError):
        log_failure(exc, "desk screen")
    return failure_text(exc)


class QtDeskScreen(QWidget):
    """A desk screen: refuses (PermissionDenied) a user whose role may not do `ACTION`.

    Subclasses build their widgets after `super().__init__`, then call `retranslate()`. Every
    desk screen has the two signals of `qt_desk_nav.DeskScreen`; most never emit them.
    """

    ACTION = ""
    changed = Signal()  # home's figures (quota, re-recordings, ...) may have changed
    devices_changed = Signal(dict)  # device settings changed: the changed keys and values

    def __init__(self, service: DeskService, parent: QWidget | None = None) -> None:
        service.require(self.ACTION)  # before any widget exists: nothing to show on refusal
        super().__init__(parent)
        self.service = service
        self.setObjectName("page")
        self.setStyleSheet(DESK_STYLE)
        self.title = label("title")
        self.subtitle = label("subtitle", wrap=True)
        self.lay = QVBoxLayout(self)
        self.lay.setContentsMargins(24, 16, 24, 16)
        self.lay.setSpacing(10)
        head = QHBoxLayout()
        head.addWidget(self.title)
        head.addStretch(1)
        self.head = head
        self.lay.addLayout(head)
        self.lay.addWidget(self.subtitle)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        """Set every visible text in the current language (subclasses)."""


def table(columns: int, stretch: int = -1, wrap: bool = False) -> QTableWidget:
    """A read-only, row-selecting table; column `stretch` takes the spare width. Without
    `wrap` every row is one line high (long texts are elided)."""
    t = QTableWidget(0, columns)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.setAlternatingRowColors(True)
    t.verticalHeader().setVisible(False)
    t.setWordWrap(wrap)
    if not wrap:
        t.verticalHeader().setDefaultSectionSize(36)
    header = t.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    if stretch >= 0:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return t


def fit_rows(t: QTableWidget) -> None:
    """Rows as tall as their texts and the table as tall as its rows: a short list is read
    whole, without scrolling inside the table (the page around it scrolls instead)."""
    t.resizeRowsToContents()
    header = max(t.horizontalHeader().height(), t.horizontalHeader().sizeHint().height())
    t.setMinimumHeight(header + sum(t.rowHeight(r) for r in range(t.rowCount()))
                       + 2 * t.frameWidth())


def set_row(t: QTableWidget, row: int, values: list[object],
            background: QColor | None = None) -> None:
    """Fill one table row with plain text cells."""
    for col, value in enumerate(values):
        item = QTableWidgetItem("" if value is None else str(value))
        item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
        if background is not None:
            item.setBackground(background)
        t.setItem(row, col, item)


class QtDeskTranslations(QObject):
    """Installs kiosk6_<lang>.qm beside the main translation whenever the language changes.

    The main window's QtLanguage loads only kiosk_<lang>.qm; attach this to it once:
    `QtDeskTranslations(window.language)`.
    """

    def __init__(self, language: QtLanguage) -> None:
        super().__init__(language)
        self._translator: QTranslator | None = None
        language.changed.connect(self.apply)
        if language.lang != "id":
            self.apply(language.lang)

    def apply(self, lang: str) -> None:
        app = QCoreApplication.instance()
        if self._translator is not None:
            app.removeTranslator(self._translator)
            self._translator = None
        if lang == "id":
            return
        translator = QTranslator(self)
        if translator.load(str(TRANSLATIONS / DESK_QM.format(lang=lang))):
            app.installTranslator(translator)  # sends LanguageChange to every widget again
            self._translator = translator
