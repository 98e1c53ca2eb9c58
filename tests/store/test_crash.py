"""Power cut during saving: SIGKILL a saving process at random moments; nothing half-saved."""

from __future__ import annotations

import os
import pickle
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk.settings import Settings
from kiosk.store.integrity import check
from kiosk.store.station import Store
from tests.store.records import quick_recording

SAVER = Path(__file__).with_name("saver.py")
KILLS = 50


@pytest.mark.slow
def test_sigkill_at_random_moments_loses_no_returned_save_and_leaves_no_partial_record(
    tmp_path, subprocess_env
):
    config = tmp_path / "settings.toml"
    Settings({"cap.daily": 1000}).save(config)
    template = tmp_path / "recs.pickle"
    template.write_bytes(pickle.dumps([quick_recording(i) for i in range(4)]))
    data = tmp_path / "d"
    rng = random.Random(20261129)
    returned: set[str] = set()
    for round_no in range(KILLS):
        proc = subprocess.Popen(
            [
                sys.executable,
                str(SAVER),
                str(data),
                str(config),
                str(template),
                "1000",
                str(round_no * 1000),
            ],
            stdout=subprocess.PIPE,
            text=True,
            env=subprocess_env,
        )
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, 0.25))
        os.kill(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate(timeout=30)
        returned.update(line for line in out.split() if line not in ("ready", "cap"))
        if round_no % 10 == 9 or round_no == KILLS - 1:
            _assert_consistent(data, config, returned)
    assert len(returned) > KILLS  # the kills really landed among saves


def _assert_consistent(data: Path, config: Path, returned: set[str]) -> None:
    s = Store(data, Settings.load(config))
    try:
        assert check(s) == []
        ids = {r[0] for r in s.db.execute("SELECT id FROM records")}
        assert returned <= ids, "a save that returned is missing"
        orphans = s.db.execute(
            "SELECT COUNT(*) FROM blobs WHERE record_id NOT IN (SELECT id FROM records)"
        ).fetchone()[0]
        no_outbox = s.db.execute(
            "SELECT COUNT(*) FROM records WHERE id NOT IN (SELECT record_id FROM outbox)"
        ).fetchone()[0]
        assert (orphans, no_outbox) == (0, 0)
    finally:
        s.close()
