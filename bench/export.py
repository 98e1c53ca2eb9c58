"""Daily-log export of 10,000 records (a busy office's quarter: 100 days x 100).

Baseline, in the same run: the sqlite3 command-line shell writing the same rows as CSV from a
plain, unencrypted table (`sqlite3 -csv -header plain.db 'SELECT * FROM log'`, process start
included). Ours includes the query, one AES-GCM decrypt per row, formatting, the file's
SHA-256 and its audit row. Targets: CSV at most 2x the baseline; XLSX and PDF under 10 s.

The station is generated once through Store.save_recording (tiny stand-in blobs: exports never
read blobs) and cached in /tmp/kiosk-bench-export with a file keyring. Needs the sqlite3 CLI
(`apt-get install -y sqlite3`; only this benchmark needs it, not the tests).
Prints one JSON object; times are medians in seconds.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import keyring  # noqa: E402
import numpy as np  # noqa: E402

from kiosk.demo.records import demo_applicant  # noqa: E402
from kiosk.domain.recording import PHOTO, SIGNATURE_PNG, Blob, Recording, finger_kind  # noqa: E402
from kiosk.domain.regions import RegionTable  # noqa: E402
from kiosk.export import export_csv, export_xlsx, gather_log  # noqa: E402
from kiosk.export.csv_export import _cell  # noqa: E402
from kiosk.export.rows import HEADERS  # noqa: E402
from kiosk.settings import Settings  # noqa: E402
from kiosk.store.keys import FileKeyring  # noqa: E402
from kiosk.store.station import Store  # noqa: E402
from kiosk.ui.documents.qt_daylog_pdf import export_pdf  # noqa: E402

CACHE = Path(tempfile.gettempdir()) / "kiosk-bench-export"
DAYS, PER_DAY = 100, 100
FIRST = dt.date(2026, 1, 1)
LAST = FIRST + dt.timedelta(days=DAYS - 1)
WIB = dt.timezone(dt.timedelta(hours=7))


def _build(data: Path) -> None:
    store = Store(data, Settings())
    # Generation only: skip fsync per commit (the export being measured never writes records).
    store.db.execute("PRAGMA synchronous=OFF")
    store.set_standing_cap(1000, "benchmark", "bench")
    regions = RegionTable.load()
    rng = np.random.default_rng(7)
    blobs = [Blob(PHOTO, b"p"), Blob(SIGNATURE_PNG, b"s")]
    blobs += [Blob(finger_kind(p), bytes([p])) for p in range(1, 11)]
    quality = {"face": {"passed": True}, **{finger_kind(p): 40 + p for p in range(1, 11)}}
    for d in range(DAYS):
        day = FIRST + dt.timedelta(days=d)
        for i in range(PER_DAY):
            applicant = demo_applicant(rng, "627104", regions, day, serial=1 + (d * PER_DAY + i))
            rec = Recording(applicant=applicant, blobs=blobs, quality=quality)
            when = dt.datetime.combine(day, dt.time(8), tzinfo=WIB) + dt.timedelta(minutes=4 * i)
            store.save_recording(rec, "budi", now=when)
    store.db.execute(
        "UPDATE records SET state = 'received', received_at = created_at WHERE seq % 3 = 0"
    )
    store.close()


def _median(fn, n: int) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    sqlite_cli = shutil.which("sqlite3")
    if sqlite_cli is None:
        sys.exit("the sqlite3 CLI is missing: apt-get install -y sqlite3")
    CACHE.mkdir(parents=True, exist_ok=True)
    keyring.set_keyring(FileKeyring(CACHE / "keyring.json"))
    data = CACHE / "station"
    built = False
    # A cache from an older schema is rebuilt: records saved by older code lack what newer
    # code writes at save time (e.g. the sealed ident of schema v003).
    from kiosk.store import schema  # noqa: F401  (registers the migrations)
    from kiosk.store.db import MIGRATIONS

    done = CACHE / f"done-schema-{max(v for v, _, _ in MIGRATIONS)}"
    if not (data / "station.db").exists() or not done.exists():
        shutil.rmtree(data, ignore_errors=True)
        t = time.perf_counter()
        _build(data)
        built = True
        done.write_text(f"{time.perf_counter() - t:.1f}")
    out = CACHE / "out"
    out.mkdir(exist_ok=True)
    store = Store(data, Settings())
    n = store.db.execute("SELECT COUNT(*) FROM records").fetchone()[0]

    # the baseline's plain table: the very rows our CSV holds, as text, unencrypted
    plain = out / "plain.db"
    plain.unlink(missing_ok=True)
    log = gather_log(store, FIRST, LAST)
    with sqlite3.connect(plain) as conn:
        cols = ", ".join(f'"{h}"' for h in HEADERS)
        conn.execute(f"CREATE TABLE log ({cols})")
        conn.executemany(f"INSERT INTO log VALUES ({', '.join('?' * len(HEADERS))})",
                         [[_cell(v) for v in r.values()] for r in log.rows])
    conn.close()

    def baseline() -> None:
        with (out / "baseline.csv").open("wb") as f:
            subprocess.run([sqlite_cli, "-csv", "-header", str(plain), "SELECT * FROM log"],
                           stdout=f, check=True)

    def ours_csv() -> None:
        export_csv(store, FIRST, out / "log.csv", last=LAST, actor="bench")

    baseline()
    ours_csv()  # warm both (page cache, imports)
    t_base = _median(baseline, 7)
    t_csv = _median(ours_csv, 7)
    t_xlsx = _median(lambda: export_xlsx(store, FIRST, out / "log.xlsx", last=LAST,
                                         actor="bench"), 3)
    t_pdf = _median(lambda: export_pdf(store, FIRST, out / "log.pdf", last=LAST,
                                       actor="bench"), 3)
    t_gather = _median(lambda: gather_log(store, FIRST, LAST), 5)
    store.close()
    print(json.dumps({
        "benchmark": "export",
        "records": n,
        "days": DAYS,
        "generated_now": built,
        "baseline_sqlite3_csv_median_s": round(t_base, 4),
        "csv_median_s": round(t_csv, 4),
        "csv_vs_sqlite3": round(t_csv / t_base, 2),
        "csv_target_max_ratio": 2.0,
        "gather_rows_median_s": round(t_gather, 4),
        "xlsx_median_s": round(t_xlsx, 3),
        "pdf_median_s": round(t_pdf, 3),
        "xlsx_pdf_target_max_s": 10.0,
        "pdf_pages": (out / "log.pdf").read_bytes().count(b"/Type /Page\n")
        or (out / "log.pdf").read_bytes().count(b"/Type /Page"),
        "csv_bytes": (out / "log.csv").stat().st_size,
        "xlsx_bytes": (out / "log.xlsx").stat().st_size,
        "pdf_bytes": (out / "log.pdf").stat().st_size,
    }))


if __name__ == "__main__":
    main()
