"""Power cut during saving: SIGKILL a saving process at random moments (under light libfiu
faults, so some saves fail first and are read back); nothing half-saved, nothing lost, no
false "not saved", no duplicate, and no false "database replaced" after the crash.
bench/store_crash.py runs the same for 200+ kills."""

from __future__ import annotations

import shutil

import pytest

from tests.store.crashes import run_kills

KILLS = 50


@pytest.mark.slow
def test_sigkill_at_random_moments_loses_no_returned_save_and_leaves_no_partial_record(
    tmp_path, subprocess_env
):
    result = run_kills(tmp_path, KILLS, subprocess_env, faults=shutil.which("fiu-run") is not None)
    tally = result["tally"]
    assert result["met"], result
    assert tally["saved"] > KILLS  # the kills really landed among saves
    assert (tally["lost"], tally["false_failed"], tally["duplicates"]) == (0, 0, 0)
    assert tally.get("false_freeze", 0) == 0 and tally.get("db_check_faults", 0) == 0
