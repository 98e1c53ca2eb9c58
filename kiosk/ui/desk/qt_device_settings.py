"""The technician's device settings: camera (index or URL) and resolution, the SBI port range,
the signature input. Saved to the settings file, applied at once, audited."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QSpinBox, QWidget

from kiosk.app.desk import RESOLUTIONS, DeskService
from kiosk.domain.messages import DomainError
from kiosk.settings import BY_KEY
from kiosk.ui.desk.qt_desk import QtDeskScreen, error_text
from kiosk.ui.qt_common import button, label

SIGNATURE_INPUTS = BY_KEY["signature.input"].choices


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
        for box in (self.camera_box, self.sbi_box, self.sig_box):
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
        self.sig_box.setTitle(self.tr("Tanda tangan"))
        self.sig_label.setText(self.tr("Alat input"))
        self.sig_help.setText(self.tr(
            "auto memilih tablet pena bila ada, lalu layar sentuh, lalu tetikus."))
        self.save_button.setText(self.tr("Simpan"))
        self.revert_button.setText(self.tr("Batalkan perubahan"))
