"""libfiu fault schedules during saves: no record lost, none duplicated, every failure a
sentence, and no "not saved" that turns out saved after a restart.

Each schedule starts a saver child (tests/store/saver.py) under Debian's `fiu-run -x` (libfiu's
POSIX preload). The child turns the schedule's failure points on only around each save, among
posix/io/sync/fdatasync, posix/io/sync/fsync, posix/io/rw/write and posix/io/rw/pwrite (what
SQLite and the anchor file use), each with its probability, and ends with os._exit after its
last save: no clean close, like a station switched off. Then, as the station would:

1. the database is opened afresh (SQLite recovers its WAL), and every answer is checked:
   "saved" must be there, a named "not saved" must not be (a false "gagal": the operator
   would record the applicant again), "may have been saved" may be either;
   (a child that stopped after a failure leaves the rest untried);
2. the operator presses Simpan again on every draft not saved (same record id, no faults):
   each must end saved once, never twice;
3. one record per applicant, one per registration number, and `db check` finds nothing.

Usage: python bench/store_faults.py [SCHEDULES] [SAVES_PER_SCHEDULE]   (default 30 x 8)
Prints JSON. tests/store/test_faults.py runs a short version in `make test`.
"""

from __future__ import annotations

import json
import os
import pickle
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

POINTS = ("posix/io/sync/fdatasync", "posix/io/sync/fsync", "posix/io/rw/write",
          "posix/io/rw/pwrite")
SAVER = ROOT / "tests" / "store" / "saver.py"


def schedule(k: int) -> list[tuple[str, float]]:
    """Schedule k: a few of the points, each with its probability (some always fail); every
    third one fdatasync alone, the commit's own fsync (a failed commit that SQLite may
    recover at the next start)."""
    rng = random.Random(k)
    if k % 3 == 0:
        return [("posix/io/sync/fdatasync", rng.choice((0.5, 1.0)))]
    chosen = rng.sample(POINTS, rng.randint(1, len(POINTS)))
    return [(p, rng.choice((0.02, 0.1, 0.3, 0.6, 1.0))) for p in chosen]


def child_env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHON_KEYRING_BACKEND"] = "kiosk.store.keys.FileKeyring"
    env["KIOSK_KEYRING_FILE"] = str(tmp / "keyring.json")
    env["PYTHONPATH"] = str(ROOT)
    return env


def _run_child(tmp: Path, k: int, saves: int) -> list[list[str]]:
    faults = tmp / f"faults{k}.json"
    faults.write_text(json.dumps({"points": schedule(k), "seed": k + 1}))
    cmd = ["fiu-run", "-x", "-f", "", sys.executable, str(SAVER), str(tmp / f"d{k}"),
           str(tmp / "settings.toml"), str(tmp / f"recs{k}.pickle"), str(saves), "0",
           str(faults)]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=child_env(tmp))
    lines = [line.split(" ", 3) for line in out.stdout.splitlines() if line.strip()]
    if not lines or lines[0] != ["ready"]:
        raise RuntimeError(f"saver did not start: {out.stdout!r} {out.stderr[-2000:]!r}")
    return lines[1:]


def _settle(tmp: Path, k: int, recs: list, lines: list[list[str]], tally: Counter,
            examples: dict[str, str]) -> None:
    from kiosk.settings import Settings
    from kiosk.store.integrity import check
    from kiosk.store.station import Store

    said = {line[1]: line for line in lines if len(line) > 1}
    stopped = ["stopped"] in lines
    tally["saves"] += len(recs)
    store = Store(tmp / f"d{k}", Settings.load(tmp / "settings.toml"))
    try:
        held = {r[0] for r in store.db.execute("SELECT id FROM records")}
        for rec in recs:
            line = said.get(rec.record_id, ["untried" if stopped else "silent"])
            kind = line[0]
            tally[kind] += 1
            if kind not in ("saved", "untried") and rec.record_id in held:
                tally[f"{kind}_present"] += 1
            if kind in ("failed", "unknown"):
                tally[f"{kind}:{line[2]}"] += 1
                examples.setdefault(line[2], line[3] if len(line) > 3 else "")
                if not line[3:] or not line[3].strip():
                    tally["failure_without_sentence"] += 1
            if kind == "saved" and rec.record_id not in held:
                tally["lost"] += 1
            if kind in ("failed", "crash") and rec.record_id in held:
                tally["false_failed"] += 1
            if kind == "unknown":
                tally["unknown_present" if rec.record_id in held else "unknown_absent"] += 1
            if kind in ("crash", "silent"):
                examples.setdefault(kind, " ".join(line))
            if kind != "saved":  # the operator presses Simpan again on the kept draft
                try:
                    again = store.save_recording(rec, "op")
                except Exception as exc:  # noqa: BLE001  (counted: Simpan again must work)
                    tally["resave_error"] += 1
                    examples.setdefault("resave_error", f"{type(exc).__name__}: {exc}")
                    continue
                tally["resaved_existing" if rec.record_id in held else "resaved_new"] += 1
                assert again.record_id == rec.record_id
        nik_dups = store.db.execute(
            "SELECT COUNT(*) FROM (SELECT nik_hash FROM records GROUP BY nik_hash "
            "HAVING COUNT(*) > 1)").fetchone()[0]
        n = store.db.execute("SELECT COUNT(*) FROM records").fetchone()[0]
        tally["duplicates"] += nik_dups
        tally["missing_after_resave"] += len(recs) - n
        faults = check(store)
        tally["db_check_faults"] += len(faults)
        if faults:
            examples.setdefault("db_check", faults[0])
    finally:
        store.close()


def run(schedules: int = 30, saves: int = 8, keep: Path | None = None) -> dict:
    import keyring

    from kiosk.settings import Settings
    from kiosk.store.keys import FileKeyring
    from tests.store.records import quick_recording

    if shutil.which("fiu-run") is None:
        raise RuntimeError("fiu-run is missing: apt-get install fiu-utils")
    tmp = Path(tempfile.mkdtemp(prefix="store-faults-", dir=keep))
    keyring.set_keyring(FileKeyring(tmp / "keyring.json"))
    Settings({"cap.daily": 1000}).save(tmp / "settings.toml")
    tally: Counter = Counter()
    examples: dict[str, str] = {}
    t0 = time.perf_counter()
    try:
        for k in range(schedules):
            recs = [quick_recording(k * 100 + i) for i in range(saves)]
            (tmp / f"recs{k}.pickle").write_bytes(pickle.dumps(recs))
            _settle(tmp, k, recs, _run_child(tmp, k, saves), tally, examples)
    finally:
        if keep is None:
            shutil.rmtree(tmp, ignore_errors=True)
    bad = ("lost", "false_failed", "duplicates", "crash", "silent", "missing_after_resave",
           "db_check_faults", "failure_without_sentence", "resave_error")
    return {
        "benchmark": "store_faults_libfiu",
        "schedules": schedules,
        "saves_per_schedule": saves,
        "points": list(POINTS),
        "seconds": round(time.perf_counter() - t0, 1),
        "tally": dict(sorted(tally.items())),
        "sentences": examples,
        "target": "zero lost, zero duplicated, zero false 'not saved', every failure a "
                  "named sentence, db check clean",
        "met": all(tally[b] == 0 for b in bad),
    }


def main() -> None:
    schedules = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    saves = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    result = run(schedules, saves)
    print(json.dumps(result, ensure_ascii=False))
    sys.exit(0 if result["met"] else 1)


if __name__ == "__main__":
    main()
