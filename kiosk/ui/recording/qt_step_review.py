"""The review step: everything on one screen; each section's Edit jumps back to its step."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kiosk.domain.recording import FINGER_NAMES
from kiosk.domain.regions import RegionTable
from kiosk.ui.qt_common import button, label
from kiosk.ui.qt_i18n import fmt_date
from kiosk.ui.recording.qt_step import QtStep
from kiosk.ui.recording.qt_step_fingers import finger_name

SECTIONS = ("data", "photo", "fingers", "signature")


def _rt(number: str) -> str:
    """RT and RW as the card prints them: three digits ("3" -> "003")."""
    return number.zfill(3) if number.isdigit() else (number or "-")


class QtReviewStep(QtStep):
    """A summary the operator reads out to the applicant before saving."""

    edit = Signal(str)  # the step name to go back to

    def __init__(self, regions: RegionTable, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.regions = regions
        self.heading = label("subtitle", wrap=True)
        self.data = label(wrap=True)
        self.data.setObjectName("reviewData")
        self.data.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.photo = QLabel()
        self.photo.setFixedSize(120, 160)
        self.fingers = label(wrap=True)
        self.fingers.setObjectName("reviewFingers")
        self.fingers_left = label(wrap=True)
        self.signature = QLabel()
        self.signature.setFixedSize(240, 80)
        self.signature_text = label(wrap=True)
        self.edit_buttons: dict[str, QWidget] = {}
        grid = QGridLayout()
        cards: dict[str, QVBoxLayout] = {}
        self.cards: dict[str, QFrame] = {}
        for name in SECTIONS:
            card = QFrame()
            card.setObjectName("card")
            self.cards[name] = card  # keeps the frame (and its layout) alive until placed
            c = QVBoxLayout(card)
            b = button()
            b.setObjectName(f"edit_{name}")
            b.clicked.connect(lambda _c=False, n=name: self.edit.emit(n))
            self.edit_buttons[name] = b
            cards[name] = c
        cards["data"].addWidget(self.data, 1)
        cards["photo"].addWidget(self.photo)
        hands = QHBoxLayout()
        hands.addWidget(self.fingers, 1)
        hands.addWidget(self.fingers_left, 1)
        cards["fingers"].addLayout(hands, 1)
        cards["signature"].addWidget(self.signature)
        cards["signature"].addWidget(self.signature_text)
        for name in SECTIONS:
            cards[name].addWidget(self.edit_buttons[name], 0, Qt.AlignmentFlag.AlignRight)
        # data spans the left column; photo, fingers and signature stack on the right
        # data on the left; photo and signature side by side on the right, fingers below
        grid.addWidget(self.cards["data"], 0, 0, 2, 2)
        grid.addWidget(self.cards["photo"], 0, 2)
        grid.addWidget(self.cards["signature"], 0, 3)
        grid.addWidget(self.cards["fingers"], 1, 2, 1, 2)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(2, 1)
        grid.setColumnStretch(3, 2)
        self.setStyleSheet("QLabel { font-size: 13pt; }")
        lay = QVBoxLayout(self)
        lay.addWidget(self.heading)
        lay.addLayout(grid, 1)
        self.retranslate()

    def title(self) -> str:
        return self.tr("Periksa")

    def enter(self) -> None:
        self.retranslate()
        self.edit_buttons["data"].setFocus()

    def is_ready(self) -> bool:
        d = self.draft
        return d is not None and not d.missing()

    def retranslate(self) -> None:
        self.heading.setText(self.tr("Bacakan data ini kepada pemohon. Bila ada yang salah, "
                                     "tekan Ubah. Tekan Simpan bila semua benar."))
        for b in self.edit_buttons.values():
            b.setText(self.tr("Ubah"))
        d = self.draft
        if d is None:
            return
        a = d.applicant
        rows = [
            (self.tr("NIK"), a.nik), (self.tr("Nama"), a.nama),
            (self.tr("Tempat/Tgl lahir"),
             f"{a.tempat_lahir}, {fmt_date(a.tanggal_lahir) if a.tanggal_lahir else '-'}"),
            (self.tr("Jenis kelamin"), a.jenis_kelamin),
            (self.tr("Gol. darah"), a.golongan_darah),
            (self.tr("Alamat"), a.alamat), (self.tr("RT/RW"), f"{_rt(a.rt)}/{_rt(a.rw)}"),
            (self.tr("Kel/Desa"), self.regions.name(a.kelurahan) if a.kelurahan else "-"),
            (self.tr("Kecamatan"), self.regions.name(a.kecamatan) if a.kecamatan else "-"),
            (self.tr("Agama"), a.agama), (self.tr("Status perkawinan"), a.status_perkawinan),
            (self.tr("Pekerjaan"), a.pekerjaan), (self.tr("Kewarganegaraan"), a.kewarganegaraan),
            (self.tr("Berlaku hingga"), a.berlaku_hingga),
            (self.tr("No. HP"), a.telepon or "-"),
        ]
        self.data.setText("\n".join(f"{k}: {v}" for k, v in rows))
        if d.photo:
            self.photo.setPixmap(QPixmap.fromImage(QImage.fromData(d.photo)).scaled(
                self.photo.size(), Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation))
        else:
            self.photo.setText(self.tr("Belum ada foto"))
        lines = []
        words = {"captured": self.tr("lulus"), "low": self.tr("di bawah batas"),
                 "exception": self.tr("pengecualian"), "missing": self.tr("belum")}
        results = d.fingers.results() if d.fingers else {}
        for pos in FINGER_NAMES:
            state = d.finger_state(pos)
            score = f" ({results[pos].quality})" if pos in results else ""
            if state == "exception" and d.fingers:
                score = f" ({d.fingers.exceptions[pos]})"
            lines.append(f"{finger_name(pos)}: {words[state]}{score}")
        self.fingers.setText("\n".join(lines[:5]))  # right hand
        self.fingers_left.setText("\n".join(lines[5:]))
        if d.signature_exception:
            self.signature.clear()
            self.signature_text.setText(self.tr("Tidak bertanda tangan: {reason}").format(
                reason=d.signature_exception))
        elif d.signature_png:
            self.signature.setPixmap(QPixmap.fromImage(QImage.fromData(d.signature_png)).scaled(
                self.signature.size(), Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation))
            self.signature_text.setText("")
        else:
            self.signature.clear()
            self.signature_text.setText(self.tr("Belum ada tanda tangan"))
