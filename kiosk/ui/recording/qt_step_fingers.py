"""The fingerprint step: 4-4-2 slaps, a hand diagram with each finger's state and score."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QVBoxLayout,
    QWidget,
)

from kiosk.app.devices import StationDevices
from kiosk.app.draft import Draft
from kiosk.app.incidents import FINGERPRINT
from kiosk.devices.fingerprint import SLAPS, FingerprintCapture, SlapCapture
from kiosk.domain.recording import FINGER_EXCEPTION_REASONS, FINGER_NAMES, FINGER_NAMES_ID
from kiosk.ui.qt_common import button, label
from kiosk.ui.qt_i18n import current_lang
from kiosk.ui.qt_tasks import TaskRunner, failure_text
from kiosk.ui.recording.qt_step import QtStep

log = logging.getLogger(__name__)

STATE_COLOURS = {"captured": "#3a9d5d", "low": "#f0a202", "exception": "#7d8a96",
                 "missing": "#ffffff"}
# Palms down, as the applicant sees the scanner: left little .. left thumb, right thumb .. little
LEFT_HAND = (10, 9, 8, 7, 6)
RIGHT_HAND = (1, 2, 3, 4, 5)
FINGER_HEIGHT = {1: 0.45, 6: 0.45, 2: 0.8, 7: 0.8, 3: 0.9, 8: 0.9, 4: 0.8, 9: 0.8, 5: 0.6,
                 10: 0.6}


def finger_name(position: int) -> str:
    return FINGER_NAMES[position] if current_lang() == "en" else FINGER_NAMES_ID[position]


class QtHandDiagram(QWidget):
    """Two hands; each finger coloured by state, with its quality score or exception."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.draft: Draft | None = None
        self.setMinimumSize(560, 230)

    def set_draft(self, draft: Draft | None) -> None:
        self.draft = draft
        self.update()

    def paintEvent(self, _event) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        w, h = self.width(), self.height()
        hand_w = w / 2 - 20
        small = QFont(self.font())
        small.setPointSizeF(11)
        for hand_i, hand in enumerate((LEFT_HAND, RIGHT_HAND)):
            x0 = 10 + hand_i * (w / 2)
            palm = QRectF(x0 + hand_w * 0.08, h * 0.62, hand_w * 0.84, h * 0.30)
            p.setPen(QPen(QColor("#6b7b8b"), 2))
            p.setBrush(QColor("#eef2f6"))
            p.drawRoundedRect(palm, 18, 18)
            for i, pos in enumerate(hand):
                fw = hand_w / 5 * 0.7
                fx = x0 + hand_w / 5 * i + hand_w / 5 * 0.15
                fh = h * 0.6 * FINGER_HEIGHT[pos]
                rect = QRectF(fx, h * 0.62 - fh, fw, fh + 8)
                state = self.draft.finger_state(pos) if self.draft else "missing"
                p.setBrush(QColor(STATE_COLOURS[state]))
                p.setPen(QPen(QColor("#34495e"), 2))
                p.drawRoundedRect(rect, fw / 2, fw / 2)
                p.setFont(small)
                p.setPen(QColor("#1b2a3a"))
                p.drawText(rect.adjusted(0, 4, 0, 0), Qt.AlignmentFlag.AlignHCenter
                           | Qt.AlignmentFlag.AlignTop, self._score(pos, state))
            p.setPen(QColor("#1b2a3a"))
            p.drawText(palm, Qt.AlignmentFlag.AlignCenter,
                       self.tr("Tangan kiri") if hand_i == 0 else self.tr("Tangan kanan"))
        p.end()

    def _score(self, pos: int, state: str) -> str:
        if self.draft is None or self.draft.fingers is None:
            return ""
        if state == "exception":
            return "—"
        result = self.draft.fingers.results().get(pos)
        return str(result.quality) if result else ""


