"""NIK (Nomor Induk Kependudukan): parsing and the checks a recording desk can make.

`python-stdnum` checks digits, length and the date, and knows province/regency codes retired
since (still on older NIKs). What domain.md adds is ours: the region tables (every regency and
kecamatan of Indonesia ships) name where it was issued and check its kecamatan, the century
rule, and agreement with the birth date and sex typed on the form.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from stdnum.exceptions import ValidationError
from stdnum.id import nik as stdnum_nik

from kiosk.domain.messages import DomainError, Msg
from kiosk.domain.regions import RegionTable, shipped_regions

MALE = "LAKI-LAKI"
FEMALE = "PEREMPUAN"


class InvalidNik(DomainError):
    """A NIK that cannot be right; `reason` is a short machine-readable code."""

    def __init__(self, reason: str, msg: Msg) -> None:
        super().__init__(msg)
        self.reason = reason


@dataclass(frozen=True)
class NikInfo:
    """What a NIK says: where it was issued, the birth date, the sex and the serial."""

    nik: str
    region_code: str  # PPKKCC
    birth_date: dt.date
    sex: str  # LAKI-LAKI / PEREMPUAN
    serial: str
    # "BAKONGAN, KABUPATEN ACEH SELATAN, ACEH": what the region tables name it (not identity)
    issued_in: str = field(default="", compare=False)

    @property
    def masked(self) -> str:
        """'627104********17': region and last two digits only."""
        return mask_nik(self.nik)


def mask_nik(nik: str) -> str:
    return nik[:6] + "*" * (len(nik) - 8) + nik[-2:] if len(nik) > 8 else "*" * len(nik)


def _fail(reason: str, id_: str, en: str) -> InvalidNik:
    return InvalidNik(reason, Msg(id_, en))


def _century(yy: int, month: int, day: int, today: dt.date) -> dt.date:
    """The latest century that does not put the birth date in the future."""
    for year in (today.year - today.year % 100 + yy, today.year - today.year % 100 - 100 + yy):
        try:
            d = dt.date(year, month, day)
        except ValueError:
            continue  # 29 Feb in a non-leap year of this century: try the previous one
        if d <= today:
            return d
    raise _fail(
        "date",
        f"Tanggal lahir dalam NIK ({day:02d}-{month:02d}-{yy:02d}) tidak ada di kalender.",
        f"The birth date in the NIK ({day:02d}-{month:02d}-{yy:02d}) is not a real date.",
    )


def issued_in(pp_kk_cc: str, regions: RegionTable) -> str:
    """The kecamatan, regency and province of a region code, as far as the tables hold them
    ("" when they hold none)."""
    held = [*regions.parents(pp_kk_cc), regions.get(pp_kk_cc)]
    return ", ".join(r.name for r in reversed(held) if r is not None)


def _region_problem(number: str, regions: RegionTable) -> InvalidNik | None:
    """Where the NIK was issued: a regency of the region tables (the shipped national table
    holds every one, newer than python-stdnum's register: Kalimantan Utara's 65.xx, Papua's
    new provinces), else one python-stdnum knows (a code retired since, still on older NIKs);
    in a regency the tables hold, the kecamatan must be one of its kecamatan."""
    if not regions.holds_regency(number[:4]):
        try:
            stdnum_nik.validate(number)
        except ValidationError:
            return _fail(
                "region",
                f"Kode provinsi/kabupaten {number[:2]}.{number[2:4]} dalam NIK tidak dikenal.",
                f"The province/regency code {number[:2]}.{number[2:4]} in the NIK is unknown.",
            )
        return None
    if not regions.kecamatan_known(number[:6]):
        where = regions.name(number[:4])
        return _fail(
            "kecamatan",
            f"Kode kecamatan {number[4:6]} tidak ada di {where}.",
            f"Kecamatan code {number[4:6]} does not exist in {where}.",
        )
    return None


def parse_nik(
    text: str,
    *,
    regions: RegionTable | None = None,
    today: dt.date | None = None,
    birth_date: dt.date | None = None,
    sex: str | None = None,
) -> NikInfo:
    """Parse and check a NIK; with `birth_date`/`sex` from the form, they must agree.

    Raises InvalidNik with a reason: format, length, date, region, kecamatan, birth_date, sex.
    Without `regions`, the region is checked against the shipped region tables.
    """
    if not isinstance(text, str):
        raise _fail("format", "NIK harus berupa teks angka.", "The NIK must be text of digits.")
    number = "".join(text.split())
    if not number or not all(c in "0123456789" for c in number):
        raise _fail("format", "NIK hanya boleh berisi angka.", "The NIK may contain digits only.")
    if len(number) != 16:
        raise _fail(
            "length",
            f"NIK harus 16 angka (tertulis {len(number)}).",
            f"The NIK must have 16 digits (it has {len(number)}).",
        )
    today = today or dt.date.today()
    raw_day, month, yy = int(number[6:8]), int(number[8:10]), int(number[10:12])
    female = raw_day > 40
    day = raw_day - 40 if female else raw_day
    if not (1 <= day <= 31 and 1 <= month <= 12):
        raise _fail(
            "date",
            f"Tanggal lahir dalam NIK tidak sah (hari {number[6:8]}, bulan {number[8:10]}).",
            f"The birth date in the NIK is not valid (day {number[6:8]}, month {number[8:10]}).",
        )
    # The typed birth date settles the century; otherwise the latest one not in the future.
    if (
        birth_date is not None
        and birth_date.year % 100 == yy
        and (
            birth_date.month,
            birth_date.day,
        )
        == (month, day)
    ):
        born = birth_date
    else:
        born = _century(yy, month, day, today)
    if regions is None:
        regions = shipped_regions()
    region_problem = _region_problem(number, regions)
    if region_problem is not None:
        raise region_problem
    if number[12:] == "0000":
        raise _fail("serial", "Nomor urut NIK tidak boleh 0000.", "The NIK serial cannot be 0000.")
    info = NikInfo(
        nik=number,
        region_code=number[:6],
        birth_date=born,
        sex=FEMALE if female else MALE,
        serial=number[12:],
        issued_in=issued_in(number[:6], regions),
    )
    problems = form_mismatches(info, birth_date=birth_date, sex=sex)
    if problems:
        raise problems[0]
    return info


def form_mismatches(
    info: NikInfo, *, birth_date: dt.date | None, sex: str | None
) -> list[InvalidNik]:
    """Each disagreement between the NIK and the form, naming both values."""
    out: list[InvalidNik] = []
    if birth_date is not None and birth_date != info.birth_date:
        # A date that differs only by century cannot be told apart by the NIK: compare DDMMYY.
        same_digits = (birth_date.day, birth_date.month, birth_date.year % 100) == (
            info.birth_date.day,
            info.birth_date.month,
            info.birth_date.year % 100,
        )
        if not same_digits:
            nik_txt = info.birth_date.strftime("%d-%m-%y")
            form_txt = birth_date.strftime("%d-%m-%Y")
            out.append(
                _fail(
                    "birth_date",
                    f"Tanggal lahir di formulir ({form_txt}) tidak sama dengan NIK ({nik_txt}).",
                    f"The birth date on the form ({form_txt}) does not match the NIK ({nik_txt}).",
                )
            )
    if sex is not None and sex != info.sex:
        out.append(
            _fail(
                "sex",
                f"Jenis kelamin di formulir ({sex}) tidak sama dengan NIK ({info.sex}).",
                f"The sex on the form ({sex}) does not match the NIK ({info.sex}).",
            )
        )
    return out


def make_nik(region_code: str, birth_date: dt.date, sex: str, serial: int) -> str:
    """Build a NIK (for synthetic demo applicants and tests)."""
    day = birth_date.day + (40 if sex == FEMALE else 0)
    return f"{region_code}{day:02d}{birth_date:%m}{birth_date:%y}{serial:04d}"
