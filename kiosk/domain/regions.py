"""Region tables (kode wilayah): provinces, regencies, kecamatan and kelurahan from CSV files."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kiosk.paths import RESOURCES


class RegionTableError(ValueError):
    """A region CSV that does not have the expected shape."""


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
        files = sorted((RESOURCES / "regions").glob("*.csv")) + [Path(p) for p in paths]
        for path in files:
            table.add_csv(path)
        return table

    def add_csv(self, path: Path) -> None:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            if reader.fieldnames is None or not {"code", "name"} <= set(reader.fieldnames):
                raise RegionTableError(f"{path}: needs the columns 'code,name'")
            for n, row in enumerate(reader, start=2):
                code = (row["code"] or "").strip()
                name = (row["name"] or "").strip()
                parts = code.split(".")
                widths = [2, 2, 2, 4]
                if (
                    not name
                    or not 1 <= len(parts) <= 4
                    or any(
                        len(p) != w or not p.isdigit() for p, w in zip(parts, widths, strict=False)
                    )
                ):
                    raise RegionTableError(f"{path}:{n}: bad row {code!r},{name!r}")
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
