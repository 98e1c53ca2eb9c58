"""Power cuts during saving: a saver child (saver.py) is SIGKILLed at random moments, round
after round on one data folder, optionally under libfiu faults (fiu-run -x) so that some
saves also fail first. After each kill what the child answered is held against what a fresh
opening finds:

- lost: the child said "saved", the record is not there;
- false failed: the child said "not saved" (a named fault), the record is there;
- duplicates: an applicant (NIK) saved twice, a registration number twice;
- phantom: a record the child never began;
- false freeze: the station refuses to record after the crash (its anchors say the database
  was replaced) or `db check` finds a fault; orphans: blobs or outbox rows without a record.

Used by tests/store/test_crash.py (short) and bench/store_crash.py (200+ kills, JSON).
"""

from __future__ import annotations

import json
import os
import pickle
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from kiosk.settings import Settings
from kiosk.store.integrity import check
from kiosk.store.station import Store
from tests.store.records import quick_recording

ROOT = Path(__file__).resolve().parent.parent.parent
SAVER = Path(__file__).with_name("saver.py")
PER_ROUND = 60  # more than a child can save before its kill
LIGHT_FAULTS = [["posix/io/sync/fdatasync", 0.05], ["posix/io/rw/pwrite", 0.001]]


def _child(tmp: Path, data: Path, round_no: int, faults: bool, env: dict[str, str]
           ) -> subprocess.Popen:
    opts = tmp / "opts.json"
    opts.write_text(json.dumps({"points": LIGHT_FAULTS if faults else [], "seed": round_no,
                                "announce": True, "stop_after_failure": False,
                                "days_ahead": round_no // 20}))
    # distinct applicants, made here (the child under fiu-run must not import numpy)
    template = tmp / "recs.pickle"
    template.write_bytes(pickle.dumps(
        [quick_recording(round_no * PER_ROUND + i) for i in range(PER_ROUND)]))
    cmd = [sys.executable, str(SAVER), str(data), str(tmp / "settings.toml"), str(template),
           str(PER_ROUND), "0", str(opts)]
    if faults:
        cmd = ["fiu-run", "-x", "-f", "", *cmd]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env)


def _answers(out: str) -> tuple[set[str], dict[str, str], set[str]]:
    """(began, answer per record id, saved ids) from a killed child's output."""
    began: set[str] = set()
    answer: dict[str, str] = {}
    for line in out.splitlines():
        parts = line.split(" ", 3)
        if len(parts) >= 2 and parts[0] == "saving":
            began.add(parts[1])
        elif len(parts) >= 3 and parts[0] in ("saved", "failed", "unknown", "crash"):
            answer[parts[1]] = parts[0]
    return began, answer, {r for r, a in answer.items() if a == "saved"}


def _consistent(store: Store, tally: Counter, notes: dict[str, str]) -> None:
    faults = check(store)
    if faults:
        tally["db_check_faults"] += len(faults)
        notes.setdefault("db_check", faults[0])
    if store.replaced() is not None:
        tally["false_freeze"] += 1
        notes.setdefault("false_freeze", str(store.replaced()))
    db = store.db
    tally["orphans"] += db.execute(
        "SELECT (SELECT COUNT(*) FROM blobs WHERE record_id NOT IN (SELECT id FROM records)) "
        "+ (SELECT COUNT(*) FROM records WHERE state = 'saved' AND "
        "id NOT IN (SELECT record_id FROM outbox))").fetchone()[0]
    tally["duplicates"] += db.execute(
        "SELECT COUNT(*) FROM (SELECT nik_hash FROM records GROUP BY nik_hash "
        "HAVING COUNT(*) > 1)").fetchone()[0]


def run_kills(tmp: Path, kills: int, env: dict[str, str], *, faults: bool = False,
              seed: int = 20261129, check_every: int = 10) -> dict:
    """`kills` rounds on one data folder; the tally (see the module's doc)."""
    if faults and shutil.which("fiu-run") is None:
        raise RuntimeError("fiu-run is missing: apt-get install fiu-utils")
    env = {**env, "PYTHONPATH": str(ROOT)}
    Settings({"cap.daily": 1000}).save(tmp / "settings.toml")
    data = tmp / "d"
    rng = random.Random(seed)
    tally: Counter = Counter()
    notes: dict[str, str] = {}
    began_all: set[str] = set()
    t0 = time.perf_counter()
    for round_no in range(kills):
        proc = _child(tmp, data, round_no, faults, env)
        assert proc.stdout is not None
        if proc.stdout.readline().strip() != "ready":
            raise RuntimeError("saver did not start")
        time.sleep(rng.uniform(0.0, 0.25))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        # read through the same buffered reader as "ready" (communicate with a timeout reads
        # the raw pipe and would miss what readline buffered)
        out = proc.stdout.read()
        proc.stdout.close()
        began, answer, saved = _answers(out)
        began_all |= began
        tally["kills"] += 1
        tally["in_flight"] += len(began - set(answer))
        for kind in answer.values():
            tally[kind] += 1
        with Store(data, Settings.load(tmp / "settings.toml")) as store:
            held = {r[0] for r in store.db.execute("SELECT id FROM records")}
            tally["lost"] += len(saved - held)
            tally["false_failed"] += sum(1 for r, a in answer.items()
                                         if a in ("failed", "crash") and r in held)
            tally["phantom"] = len(held - began_all)
            if round_no % check_every == check_every - 1 or round_no == kills - 1:
                _consistent(store, tally, notes)
            tally["records"] = len(held)
    bad = ("lost", "false_failed", "duplicates", "phantom", "false_freeze", "db_check_faults",
           "orphans", "crash")
    return {"kills": kills, "faults": LIGHT_FAULTS if faults else [],
            "seconds": round(time.perf_counter() - t0, 1), "tally": dict(sorted(tally.items())),
            "notes": notes, "met": all(tally[b] == 0 for b in bad)}
