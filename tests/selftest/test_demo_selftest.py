"""The demo's self-test is green from the command line, whether or not the demo's window is
running; a device another program holds is reported busy (not failed), and a busy result never
freezes recording."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import keyring
import pytest

from kiosk.app.gates import freeze_reasons
from kiosk.demo.environment import ensure_demo_accounts, start_demo
from kiosk.demo.records import demo_recording
from kiosk.devices.sim.sbi import running
from kiosk.domain.regions import RegionTable
from kiosk.selftest.engine import SelfTestContext, run_all, run_check
from kiosk.settings import Settings
from kiosk.store.keys import FileKeyring
from kiosk.store.station import Store

KIOSK = str(Path(sys.executable).parent / "kiosk")


@pytest.fixture
def demo(tmp_path):
    """A demo data dir as `kiosk --demo` leaves it (accounts, records, linked to its own
    server, which is stopped again), its file keyring, and the environment for `kiosk`."""
    data = tmp_path / "share" / "demo"
    data.mkdir(parents=True)
    (data / "settings.toml").touch()
    keyring_file = Path(f"{data}-keyring.json")
    keyring.set_keyring(FileKeyring(keyring_file))
    env = dict(os.environ, PYTHON_KEYRING_BACKEND="kiosk.store.keys.FileKeyring",
               KIOSK_KEYRING_FILE=str(keyring_file), XDG_CACHE_HOME=str(tmp_path / "cache"))
    store = Store(data, Settings.load(data / "settings.toml"))
    try:
        ensure_demo_accounts(store)
        regions = RegionTable.load()
        for i in range(3):
            store.save_recording(demo_recording(i + 1, store.settings["station.kecamatan"],
                                                regions, store.today()), "demo")
        demo_env = start_demo(store, data / "settings.toml", cache_dir=tmp_path / "cache")
        assert demo_env.central_running, demo_env.problems
        demo_env.stop()
    finally:
        store.close()
    return data, env, tmp_path / "cache"


def selftest_cli(data: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([KIOSK, "selftest", "--data-dir", str(data), "--json", *args],
                          env=env, capture_output=True, text=True, timeout=180)


def test_the_demo_selftest_is_green_from_the_cli_with_and_without_the_window(demo):
    data, env, cache = demo
    done = selftest_cli(data, env)  # the window is not running: nor is its server
    report = json.loads(done.stdout)
    failed = {r["name"]: (r["value"], r["hint_en"]) for r in report["results"] if not r["passed"]}
    assert done.returncode == 0 and report["passed"], failed
    server = next(r for r in report["results"] if r["name"] == "server")
    assert server["value"]["auth"] == "accepted"

    store = Store(data, Settings.load(data / "settings.toml"))
    try:
        assert store.last_selftest()["passed"]
        assert freeze_reasons(store) == []
        window = start_demo(store, data / "settings.toml", cache_dir=cache)  # as the GUI does
        try:
            done = selftest_cli(data, env)  # beside the running demo: its server, own devices
            report = json.loads(done.stdout)
            assert done.returncode == 0 and report["passed"], done.stdout
            server = next(r for r in report["results"] if r["name"] == "server")
            assert server["value"]["url"] == window.central_url
            # the window's own self-test reads the same settings: the server is set up there
            assert run_check("server", SelfTestContext(store, store.settings)).passed
        finally:
            window.stop()
    finally:
        store.close()


def test_the_windows_selftest_on_the_running_demo_is_green(demo):
    """What the technician screen runs (DeskService.selftest_job, in the window's process, on
    the settings the window loaded at start and the demo then completed): every check green,
    the server's among them (it was "Server belum diatur"), and recording is not frozen."""
    from kiosk.app.desk import DeskService
    from kiosk.selftest import CHECK_NAMES
    from kiosk.store.users import get_user

    data, _env, cache = demo
    store = Store(data, Settings.load(data / "settings.toml"))
    try:
        window = start_demo(store, data / "settings.toml", cache_dir=cache)
        try:
            technician = get_user(store, "teknisi")
            assert technician is not None
            desk = DeskService(store, data / "settings.toml", technician)
            report = desk.selftest_job(list(CHECK_NAMES), ["Virtual core pointer"], True)()
            failed = {r.name: (r.value, r.hint_en) for r in report.results if not r.passed}
            assert report.passed, failed
            server = next(r for r in report.results if r.name == "server")
            assert server.value["url"] == window.central_url
            assert freeze_reasons(store) == []
        finally:
            window.stop()
    finally:
        store.close()


@pytest.fixture
def held_camera(tmp_path):
    """A camera device file another process holds open (as the station window holds
    /dev/video0), which therefore cannot be read here."""
    device = tmp_path / "video0"
    device.write_bytes(b"")
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; f = open(sys.argv[1], 'rb'); "
         "print('held', flush=True); time.sleep(120)", str(device)],
        stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    yield device, holder
    holder.kill()
    holder.wait()


def test_a_held_camera_and_a_busy_scanner_are_busy_and_home_is_not_frozen(store, held_camera):
    device, holder = held_camera
    store.settings.set("camera.source", str(device))
    with running(status="Busy") as sim:
        store.settings.set("sbi.port_first", sim.port)
        store.settings.set("sbi.port_last", sim.port)
        report = run_all(SelfTestContext(store, store.settings), ["camera", "fingerprint"])
    by_name = {r.name: r for r in report.results}
    for name in ("camera", "fingerprint"):
        assert by_name[name].state == "busy" and not by_name[name].passed, by_name[name]
        assert "sedang dipakai" in by_name[name].hint_id and "in use" in by_name[name].hint_en
    assert f"PID {holder.pid}" in by_name["camera"].hint_en
    assert not report.passed  # busy is not green
    assert store.last_selftest()["results"][0]["busy"]
    assert freeze_reasons(store) == []  # ... and never freezes "Perekaman Baru"


def test_the_same_camera_nobody_holds_is_failed_and_freezes(store, tmp_path):
    """The contrast: a camera that cannot be read and that no program holds is broken."""
    device = tmp_path / "video0"
    device.write_bytes(b"")
    store.settings.set("camera.source", str(device))
    report = run_all(SelfTestContext(store, store.settings), ["camera"])
    assert report.results[0].state == "failed"
    reasons = freeze_reasons(store)
    assert any("kamera" in r.id for r in reasons), reasons


def test_the_cli_prints_a_busy_scanner_as_sibuk(tmp_path, subprocess_env):
    data = tmp_path / "station"
    Store(data, Settings()).close()  # a station (the command reads one, never makes one)
    with running(status="Busy") as sim:
        (data / "settings.toml").write_text(
            f"[sbi]\nport_first = {sim.port}\nport_last = {sim.port}\n")
        done = subprocess.run([KIOSK, "selftest", "--data-dir", str(data), "--check",
                               "fingerprint"], env=subprocess_env, capture_output=True,
                              text=True, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.startswith("SIBUK fingerprint"), done.stdout
    assert "sedang dipakai" in done.stdout and "Traceback" not in done.stderr
