"""Loading the region tables: the national table (every kecamatan and desa of Indonesia) vs
the one-city table that shipped before (Kota Palangka Raya), each in fresh processes.

Prints one JSON object. Each figure is the median of RUNS child processes, timed inside the
child from just before `kiosk.domain.regions` is imported to the moment the table has answered
a lookup of its first use (the data form's kelurahan of one kecamatan), so the interpreter's
own start-up is left out and the import of the module is counted. The baseline loads only
the old one-city CSV through the same reader (`RegionTable().add_csv`), as `RegionTable.load`
did when that file was the only one shipped. Target: national load well under a second.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 7

NATIONAL = """
import json, time
t = time.perf_counter()
from kiosk.domain.regions import RegionTable
table = RegionTable.load()
n = len(table.children("62.71.04"))
print(json.dumps({"seconds": time.perf_counter() - t, "kelurahan": n}))
"""

ONE_CITY = """
import json, sys, time
from pathlib import Path
t = time.perf_counter()
from kiosk.domain.regions import RegionTable
table = RegionTable()
table.add_csv(Path(sys.argv[1]))
n = len(table.children("62.71.04"))
print(json.dumps({"seconds": time.perf_counter() - t, "kelurahan": n}))
"""


def _runs(code: str, *args: str) -> list[dict[str, float]]:
    out = []
    for _ in range(RUNS):
        done = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, check=True,
                              capture_output=True, text=True, timeout=120)
        out.append(json.loads(done.stdout))
    return out


def main() -> None:
    from kiosk.domain.regions import NATIONAL as NATIONAL_FILE
    from kiosk.domain.regions import SHIPPED, RegionTable

    city_csv = SHIPPED / "6271-kota-palangka-raya.csv"
    national = _runs(NATIONAL)
    city = _runs(ONE_CITY, str(city_csv))
    table = RegionTable.load()
    regencies = [r for p in table.provinces() for r in table.children(p.code)]
    kecamatan = sum(len(table.children(r.code)) for r in regencies)
    median_national = statistics.median(r["seconds"] for r in national)
    median_city = statistics.median(r["seconds"] for r in city)
    print(json.dumps({
        "runs": RUNS,
        "national_load_s": round(median_national, 4),
        "national_load_max_s": round(max(r["seconds"] for r in national), 4),
        "one_city_load_s": round(median_city, 4),
        "ratio": round(median_national / median_city, 1),
        "shipped_file_bytes": NATIONAL_FILE.stat().st_size,
        "regencies": len(regencies),
        "kecamatan": kecamatan,
        "same_answer": national[0]["kelurahan"] == city[0]["kelurahan"],
        "target_s": 1.0,
        "ok": median_national < 1.0,
    }, indent=2))


if __name__ == "__main__":
    main()
