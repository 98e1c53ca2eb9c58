"""The commands that only look open the store read-only (Store(read_only=True)): they answer
while another process holds the write lock, and they never create a database."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time

import pytest

from tests.cli.conftest import Station

LOOKING = [("summary",), ("status", "627104-01-20260302-001"), ("db", "check"),
           ("audit", "verify"), ("audit", "show"), ("cap", "show"), ("user", "list")]


@pytest.fixture
def recorded(station: Station) -> Station:
    r = station.kiosk("demo-data", "-n", "1", "--date", "2026-03-02")
    assert r.returncode == 0, r.stderr
    return station


def test_looking_commands_answer_while_a_writer_holds_the_lock(recorded):
    """A writer in another process keeps BEGIN IMMEDIATE open for the whole run; each
    command still answers at once (before, `status` waited out the busy timeout)."""
    writer = sqlite3.connect(recorded.data / "station.db", isolation_level=None, timeout=1)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO meta (key, value) VALUES ('held-by-test', '1')")
    try:
        for args in LOOKING:
            started = time.monotonic()
            r = recorded.kiosk(*args)
            took = time.monotonic() - started
            assert r.returncode == 0, (args, r.stdout + r.stderr)
            assert took < 8, (args, took)  # a process start, not a lock wait (busy: 30 s)
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_a_looking_command_on_an_empty_folder_makes_no_database(station, tmp_path):
    empty = tmp_path / "kosong"
    empty.mkdir()
    r = subprocess.run([sys.executable, "-m", "kiosk", "summary", "--data-dir", str(empty),
                        "--config", str(station.config)],
                       env=station.env, capture_output=True, text=True, timeout=120, input="")
    assert r.returncode == 2, r.stderr
    assert "Belum ada basis data stasiun di folder ini" in r.stderr
    assert "Traceback" not in r.stderr and list(empty.iterdir()) == []
