"""The technician's device settings: camera (index or URL) and resolution, the SBI port range,
the signature input. Saved to the settings file, applied at once, audited. Below the SBI ports,
read-only, the scanner CA certificates the station trusts (`sbi.trust_store`), so a technician
sees why a scanner is refused and what to copy where."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from kiosk.app.desk import RESOLUTIONS, DeskService
from kiosk.domain.messages import DomainError, Msg
from kiosk.settings import BY_KEY
from kiosk.ui.desk.qt_desk import DESK_STYLE, QtDeskScreen, error_text
from kiosk.ui.qt_common import ElidedLabel, button, label
from kiosk.ui.qt_i18n import fmt_date, msg_text

SIGNATURE_INPUTS = BY_KEY["signature.input"].choices
# The trust section's words (Msg, not tr(): they change with the folder's contents).
TRUST_TITLE = Msg("Sertifikat CA pemindai", "Scanner CA certificates")
TRUST_STATES = {  # DeskService.scanner_trust state -> (words, label style)
    "valid": (Msg("berlaku", "valid"), "pass"),
    "expires soon": (Msg("segera kedaluwarsa", "expires soon"), "soon"),
    "expired": (Msg("kedaluwarsa", "expired"), "fail"),
}
SOON_STYLE = """
QLabel#soon { color: white; background: #8a5a00; border-radius: 6px; padding: 2px 10px;
              font-size: 12pt; font-weight: 600; }
