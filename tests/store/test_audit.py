"""The audit log is append-only and hash-chained: any edit or deletion is found and named."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest

from kiosk.settings import Settings
from kiosk.store import audit
from kiosk.store.station import Store


def _filled(tmp_path) -> Store:
    s = Store(tmp_path / "d", Settings())
    for i in range(6):
        s.audit("spv", "test.action", {"n": i})
    return s


def _tamper(store: Store, *sql: str) -> None:
    """What an attacker with the sqlite3 shell would do: drop the guards, then change rows."""
    path = store.data_dir / "station.db"
    store.close()
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER audit_no_update")
    conn.execute("DROP TRIGGER audit_no_delete")
    for statement in sql:
        conn.execute(statement)
    conn.commit()
    conn.close()


def test_an_intact_log_verifies(tmp_path):
    s = _filled(tmp_path)
    assert audit.verify(s.db) is None
    s.close()


def test_the_log_refuses_update_and_delete(tmp_path):
    s = _filled(tmp_path)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        s.db.execute("UPDATE audit SET actor = 'x' WHERE seq = 2")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        s.db.execute("DELETE FROM audit WHERE seq = 2")
    s.close()


@pytest.mark.parametrize(
    "sql,bad_seq",
    [
        (["UPDATE audit SET actor = 'mallory' WHERE seq = 3"], 3),
        (["UPDATE audit SET detail = '{\"n\":99}' WHERE seq = 1"], 1),
        (["UPDATE audit SET ts = '2020-01-01T00:00:00+00:00' WHERE seq = 6"], 6),
        (["DELETE FROM audit WHERE seq = 4"], 4),
        (["DELETE FROM audit WHERE seq = 1"], 1),
        (["DELETE FROM audit WHERE seq = 6"], 6),
        (["DELETE FROM audit WHERE seq >= 5"], 5),
    ],
)
def test_any_edit_or_deletion_is_detected_and_named(tmp_path, sql, bad_seq):
    s = _filled(tmp_path)
    _tamper(s, *sql)
    s = Store(tmp_path / "d", Settings())
    fault = audit.verify(s.db)
    assert fault is not None and fault.seq == bad_seq
    s.close()


def test_kiosk_audit_verify_exits_1_and_names_the_row(tmp_path, subprocess_env):
    s = _filled(tmp_path)
    cmd = [sys.executable, "-m", "kiosk", "audit", "verify", "--data-dir", str(tmp_path / "d")]
    s.close()
    ok = subprocess.run(cmd, env=subprocess_env, capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0 and "OK" in ok.stdout
    _tamper(Store(tmp_path / "d", Settings()), "UPDATE audit SET action = 'x' WHERE seq = 2")
    bad = subprocess.run(cmd, env=subprocess_env, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1
    assert "audit row 2" in bad.stdout
