"""`kiosk db check`: a sound database passes; a damaged blob or record is named."""

from __future__ import annotations

import subprocess
import sys

from kiosk.settings import Settings
from kiosk.store.integrity import check
from kiosk.store.station import Store
from tests.store.records import quick_recording


def test_a_sound_database_passes_and_a_flipped_byte_is_named(tmp_path, subprocess_env):
    s = Store(tmp_path / "d", Settings())
    saved = s.save_recording(quick_recording(1), "op1")
    s.save_recording(quick_recording(2), "op1")
    assert check(s) == []
    cmd = [sys.executable, "-m", "kiosk", "db", "check", "--data-dir", str(tmp_path / "d")]
    ok = subprocess.run(cmd, env=subprocess_env, capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    sealed = s.db.execute(
        "SELECT sealed FROM blobs WHERE record_id = ? AND kind = 'finger.7'", [saved.record_id]
    ).fetchone()[0]
    damaged = sealed[:100] + bytes([sealed[100] ^ 1]) + sealed[101:]
    s.db.execute(
        "UPDATE blobs SET sealed = ? WHERE record_id = ? AND kind = 'finger.7'",
        [damaged, saved.record_id],
    )
    s.db.execute("DELETE FROM blobs WHERE record_id = ? AND kind = 'photo'", [saved.record_id])
    faults = check(s)
    assert f"record {saved.regno}: blob finger.7 does not decrypt" in faults
    assert any("differ from the saved list" in f for f in faults)
    s.close()
    bad = subprocess.run(cmd, env=subprocess_env, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1 and "finger.7" in bad.stdout
