"""Typed search in a dropdown, for every form of the station (the data form, first-run
set-up): any part of an item, spaces included, in any case."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QCompleter


def searchable(box: QComboBox) -> None:
    """Let the operator type into a dropdown: any part of an item, spaces included, in any
    case ("urus rumah" finds MENGURUS RUMAH TANGGA). A non-editable QComboBox opens its list
    on Space and only matches what an item starts with, typed within a fraction of a second;
    an editable one with a contains-completer has neither limit. What is left typed when the
    field is left must name one item, else the field goes back to blank (shown as missing)."""
    box.setEditable(True)
    box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    completer = QCompleter(box.model(), box)
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
    box.setCompleter(completer)
    completer.activated[str].connect(lambda text: choose_typed(box, text))
    box.lineEdit().editingFinished.connect(lambda: choose_typed(box, box.currentText()))


def choose_typed(box: QComboBox, typed: str) -> None:
    """The item `typed` names: the one it equals, or the only one containing it; else blank
    (or the current item, for a list without a blank)."""
    want = " ".join(typed.split()).casefold()
    texts = [box.itemText(i).casefold() for i in range(box.count())]
    if want in texts:
        index = texts.index(want)
    else:
        hits = [i for i, t in enumerate(texts) if want and want in t]
        index = hits[0] if len(hits) == 1 else (0 if box.itemData(0) == "" else
                                                 box.currentIndex())
    if index != box.currentIndex():
        box.setCurrentIndex(index)
    else:
        box.setEditText(box.itemText(index))
