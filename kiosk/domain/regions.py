"""Region tables (kode wilayah): provinces, regencies, kecamatan and kelurahan from CSV files."""

from __future__ import annotations

import csv
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kiosk.domain.messages import DomainError, Msg
from kiosk.paths import RESOURCES

SHIPPED = RESOURCES / "regions"
_KECAMATAN_RE = re.compile(r"[0-9]{6}")


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


class RegionTable:
    """All loaded regions, looked up by code."""

    def __init__(self, regions: Iterable[Region] = ()) -> None:
        self._by_code: dict[str, Region] = {}
        for r in regions:
            self._by_code[r.code] = r

    @classmethod
    def load(cls, paths: Iterable[Path] = ()) -> RegionTable:
        """The shipped tables in resources/regions plus any extra CSV files."""
        table = cls()
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
        widths = [2, 2, 2, 4]
        for n, row in enumerate(reader, start=2):
            code = (row["code"] or "").strip()
            name = (row["name"] or "").strip()
            parts = code.split(".")
            if (
                not name
                or not 1 <= len(parts) <= 4
                or any(len(p) != w or not p.isdigit() for p, w in zip(parts, widths, strict=False))
            ):
                raise RegionTableError(path, f"baris salah {code!r},{name!r}",
                                       f"bad row {code!r},{name!r}", line=n)
            self._by_code[code] = Region(code, name)

    def get(self, code: str) -> Region | None:
        """Look up by dotted or compact code."""
        if "." not in code:
            code = compact_to_dotted(code)
        return self._by_code.get(code)

    def name(self, code: str) -> str:
        region = self.get(code)
        return region.name if region else code

    def children(self, code: str) -> list[Region]:
        """Direct children of a region, in code order."""
        if "." not in code:
            code = compact_to_dotted(code)
        prefix = code + "."
        return sorted(
            (
                r
                for c, r in self._by_code.items()
                if c.startswith(prefix) and "." not in c[len(prefix) :]
            ),
            key=lambda r: r.code,
        )

    def holds_regency(self, pp_kk: str) -> bool:
        """True when the table lists the kecamatan of this regency (PPKK)."""
        return bool(self.children(pp_kk))

    def kecamatan_known(self, pp_kk_cc: str) -> bool:
        return self.get(pp_kk_cc) is not None

    def parents(self, code: str) -> list[Region]:
        """Province, regency, kecamatan of a code (those held)."""
        if "." not in code:
            code = compact_to_dotted(code)
        parts = code.split(".")
        out = []
        for i in range(1, len(parts)):
            r = self._by_code.get(".".join(parts[:i]))
            if r:
                out.append(r)
        return out


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
    province and regency, and, where the tables hold that regency, one of its kecamatan."""
    if not isinstance(code, str) or not _KECAMATAN_RE.fullmatch(code):
        return Msg(f"Kode kecamatan {code!r} harus 6 angka (mis. 627104).",
                   f"The kecamatan code {code!r} must be 6 digits (e.g. 627104).")
    if not regency_known(code[:4]):
        return Msg(f"Kode provinsi/kabupaten {code[:2]}.{code[2:4]} tidak dikenal.",
                   f"The province/regency code {code[:2]}.{code[2:4]} is unknown.")
    table = regions if regions is not None else shipped_regions()
    if table.holds_regency(code[:4]) and not table.kecamatan_known(code):
        return Msg(f"Kode kecamatan {code[4:]} tidak ada di {table.name(code[:4])}.",
                   f"Kecamatan code {code[4:]} does not exist in {table.name(code[:4])}.")
    return None
