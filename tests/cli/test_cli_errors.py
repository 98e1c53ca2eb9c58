"""The command line never shows a raw traceback: each way a command was typed or set up wrong
gets a sentence and exit 2; a truly unexpected error is logged with its traceback to the
station log and reported in words (exit 70). Real `kiosk` child processes."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys

import pytest

from kiosk.cli.common import SETUP_ERRORS, exit_status
from kiosk.domain.messages import DomainError
from tests.cli.conftest import PINS

CSV = ("--format", "csv")


def _no_traceback(r: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in r.stdout + r.stderr
    assert "Error:" not in r.stderr or "Usage:" in r.stderr  # only click's usage lines


@pytest.mark.parametrize("args, said", [
    (("export", "--date", "9999-12-31", *CSV), "cannot be used: they must lie between"),
    (("export", "--date", "2026-03-05", "--until", "2026-03-01", *CSV),
     "--until is before --date"),
], ids=["last-day-of-the-calendar", "until-before-date"])
def test_export_dates_that_make_no_log_are_a_sentence(station, tmp_path, args, said):
    out = tmp_path / "log.csv"
    r = station.kiosk(*args, "--output", str(out))
    assert r.returncode == 2, r.stderr
    assert said in r.stderr and "Tanggal log" in r.stderr
    _no_traceback(r)
    assert not out.exists()


def test_a_blank_reason_is_a_sentence(station):
    r = station.kiosk("cap", "override", "45", "--reason", "", "--actor", "rina")
    assert r.returncode == 2 and "Alasan wajib diisi." in r.stderr
    _no_traceback(r)


def test_a_reason_that_is_not_utf8_is_a_sentence(station):
    """Bytes from a terminal with another encoding reach Python as surrogates."""
    bad = os.fsdecode(b"antrean \xff\xfe panjang")
    r = station.kiosk("cap", "override", "45", "--reason", bad, "--actor", "rina",
                      pin=PINS["rina"])
    assert r.returncode == 2, r.stderr
    assert "bukan UTF-8" in r.stderr and "not UTF-8" in r.stderr
    _no_traceback(r)
    with station.open() as store:
        assert store.cap_status().cap == 30


@pytest.mark.parametrize("limit", ["99999999999999999999", "0", "-3", "banyak"])
def test_an_audit_limit_out_of_range_is_a_sentence(station, limit):
    r = station.kiosk("audit", "show", "--limit", limit)
    assert r.returncode == 2
    assert "harus bilangan bulat 1-100000" in r.stderr and "from 1 to 100000" in r.stderr
    _no_traceback(r)


def test_audit_show_within_the_limit_still_works(station):
    r = station.kiosk("audit", "show", "--limit", "100000")
    assert r.returncode == 0 and "user.created" in r.stdout


def test_a_missing_region_table_is_a_sentence(station, tmp_path):
    missing = tmp_path / "tidak-ada.csv"
    station.config.write_text(f"[station]\nregion_tables = [{str(missing)!r}]\n")
    r = station.kiosk("demo-data", "-n", "1")
    assert r.returncode == 2, r.stderr
    assert f"Tabel wilayah {missing} tidak bisa dipakai: berkasnya tidak ada" in r.stderr
    assert "station.region_tables" in r.stderr
    _no_traceback(r)


def test_a_data_dir_under_a_file_is_a_sentence(station, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    r = subprocess.run(
        [sys.executable, "-m", "kiosk", "summary", "--data-dir", str(blocker / "data"),
         "--config", str(station.config)],
        env=station.env, capture_output=True, text=True, timeout=120, input="",
    )
    assert r.returncode == 2, r.stderr
    assert f"Folder data {blocker / 'data'} tidak bisa dipakai: {blocker} bukan folder" in r.stderr
    assert f"{blocker} is not a folder" in r.stderr
    _no_traceback(r)


@pytest.mark.parametrize("content, said", [
    ("[station]\nkecamatan = \"627104'; DROP TABLE records;--\"\n", "must be 6 digits"),
    ("[station]\nkecamatan = '627109'\n", "does not exist in KOTA PALANGKA RAYA"),
    ("[station]\nnumber = '123'\n", "must be 1-2 digits"),
    ("[station]\ntimezone = 'Mars/Olympus'\n", "unknown time zone"),
    ("not toml [", "not a valid TOML"),
], ids=["sql-in-kecamatan", "unknown-kecamatan", "station-number", "time-zone", "not-toml"])
def test_a_settings_file_that_cannot_be_used_is_a_sentence(station, content, said):
    station.config.write_text(content)
    r = station.kiosk("summary")
    assert r.returncode == 2, r.stderr
    assert said in r.stderr and ("tidak bisa dipakai" in r.stderr)
    _no_traceback(r)


def test_an_unexpected_error_is_logged_with_its_traceback_and_said_in_words(station, tmp_path):
    """A fault injected into the real command (a sitecustomize on its path breaks the audit
    reader): the terminal gets a sentence naming the log, the log gets the traceback."""
    inject = tmp_path / "inject"
    inject.mkdir()
    (inject / "sitecustomize.py").write_text(
        "import kiosk.store.audit as a\n"
        "def rows(*_a, **_k):\n    raise RuntimeError('injected fault 4711')\n"
        "a.rows = rows\n")
    env = {**station.env, "PYTHONPATH": os.pathsep.join([str(inject), *sys.path]),
           "XDG_STATE_HOME": str(tmp_path / "state"), "XDG_CACHE_HOME": str(tmp_path / "cache"),
           "HOME": str(tmp_path / "home")}
    r = subprocess.run([sys.executable, "-m", "kiosk", "audit", "show",
                        "--data-dir", str(station.data), "--config", str(station.config)],
                       env=env, capture_output=True, text=True, timeout=120, input="")
    assert r.returncode == 70, r.stderr
    assert "Kesalahan tak terduga" in r.stderr and "Unexpected error" in r.stderr
    _no_traceback(r)
    logs = list(tmp_path.rglob("kiosk.log"))
    assert len(logs) == 1 and str(logs[0]) in r.stderr
    text = logs[0].read_text()
    assert "Traceback (most recent call last)" in text and "injected fault 4711" in text


def test_every_named_setup_error_exists_and_exits_2():
    """SETUP_ERRORS names classes by module and name (the CLI must not import them to start):
    each one must exist, be a DomainError, and map to exit 2."""
    for qualified in sorted(SETUP_ERRORS):
        module, name = qualified.rsplit(".", 1)
        cls = getattr(importlib.import_module(module), name)
        assert issubclass(cls, DomainError), qualified
        exc = cls.__new__(cls)
        assert exit_status(exc) == 2, qualified


def test_a_refusal_is_exit_1(station):
    r = station.kiosk("status", "627104-01-20260101-001")
    assert r.returncode == 1 and "Tidak ditemukan" in r.stderr

