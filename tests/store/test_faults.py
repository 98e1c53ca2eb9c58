"""libfiu (Debian fiu-utils, `fiu-run -x`) fails write/pwrite/fsync/fdatasync during saves:
no record lost, none duplicated, no "not saved" that is there after a restart, every failure
a named sentence. A short run here; bench/store_faults.py runs 30+ schedules."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent.parent / "bench" / "store_faults.py"


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("fiu-run") is None, reason="fiu-utils not installed")
def test_libfiu_schedules_lose_nothing_duplicate_nothing_and_name_every_failure(tmp_path):
    spec = importlib.util.spec_from_file_location("store_faults", BENCH)
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    result = bench.run(schedules=9, saves=5, keep=tmp_path)
    tally = result["tally"]
    assert result["met"], result
    assert tally["failed"] + tally["unknown"] > 0  # the faults really hit saves
    assert tally["saved"] > 0
    for cls, sentence in result["sentences"].items():
        assert cls in ("DiskFull", "StorageIOError", "SaveOutcomeUnknown", "DataDirReadOnly")
        assert "tersimpan" in sentence and "Simpan" in sentence
