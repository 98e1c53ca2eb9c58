"""`kiosk backup` and `kiosk restore` as a technician runs them: back up, lose the database,
restore, and deliver to a real `kiosk-central`; restore refused while the station runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.settings import Settings
from kiosk.store.db import DB_NAME
from kiosk.store.station import Store

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "sync"))

from harness import (  # noqa: E402
    KIOSK,
    CentralProcess,
    assert_delivered,
    link,
    make_station,
)

PHRASE = "database hilang atau diganti: pulihkan cadangan"


def _kiosk(data: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([KIOSK, *args, "--data-dir", str(data),
                           "--config", str(data / "settings.toml")],
                          env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def central(tmp_path):
    server = CentralProcess(tmp_path / "central")
    yield server
    server.stop()


def test_back_up_lose_the_database_restore_and_deliver(tmp_path, subprocess_env, central):
    data = tmp_path / "station"
    store = make_station(data, 3)
    link(store, central.url, central.add_station("backup-test"))
    sid = store.station_id
    store.close()
    out = _kiosk(data, subprocess_env, "backup", "--output", str(tmp_path / "b.db"))
    assert out.returncode == 0, out.stderr
    assert "3 rekaman" in out.stdout and "backup written" in out.stdout
    for f in data.glob(f"{DB_NAME}*"):  # the disk loses the database
        f.unlink()
    check = _kiosk(data, subprocess_env, "db", "check")
    assert check.returncode == 1 and PHRASE in (check.stdout + check.stderr).lower()
    out = _kiosk(data, subprocess_env, "restore", str(tmp_path / "b.db"))
    assert out.returncode == 0, out.stderr
    assert "restored" in out.stdout
    assert _kiosk(data, subprocess_env, "db", "check").returncode == 0
    out = _kiosk(data, subprocess_env, "sync", "--until-idle", "--timeout", "60")
    assert out.returncode == 0, out.stdout + out.stderr
    settings = Settings.load(data / "settings.toml")
    with Store(data, settings) as restored:
        assert restored.station_id == sid
        restored.check_can_start()
        assert restored.db.execute("SELECT COUNT(*) FROM records").fetchone()[0] == 3
        assert_delivered(restored, central.data_dir)


HOLD = """
import sys, time
from pathlib import Path
from kiosk.ui.qt_app import single_instance
lock = single_instance(Path(sys.argv[1]))
print("held" if lock is not None else "not held", flush=True)
time.sleep(60)
"""


def test_restore_is_refused_while_the_station_runs(tmp_path, subprocess_env):
    data = tmp_path / "station"
    make_station(data, 1).close()
    assert _kiosk(data, subprocess_env, "backup", "-o", str(tmp_path / "b.db")).returncode == 0
    gui = subprocess.Popen([sys.executable, "-c", HOLD, str(data)], stdout=subprocess.PIPE,
                           text=True, env=subprocess_env)
    try:
        assert gui.stdout is not None and gui.stdout.readline().strip() == "held"
        out = _kiosk(data, subprocess_env, "restore", str(tmp_path / "b.db"))
        assert out.returncode != 0
        assert "stasiun sedang berjalan" in out.stderr.lower() and "Traceback" not in out.stderr
    finally:
        gui.kill()
        gui.wait()
    assert not list(data.glob(f"{DB_NAME}.before-restore-*"))
    out = _kiosk(data, subprocess_env, "restore", str(tmp_path / "b.db"))
    assert out.returncode == 0, out.stderr  # the crashed station's lock is no lock


def test_backup_refuses_a_device_and_restore_a_file_that_is_not_a_backup(tmp_path,
                                                                         subprocess_env):
    data = tmp_path / "station"
    make_station(data, 1).close()
    out = _kiosk(data, subprocess_env, "backup", "--output", "/dev/null")
    assert out.returncode != 0 and "bukan berkas biasa" in out.stderr
    assert Path("/dev/null").is_char_device()
    (tmp_path / "notes.txt").write_text("not a database")
    out = _kiosk(data, subprocess_env, "restore", str(tmp_path / "notes.txt"))
    assert out.returncode != 0 and "bukan cadangan" in out.stderr
    assert "Traceback" not in out.stderr


def test_the_readme_procedure_moves_a_station_to_a_new_machine(tmp_path, subprocess_env,
                                                                central):
    """README, Backups: the keyring entries copied with keyring's own command, the database
    with `kiosk backup`; on a new machine (its own keyring, an empty data dir) `keyring set`
    and `kiosk restore` give back the station, which delivers to the centre."""
    data = tmp_path / "station"
    store = make_station(data, 2)
    link(store, central.url, central.add_station("moved"))
    sid = store.station_id
    store.close()
    entries = [f"data-key:{sid}", f"signing-key:{sid}", f"api-token:{sid}"]
    keyring_cli = [sys.executable, "-m", "keyring"]
    copied = {}
    for name in entries:
        got = subprocess.run([*keyring_cli, "get", "ektp-kiosk", name], env=subprocess_env,
                             capture_output=True, text=True, timeout=60)
        assert got.returncode == 0 and got.stdout.strip(), got.stderr
        copied[name] = got.stdout.strip()
    backup = tmp_path / "usb" / "station.db"
    backup.parent.mkdir()
    assert _kiosk(data, subprocess_env, "backup", "--output", str(backup)).returncode == 0

    new_env = dict(subprocess_env, KIOSK_KEYRING_FILE=str(tmp_path / "new-keyring.json"))
    new_data = tmp_path / "new-station"
    new_data.mkdir()
    (new_data / "settings.toml").write_text((data / "settings.toml").read_text())
    refused = _kiosk(new_data, new_env, "restore", str(backup))
    assert refused.returncode != 0 and "kunci data" in refused.stderr.lower()  # key first
    for name, value in copied.items():
        put = subprocess.run([*keyring_cli, "set", "ektp-kiosk", name], env=new_env,
                             input=value + "\n", capture_output=True, text=True, timeout=60)
        assert put.returncode == 0, put.stderr
    out = _kiosk(new_data, new_env, "restore", str(backup))
    assert out.returncode == 0, out.stdout + out.stderr
    assert _kiosk(new_data, new_env, "db", "check").returncode == 0
    summary = _kiosk(new_data, new_env, "summary")
    assert f"ID stasiun / id   : {sid}" in summary.stdout
    out = _kiosk(new_data, new_env, "sync", "--until-idle", "--timeout", "60")
    assert out.returncode == 0, out.stdout + out.stderr
