"""Shared look and small widgets: the stylesheet, big buttons, message labels, dialogs."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QPushButton, QSizePolicy, QWidget

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
                  font-weight: 700; min-height: 96px; }
QPushButton#big:disabled { background: #9fb3c8; color: #eef2f6; }
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
    """Ask a yes/no question with explicit button words (not OK/Cancel)."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
    yes_btn = box.addButton(yes, QMessageBox.ButtonRole.YesRole)
    box.addButton(no, QMessageBox.ButtonRole.NoRole)
    box.exec()
    return box.clickedButton() is yes_btn


def inform(parent: QWidget, title: str, text: str, error: bool = False) -> None:
    icon = QMessageBox.Icon.Warning if error else QMessageBox.Icon.Information
    box = QMessageBox(icon, title, text, parent=parent)
    box.exec()
