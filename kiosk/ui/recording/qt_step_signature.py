"""The signature step: the pad, clear, and 'cannot sign' with a reason."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QVBoxLayout, QWidget

from kiosk.devices.signature import SIGNATURE_EXCEPTION_REASONS
from kiosk.domain.messages import DomainError
from kiosk.settings import Settings
from kiosk.ui.qt_common import button, label
from kiosk.ui.qt_i18n import msg_text
from kiosk.ui.qt_signature import QtSignaturePad
from kiosk.ui.recording.qt_step import QtStep


class QtSignatureStep(QtStep):
    """The applicant signs on the pad; an applicant who cannot sign gets a recorded reason."""

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.guide = label("subtitle", wrap=True)
        self.pad = QtSignaturePad(settings)
        self.pad.setObjectName("signaturePad")
        self.pad.setMinimumHeight(260)
        self.pad.changed.connect(self._changed)
        self.error = label("error", wrap=True)
        self.error.setObjectName("signatureError")
        self.clear_button = button()
        self.clear_button.clicked.connect(self.clear)
        self.reason = QComboBox()
        self.reason.setObjectName("signatureReason")
        self.unable_button = button()
        self.unable_button.setObjectName("signatureUnable")
        self.unable_button.clicked.connect(self.toggle_unable)
        row = QHBoxLayout()
        row.addWidget(self.clear_button)
        row.addStretch(1)
        row.addWidget(self.reason)
        row.addWidget(self.unable_button)
        lay = QVBoxLayout(self)
        lay.addWidget(self.guide)
        lay.addWidget(self.pad, 1)
        lay.addWidget(self.error)
        lay.addLayout(row)
        self.retranslate()

    def title(self) -> str:
        return self.tr("Tanda tangan")

    def set_draft(self, draft) -> None:  # type: ignore[no-untyped-def]
        super().set_draft(draft)
        if self.pad.exception is not None:
            self.pad.withdraw_exception()
        self.pad.clear()
        self.error.clear()

    def _changed(self) -> None:
        """Keep the draft in step with the pad; a usable signature is stored at once."""
        self.error.clear()
        d = self.draft
        if d is None:
            return
        if self.pad.exception is not None:
            d.signature_png = d.signature_strokes = None
            d.signature_exception = self.pad.exception.label()
        else:
            d.signature_exception = None
            try:
                result = self.pad.result()
            except DomainError as exc:
                d.signature_png = d.signature_strokes = None
                if not self.pad.is_empty:  # why Lanjut stays disabled, and what to do
                    self.error.setText(msg_text(exc.msg))
            else:
                d.signature_png, d.signature_strokes = result.png, result.strokes_json
        self.retranslate()
        self.ready_changed.emit()

    def validate(self) -> bool:
        if self.pad.exception is None:
            try:
                self.pad.result()
            except DomainError as exc:
                self.error.setText(msg_text(exc.msg))
                return False
        return self.is_ready()

    def is_ready(self) -> bool:
        return self.draft is not None and self.draft.signature_done()

    def clear(self) -> None:
        self.pad.clear()

    def toggle_unable(self) -> None:
        if self.pad.exception is None:
            self.pad.declare_unable(self.reason.currentData())
        else:
            self.pad.withdraw_exception()

    def retranslate(self) -> None:
        self.guide.setText(self.tr("Minta pemohon menandatangani di dalam kotak, sebesar tanda "
                                   "tangan biasa."))
        self.clear_button.setText(self.tr("Hapus"))
        words = {"unable": self.tr("tidak mampu menulis"),
                 "illiterate": self.tr("tidak dapat baca tulis"),
                 "disability": self.tr("disabilitas")}
        current = self.reason.currentData()
        self.reason.blockSignals(True)
        self.reason.clear()
        for r in SIGNATURE_EXCEPTION_REASONS:
            self.reason.addItem(words.get(r, r), r)
        self.reason.setCurrentIndex(max(0, self.reason.findData(current)))
        self.reason.blockSignals(False)
        unable = self.pad.exception is not None
        self.unable_button.setText(self.tr("Batalkan pengecualian") if unable
                                   else self.tr("Tidak dapat tanda tangan"))
        self.reason.setEnabled(not unable)
        self.clear_button.setEnabled(not unable)
