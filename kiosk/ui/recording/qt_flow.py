"""The recording flow: a step indicator across the top, Back and Next at fixed places (always
in sight: a step taller than the screen scrolls between them).

While a step's device call runs (a fingerprint capture), the flow stays on that step: Back,
Next and review's Edit jumps wait for it. Cancel, the lock screen and logout still work; the
step drops a result that arrives for a discarded draft."""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kiosk.app.draft import Draft
from kiosk.app.incidents import CAMERA, FINGERPRINT, DeviceIncidents
from kiosk.app.station import StationService
from kiosk.domain.messages import DomainError
from kiosk.store.save import SavedRecord
from kiosk.ui.qt_common import CurrentStack, button, label, scrolled
from kiosk.ui.qt_i18n import msg_text
from kiosk.ui.recording.qt_step import QtStep

log = logging.getLogger(__name__)


class QtRecordingFlow(QWidget):
    """Holds the draft while the operator walks the steps; saves it in one transaction."""

    saved = Signal(object, object)  # SavedRecord, Draft
    cancelled = Signal()

    def __init__(self, service: StationService, steps: dict[str, QtStep],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.steps = steps
        self.names = list(steps)
        # Device failures during the steps become incidents, written here on the GUI thread.
        self.incidents = DeviceIncidents(service.store, resume=(CAMERA, FINGERPRINT))
        self.draft: Draft | None = None
        self.operator = ""
        self.index = 0
        self.indicator: list[QLabel] = []
        top = QHBoxLayout()
        for i, _name in enumerate(self.names):
            lab = QLabel()
            lab.setObjectName("step")
            self.indicator.append(lab)
            top.addWidget(lab)
            if i < len(self.names) - 1:
                top.addWidget(QLabel("›"))
        top.addStretch(1)
        self.stack = CurrentStack()
        for step in steps.values():
            self.stack.addWidget(step)
            step.incidents = self.incidents
            step.ready_changed.connect(self._update_buttons)
        review = steps.get("review")
        if review is not None and hasattr(review, "edit"):
            review.edit.connect(self.go_to)
        self.error = label("error", wrap=True)
        self.error.setObjectName("flowError")
        self.cancel_button = button("danger")
        self.cancel_button.clicked.connect(self.cancelled)
        self.back_button = button()
        self.back_button.setObjectName("flowBack")
        self.back_button.clicked.connect(self.back)
        self.next_button = button("primary")
        self.next_button.clicked.connect(self.next)
        self.next_button.setMinimumWidth(220)
        bottom = QHBoxLayout()
        bottom.addWidget(self.cancel_button)
        bottom.addStretch(1)
        bottom.addWidget(self.back_button)
        bottom.addWidget(self.next_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(20, 12, 20, 12)
        lay.addLayout(top)
        lay.addWidget(scrolled(self.stack), 1)
        lay.addWidget(self.error)
        lay.addLayout(bottom)
        # Keyboard: Alt+Right / Alt+Left walk the steps wherever the focus is.
        QShortcut(QKeySequence(Qt.Modifier.ALT | Qt.Key.Key_Right), self, self.next)
        QShortcut(QKeySequence(Qt.Modifier.ALT | Qt.Key.Key_Left), self, self.back)
        self.retranslate()

    # --- starting and walking -----------------------------------------------------------

    def start(self, draft: Draft, operator: str) -> None:
        self.draft = draft
        self.operator = operator
        for step in self.steps.values():
            step.set_draft(draft)
        self.index = 0
        self._show()

    @property
    def in_progress(self) -> bool:
        return self.draft is not None

    def current(self) -> QtStep:
        return self.steps[self.names[self.index]]

    def _show(self) -> None:
        self.error.clear()
        self.stack.setCurrentIndex(self.index)
        self.current().enter()
        self.retranslate()

    def _move(self, index: int) -> None:
        if self.current().busy:  # a capture is running: its result belongs to this step
            return
        self.current().leave()
        if self.draft is not None:
            self.draft.seal_captured()  # e.g. the fingers just taken: the save only writes
        self.index = index
        self._show()

    def go_to(self, name: str) -> None:
        """Jump to a step by name (review's Edit)."""
        self._move(self.names.index(name))

    def back(self) -> None:
        if self.draft is not None and self.index > 0:
            self._move(self.index - 1)

    def next(self) -> None:
        if self.draft is None or not self.next_button.isEnabled():
            return
        if not self.current().validate():
            return
        if self.index < len(self.names) - 1:
            self._move(self.index + 1)
        else:
            self.save()

    def save(self) -> None:
        """One transaction; the receipt (and 'Tersimpan') only after it returned."""
        assert self.draft is not None
        self.next_button.setEnabled(False)
        try:
            saved: SavedRecord = self.service.save(self.draft, self.operator)
        except DomainError as exc:
            self.error.setText(msg_text(exc.msg))
            self._update_buttons()
            return
        log.info("recording saved: %s", saved.regno)
        draft = self.draft
        self.current().leave()
        self._release()
        self.saved.emit(saved, draft)

    def discard(self) -> None:
        """Drop the draft (the operator confirmed leaving, or logged out)."""
        if self.draft is not None:
            self.current().leave()
        self._release()

    def _release(self) -> None:
        self.draft = None
        for step in self.steps.values():
            step.release_draft()

    # --- text and buttons -------------------------------------------------------------

    def _update_buttons(self) -> None:
        last = self.index == len(self.names) - 1
        self.next_button.setEnabled(self.draft is not None and (
            self.current().is_ready() or self.names[self.index] == "data"))
        self.back_button.setEnabled(self.index > 0 and not self.current().busy)
        self.next_button.setText(self.tr("Simpan") if last else self.tr("Lanjut ›"))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        for i, (lab, name) in enumerate(zip(self.indicator, self.names, strict=True)):
            lab.setText(f"{i + 1}. {self.steps[name].title()}")
            lab.setObjectName("stepCurrent" if i == self.index else
                              "stepDone" if i < self.index else "step")
            lab.style().unpolish(lab)
            lab.style().polish(lab)
        self.cancel_button.setText(self.tr("Batalkan perekaman"))
        self.back_button.setText(self.tr("‹ Kembali"))
        self._update_buttons()
