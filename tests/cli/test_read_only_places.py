"""The command line as a technician or supervisor meets it, run as the real `kiosk` with HOME
and the XDG folders in a temporary place (so "the default place" is this test's own):

- a command asked only to use a station never makes one where there is none, and says so
  naming the folder; only the GUI, `demo-data`, `user add` of the first supervisor and
  `setup central` may make one;
- `--demo` (before or after the subcommand) means the demo's data dir, settings and keyring;
  the demo's folder names its own file keyring, so a lookup and an export work on it with no
  KIOSK_KEYRING_FILE, and a keyring failure names the action it stopped;
- times a person reads are in the station's zone, written as on the receipt.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import keyring
import pytest

from kiosk.settings import Settings
from kiosk.store.keys import FileKeyring
from kiosk.store.station import Store

MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
          "September", "Oktober", "November", "Desember")
TODAY = dt.date.today().isoformat()


@pytest.fixture
def home(tmp_path: Path) -> dict[str, str]:
    """An environment whose platform folders are all under tmp_path/home, with no keyring
    chosen by environment (no PYTHON_KEYRING_BACKEND, no KIOSK_KEYRING_FILE): the field."""
    root = tmp_path / "home"
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHON_KEYRING_BACKEND", "KIOSK_KEYRING_FILE")}
    env.update(HOME=str(root), XDG_DATA_HOME=str(root / "data"),
               XDG_CONFIG_HOME=str(root / "config"), XDG_STATE_HOME=str(root / "state"),
               XDG_CACHE_HOME=str(root / "cache"), QT_QPA_PLATFORM="offscreen")
    return env


def kiosk(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk", *args], env=env, capture_output=True,
                          text=True, timeout=180, input=stdin, start_new_session=True)


def default_dir(env: dict[str, str]) -> Path:
    return Path(env["XDG_DATA_HOME"]) / "ektp-kiosk"


LOOKING = [
    ("summary",),
    ("status", "627104-01-20261202-001"),
    ("export", "--date", TODAY, "--format", "csv", "--output", "{out}"),
    ("cap", "show"),
    ("cap", "set", "40", "--reason", "uji", "--actor", "rina", "--pin-stdin"),
    ("audit", "show"),
    ("db", "check"),
    ("user", "list"),
    ("user", "add", "budi", "--role", "operator", "--name", "Budi", "--pin", "582047",
     "--actor", "rina", "--pin-stdin"),
    ("sync", "--once"),
    ("backup", "--output", "{out}"),
]


@pytest.mark.parametrize("args", LOOKING, ids=lambda a: " ".join(a[:2]))
def test_a_command_that_uses_a_station_makes_none_in_the_default_place(home, tmp_path, args):
    out = str(tmp_path / "out.file")
    r = kiosk(home, *(a.replace("{out}", out) for a in args), stdin="135790\n")
    assert r.returncode == 2, r.stdout + r.stderr
    folder = str(default_dir(home))
    assert f"Belum ada basis data stasiun di folder ini ({folder})" in r.stderr, r.stderr
    assert "There is no station database in this folder" in r.stderr
    assert "tidak membuat stasiun baru" in r.stderr and "--data-dir" in r.stderr
    assert "Traceback" not in r.stderr
    assert not (default_dir(home) / "station.db").exists()
    assert not Path(out).exists()


def test_the_first_supervisor_may_make_a_station_from_the_shell(home, tmp_path):
    # a station set up without a screen: its first account from a shell (a file keyring
    # here: the test machine has no Secret Service)
    env = dict(home, PYTHON_KEYRING_BACKEND="kiosk.store.keys.FileKeyring",
               KIOSK_KEYRING_FILE=str(tmp_path / "keyring.json"))
    r = kiosk(env, "user", "add", "rina", "--role", "supervisor", "--name", "Rina",
              "--pin", "582047")
    assert r.returncode == 0, r.stderr
    assert (default_dir(home) / "station.db").is_file()
    assert "rina" in kiosk(env, "user", "list").stdout


def _make_demo(home: dict[str, str], count: int = 3) -> Path:
    r = kiosk(home, "--demo", "demo-data", "-n", str(count))
    assert r.returncode == 0, r.stderr
    return default_dir(home) / "demo"


def test_demo_means_the_demo_data_dir_for_every_subcommand(home):
    demo = _make_demo(home)
    for args in (("--demo", "summary"), ("summary", "--demo")):
        r = kiosk(home, *args)
        assert r.returncode == 0, r.stderr
        assert f"Data              : {demo}" in r.stdout
        assert "3 / 30" in r.stdout
    assert kiosk(home, "--demo", "audit", "verify").returncode == 0
    # the real station's place is still empty: without --demo nothing is there
    assert kiosk(home, "summary").returncode == 2
    assert not (default_dir(home) / "station.db").exists()


def test_a_demo_not_made_yet_says_how_to_make_it(home):
    r = kiosk(home, "--demo", "summary")
    assert r.returncode == 2
    assert "kiosk --demo" in r.stderr and "run `kiosk --demo` once" in r.stderr
    assert not (default_dir(home) / "demo" / "station.db").exists()


def _a_demo_nik(demo: Path) -> str:
    keyring.set_keyring(FileKeyring(Path(f"{demo}-keyring.json")))
    with Store(demo, Settings.load(demo / "settings.toml"), read_only=True) as store:
        record_id = store.db.execute("SELECT id FROM records LIMIT 1").fetchone()[0]
        return store.applicant(record_id)[0].nik


def test_lookup_and_export_on_the_demo_need_no_keyring_variable(home, tmp_path,
                                                                memory_keyring):
    demo = _make_demo(home)
    nik = _a_demo_nik(demo)
    for args in (("--demo", "status", nik), ("--data-dir", str(demo), "status", nik)):
        r = kiosk(home, *args)
        assert r.returncode == 0, r.stderr
        assert "direkam / recorded" in r.stdout and "keyring" not in r.stderr
    out = tmp_path / "log.csv"
    r = kiosk(home, "--demo", "export", "--date", TODAY, "--format", "csv", "--output",
              str(out))
    assert r.returncode == 0, r.stderr
    assert len(out.read_text(encoding="utf-8").splitlines()) >= 4
    assert "FileKeyring" in kiosk(home, "--demo", "keyring").stdout


@pytest.fixture
def no_keyring(station) -> dict[str, str]:
    """The station fixture's environment with keyring's own 'no keyring' backend."""
    env = {k: v for k, v in station.env.items() if k != "KIOSK_KEYRING_FILE"}
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    return env


def test_a_keyring_failure_names_the_action_it_stopped(station, no_keyring, tmp_path):
    r = station.kiosk("demo-data", "-n", "1")
    assert r.returncode == 0, r.stderr
    with station.open() as store:
        record_id = store.db.execute("SELECT id FROM records").fetchone()[0]
        nik = store.applicant(record_id)[0].nik
    base = ["--data-dir", str(station.data), "--config", str(station.config)]
    looked = kiosk(no_keyring, "status", nik, *base)
    assert looked.returncode == 2
    assert "rekaman tidak bisa dicari menurut NIK" in looked.stderr
    assert "recordings cannot be looked up by NIK" in looked.stderr
    assert "perekaman ditolak" not in looked.stderr and "Traceback" not in looked.stderr
    exported = kiosk(no_keyring, "export", "--date", TODAY, "--format", "csv", "--output",
                     str(tmp_path / "x.csv"), *base)
    assert exported.returncode == 2, exported.stderr
    assert "log harian tidak bisa diekspor" in exported.stderr
    assert "the daily log cannot be exported" in exported.stderr
    assert "perekaman ditolak" not in exported.stderr
    recorded = kiosk(no_keyring, "demo-data", "-n", "1", *base)
    assert recorded.returncode == 2
    assert "perekaman ditolak" in recorded.stderr and "recording is refused" in recorded.stderr


def _receipt_time(iso: str, zone: str) -> str:
    t = dt.datetime.fromisoformat(iso).astimezone(ZoneInfo(zone))
    return f"{t.day} {MONTHS[t.month - 1]} {t.year} {t:%H.%M} {t.tzname()}"


@pytest.mark.parametrize("zone, abbr", [("Asia/Jakarta", "WIB"), ("Asia/Jayapura", "WIT")])
def test_times_a_person_reads_are_in_the_station_zone_as_on_the_receipt(station, zone, abbr):
    station.config.write_text(f'[station]\ntimezone = "{zone}"\n', encoding="utf-8")
    made = station.kiosk("demo-data", "-n", "1")
    assert made.returncode == 0, made.stderr
    rows = json.loads(station.kiosk("status", "--json", made.stdout.split()[0]).stdout)
    created = rows[0]["created_at"]
    assert created.endswith("+00:00")  # --json keeps ISO with its offset
    shown = station.kiosk("status", rows[0]["regno"]).stdout
    assert f"direkam / recorded: {_receipt_time(created, zone)}" in shown
    assert "+00:00" not in shown
    audit = station.kiosk("audit", "show", "--limit", "1").stdout
    assert f" {abbr} " in audit and "+00:00 " not in audit
    summary = station.kiosk("summary").stdout
    local_today = dt.datetime.now(ZoneInfo(zone)).date()
    assert (f"Hari ini / today  : {local_today.day} {MONTHS[local_today.month - 1]} "
            f"{local_today.year}") in summary
    assert station.kiosk("cap", "set", "40", "--reason", "uji", "--actor", "rina",
                         pin="135790").returncode == 0
    cap = station.kiosk("cap", "show").stdout.splitlines()
    assert abbr in cap[1] and "+00:00" not in cap[1]