QLabel#certName { font-size: 13pt; font-weight: 600; }
"""


class QtDeviceSettingsScreen(QtDeskScreen):
    """Device choices; `devices_changed(dict)` carries the changed keys so the app can
    re-create its devices without a restart."""

    ACTION = "device_settings"

    def __init__(self, service: DeskService, parent: QWidget | None = None) -> None:
        super().__init__(service, parent)
        self.camera_source = QComboBox()
        self.camera_source.setEditable(True)
        self.camera_source.setObjectName("cameraSource")
        self.resolution = QComboBox()
        for w, h in RESOLUTIONS:
            self.resolution.addItem(f"{w} x {h}", f"{w}x{h}")
        self.port_first = QSpinBox()
        self.port_last = QSpinBox()
        for spin in (self.port_first, self.port_last):
            spin.setRange(1, 65535)
            spin.setMaximumWidth(200)
        self.resolution.setMaximumWidth(260)
        self.signature_input = QComboBox()
        self.signature_input.setMaximumWidth(260)
        for choice in SIGNATURE_INPUTS:
            self.signature_input.addItem(choice, choice)

        self.camera_box, self.sbi_box, self.sig_box = QGroupBox(), QGroupBox(), QGroupBox()
        cam = QFormLayout(self.camera_box)
        self.camera_labels = (label(), label())
        cam.addRow(self.camera_labels[0], self.camera_source)
        cam.addRow(self.camera_labels[1], self.resolution)
        self.camera_help = label("hint", wrap=True)
        cam.addRow(self.camera_help)
        sbi = QFormLayout(self.sbi_box)
        self.sbi_labels = (label(), label())
        sbi.addRow(self.sbi_labels[0], self.port_first)
        sbi.addRow(self.sbi_labels[1], self.port_last)
        self.sbi_help = label("hint", wrap=True)
        sbi.addRow(self.sbi_help)
        sig = QFormLayout(self.sig_box)
        self.sig_label = label()
        sig.addRow(self.sig_label, self.signature_input)
        self.sig_help = label("hint", wrap=True)
        sig.addRow(self.sig_help)
        self.setStyleSheet(DESK_STYLE + SOON_STYLE)
        self.trust_box = QGroupBox()
        self.trust_box.setObjectName("scannerTrust")
        trust = QVBoxLayout(self.trust_box)
        trust.setSpacing(4)
        self.trust_folder = label("hint", wrap=True)
        self.trust_folder.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.trust_rows = QGridLayout()
        self.trust_rows.setHorizontalSpacing(16)
        self.trust_rows.setVerticalSpacing(6)
        self.trust_rows.setColumnStretch(1, 1)
        self.trust_notes = QVBoxLayout()
        trust.addWidget(self.trust_folder)
        trust.addLayout(self.trust_rows)
        trust.addLayout(self.trust_notes)
        self.trust: dict[str, Any] = {}
        for box in (self.camera_box, self.sbi_box, self.trust_box, self.sig_box):
            self.lay.addWidget(box)

        self.status = label("hint", wrap=True)
        self.status.setObjectName("settingsStatus")
        self.save_button = button("primary")
        self.save_button.clicked.connect(self.save)
        self.revert_button = button()
        self.revert_button.clicked.connect(self.load)
        actions = QHBoxLayout()
        actions.addWidget(self.status, 1)
        actions.addWidget(self.revert_button)
        actions.addWidget(self.save_button)
        self.lay.addStretch(1)
        self.lay.addLayout(actions)
        self.load()
        self.retranslate()

    def load(self) -> None:
        """Show the settings in force."""
        v = self.service.device_settings()
        self.camera_source.clear()
        for index in ("0", "1", "2", "3"):
            self.camera_source.addItem(index)
        if str(v["camera.source"]) not in ("0", "1", "2", "3"):
            self.camera_source.addItem(str(v["camera.source"]))
        self.camera_source.setCurrentText(str(v["camera.source"]))
        w, h = v["camera.width"], v["camera.height"]
        res = f"{w}x{h}"  # a string: a tuple does not survive the trip through QVariant
        if self.resolution.findData(res) < 0:
            self.resolution.addItem(f"{w} x {h}", res)
        self.resolution.setCurrentIndex(self.resolution.findData(res))
        self.port_first.setValue(v["sbi.port_first"])
        self.port_last.setValue(v["sbi.port_last"])
        self.signature_input.setCurrentIndex(self.signature_input.findData(v["signature.input"]))
        self.status.setText("")
        self.show_trust()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        self.show_trust()  # certificates may have been copied in since the screen was built

    def show_trust(self) -> None:
        """Read the trust store again and show it: the folder, one line per CA certificate
        (CN, subject, valid until, state; the fingerprint below it), and in words what is wrong
        when the folder is missing or empty or a file could not be read."""
        try:
            self.trust = self.service.scanner_trust()
            notes = [*self.trust["warnings"]]
            if self.trust["notice"] is not None:
                notes.insert(0, self.trust["notice"])
        except (OSError, ValueError) as exc:  # e.g. a folder the station may not read
            self.trust = {"folder": None, "certs": []}
            notes = [Msg(f"Folder sertifikat CA tidak dapat dibaca: {exc}",
                         f"The CA certificate folder cannot be read: {exc}")]
        for grid in (self.trust_rows, self.trust_notes):
            while grid.count():
                old = grid.takeAt(0).widget()
                old.hide()  # at once: deleteLater waits for the event loop
                old.deleteLater()
        folder = self.trust["folder"]
        self.trust_folder.setText(f"Folder: {folder}")  # the same word in both languages
        self.trust_folder.setVisible(folder is not None)
        for row, cert in enumerate(self.trust["certs"]):
            self._cert_row(row, cert)
        for note in notes:
            line = label("warning", wrap=True)
            line.setText(msg_text(note))
            self.trust_notes.addWidget(line)

    def _cert_row(self, row: int, cert: dict[str, Any]) -> None:
        words, style = TRUST_STATES[cert["state"]]
        name = label("certName")
        name.setText(cert["cn"])
        subject = ElidedLabel("hint")  # the whole subject in its tooltip when shortened
        subject.setText(cert["subject"])
        detail = label("hint", wrap=True)  # to compare with the provider's, character by char
        detail.setText(f"SHA-256 {cert['fingerprint']}")
        detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        until = label("hint")
        date = fmt_date(cert["until"].date())
        until.setText(msg_text(Msg(f"berlaku s.d. {date}", f"valid until {date}")))
        state = label(style)
        state.setText(msg_text(words))
        state.setAlignment(Qt.AlignmentFlag.AlignCenter)
        for col, widget in enumerate((name, subject, until, state)):
            self.trust_rows.addWidget(widget, 2 * row, col)
        self.trust_rows.addWidget(detail, 2 * row + 1, 0, 1, 4)

    def values(self) -> dict[str, object]:
        w, h = (int(n) for n in self.resolution.currentData().split("x"))
        return {"camera.source": self.camera_source.currentText(), "camera.width": w,
                "camera.height": h, "sbi.port_first": self.port_first.value(),
                "sbi.port_last": self.port_last.value(),
                "signature.input": self.signature_input.currentData()}

    def save(self) -> dict[str, object]:
        try:
            changed = self.service.save_device_settings(self.values())
        except DomainError as exc:
            self.status.setObjectName("error")
            self.status.setText(error_text(exc))
            self._restyle()
            return {}
        self.status.setObjectName("ok")
        if changed:
            self.status.setText(self.tr("Tersimpan dan langsung berlaku: {keys}").format(
                keys=", ".join(sorted(changed))))
            self.devices_changed.emit(changed)
        else:
            self.status.setText(self.tr("Tidak ada perubahan."))
        self._restyle()
        return changed

    def _restyle(self) -> None:
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)

    def retranslate(self) -> None:
        self.title.setText(self.tr("Pengaturan perangkat"))
        self.subtitle.setText(self.tr(
            "Perubahan disimpan ke berkas pengaturan, langsung berlaku tanpa memulai ulang, "
            "dan dicatat di log audit."))
        self.camera_box.setTitle(self.tr("Kamera"))
        self.camera_labels[0].setText(self.tr("Sumber (indeks atau URL)"))
        self.camera_labels[1].setText(self.tr("Resolusi"))
        self.camera_help.setText(self.tr(
            "0 adalah kamera USB pertama. Kamera jaringan: rtsp://... atau http://..."))
        self.sbi_box.setTitle(self.tr("Pemindai sidik jari (SBI)"))
        self.sbi_labels[0].setText(self.tr("Port pertama"))
        self.sbi_labels[1].setText(self.tr("Port terakhir"))
        self.sbi_help.setText(self.tr(
            "Layanan perangkat MOSIP SBI dicari pada rentang port ini (biasanya 4501-4600)."))
        self.trust_box.setTitle(msg_text(TRUST_TITLE))
        self.show_trust()
        self.sig_box.setTitle(self.tr("Tanda tangan"))
        self.sig_label.setText(self.tr("Alat input"))
        self.sig_help.setText(self.tr(
            "auto memilih tablet pena bila ada, lalu layar sentuh, lalu tetikus."))
        self.save_button.setText(self.tr("Simpan"))
        self.revert_button.setText(self.tr("Batalkan perubahan"))
