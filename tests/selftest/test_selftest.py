"""Self-test against real things: a generated camera video, the SBI simulator, kiosk-central."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import keyring
import pytest
import requests

from kiosk.app.incidents import DeviceIncidents
from kiosk.devices.base import DeviceUnavailable
from kiosk.devices.sim.camera import fake_camera_source
from kiosk.devices.sim.sbi import running
from kiosk.selftest import CHECK_NAMES
from kiosk.selftest.engine import SelfTestContext, run_all, run_check
from kiosk.settings import Settings
from kiosk.store.keys import SERVICE


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def video(tmp_path_factory) -> Path:
    return fake_camera_source(tmp_path_factory.mktemp("cam"))


@pytest.fixture(scope="module")
def central(tmp_path_factory):
    """The real reference server (`kiosk-central serve`) on a free port, and one station token."""
    data = tmp_path_factory.mktemp("central")
    exe = Path(sys.executable).with_name("kiosk-central")
    token = subprocess.run([str(exe), "station", "add", "selftest", "--data-dir", str(data)],
                           check=True, capture_output=True, text=True).stdout.strip()
    port = _free_port()
    log_path = data.parent / "central-server.log"  # a file: an unread pipe can fill and block
    log = open(log_path, "ab")  # noqa: SIM115
    proc = subprocess.Popen([str(exe), "serve", "--data-dir", str(data), "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=log)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            if requests.get(url + "/v1/health", timeout=1).status_code == 200:
                break
        except requests.RequestException:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"central server did not start: {log_path.read_text()[-2000:]}")
        time.sleep(0.1)
    yield url, token
    proc.terminate()
    proc.wait(timeout=10)
    log.close()


@pytest.fixture
def sim(tmp_path):
    with running() as s:
        s.write_trust(tmp_path / "sbi-trust")
        s.trust_dir = tmp_path / "sbi-trust"
        yield s


def _settings(video: Path, sim, url: str = "", **extra) -> Settings:
    values = {"camera.source": str(video), "sbi.port_first": sim.port - 1,
              "sbi.port_last": sim.port + 1, "sync.server_url": url,
              "sbi.trust_store": str(sim.trust_dir),
              "selftest.camera_seconds": 0.5, "selftest.min_disk_days": 1}
    values.update(extra)
    return Settings(values)


def _ctx(store, settings: Settings) -> SelfTestContext:
    store.settings = settings
    return SelfTestContext(store, settings)


def _result(report, name):
    return next(r for r in report.results if r.name == name)


def test_all_checks_pass_with_working_devices_and_server(store, video, sim, central):
    url, token = central
    keyring.set_password(SERVICE, f"api-token:{store.station_id}", token)
    report = run_all(_ctx(store, _settings(video, sim, url)))
    assert [r.name for r in report.results] == list(CHECK_NAMES)
    assert report.passed, [r for r in report.results if not r.passed]
    cam = _result(report, "camera").value
    assert cam["resolution"] == "640x480" and 24 <= cam["fps"] <= 36
    fp = _result(report, "fingerprint").value
    assert fp["status"] == "Ready" and min(fp["quality"]) >= 30
    srv = _result(report, "server").value
    assert srv["auth"] == "accepted" and abs(srv["clock_skew_s"]) < 5 and srv["latency_ms"] > 0
    saved = store.last_selftest()
    assert saved["id"] == report.selftest_id and saved["passed"] == 1
    assert [r["name"] for r in saved["results"]] == list(CHECK_NAMES)


def test_server_not_set_up_fails_with_hint(store, video, sim):
    r = run_check("server", _ctx(store, _settings(video, sim, "")))
    assert not r.passed and "belum diatur" in r.hint_id and "not set up" in r.hint_en


def test_unreachable_server_fails_quickly(store, video, sim):
    url = f"http://127.0.0.1:{_free_port()}"
    start = time.monotonic()
    r = run_check("server", _ctx(store, _settings(video, sim, url)))
    assert not r.passed and "tidak dapat dihubungi" in r.hint_id
    assert time.monotonic() - start < 5


def test_wrong_token_is_reported_as_refused(store, video, sim, central):
    url, _ = central
    keyring.set_password(SERVICE, f"api-token:{store.station_id}", "not-a-token")
    r = run_check("server", _ctx(store, _settings(video, sim, url)))
    assert not r.passed and r.value["auth"] == "rejected" and "ditolak" in r.hint_id


def test_clock_skew_beyond_the_limit_fails(store, video, sim, central):
    url, _ = central
    ctx = _ctx(store, _settings(video, sim, url, **{"freeze.max_clock_skew_minutes": 0}))
    r = run_check("server", ctx)
    assert not r.passed and "Jam stasiun" in r.hint_id


def test_missing_camera_fails_the_camera_check(store, tmp_path, sim):
    r = run_check("camera", _ctx(store, _settings(tmp_path / "no.avi", sim)))
    assert not r.passed and "Kamera" in r.hint_id


@pytest.mark.parametrize(("control", "words"), [
    ({"status": "Busy"}, "Busy"), ({"status": "Not Ready"}, "Not Ready"),
    ({"quality": 0.1}, "Kualitas uji rendah"), ({"error_code": 103}, "tamper")])
def test_fingerprint_check_fails_for_each_scanner_problem(store, video, sim, control, words):
    sim.control(**control)
    r = run_check("fingerprint", _ctx(store, _settings(video, sim)))
    assert not r.passed and words in r.hint_id


@pytest.mark.parametrize(("signer", "reason", "words"), [
    ("rogue", "untrusted", "tidak"), ("expired", "expired", "kedaluwarsa"),
    ("jwk", "no_chain", "x5c")])
def test_fingerprint_check_names_the_certificate_it_refused(store, video, sim, signer, reason,
                                                            words):
    sim.control(signer=signer)
    r = run_check("fingerprint", _ctx(store, _settings(video, sim)))
    assert not r.passed
    assert r.value["refused"] == reason
    assert r.value["signed_by"] == "Demo FTM chip SIM-0001"  # the device info was fine
    assert "Tanda tangan hasil rekam pemindai ditolak" in r.hint_id and words in r.hint_id
    if signer != "jwk":
        assert "Demo e-KTP device" in r.value["certificate"]
        assert "Demo e-KTP device" in r.hint_id or "Demo Device Provider" in r.hint_id


def test_fingerprint_check_says_the_trust_store_is_empty(store, video, sim, tmp_path):
    r = run_check("fingerprint", _ctx(store, _settings(
        video, sim, **{"sbi.trust_store": str(tmp_path / "none")})))
    assert not r.passed and r.value["trust_store"] == "0 CA"
    assert "Belum ada sertifikat CA perangkat" in r.hint_id and str(tmp_path / "none") in r.hint_en


def test_fingerprint_check_fails_when_no_scanner_answers(store, video, sim):
    sim.stop()
    r = run_check("fingerprint", _ctx(store, _settings(video, sim)))
    assert not r.passed and "tidak ditemukan" in r.hint_id


def test_signature_check_uses_the_probe_it_is_given(store, video, sim):
    from kiosk.devices.base import DeviceInfo

    ctx = _ctx(store, _settings(video, sim))
    ctx.signature_probe = lambda s: DeviceInfo("signature", "", "tablet", "", "", "Disconnected")
    assert not run_check("signature", ctx).passed


def test_disk_check_reports_days_left_against_the_setting(store, video, sim):
    r = run_check("disk", _ctx(store, _settings(video, sim)))
    assert r.passed and r.value["days_left"] >= 1 and r.value["pace_per_day"] == 30
    big = run_check("disk", _ctx(store, _settings(video, sim,
                                                  **{"selftest.min_disk_days": 10**9})))
    assert not big.passed and "hari" in big.hint_id


def test_database_check_finds_a_tampered_audit_row(tmp_path, video, sim):
    """What an attacker with the sqlite3 shell would do: drop the guard, then change a row."""
    import sqlite3

    from kiosk.store.db import DB_NAME
    from kiosk.store.station import Store

    settings = _settings(video, sim)
    with Store(tmp_path / "d", settings) as st:
        assert run_check("database", SelfTestContext(st, settings)).passed
        st.audit("tech", "test", {"a": 1})
    with sqlite3.connect(tmp_path / "d" / DB_NAME) as conn:
        conn.execute("DROP TRIGGER audit_no_update")
        conn.execute("UPDATE audit SET detail = '{\"a\":2}' WHERE action = 'test'")
    with Store(tmp_path / "d", settings) as st:
        r = run_check("database", SelfTestContext(st, settings))
    assert not r.passed and r.value["faults"] >= 1 and "rusak" in r.hint_id


def test_device_failure_during_work_is_one_incident_until_recovered(store):
    incidents = DeviceIncidents(store)
    err = DeviceUnavailable("finger", "RCAPTURE /capture: ConnectionError")
    first = incidents.failed("finger", err)
    assert incidents.failed("finger", err) == first
    rows = store.incidents()
    assert len(rows) == 1 and rows[0]["device"] == "finger" and rows[0]["ended_at"] is None
    assert rows[0]["kind"] == "DeviceUnavailable" and "ConnectionError" in rows[0]["detail"]
    incidents.recovered("finger")
    assert store.incidents()[0]["ended_at"] is not None
    assert incidents.failed("finger", err) != first


def _cli(args, env):
    cmd = [sys.executable, "-c", "from kiosk.cli import main; main()", *args]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)


def _write_config(path: Path, video: Path, sim, url: str) -> Path:
    path.write_text(
        f'[camera]\nsource = "{video}"\n[sbi]\nport_first = {sim.port - 1}\n'
        f'port_last = {sim.port + 1}\ntrust_store = "{sim.trust_dir}"\n[sync]\n'
        f'server_url = "{url}"\n'
        "[selftest]\ncamera_seconds = 0.5\nmin_disk_days = 1\n", encoding="utf-8")
    return path


def test_cli_selftest_json_passes_and_exits_zero(tmp_path, video, sim, central, subprocess_env):
    url, token = central
    cfg = _write_config(tmp_path / "settings.toml", video, sim, url)
    data = tmp_path / "data"
    env = subprocess_env
    out = _cli(["selftest", "--json", "--data-dir", str(data), "--config", str(cfg)], env)
    first = json.loads(out.stdout)
    assert out.returncode == 0, out.stdout + out.stderr
    assert first["passed"] and all(r["passed"] for r in first["results"])
    # now with the station's token in its keyring: the server check also proves auth
    from kiosk.store.keys import FileKeyring

    sid = _station_id(data, env)
    FileKeyring(Path(env["KIOSK_KEYRING_FILE"])).set_password(SERVICE, f"api-token:{sid}", token)
    out = _cli(["selftest", "--json", "--check", "server", "--data-dir", str(data),
                "--config", str(cfg)], env)
    report = json.loads(out.stdout)
    assert out.returncode == 0 and report["results"][0]["value"]["auth"] == "accepted"


def _station_id(data: Path, env) -> str:
    import sqlite3

    from kiosk.store.db import DB_NAME

    with sqlite3.connect(data / DB_NAME) as db:
        return db.execute("SELECT value FROM meta WHERE key = 'station_id'").fetchone()[0]


def test_cli_selftest_json_fails_and_exits_one(tmp_path, video, sim, subprocess_env):
    cfg = _write_config(tmp_path / "settings.toml", tmp_path / "no-camera.avi", sim, "")
    sim.control(status="Busy")
    out = _cli(["selftest", "--json", "--data-dir", str(tmp_path / "data"), "--config",
                str(cfg)], subprocess_env)
    assert out.returncode == 1
    report = json.loads(out.stdout)
    failed = {r["name"] for r in report["results"] if not r["passed"]}
    assert failed == {"camera", "fingerprint", "server"}
    assert any("belum diatur" in r["hint_id"] for r in report["results"])


def test_cli_single_check_runs_only_that_check(tmp_path, video, sim, subprocess_env):
    cfg = _write_config(tmp_path / "settings.toml", video, sim, "")
    out = _cli(["selftest", "--json", "--check", "disk", "--check", "database",
                "--data-dir", str(tmp_path / "data"), "--config", str(cfg)], subprocess_env)
    report = json.loads(out.stdout)
    assert out.returncode == 0 and [r["name"] for r in report["results"]] == ["disk", "database"]
