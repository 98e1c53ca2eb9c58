"""Rebuild resources/regions/indonesia.csv.gz from the `idn-area-data` package on npm.

Usage: .venv/bin/python scripts/update-regions.py [VERSION]   (default: the version below)

`npm pack idn-area-data@VERSION` in a temporary folder (npm only downloads the tarball; no
install, no scripts run), then its four CSVs (provinces, regencies, districts = kecamatan,
villages = desa/kelurahan) become one table of the shape the station's region tables have
(`code,name`, dotted Kemendagri codes, names in capitals as printed on the KTP), sorted by
code and gzipped without a timestamp, so the same version always gives the same bytes. Every
code is checked (its width, its parent present) before anything is written. The data's licence
(ODbL) is copied beside it as LICENSE-ODbL.md; NOTICE names the source and the version.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "resources" / "regions"
PACKAGE = "idn-area-data"
VERSION = "4.0.1"
# (file in the package, its parent column, the dotted code's shape)
LEVELS = (
    ("provinces.csv", None, re.compile(r"[0-9]{2}")),
    ("regencies.csv", "province_code", re.compile(r"[0-9]{2}\.[0-9]{2}")),
    ("districts.csv", "regency_code", re.compile(r"[0-9]{2}\.[0-9]{2}\.[0-9]{2}")),
    ("villages.csv", "district_code", re.compile(r"[0-9]{2}\.[0-9]{2}\.[0-9]{2}\.[0-9]{4}")),
)
NATIONAL = "indonesia.csv.gz"


def fetch(version: str, into: Path) -> Path:
    """The unpacked package folder of `idn-area-data@version` (npm pack, then tar)."""
    done = subprocess.run(["npm", "pack", f"{PACKAGE}@{version}", "--silent"], cwd=into,
                          check=True, capture_output=True, text=True, timeout=300)
    tarball = into / done.stdout.strip().splitlines()[-1]
    with tarfile.open(tarball) as tar:
        tar.extractall(into, filter="data")
    return into / "package"


def read_levels(data: Path) -> tuple[list[tuple[str, str]], dict[str, int]]:
    """Every (code, NAME) row of the four levels, checked; and how many each level has."""
    rows: list[tuple[str, str]] = []
    counts: dict[str, int] = {}
    known: set[str] = set()
    for filename, parent_col, shape in LEVELS:
        level: list[tuple[str, str]] = []
        with open(data / filename, newline="", encoding="utf-8") as fh:
            for n, row in enumerate(csv.DictReader(fh), start=2):
                code, name = row["code"].strip(), " ".join(row["name"].split()).upper()
                if not shape.fullmatch(code) or not name:
                    raise SystemExit(f"{filename}:{n}: bad row {code!r},{name!r}")
                if parent_col is not None and (row[parent_col] not in known
                                               or not code.startswith(row[parent_col] + ".")):
                    raise SystemExit(f"{filename}:{n}: {code} has no parent {row[parent_col]}")
                level.append((code, name))
        known.update(code for code, _ in level)
        counts[filename.removesuffix(".csv")] = len(level)
        rows.extend(level)
    if len(known) != len(rows):
        raise SystemExit("a code appears twice")
    return sorted(rows), counts


def write_table(rows: list[tuple[str, str]], path: Path) -> None:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(["code", "name"])
    writer.writerows(rows)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0,
                                               compresslevel=9, filename="") as gz:
        gz.write(text.getvalue().encode("utf-8"))
    tmp.replace(path)


def main(argv: list[str]) -> int:
    version = argv[1] if len(argv) > 1 else VERSION
    with tempfile.TemporaryDirectory(prefix="idn-area-data-") as tmp:
        package = fetch(version, Path(tmp))
        rows, counts = read_levels(package / "data")
        write_table(rows, OUT / NATIONAL)
        shutil.copyfile(package / "data" / "LICENSE.md", OUT / "LICENSE-ODbL.md")
    print(f"{PACKAGE}@{version}: " + ", ".join(f"{v} {k}" for k, v in counts.items())
          + f" -> {(OUT / NATIONAL).relative_to(ROOT)} ({(OUT / NATIONAL).stat().st_size} bytes)")
    print("Update the version and the counts in resources/regions/NOTICE and README.md.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
