"""The base of a recording step: the flow asks it whether Next may proceed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import QWidget

from kiosk.app.draft import Draft

if TYPE_CHECKING:
    from kiosk.app.incidents import DeviceIncidents


class QtStep(QWidget):
    """One step of the recording flow; `ready_changed` when Next (or Back) should be
    (dis)abled. `incidents` is the flow's device incident tracker, handed to every step."""

    ready_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.draft: Draft | None = None
        self.incidents: DeviceIncidents | None = None

    @property
    def busy(self) -> bool:
        """A device call for this step is running: the flow does not move away meanwhile."""
        return False

    def title(self) -> str:
        raise TypeError(f"{type(self).__name__} must define title()")

    def set_draft(self, draft: Draft) -> None:
        """A new applicant: forget what the step showed for the previous one."""
        self.draft = draft

    def release_draft(self) -> None:
        """The draft was saved or discarded: let go of it, so that a device result still in
        flight finds no draft to apply to (and the applicant's data is not kept here)."""
        self.draft = None

    def enter(self) -> None:
        """The step became visible (start previews, focus the first field)."""

    def leave(self) -> None:
        """The step is no longer visible (stop previews; never lose what was captured)."""

    def is_ready(self) -> bool:
        """Whether Next is enabled."""
        return True

    def validate(self) -> bool:
        """Called on Next: show every problem and return False to stay on the step."""
        return self.is_ready()

    def retranslate(self) -> None:
        """Set every visible text (called at start and on LanguageChange)."""

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
