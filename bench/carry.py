"""Records carried on a drive (issue 16): export and import rate beside `cp` of the same bytes,
and what the drive holds per record beside the blob bytes, in ONE run.

A station with `--count` records (the tests' recordings: a face JPEG, ten finger records and a
signature; `--fingers 2011-jpeg2000` ~720 KB a record, `2005-wsq` ~150 KB) is set up with an
embedded central server (`kiosk-central serve --data-dir`, so it pins the centre's carry key
and the centre knows its key as in the field), which is then stopped; its data folder is kept
as a snapshot. The record's blobs are also written once, untimed, as plain files (one per
blob, a folder per record): what `cp` copies. Then `--repeat` times:

- export: `kiosk.sync.carry.export` of every record into a fresh folder in `--drive` (sealed
  packets in batches: each batch flushed at once, renamed, its folder flushed and read back,
  then the signed index rewritten), then `sync -f` on that filesystem;
- import: `central.carry.import_folder` of that folder into a fresh copy of the central
  snapshot (an embedded CentralStore: SQLite + blob folder, each batch of blobs made
  durable before its rows commit), then `sync -f`;
- cp: `cp -r` of the blob files into the drive's filesystem, then `sync -f` (the export's
  baseline), and again into the central's filesystem (the import's baseline); beside, not
  instead, the same copy made durable file by file (`sync FILE...`, an fsync each), as the
  export and the import do: a packet is flushed before it enters the index, a blob before
  its row says the centre holds it.

Each operation and its cp run back to back, in turns first (even rounds: the operation;
odd: cp), since this VM's disk alternates between fast and slow turns.

Reads are from a warm page cache on both sides (the blobs were just written; the station's
are in its SQLite file, sealed, and the export opens them); every write reaches the disk
before its clock stops on both sides. MB = 10^6 bytes of blob (the same bytes on each side);
medians over the repetitions, and the median of each round's own ratio. Targets: export and
import at least 0.5x cp; the drive's bytes (packets and index) at most 5% over the blob
bytes. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import keyring

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "sync"))

from harness import FINGER_FORMATS, CentralProcess, link, make_station  # noqa: E402

import central.app  # noqa: E402,F401 (loaded by the import's first packet: not timed)
from central.carry import import_folder  # noqa: E402
from central.storage import CentralStore  # noqa: E402
from ektp_protocol import carry  # noqa: E402
from kiosk.store.keys import MemoryKeyring, get_secret  # noqa: E402
from kiosk.sync.carry import export  # noqa: E402
from kiosk.sync.link import signing_key_name  # noqa: E402

MB = 1_000_000
TARGET_RATIO, TARGET_OVERHEAD = 0.5, 0.05


def _sync(path: Path) -> None:
    """Flush the filesystem holding `path` (coreutils `sync -f`)."""
    subprocess.run(["sync", "-f", str(path)], check=True)


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _blob_files(store, target: Path) -> int:
    """Every record's blobs as plain files under `target` (rid/kind); their total bytes."""
    total = 0
    for (rid,) in store.db.execute("SELECT id FROM records"):
        (target / rid).mkdir(parents=True)
        for row in store.blob_rows(rid):
            data = store.blob(rid, row["kind"])
            (target / rid / row["kind"]).write_bytes(data)
            total += len(data)
    return total


def _cp(source: Path, target: Path, each: bool = False) -> float:
    """Seconds for `cp -r source target` and the flush of target's filesystem (`sync -f`),
    or with `each`, of each file copied (`sync FILE...`: an fsync of every file, as the
    export and the import make each of theirs durable before going on)."""
    started = time.perf_counter()
    subprocess.run(["cp", "-r", str(source), str(target)], check=True)
    if each:
        files = [str(p) for p in target.rglob("*") if p.is_file()]
        subprocess.run(["sync", *files], check=True)
    else:
        _sync(target)
    seconds = time.perf_counter() - started
    shutil.rmtree(target)
    return seconds


