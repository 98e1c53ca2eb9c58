"""Region tables (kode wilayah): provinces, regencies, kecamatan and kelurahan/desa.

Shipped: every province, regency, kecamatan and desa/kelurahan of Indonesia in
resources/regions/indonesia.csv.gz (from the `idn-area-data` package, ODbL; see the README
there), read once per process on first use. Any other `*.csv` there, and the files the
station.region_tables setting names, are read on top of it (a row with the same code replaces
the shipped one): `code,name`, dotted Kemendagri codes.
"""

from __future__ import annotations

import bisect
import csv
import functools
import gzip
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kiosk.domain.messages import DomainError, Msg
from kiosk.paths import RESOURCES

SHIPPED = RESOURCES / "regions"
NATIONAL = SHIPPED / "indonesia.csv.gz"
_KECAMATAN_RE = re.compile(r"[0-9]{6}")
_WIDTHS = (2, 2, 2, 4)


class RegionTableError(DomainError, ValueError):
    """A region CSV that cannot be read or does not have the expected shape."""

    def __init__(self, path: Path, problem_id: str, problem_en: str,
                 line: int | None = None) -> None:
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(Msg(
            f"Tabel wilayah {where} tidak bisa dipakai: {problem_id}. Periksa "
            "station.region_tables di berkas pengaturan.",
            f"The region table {where} cannot be used: {problem_en}. Check "
            "station.region_tables in the settings file.",
        ))
        self.path = path
        self.line = line


@dataclass(frozen=True)
class Region:
    """One row of a region table; `code` is dotted (62.71.04.1001)."""

    code: str
    name: str

    @property
    def level(self) -> int:
        """1 province, 2 regency, 3 kecamatan, 4 kelurahan/desa."""
        return self.code.count(".") + 1

    @property
    def compact(self) -> str:
        return self.code.replace(".", "")


def compact_to_dotted(code: str) -> str:
    """'627104' -> '62.71.04'; '6271041001' -> '62.71.04.1001'."""
    parts = [code[0:2], code[2:4], code[4:6], code[6:]]
    return ".".join(p for p in parts if p)


def _dotted(code: str) -> str:
    return code if "." in code else compact_to_dotted(code)


class _Layer:
    """Names by dotted code, with the codes in sorted order (children are a range of it)."""

    def __init__(self, names: dict[str, str]) -> None:
        self.names = names
        self._codes: list[str] | None = None

    def add(self, code: str, name: str) -> None:
        self.names[code] = name
        self._codes = None

    def under(self, code: str) -> Iterable[str]:
        """The codes of the direct children of `code` ('' for the provinces)."""
        if self._codes is None:
            self._codes = sorted(self.names)
        codes = self._codes
        if not code:
            return (c for c in codes if "." not in c)
        prefix = code + "."
        # every descendant starts with "PP.KK."; '/' is the character after '.'
        lo, hi = bisect.bisect_left(codes, prefix), bisect.bisect_left(codes, code + "/")
        return (c for c in codes[lo:hi] if "." not in c[len(prefix):])


_EMPTY = _Layer({})


@functools.cache
def _national() -> _Layer:
    """The shipped national table, read once: ~92,000 rows checked by
    scripts/update-regions.py when it was made (and by tests/domain), so not again here."""
    text = gzip.decompress(NATIONAL.read_bytes()).decode("utf-8")
    rows = csv.reader(io.StringIO(text))
    next(rows)  # code,name
    layer = _Layer(dict(rows))  # type: ignore[arg-type]  # two columns a row
    layer._codes = list(layer.names)  # written sorted by code
    return layer


