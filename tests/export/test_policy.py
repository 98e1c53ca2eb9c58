"""Export policy: masked NIKs by default, full NIKs only for an audited supervisor, cancel
leaves no file, empty days, and the `kiosk export` command."""

from __future__ import annotations

import csv
import datetime as dt
import json
import subprocess
import sys

import pytest

from kiosk.app.accounts import PermissionDenied
from kiosk.export import ExportCancelled, export_csv, export_xlsx, gather_log
from kiosk.store.keys import FileKeyring
from kiosk.ui.documents.qt_daylog_pdf import export_pdf

from .conftest import DAY, N


def _actions(store, action: str) -> list[tuple[str, dict]]:
    return [(r[0], json.loads(r[1])) for r in store.db.execute(
        "SELECT actor, detail FROM audit WHERE action = ? ORDER BY seq", [action]
    )]


def test_full_nik_export_is_for_a_supervisor_and_audited(day_store, seed, tmp_path):
    out = tmp_path / "full.csv"
    for actor in ("budi", "nobody", "system"):
        with pytest.raises(PermissionDenied):
            export_csv(day_store, DAY, out, full_nik=True, actor=actor)
    assert not out.exists() and _actions(day_store, "export.full_nik") == []
    export_csv(day_store, DAY, out, full_nik=True, actor="pengawas")
    text = out.read_text()
    assert all(nik in text for nik in seed.niks.values())
    assert _actions(day_store, "export.full_nik") == [
        ("pengawas", {"date": "2026-03-02", "until": "2026-03-02"})
    ]
    assert _actions(day_store, "export")[-1][1]["full_nik"] is True


@pytest.mark.parametrize("fn, name", [(export_csv, "x.csv"), (export_xlsx, "x.xlsx"),
                                      (export_pdf, "x.pdf")])
def test_cancel_leaves_no_file_and_no_audit_row(day_store, tmp_path, fn, name):
    seen: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> bool:
        seen.append((done, total))
        return done < total  # cancel at the last report: every row is in the temp file

    out_dir = tmp_path / "out"
    with pytest.raises(ExportCancelled):
        fn(day_store, DAY, out_dir / name, progress=progress)
    assert seen[0] == (0, N) and seen[-1] == (N, N)
    assert list(out_dir.iterdir()) == []
    assert _actions(day_store, "export") == []


def test_progress_reports_reach_the_total(day_store, tmp_path):
    seen: list[tuple[int, int]] = []
    export_csv(day_store, DAY, tmp_path / "a.csv", progress=lambda d, t: seen.append((d, t)))
    assert seen[0] == (0, N) and seen[-1] == (N, N)


def test_a_day_without_recordings_exports_an_empty_table_and_zero_summary(day_store):
    log = gather_log(day_store, DAY + dt.timedelta(days=1))
    assert log.rows == []
    assert log.summary.recordings == 0 and log.summary.cap == 30
    assert log.summary.offline_minutes == 0 and log.summary.incidents == 0


def test_a_range_of_days_sums_caps_and_clips_offline_time(day_store):
    log = gather_log(day_store, DAY - dt.timedelta(days=1), DAY)
    assert len(log.rows) == N
    assert log.summary.cap == 30 + 35
    assert log.summary.offline_minutes == 30 + 20 + 45  # 23:30 outage counted on both days
    assert log.summary.incidents == 3


def test_kiosk_export_command_writes_the_file_and_prints_its_hash(seed, tmp_path,
                                                                   subprocess_env):
    import shutil

    data = tmp_path / "data"
    shutil.copytree(seed.data_dir, data)
    ring = FileKeyring(tmp_path / "keyring.json")
    for (service, name), value in seed.secrets.items():
        ring.set_password(service, name, value)
    subprocess_env["KIOSK_KEYRING_FILE"] = str(tmp_path / "keyring.json")
    out = tmp_path / "out" / "log.csv"
    out.parent.mkdir()  # the command writes into an existing folder only (test_output.py)
    r = subprocess.run(
        [sys.executable, "-c", "from kiosk.cli import main; main()", "export",
         "--data-dir", str(data), "--date", "2026-03-02", "--format", "csv",
         "--output", str(out)],
        env=subprocess_env, capture_output=True, text=True, timeout=120,
    )
    assert r.returncode == 0, r.stderr
    assert f"{N} baris" in r.stdout
    with out.open(encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert len(rows[1:rows.index([])]) == N
    r = subprocess.run(
        [sys.executable, "-c", "from kiosk.cli import main; main()", "export",
         "--data-dir", str(data), "--date", "2026-03-02", "--format", "pdf",
         "--output", str(tmp_path / "x.pdf"), "--full-nik", "--actor", "budi", "--pin-stdin"],
        env=subprocess_env, capture_output=True, text=True, timeout=120, input="111111\n",
    )
    assert r.returncode == 1 and "tidak berwenang" in r.stderr
    assert not (tmp_path / "x.pdf").exists()