def one_round(store, key: str, snapshot: Path, blobs: Path, drive: Path,
              work: Path, i: int) -> dict:
    """One export, one import, and cp to each filesystem; seconds and drive bytes. Each
    operation and its cp run back to back, the operation first in even rounds and second in
    odd ones: this VM's disk takes writes at 180 to 800 MB/s by turns, so a fixed order
    would hand one side the fast turn round after round."""
    out: dict = {}
    folder = drive / f"round{i}"
    central = work / f"central{i}"
    exported: list = []

    def export_side() -> None:
        folder.mkdir()
        started = time.perf_counter()
        exported.append(export(store, folder, key))
        _sync(folder)
        out["export_s"] = time.perf_counter() - started

    def import_side() -> None:
        shutil.copytree(snapshot, central)
        _sync(central)
        cs = CentralStore(central)
        try:
            started = time.perf_counter()
            got = import_folder(cs, exported[0].folder)
            _sync(central)
            out["import_s"] = time.perf_counter() - started
        finally:
            cs.close()
        assert got.count("imported") == len(exported[0].written), \
            [o.reason for o in got.outcomes]

    def cp_drive() -> None:
        out["cp_drive_s"] = _cp(blobs, drive / f"cp{i}")

    def cp_central() -> None:
        out["cp_central_s"] = _cp(blobs, work / f"cp{i}")

    for pair in ((export_side, cp_drive), (import_side, cp_central)):
        for step in pair if i % 2 == 0 else reversed(pair):
            step()
    result = exported[0]
    assert len(result.written) == store.db.execute("SELECT COUNT(*) FROM records").fetchone()[0]
    out["drive_bytes"] = _size(result.folder) - (result.folder / carry.RECEIPTS).stat().st_size
    out["receipts_bytes"] = (result.folder / carry.RECEIPTS).stat().st_size
    out["cp_each_drive_s"] = _cp(blobs, drive / f"cp{i}", each=True)
    out["cp_each_central_s"] = _cp(blobs, work / f"cp{i}", each=True)
    shutil.rmtree(central)
    shutil.rmtree(folder)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--count", type=int, default=200, help="records")
    ap.add_argument("--repeat", type=int, default=3, help="repetitions (medians reported)")
    ap.add_argument("--fingers", choices=sorted(FINGER_FORMATS), default="2011-jpeg2000",
                    help="finger records: 2011/JPEG 2000 (~720 KB a record, today) or "
                         "2005/WSQ (~150 KB)")
    ap.add_argument("--drive", type=Path, default=None,
                    help="a folder on the drive to write to (a mounted USB drive); default: "
                         "the temporary folder, on the same filesystem as the central")
    args = ap.parse_args()
    keyring.set_keyring(MemoryKeyring())
    work = Path(tempfile.mkdtemp(prefix="bench-carry-"))
    drive = Path(tempfile.mkdtemp(prefix="bench-carry-drive-", dir=args.drive))
    try:
        server = CentralProcess(work / "snapshot")
        try:
            store = make_station(work / "station", args.count, fingers=args.fingers)
            link(store, server.url, server.add_station("bench"))
        finally:
            server.stop()
        key = get_secret(signing_key_name(store.station_id))
        blob_bytes = _blob_files(store, work / "blobs")
        rounds = [one_round(store, key, work / "snapshot", work / "blobs", drive, work, i)
                  for i in range(args.repeat)]
        store.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(drive, ignore_errors=True)
    print(json.dumps(report(args, blob_bytes, rounds), indent=2))


def report(args: argparse.Namespace, blob_bytes: int, rounds: list[dict]) -> dict:
    med = {k: statistics.median(r[k] for r in rounds) for k in rounds[0]}
    n, mb = args.count, blob_bytes / MB

    def rate(seconds: float) -> dict:
        return {"seconds": round(seconds, 3), "records_per_s": round(n / seconds, 1),
                "mb_per_s": round(mb / seconds, 1)}

    overhead = med["drive_bytes"] / blob_bytes - 1
    return {
        "benchmark": "carry",
        "records": n,
        "fingers": args.fingers,
        "repeat": args.repeat,
        "blob_bytes": blob_bytes,
        "export": rate(med["export_s"]),
        "cp_to_drive": rate(med["cp_drive_s"]),
        "export_ratio_to_cp": round(med["cp_drive_s"] / med["export_s"], 3),
        "cp_fsync_each_to_drive": rate(med["cp_each_drive_s"]),
        "export_ratio_to_cp_fsync_each": round(med["cp_each_drive_s"] / med["export_s"], 3),
        "import": rate(med["import_s"]),
        "cp_to_central": rate(med["cp_central_s"]),
        "import_ratio_to_cp": round(med["cp_central_s"] / med["import_s"], 3),
        "cp_fsync_each_to_central": rate(med["cp_each_central_s"]),
        "import_ratio_to_cp_fsync_each": round(med["cp_each_central_s"] / med["import_s"], 3),
        # each round's ratio (its cp beside its operation, back to back, in turns first):
        # this VM's disk takes writes at 180 to 800 MB/s by turns, and a round's two sides
        # share its state
        "export_ratio_to_cp_by_round": [round(r["cp_drive_s"] / r["export_s"], 3)
                                        for r in rounds],
        "export_ratio_to_cp_median_of_rounds": round(statistics.median(
            r["cp_drive_s"] / r["export_s"] for r in rounds), 3),
        "import_ratio_to_cp_by_round": [round(r["cp_central_s"] / r["import_s"], 3)
                                        for r in rounds],
        "import_ratio_to_cp_median_of_rounds": round(statistics.median(
            r["cp_central_s"] / r["import_s"] for r in rounds), 3),
        "target_ratio": TARGET_RATIO,
        "drive_bytes_per_record": round(med["drive_bytes"] / n),
        "blob_bytes_per_record": round(blob_bytes / n),
        "drive_overhead": round(overhead, 4),
        "target_overhead": TARGET_OVERHEAD,
        "receipts_bytes_per_record": round(med["receipts_bytes"] / n),
        "runs": [{k: round(v, 3) if isinstance(v, float) else v for k, v in r.items()}
                 for r in rounds],
    }


if __name__ == "__main__":
    main()