class QtFingerExceptionDialog(QDialog):
    """Record why a finger cannot be captured (amputated, bandaged, unable)."""

    def __init__(self, positions: list[int], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Pengecualian jari"))
        self.finger = QComboBox()
        self.finger.setObjectName("exceptionFinger")
        for pos in positions:
            self.finger.addItem(finger_name(pos), pos)
        self.reason = QComboBox()
        self.reason.setObjectName("exceptionReason")
        words = {"amputated": self.tr("Diamputasi / tidak ada"),
                 "bandaged": self.tr("Diperban / terluka"),
                 "unable": self.tr("Tidak dapat direkam")}
        for r in FINGER_EXCEPTION_REASONS:
            self.reason.addItem(words[r], r)
        form = QFormLayout()
        form.addRow(self.tr("Jari"), self.finger)
        form.addRow(self.tr("Alasan"), self.reason)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Catat"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Batal"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(buttons)


class QtFingerStep(QtStep):
    """Right four, left four, both thumbs; each slap up to finger.max_attempts times."""

    def __init__(self, devices: StationDevices, runner: TaskRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.devices = devices
        self.runner = runner
        self._in_flight = 0  # scanner calls queued or running
        self.diagram = QtHandDiagram()
        self.guide = label("subtitle", wrap=True)
        self.status = label(wrap=True)
        self.status.setObjectName("fingerStatus")
        self.error = label("error", wrap=True)
        self.error.setObjectName("fingerError")
        self.slap_buttons: dict[str, object] = {}
        row = QHBoxLayout()
        for slap in SLAPS:
            b = button("primary")
            b.clicked.connect(lambda _c=False, n=slap.name: self.capture(n))
            self.slap_buttons[slap.name] = b
            row.addWidget(b)
        self.exception_button = button()
        self.exception_button.clicked.connect(self.add_exception)
        self.retry_button = button()
        self.retry_button.setObjectName("fingerRetry")
        self.retry_button.clicked.connect(self.connect_scanner)
        self.retry_button.hide()
        self.legend = label("hint", wrap=True)
        lay = QVBoxLayout(self)
        lay.addWidget(self.guide)
        lay.addWidget(self.diagram, 1)
        lay.addWidget(self.legend)
        lay.addLayout(row)
        lay.addWidget(self.status)
        lay.addWidget(self.error)
        bottom = QHBoxLayout()
        bottom.addWidget(self.retry_button)
        bottom.addStretch(1)
        bottom.addWidget(self.exception_button)
        lay.addLayout(bottom)
        self.retranslate()

    def title(self) -> str:
        return self.tr("Sidik jari")

    def set_draft(self, draft) -> None:  # type: ignore[no-untyped-def]
        super().set_draft(draft)
        self.diagram.set_draft(draft)
        self.error.clear()

    def release_draft(self) -> None:
        super().release_draft()
        self.diagram.set_draft(None)

    def enter(self) -> None:
        if self.draft is not None and self.draft.fingers is None:
            self.connect_scanner()  # queued behind a call still running for a discarded draft
        self.retranslate()

    def is_ready(self) -> bool:
        return self.draft is not None and self.draft.fingers_done() and not self.busy

    # --- device work ------------------------------------------------------------------
    # The worker only talks to the scanner; what it returns reaches the draft here, on the
    # GUI thread, and only the draft it was asked for: one discarded meanwhile gets nothing.

    @property
    def busy(self) -> bool:
        return self._in_flight > 0

    def _run(self, fn: Callable[[], Any], apply: Callable[[Any], None]) -> None:
        """Run a scanner call for the current draft; `apply` its result if that draft is still
        the one on screen. Every outcome is reported to the incident tracker."""
        draft = self.draft
        self.error.clear()
        self.retry_button.hide()
        self._in_flight += 1
        self._busy_changed()

        def done(result: Any) -> None:
            self._in_flight -= 1
            try:
                if self.incidents is not None:
                    self.incidents.recovered(FINGERPRINT)
                if draft is self.draft:
                    apply(result)
                else:
                    log.info("a scanner result for a discarded draft was dropped")
            finally:
                self._busy_changed()

        def failed(exc: BaseException) -> None:
            self._in_flight -= 1
            if self.incidents is not None:
                self.incidents.failed(FINGERPRINT, exc)
            if draft is self.draft:
                self.error.setText(failure_text(exc))
                self.retry_button.setVisible(self.draft is not None
                                             and self.draft.fingers is None)
            self._busy_changed()

        self.runner.run_task(fn, done, failed)

    def _busy_changed(self) -> None:
        self.retranslate()
        self.ready_changed.emit()

    def connect_scanner(self) -> None:
        self._run(self.devices.fingerprint_capture, self._connected)

    def _connected(self, capture: FingerprintCapture) -> None:
        if self.draft is not None and self.draft.fingers is None:
            self.draft.fingers = capture

    def capture(self, slap: str) -> None:
        cap = self.draft.fingers if self.draft else None
        if cap is None or self.busy or not cap.can_attempt(slap):
            return
        req = cap.request(slap)
        self._run(lambda: cap.read(req), lambda got: self._captured(cap, got))

    def _captured(self, cap: FingerprintCapture, got: SlapCapture) -> None:
        """Merge one slap's fingers into the draft's capture (GUI thread) and count a run of
        low-quality attempts for the technician."""
        if self.draft is None or self.draft.fingers is not cap:
            return
        slap = got.request.slap
        cap.merge(got)
        if self.incidents is not None:
            label_id = next(s.label_id for s in SLAPS if s.name == slap)
            self.incidents.quality(FINGERPRINT, cap.failures_in_a_row(slap), label_id)
        self.diagram.update()

    def add_exception(self) -> None:
        cap = self.draft.fingers if self.draft else None
        if cap is None:
            return
        positions = [p for p in FINGER_NAMES if p not in cap.exceptions]
        dialog = QtFingerExceptionDialog(positions, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.excuse(dialog.finger.currentData(), dialog.reason.currentData())

    def excuse(self, position: int, reason: str) -> None:
        """Record a finger exception (the dialog's result; also used by keyboard tests)."""
        assert self.draft is not None and self.draft.fingers is not None
        self.draft.fingers.excuse(position, reason)
        self.diagram.update()
        self.retranslate()
        self.ready_changed.emit()

    # --- text -------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.guide.setText(self.tr("Urutan 4-4-2: empat jari kanan, empat jari kiri, lalu "
                                   "kedua ibu jari. Tekan jari rata di kaca pemindai."))
        self.legend.setText(self.tr("Hijau: lulus mutu · Kuning: di bawah batas mutu (terbaik "
                                    "disimpan) · Abu-abu: pengecualian · Putih: belum"))
        self.exception_button.setText(self.tr("Pengecualian jari..."))
        self.retry_button.setText(self.tr("Coba lagi"))
        cap = self.draft.fingers if self.draft else None
        names = {"right": self.tr("Empat jari kanan"), "left": self.tr("Empat jari kiri"),
                 "thumbs": self.tr("Kedua ibu jari")}
        for slap in SLAPS:
            b = self.slap_buttons[slap.name]
            attempts = cap.slaps[slap.name].attempts if cap else 0
            b.setText(self.tr("{name} ({n}/{max})").format(
                name=names[slap.name], n=attempts,
                max=cap.max_attempts if cap else self.devices.settings["finger.max_attempts"]))
            b.setEnabled(cap is not None and not self.busy and cap.can_attempt(slap.name))
        self.exception_button.setEnabled(cap is not None and not self.busy)
        if self.busy:
            self.status.setText(self.tr("Menunggu pemindai sidik jari..."))
        elif cap is None:
            self.status.setText(self.tr("Pemindai belum tersambung."))
        elif self.draft is not None and self.draft.fingers_done():
            self.status.setText(self.tr("Sepuluh jari selesai. Lanjut ke tanda tangan."))
        else:
            low = [finger_name(p) for p in FINGER_NAMES if self.draft
                   and self.draft.finger_state(p) == "low"]
            text = self.tr("Rekam setiap kelompok jari. Jari di bawah batas mutu bisa diulang.")
            if low:
                text += " " + self.tr("Perlu diulang: {fingers}.").format(fingers=", ".join(low))
            self.status.setText(text)
        self.diagram.update()
