"""The scrubber's read rate (issue 15, point 3) beside `sha256sum` of the same files, in ONE run.

A fresh embedded central store (SQLite + a blob folder) is filled with `--blobs` blobs of
random bytes, each 50-700 KB (uniform; the sizes of a record's photo, finger records and
signature), stored as the server stores them (`store_bytes`, then `commit_blobs`: a row per
blob). Then, alternately, `--repeat` times each:

- scrub: `Scrubber(store).run()`, a whole pass (every blob streamed in 1 MiB pieces through
  SHA-256, compared with its address and size, confirmed in the database, the cursor and
  pass figures committed), timed from the call to its return, database work included;
- sha256sum: GNU coreutils `sha256sum` over the same files (`xargs -0 sha256sum` reading a
  list of their paths, output to /dev/null), timed around the subprocess;
- openssl (when installed): `openssl dgst -sha256` the same way. Beside, not instead: the
  scrubber hashes with OpenSSL (hashlib), which uses the CPU's SHA instructions where coreutils
  9.1 does not, so against `openssl` the ratio shows what the scrubber itself costs.

Both read through a WARM page cache: each side runs once untimed first, and the files (a few
hundred MB) stay cached on this machine. Dropping the cache needs root and disturbs whatever
else shares the machine, and a cold read measures the disk rather than the scrubber; warm, the
figure is the hashing and the per-blob overhead (opening files, the database), which is what
the scrubber adds. MB = 10^6 bytes. Figures are medians; `ratio` is scrub MB/s over sha256sum
MB/s (target >= 0.8). Prints one JSON object.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from central.scrub import Scrubber  # noqa: E402
from central.storage import CentralStore  # noqa: E402

MB = 1_000_000
TARGET = 0.8


def fill(store: CentralStore, blobs: int, seed: int) -> tuple[list[Path], int]:
    """`blobs` random blobs of 50-700 KB stored with their rows; their files and total size."""
    rng = random.Random(seed)
    station = store.station_by_token(store.add_station("bench"))
    assert station is not None
    paths, total, sizes = [], 0, {}
    for i in range(blobs):
        data = rng.randbytes(rng.randint(50_000, 700_000))
        sha = hashlib.sha256(data).hexdigest()
        store.store_bytes(sha, data)
        sizes[sha] = len(data)
        paths.append(store.blob_path(sha))
        total += len(data)
        if len(sizes) == 500 or i == blobs - 1:
            store.commit_blobs(station, sizes)
            sizes = {}
    return paths, total


def time_scrub(store: CentralStore) -> float:
    t0 = time.perf_counter()
    run = Scrubber(store).run()
    seconds = time.perf_counter() - t0
    assert run.problems == [] and run.passes_finished == 1, run.to_json()
    return seconds


def time_program(file_list: Path, *program: str) -> float:
    t0 = time.perf_counter()
    subprocess.run(["xargs", "-0", "-a", str(file_list), *program], check=True,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def figures(seconds: list[float], total: int) -> dict[str, object]:
    return {"seconds": [round(s, 3) for s in seconds],
            "median_mb_per_s": round(total / MB / statistics.median(seconds), 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--blobs", type=int, default=2000,
                    help="blobs of 50-700 KB (2000: about 750 MB)")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs of each side")
    ap.add_argument("--seed", type=int, default=15)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-scrub-"))
    try:
        store = CentralStore(tmp / "central")
        paths, total = fill(store, args.blobs, args.seed)
        file_list = tmp / "files"
        file_list.write_bytes(b"".join(bytes(p) + b"\0" for p in paths))
        sides = {"scrub": lambda: time_scrub(store),
                 "sha256sum": lambda: time_program(file_list, "sha256sum", "--")}
        if shutil.which("openssl"):
            sides["openssl"] = lambda: time_program(file_list, "openssl", "dgst", "-sha256")
        for side in sides.values():  # warm the cache, untimed
            side()
        seconds: dict[str, list[float]] = {name: [] for name in sides}
        for _ in range(args.repeat):
            for name, side in sides.items():
                seconds[name].append(side())
        store.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    out = {name: figures(s, total) for name, s in seconds.items()}
    out["scrub"]["hash"] = f"hashlib over {ssl.OPENSSL_VERSION}"
    out["sha256sum"]["program"] = subprocess.run(
        ["sha256sum", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    ratio = out["scrub"]["median_mb_per_s"] / out["sha256sum"]["median_mb_per_s"]
    print(json.dumps({
        "benchmark": "central_scrub", "blobs": len(paths), "bytes": total,
        "mean_blob_kb": round(total / len(paths) / 1000, 1), "cores": os.cpu_count(),
        "page_cache": "warm (each side once untimed first)", "repeat": args.repeat, **out,
        "ratio": round(ratio, 2), "target": TARGET, "meets_target": ratio >= TARGET,
        "ratio_to_openssl": round(out["scrub"]["median_mb_per_s"] /
                                  out["openssl"]["median_mb_per_s"], 2)
        if "openssl" in out else None,
    }, indent=2))


if __name__ == "__main__":
    main()