class RegionTable:
    """All loaded regions, looked up by code: the shipped national table (shared, never
    changed) under the rows added to this table."""

    def __init__(self, regions: Iterable[Region] = (), *, national: bool = False) -> None:
        self._national = national  # read on the first lookup, not here: start-up stays quick
        self._own = _Layer({})
        for r in regions:
            self._own.add(r.code, r.name)

    @property
    def _base(self) -> _Layer:
        return _national() if self._national else _EMPTY

    @classmethod
    def load(cls, paths: Iterable[Path] = ()) -> RegionTable:
        """The shipped national table, any other CSV in resources/regions, then the extra
        CSV files (a later row replaces an earlier one with the same code)."""
        table = cls(national=True)
        files = sorted(SHIPPED.glob("*.csv")) + [Path(p) for p in paths]
        for path in files:
            table.add_csv(path)
        return table

    def add_csv(self, path: Path) -> None:
        """Add every row of one CSV; RegionTableError naming the file (and line) if it cannot
        be read or a row is malformed."""
        try:
            with open(path, newline="", encoding="utf-8-sig") as fh:
                self._add_rows(path, fh)
        except FileNotFoundError:
            raise RegionTableError(path, "berkasnya tidak ada", "the file does not exist") from None
        except IsADirectoryError:
            raise RegionTableError(path, "itu folder, bukan berkas CSV",
                                   "it is a folder, not a CSV file") from None
        except PermissionError:
            raise RegionTableError(path, "tidak boleh dibaca", "it may not be read") from None
        except UnicodeDecodeError:
            raise RegionTableError(path, "bukan teks UTF-8", "it is not UTF-8 text") from None

    def _add_rows(self, path: Path, fh: Iterable[str]) -> None:
        reader = csv.DictReader(fh)
        if reader.fieldnames is None or not {"code", "name"} <= set(reader.fieldnames):
            raise RegionTableError(path, "perlu kolom 'code,name'",
                                   "it needs the columns 'code,name'")
        for n, row in enumerate(reader, start=2):
            code = (row["code"] or "").strip()
            name = (row["name"] or "").strip()
            if not name or not code_shape_ok(code):
                raise RegionTableError(path, f"baris salah {code!r},{name!r}",
                                       f"bad row {code!r},{name!r}", line=n)
            self._own.add(code, name)

    def get(self, code: str) -> Region | None:
        """Look up by dotted or compact code."""
        code = _dotted(code)
        name = self._own.names.get(code)
        if name is None:
            name = self._base.names.get(code)
        return Region(code, name) if name is not None else None

    def name(self, code: str) -> str:
        region = self.get(code)
        return region.name if region else code

    def children(self, code: str) -> list[Region]:
        """Direct children of a region, in code order ('' : the provinces)."""
        code = _dotted(code)
        found = dict.fromkeys(self._base.under(code), "")
        found.update(dict.fromkeys(self._own.under(code), ""))
        out = [self.get(c) for c in sorted(found)]
        return [r for r in out if r is not None]

    def provinces(self) -> list[Region]:
        return self.children("")

    def holds_regency(self, pp_kk: str) -> bool:
        """True when the table lists the kecamatan of this regency (PPKK)."""
        return bool(self.children(pp_kk))

    def kecamatan_known(self, pp_kk_cc: str) -> bool:
        return self.get(pp_kk_cc) is not None

    def parents(self, code: str) -> list[Region]:
        """Province, regency, kecamatan of a code (those held)."""
        parts = _dotted(code).split(".")
        out = []
        for i in range(1, len(parts)):
            r = self.get(".".join(parts[:i]))
            if r:
                out.append(r)
        return out


def code_shape_ok(code: str) -> bool:
    """A dotted code of one to four parts, 2/2/2/4 digits (11, 11.01, 11.01.01, ...2001)."""
    parts = code.split(".")
    return 1 <= len(parts) <= 4 and all(
        len(p) == w and p.isdigit() for p, w in zip(parts, _WIDTHS, strict=False))


@functools.cache
def shipped_regions() -> RegionTable:
    """The tables shipped in resources/regions, loaded once (the default of parse_nik and of
    the station.kecamatan setting's check)."""
    return RegionTable.load()


def regency_known(pp_kk: str) -> bool:
    """Whether python-stdnum's register (the one the NIK check uses) knows province+regency."""
    from stdnum import numdb  # its data file is read on first use only

    return bool(numdb.get("id/loc").info(pp_kk)[0][1])


def kecamatan_problem(code: str, regions: RegionTable | None = None) -> Msg | None:
    """Why `code` cannot be a station's kecamatan (PPKKCC), or None: six digits, a known
    province and regency, and one of the regency's kecamatan (the shipped tables hold every
    regency of Indonesia)."""
    if not isinstance(code, str) or not _KECAMATAN_RE.fullmatch(code):
        return Msg(f"Kode kecamatan {code!r} harus 6 angka (mis. 627104).",
                   f"The kecamatan code {code!r} must be 6 digits (e.g. 627104).")
    table = regions if regions is not None else shipped_regions()
    if not table.holds_regency(code[:4]) and not regency_known(code[:4]):
        return Msg(f"Kode provinsi/kabupaten {code[:2]}.{code[2:4]} tidak dikenal.",
                   f"The province/regency code {code[:2]}.{code[2:4]} is unknown.")
    if table.holds_regency(code[:4]) and not table.kecamatan_known(code):
        return Msg(f"Kode kecamatan {code[4:]} tidak ada di {table.name(code[:4])}.",
                   f"Kecamatan code {code[4:]} does not exist in {table.name(code[:4])}.")
    return None
