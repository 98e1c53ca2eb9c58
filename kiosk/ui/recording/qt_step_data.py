"""The data step: every field of the card, live validation beside each field, NIK checks."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QRegularExpression, Qt
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from kiosk.app.station import StationService
from kiosk.domain.applicant import (
    BLOOD_TYPES,
    CITIZENSHIPS,
    LIFETIME,
    MARITAL_STATUSES,
    OCCUPATIONS,
    RELIGIONS,
    SEXES,
    Applicant,
)
from kiosk.domain.nik import InvalidNik, parse_nik
from kiosk.ui.qt_common import label, set_invalid
from kiosk.ui.qt_i18n import fmt_date, msg_text
from kiosk.ui.qt_search import choose_typed, searchable
from kiosk.ui.recording.qt_step import QtStep

# Field order on screen: two columns, top to bottom (the order of the card).
LEFT = ("nik", "nama", "tempat_lahir", "tanggal_lahir", "jenis_kelamin", "golongan_darah",
        "agama", "status_perkawinan", "pekerjaan")
RIGHT = ("alamat", "rt", "rw", "kecamatan", "kelurahan", "kewarganegaraan", "berlaku_hingga",
         "telepon")
DATE_FORMAT = "%d-%m-%Y"
RIGHT_ALIGN = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def _digits(n: int) -> QRegularExpressionValidator:
    return QRegularExpressionValidator(QRegularExpression(f"[0-9]{{0,{n}}}"))


class QtDataStep(QtStep):
    """Biodata (data pemohon) as printed on the e-KTP, plus an optional phone number."""

    def __init__(self, service: StationService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.touched: set[str] = set()
        self.show_all = False
        self.fields: dict[str, QLineEdit | QComboBox] = {}
        self.labels: dict[str, QLabel] = {}
        self.errors: dict[str, QLabel] = {}
        self.autofilled: set[str] = set()  # filled from the NIK, not typed since
        self._filling = True  # no validation while the form is being built

        self._build_fields()
        self._lay_out()
        self._select_kecamatan(service.settings["station.kecamatan"])
        self._filling = False
        self.retranslate()

    def _line(self, name: str, upper: bool = False, digits: int = 0) -> QLineEdit:
        edit = QLineEdit()
        if digits:
            edit.setValidator(_digits(digits))
            edit.setMaxLength(digits)
        if upper:
            edit.textEdited.connect(lambda text, e=edit: self._upper(e, text))
        edit.textChanged.connect(lambda _t, n=name: self._changed(n))
        return edit

    def _combo(self, name: str, values: tuple[str, ...], blank: bool = True) -> QComboBox:
        box = QComboBox()
        if blank:
            box.addItem("", "")
        for v in values:
            box.addItem(v, v)
        box.currentIndexChanged.connect(lambda _i, n=name: self._changed(n))
        return box

    def _build_fields(self) -> None:
        """One input per field of the card, each named `field_<name>`."""
        f, line, combo = self.fields, self._line, self._combo
        f["nik"] = line("nik", digits=16)
        f["nama"] = line("nama", upper=True)
        f["tempat_lahir"] = line("tempat_lahir", upper=True)
        f["tanggal_lahir"] = line("tanggal_lahir")
        f["tanggal_lahir"].setInputMask("99-99-9999;_")
        f["jenis_kelamin"] = combo("jenis_kelamin", SEXES)
        f["golongan_darah"] = combo("golongan_darah", BLOOD_TYPES, blank=False)
        f["golongan_darah"].setCurrentIndex(BLOOD_TYPES.index("TIDAK TAHU"))
        f["agama"] = combo("agama", RELIGIONS)
        f["status_perkawinan"] = combo("status_perkawinan", MARITAL_STATUSES)
        f["pekerjaan"] = combo("pekerjaan", OCCUPATIONS)
        f["alamat"] = line("alamat", upper=True)
        f["rt"] = line("rt", digits=3)
        f["rw"] = line("rw", digits=3)
        kec = QComboBox()
        kec.addItem("", "")
        for region in self.service.kecamatan_choices():
            kec.addItem(region.name, region.compact)
        kec.currentIndexChanged.connect(self._kecamatan_changed)
        f["kecamatan"] = kec
        f["kelurahan"] = QComboBox()
        f["kelurahan"].currentIndexChanged.connect(lambda _i: self._changed("kelurahan"))
        f["kewarganegaraan"] = combo("kewarganegaraan", CITIZENSHIPS, blank=False)
        f["berlaku_hingga"] = line("berlaku_hingga", upper=True)
        f["berlaku_hingga"].setText(LIFETIME)
        f["telepon"] = line("telepon", digits=14)
        for name, widget in f.items():
            widget.setObjectName(f"field_{name}")
            if isinstance(widget, QComboBox):
                searchable(widget)

    def _lay_out(self) -> None:
        """Two columns of label, input and message under it, in a scroll area; Tab goes down
        the left column, then the right one (the card's order)."""
        f = self.fields
        self.heading = label("subtitle", wrap=True)
        self.duplicate = label("warning", wrap=True)
        self.duplicate.setObjectName("duplicate")
        self.duplicate.hide()
        grid = QGridLayout()
        grid.setHorizontalSpacing(18)
        grid.setVerticalSpacing(2)
        for col, names in ((0, LEFT), (2, RIGHT)):
            row = 0
            for name in names:
                lab = QLabel()
                lab.setBuddy(f[name])
                err = label("error", wrap=True)
                err.setObjectName(f"error_{name}")
                err.hide()
                self.labels[name] = lab
                self.errors[name] = err
                grid.addWidget(lab, row, col, RIGHT_ALIGN)
                grid.addWidget(f[name], row, col + 1)
                grid.addWidget(err, row + 1, col + 1)
                row += 2
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        body = QWidget()
        body.setObjectName("page")
        b = QVBoxLayout(body)
        b.addWidget(self.heading)
        b.addWidget(self.duplicate)
        b.addLayout(grid)
        b.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(scroll)
        order = [f[n] for n in LEFT + RIGHT]
        for a, b_ in zip(order, order[1:], strict=False):
            QWidget.setTabOrder(a, b_)

    # --- reading and writing the form ---------------------------------------------------

    def _select_kecamatan(self, code: str) -> None:
        box = self.fields["kecamatan"]
        box.setCurrentIndex(max(0, box.findData(code)))

    def _kecamatan_changed(self) -> None:
        kel = self.fields.get("kelurahan")
        if kel is None:  # still building the form
            return
        kel.blockSignals(True)
        kel.clear()
        kel.addItem("", "")
        for region in self.service.kelurahan_choices(self.fields["kecamatan"].currentData()):
            kel.addItem(region.name, region.compact)
        kel.blockSignals(False)
        self._changed("kecamatan")

    @staticmethod
    def _upper(edit: QLineEdit, text: str) -> None:
        if text != text.upper():
            pos = edit.cursorPosition()
            edit.setText(text.upper())
            edit.setCursorPosition(pos)

    def _text(self, name: str) -> str:
        w = self.fields[name]
        return (w.currentData() or "") if isinstance(w, QComboBox) else w.text().strip()

    def birth_date(self) -> dt.date | None:
        text = self.fields["tanggal_lahir"].text()
        try:
            return dt.datetime.strptime(text, DATE_FORMAT).date()
        except ValueError:
            return None

    def applicant(self) -> Applicant:
        """The form as an Applicant (validation is separate)."""
        t = self._text
        return Applicant(
            nik=t("nik"), nama=t("nama"), tempat_lahir=t("tempat_lahir"),
            tanggal_lahir=self.birth_date(), jenis_kelamin=t("jenis_kelamin"),
            golongan_darah=t("golongan_darah"), alamat=t("alamat"), rt=t("rt"), rw=t("rw"),
            kecamatan=t("kecamatan"), kelurahan=t("kelurahan"), agama=t("agama"),
            status_perkawinan=t("status_perkawinan"), pekerjaan=t("pekerjaan"),
            kewarganegaraan=t("kewarganegaraan"), berlaku_hingga=t("berlaku_hingga"),
            telepon=t("telepon"),
        )

    def fill(self, a: Applicant) -> None:
        """Put an applicant into the form (a new draft, or edits coming back from review)."""
        self._filling = True
        for name, w in self.fields.items():
            if name in ("kecamatan", "kelurahan"):
                continue
            value = getattr(a, name)
            if name == "tanggal_lahir":
                value = value.strftime(DATE_FORMAT) if value else ""
            if isinstance(w, QComboBox):
                w.setCurrentIndex(max(0, w.findData(value)))
            else:
                w.setText(value)
        self._select_kecamatan(a.kecamatan or self.service.settings["station.kecamatan"])
        kel = self.fields["kelurahan"]
        kel.setCurrentIndex(max(0, kel.findData(a.kelurahan)))
        self._filling = False
        self.refresh()

    # --- validation -------------------------------------------------------------------

    def _changed(self, name: str) -> None:
        if self._filling:
            return
        self.touched.add(name)
        self.autofilled.discard(name)  # the operator's own value from now on
        if name == "nik":
            self._from_nik()
        if name == "kewarganegaraan":
            wni = self._text("kewarganegaraan") == "WNI"
            self.fields["berlaku_hingga"].setReadOnly(wni)
            if wni:
                self.fields["berlaku_hingga"].setText(LIFETIME)
            elif self.fields["berlaku_hingga"].text() == LIFETIME:
                self.fields["berlaku_hingga"].clear()
        self.refresh()

    def _from_nik(self) -> None:
        """A complete NIK fills the birth date and sex when they are still empty or were filled
        from an earlier NIK (a corrected NIK corrects them; a value the operator typed stays),
        and warns when this NIK was recorded here before."""
        nik = self._text("nik")
        self.duplicate.hide()
        if len(nik) != 16:
            return
        try:
            info = parse_nik(nik, regions=self.service.regions, today=self.service.today())
        except InvalidNik:
            info = None
        self._filling = True
        if info is not None and (self.birth_date() is None or "tanggal_lahir" in self.autofilled):
            self.fields["tanggal_lahir"].setText(info.birth_date.strftime(DATE_FORMAT))
            self.autofilled.add("tanggal_lahir")
        if info is not None and (not self._text("jenis_kelamin")
                                 or "jenis_kelamin" in self.autofilled):
            box = self.fields["jenis_kelamin"]
            box.setCurrentIndex(box.findData(info.sex))
            self.autofilled.add("jenis_kelamin")
        self._filling = False
        earlier = self.service.earlier_recordings(nik)
        if earlier:
            last = earlier[0]
            self.duplicate.setText(self.tr(
                "Perhatian: NIK ini sudah pernah direkam di stasiun ini ({n} kali, terakhir "
                "{date}, nomor {regno}). Pastikan pemohon memang perlu direkam ulang."
            ).format(n=len(earlier), date=fmt_date(dt.date.fromisoformat(last["local_date"])),
                     regno=last["regno"]))
            self.duplicate.show()

    def problems(self) -> dict[str, str]:
        """field -> the first message for it, in the language on screen."""
        out: dict[str, str] = {}
        for p in self.service.validate(self.applicant()):
            out.setdefault(p.field, msg_text(p.msg))
        return out

    def refresh(self) -> None:
        """Show messages next to the fields touched so far (all of them after a Next)."""
        problems = self.problems()
        for name, err in self.errors.items():
            text = problems.get(name, "")
            shown = bool(text) and (self.show_all or name in self.touched)
            err.setText(text if shown else "")
            err.setVisible(shown)
            set_invalid(self.fields[name], shown)
        self.ready_changed.emit()

    def validate(self) -> bool:
        for w in self.fields.values():  # text still being typed (Alt+Right keeps the focus)
            if isinstance(w, QComboBox) and w.currentText() != w.itemText(w.currentIndex()):
                choose_typed(w, w.currentText())
        self.show_all = True
        self.refresh()
        problems = self.problems()
        if problems:
            first = next(n for n in LEFT + RIGHT if n in problems)
            self.fields[first].setFocus()
            return False
        if self.draft is not None:
            self.draft.applicant = self.applicant()
        return True

    # --- step life cycle --------------------------------------------------------------

    def set_draft(self, draft) -> None:  # type: ignore[no-untyped-def]
        super().set_draft(draft)
        self.touched.clear()
        self.autofilled.clear()
        self.show_all = False
        self.duplicate.hide()
        self.fill(draft.applicant)

    def enter(self) -> None:
        self.fields["nik"].setFocus()

    def title(self) -> str:
        return self.tr("Data")

    def retranslate(self) -> None:
        self.heading.setText(self.tr("Isi data sesuai dokumen pemohon (KK / surat keterangan). "
                                     "Tanda * wajib diisi."))
        names = {
            "nik": self.tr("NIK *"), "nama": self.tr("Nama *"),
            "tempat_lahir": self.tr("Tempat lahir *"),
            "tanggal_lahir": self.tr("Tgl lahir (HH-BB-TTTT) *"),
            "jenis_kelamin": self.tr("Jenis kelamin *"), "golongan_darah": self.tr("Gol. darah"),
            "agama": self.tr("Agama *"), "status_perkawinan": self.tr("Status perkawinan *"),
            "pekerjaan": self.tr("Pekerjaan *"), "alamat": self.tr("Alamat *"),
            "rt": self.tr("RT *"), "rw": self.tr("RW *"), "kecamatan": self.tr("Kecamatan *"),
            "kelurahan": self.tr("Kel/Desa *"), "kewarganegaraan": self.tr("Kewarganegaraan *"),
            "berlaku_hingga": self.tr("Berlaku hingga"), "telepon": self.tr("No. HP (pilihan)"),
        }
        for name, text in names.items():
            self.labels[name].setText(text)
        self.fields["telepon"].setPlaceholderText(self.tr("untuk menghubungi pemohon bila perlu"))
        if self.draft is not None:
            self.refresh()
