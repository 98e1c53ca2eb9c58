"""The applicant (pemohon): every field printed on the e-KTP, its allowed values, validation."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, fields
from typing import Any

from kiosk.domain.messages import DomainError, Msg
from kiosk.domain.nik import FEMALE, MALE, InvalidNik, NikInfo, form_mismatches, parse_nik
from kiosk.domain.regions import RegionTable

SEXES = (MALE, FEMALE)
RELIGIONS = (
    "ISLAM",
    "KRISTEN",
    "KATHOLIK",
    "HINDU",
    "BUDHA",
    "KHONGHUCU",
    "KEPERCAYAAN TERHADAP TUHAN YME",
)
MARITAL_STATUSES = ("BELUM KAWIN", "KAWIN", "CERAI HIDUP", "CERAI MATI")
BLOOD_TYPES = ("A", "B", "AB", "O", "A+", "A-", "B+", "B-", "AB+", "AB-", "O+", "O-", "TIDAK TAHU")
CITIZENSHIPS = ("WNI", "WNA")
LIFETIME = "SEUMUR HIDUP"
# Occupations as listed by SIAK-compatible software (the common part of the list).
OCCUPATIONS = (
    "BELUM/TIDAK BEKERJA",
    "MENGURUS RUMAH TANGGA",
    "PELAJAR/MAHASISWA",
    "PENSIUNAN",
    "PEGAWAI NEGERI SIPIL",
    "TENTARA NASIONAL INDONESIA",
    "KEPOLISIAN RI",
    "PERDAGANGAN",
    "PETANI/PEKEBUN",
    "PETERNAK",
    "NELAYAN/PERIKANAN",
    "INDUSTRI",
    "KONSTRUKSI",
    "TRANSPORTASI",
    "KARYAWAN SWASTA",
    "KARYAWAN BUMN",
    "KARYAWAN BUMD",
    "KARYAWAN HONORER",
    "BURUH HARIAN LEPAS",
    "BURUH TANI/PERKEBUNAN",
    "PEMBANTU RUMAH TANGGA",
    "TUKANG KAYU",
    "TUKANG BATU",
    "TUKANG JAHIT",
    "MEKANIK",
    "SOPIR",
    "GURU",
    "DOSEN",
    "DOKTER",
    "BIDAN",
    "PERAWAT",
    "APOTEKER",
    "PENDETA",
    "USTADZ/MUBALIGH",
    "WARTAWAN",
    "PEDAGANG",
    "WIRASWASTA",
    "PERANGKAT DESA",
    "KEPALA DESA",
    "LAINNYA",
)
ADULT_AGE = 17


class ApplicantInvalid(DomainError):
    """An applicant with problems; `problems` lists every one."""

    def __init__(self, problems: list[Problem]) -> None:
        first = problems[0].msg
        super().__init__(
            Msg(
                f"Data pemohon belum benar ({len(problems)} masalah): {first.id}",
                f"The applicant's data is not right ({len(problems)} problems): {first.en}",
            )
        )
        self.problems = problems


@dataclass(frozen=True)
class Problem:
    """One validation problem: the field it belongs to, a code and a bilingual message."""

    field: str
    code: str
    msg: Msg


@dataclass
class Applicant:
    """Biodata as typed on the form. Region fields hold compact codes (627104, 6271041001)."""

    nik: str = ""
    nama: str = ""
    tempat_lahir: str = ""
    tanggal_lahir: dt.date | None = None
    jenis_kelamin: str = ""
    golongan_darah: str = "TIDAK TAHU"
    alamat: str = ""
    rt: str = ""
    rw: str = ""
    kecamatan: str = ""
    kelurahan: str = ""
    agama: str = ""
    status_perkawinan: str = ""
    pekerjaan: str = ""
    kewarganegaraan: str = "WNI"
    berlaku_hingga: str = LIFETIME
    telepon: str = ""  # optional: to reach the applicant if re-recording is needed

    def to_dict(self) -> dict[str, Any]:
        # Every field is a str or a date: a flat copy is enough (asdict deep-copies).
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d["tanggal_lahir"] = self.tanggal_lahir.isoformat() if self.tanggal_lahir else None
        return d

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Applicant:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        if values.get("tanggal_lahir"):
            values["tanggal_lahir"] = dt.date.fromisoformat(values["tanggal_lahir"])
        return cls(**values)

    def provinsi(self) -> str:
        return self.kecamatan[:2]

    def kabupaten_kota(self) -> str:
        return self.kecamatan[:4]


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


_NAME_RE = re.compile(r"^[A-Z][A-Z .,'\-]*$")
_PHONE_RE = re.compile(r"^(\+62|62|0)8[0-9]{7,11}$")
_RTRW_RE = re.compile(r"^[0-9]{1,3}$")


def _p(field: str, code: str, id_: str, en: str) -> Problem:
    return Problem(field, code, Msg(id_, en))


def validate_applicant(
    a: Applicant, regions: RegionTable, today: dt.date | None = None
) -> list[Problem]:
    """Every problem at once (empty list: the applicant is fine), in form order."""
    today = today or dt.date.today()
    return [
        *_person_problems(a, today),
        *_choice_problems(a),
        *_address_problems(a),
        *_region_problems(a, regions),
        *_validity_problems(a, today),
        *_phone_problems(a),
        *_nik_problems(a, regions, today),
    ]


def _person_problems(a: Applicant, today: dt.date) -> list[Problem]:
    """Name, place and date of birth, sex."""
    out: list[Problem] = []
    nama = a.nama.strip()
    if not nama:
        out.append(_p("nama", "required", "Nama wajib diisi.", "Name is required."))
    elif not _NAME_RE.match(nama) or len(nama) > 60:
        out.append(
            _p(
                "nama",
                "format",
                "Nama ditulis dengan huruf kapital (A-Z, titik, koma, petik, tanda hubung), "
                "paling banyak 60 huruf.",
                "Write the name in capitals (A-Z, full stop, comma, apostrophe, hyphen), "
                "60 characters at most.",
            )
        )
    if not a.tempat_lahir.strip():
        out.append(_p("tempat_lahir", "required", "Tempat lahir wajib diisi.",
                      "Place of birth is required."))
    if a.tanggal_lahir is None:
        out.append(
            _p("tanggal_lahir", "required", "Tanggal lahir wajib diisi.", "Birth date is required.")
        )
    elif a.tanggal_lahir > today:
        out.append(_p("tanggal_lahir", "future", "Tanggal lahir tidak boleh di masa depan.",
                      "The birth date cannot be in the future."))
    if a.jenis_kelamin not in SEXES:
        out.append(_p("jenis_kelamin", "choice", "Pilih jenis kelamin: LAKI-LAKI atau PEREMPUAN.",
                      "Choose the sex: LAKI-LAKI or PEREMPUAN."))
    return out


def _choice_problems(a: Applicant) -> list[Problem]:
    """The fields with a fixed list of values."""
    return [
        *_choice("golongan_darah", a.golongan_darah, BLOOD_TYPES, "Golongan darah", "Blood type"),
        *_choice("agama", a.agama, RELIGIONS, "Agama", "Religion"),
        *_choice("status_perkawinan", a.status_perkawinan, MARITAL_STATUSES,
                 "Status perkawinan", "Marital status"),
        *_choice("pekerjaan", a.pekerjaan, OCCUPATIONS, "Pekerjaan", "Occupation"),
        *_choice("kewarganegaraan", a.kewarganegaraan, CITIZENSHIPS, "Kewarganegaraan",
                 "Citizenship"),
    ]


def _address_problems(a: Applicant) -> list[Problem]:
    out: list[Problem] = []
    if not a.alamat.strip():
        out.append(_p("alamat", "required", "Alamat wajib diisi.", "Address is required."))
    for fld, label in (("rt", "RT"), ("rw", "RW")):
        if not _RTRW_RE.match(getattr(a, fld).strip()):
            out.append(_p(fld, "format", f"{label} diisi 1-3 angka (contoh 003).",
                          f"{label} takes 1-3 digits (e.g. 003)."))
    return out


def _phone_problems(a: Applicant) -> list[Problem]:
    phone = a.telepon.strip()
    if phone and not _PHONE_RE.match(phone.replace(" ", "").replace("-", "")):
        return [_p("telepon", "format", "Nomor HP tidak sah (contoh 081234567890).",
                   "The phone number is not valid (e.g. 081234567890).")]
    return []


def _choice(
    field: str, value: str, allowed: tuple[str, ...], id_label: str, en_label: str
) -> list[Problem]:
    if value in allowed:
        return []
    return [
        _p(
            field,
            "choice",
            f"Pilih {id_label.lower()} dari daftar.",
            f"Choose the {en_label.lower()} from the list.",
        )
    ]


def _region_problems(a: Applicant, regions: RegionTable) -> list[Problem]:
    out: list[Problem] = []
    kec = regions.get(a.kecamatan) if a.kecamatan else None
    if kec is None or kec.level != 3:
        out.append(
            _p(
                "kecamatan",
                "choice",
                "Pilih kecamatan dari daftar.",
                "Choose the kecamatan from the list.",
            )
        )
        return out
    kel = regions.get(a.kelurahan) if a.kelurahan else None
    if kel is None or kel.level != 4 or not kel.compact.startswith(kec.compact):
        out.append(
            _p(
                "kelurahan",
                "choice",
                f"Pilih kelurahan/desa di Kecamatan {kec.name}.",
                f"Choose a kelurahan/desa in Kecamatan {kec.name}.",
            )
        )
    return out


def _validity_problems(a: Applicant, today: dt.date) -> list[Problem]:
    if a.kewarganegaraan == "WNI":
        if a.berlaku_hingga != LIFETIME:
            return [
                _p(
                    "berlaku_hingga",
                    "lifetime",
                    "KTP-el WNI berlaku SEUMUR HIDUP.",
                    "A citizen's e-KTP is valid for life (SEUMUR HIDUP).",
                )
            ]
        return []
    try:
        until = dt.date.fromisoformat(a.berlaku_hingga)
    except ValueError:
        return [
            _p(
                "berlaku_hingga",
                "format",
                "Untuk WNA, isi tanggal berlaku (TTTT-BB-HH) sesuai izin tinggal tetap.",
                "For a foreign national, enter the expiry date (YYYY-MM-DD) of the residence "
                "permit.",
            )
        ]
    if until <= today:
        return [
            _p(
                "berlaku_hingga",
                "past",
                "Tanggal berlaku sudah lewat.",
                "The expiry date has already passed.",
            )
        ]
    return []


def _nik_problems(a: Applicant, regions: RegionTable, today: dt.date) -> list[Problem]:
    out: list[Problem] = []
    if not a.nik.strip():  # an empty field is missing, not "not digits"
        return [_p("nik", "required", "NIK wajib diisi (16 angka).",
                   "The NIK is required (16 digits).")]
    try:
        info: NikInfo = parse_nik(a.nik, regions=regions, today=today, birth_date=a.tanggal_lahir)
    except InvalidNik as exc:
        if exc.reason == "birth_date":
            return [Problem("tanggal_lahir", "nik_mismatch", exc.msg)]
        return [Problem("nik", exc.reason, exc.msg)]
    sex = a.jenis_kelamin if a.jenis_kelamin in SEXES else None
    for exc in form_mismatches(info, birth_date=None, sex=sex):
        out.append(Problem("jenis_kelamin", "nik_mismatch", exc.msg))
    birth = a.tanggal_lahir or info.birth_date
    if age_on(birth, today) < ADULT_AGE and a.status_perkawinan in ("", "BELUM KAWIN"):
        out.append(
            _p(
                "tanggal_lahir",
                "not_eligible",
                f"Pemohon berumur {age_on(birth, today)} tahun dan belum pernah kawin: KTP-el "
                f"baru wajib pada umur {ADULT_AGE} tahun atau sudah/pernah kawin (UU 24/2013 "
                "pasal 63).",
                f"The applicant is {age_on(birth, today)} and has never married: an e-KTP is for "
                f"those aged {ADULT_AGE} or more, or who are or were married "
                "(Law 24/2013 art. 63).",
            )
        )
    return out


def check_applicant(a: Applicant, regions: RegionTable, today: dt.date | None = None) -> None:
    """Raise ApplicantInvalid listing every problem, or return."""
    problems = validate_applicant(a, regions, today)
    if problems:
        raise ApplicantInvalid(problems)
