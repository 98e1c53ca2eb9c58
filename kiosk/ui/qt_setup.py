"""First run (no accounts yet): station code, kecamatan, time zone, daily cap, first supervisor.

The kecamatan is picked in three dependent dropdowns (province, then regency, then kecamatan)
from the shipped national region table; each takes typed search (any part of a name or code,
spaces included, any case)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from kiosk.app.station import StationService
from kiosk.domain.messages import DomainError
from kiosk.domain.regions import Region
from kiosk.ui.qt_common import button, label
from kiosk.ui.qt_i18n import msg_text
from kiosk.ui.qt_login import _card, pin_edit
from kiosk.ui.qt_search import searchable

TIMEZONES = (("Asia/Jakarta", "WIB"), ("Asia/Makassar", "WITA"), ("Asia/Jayapura", "WIT"))


def region_box() -> QComboBox:
    """A dropdown of regions that takes typed search (kiosk.ui.qt_search); what is left typed
    when the field is left picks the item it names (or the only one containing it), else the
    field goes back to the item it had."""
    box = QComboBox()
    searchable(box)
    return box


def fill(box: QComboBox, regions: list[Region], data: str) -> None:
    """`regions` as the items of `box` ("ACEH (11)", data: compact code); `data` chosen."""
    box.blockSignals(True)
    box.clear()
    for region in regions:
        box.addItem(f"{region.name} ({region.code})", region.compact)
    box.setCurrentIndex(max(0, box.findData(data)))
    box.blockSignals(False)


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
        self.province, self.regency, self.kecamatan = region_box(), region_box(), region_box()
        self._show_kecamatan(s["station.kecamatan"])
        self.province.currentIndexChanged.connect(lambda _i: self._province_changed())
        self.regency.currentIndexChanged.connect(lambda _i: self._regency_changed())
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
        fields = (self.number, self.province, self.regency, self.kecamatan, self.timezone,
                  self.cap, self.username, self.display_name, self.pin, self.pin2)
        self.labels = [label() for _ in fields]
        for lab, w in zip(self.labels, fields, strict=True):
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
        texts = (self.tr("Nomor stasiun"), self.tr("Provinsi"), self.tr("Kabupaten/Kota"),
                 self.tr("Kecamatan"), self.tr("Zona waktu"),
                 self.tr("Batas harian"), self.tr("Nama pengguna pengawas"),
                 self.tr("Nama lengkap pengawas"), self.tr("PIN (6 angka)"),
                 self.tr("Ulangi PIN"))
        for lab, text in zip(self.labels, texts, strict=True):
            lab.setText(text)
        self.save_button.setText(self.tr("Simpan dan mulai"))

    def _show_kecamatan(self, kecamatan: str) -> None:
        """Fill the three dropdowns so that they show `kecamatan` (PPKKCC) and its parents."""
        regions = self.service.regions
        fill(self.province, regions.provinces(), kecamatan[:2])
        fill(self.regency, regions.children(self.province.currentData() or ""), kecamatan[:4])
        fill(self.kecamatan, regions.children(self.regency.currentData() or ""), kecamatan)

    def _province_changed(self) -> None:
        province = self.province.currentData() or ""
        regencies = self.service.regions.children(province) if province else []
        fill(self.regency, regencies, "")
        self._regency_changed()

    def _regency_changed(self) -> None:
        regency = self.regency.currentData() or ""
        fill(self.kecamatan, self.service.regions.children(regency) if regency else [], "")

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
