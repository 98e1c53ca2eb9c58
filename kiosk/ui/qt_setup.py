"""First run (no accounts yet): station code, kecamatan, time zone, daily cap, first supervisor."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QLineEdit, QSpinBox, QVBoxLayout, QWidget

from kiosk.app.station import StationService
from kiosk.domain.messages import DomainError
from kiosk.ui.qt_common import button, label
from kiosk.ui.qt_i18n import msg_text
from kiosk.ui.qt_login import _card, pin_edit

TIMEZONES = (("Asia/Jakarta", "WIB"), ("Asia/Makassar", "WITA"), ("Asia/Jayapura", "WIT"))


class QtSetupScreen(QWidget):
    """The setup wizard, on one page: every answer is visible and checked together."""

    done = Signal(object)  # the first supervisor (User)

    def __init__(self, service: StationService, settings_path: Path,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.settings_path = settings_path
        s = service.settings
        inner = QVBoxLayout()
        inner.setContentsMargins(28, 20, 28, 20)
        self.title = label("title")
        self.intro = label("subtitle", wrap=True)
        self.number = QLineEdit(s["station.number"])
        self.number.setMaxLength(2)
        self.kecamatan = QComboBox()
        for region in service.all_kecamatan():
            self.kecamatan.addItem(f"{region.name} ({region.code})", region.compact)
        idx = self.kecamatan.findData(s["station.kecamatan"])
        self.kecamatan.setCurrentIndex(max(0, idx))
        self.timezone = QComboBox()
        for zone, abbr in TIMEZONES:
            self.timezone.addItem(f"{abbr} ({zone})", zone)
        self.timezone.setCurrentIndex(max(0, self.timezone.findData(s["station.timezone"])))
        self.cap = QSpinBox()
        self.cap.setRange(1, 1000)
        self.cap.setValue(int(s["cap.daily"]))
        self.username = QLineEdit()
        self.display_name = QLineEdit()
        self.pin = pin_edit()
        self.pin2 = pin_edit()
        form = QFormLayout()
        self.labels = [label() for _ in range(8)]
        for lab, w in zip(self.labels, (self.number, self.kecamatan, self.timezone, self.cap,
                                        self.username, self.display_name, self.pin, self.pin2),
                          strict=True):
            form.addRow(lab, w)
        self.error = label("error", wrap=True)
        self.save_button = button("primary")
        self.save_button.clicked.connect(self.submit)
        inner.addWidget(self.title)
        inner.addWidget(self.intro)
        inner.addLayout(form)
        inner.addWidget(self.error)
        inner.addWidget(self.save_button)
        lay = QVBoxLayout(self)
        lay.addWidget(_card(inner))
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Pengaturan awal stasiun"))
        self.intro.setText(self.tr("Stasiun ini belum punya akun. Isi data stasiun dan buat "
                                   "akun pengawas pertama."))
        texts = (self.tr("Nomor stasiun"), self.tr("Kecamatan"), self.tr("Zona waktu"),
                 self.tr("Batas harian"), self.tr("Nama pengguna pengawas"),
                 self.tr("Nama lengkap pengawas"), self.tr("PIN (6 angka)"),
                 self.tr("Ulangi PIN"))
        for lab, text in zip(self.labels, texts, strict=True):
            lab.setText(text)
        self.save_button.setText(self.tr("Simpan dan mulai"))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def submit(self) -> None:
        if self.pin.text() != self.pin2.text():
            self.error.setText(self.tr("Kedua PIN tidak sama."))
            return
        try:
            user = self.service.first_run_setup(
                self.settings_path, self.number.text(), self.kecamatan.currentData(),
                self.timezone.currentData(), self.cap.value(), self.username.text(),
                self.display_name.text(), self.pin.text(),
            )
        except DomainError as exc:
            self.error.setText(msg_text(exc.msg))
            return
        self.done.emit(user)
