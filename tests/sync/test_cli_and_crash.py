"""`kiosk setup central` / `kiosk sync` as processes, and SIGKILL at random moments."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import time

import keyring
import pytest
from faultproxy import FaultProxy
from harness import KIOSK, assert_delivered, free_port, make_station, subprocess_env

from kiosk.settings import Settings
from kiosk.store import audit
from kiosk.store.keys import FileKeyring
from kiosk.store.station import Store


def _sync(data_dir, *args, env, timeout=120):
    cmd = [KIOSK, "sync", "--data-dir", str(data_dir), "--config",
           str(data_dir / "settings.toml"), *args]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def file_keyring(tmp_path):
    """The test process and its `kiosk` children share one file keyring."""
    path = tmp_path / "keyring.json"
    keyring.set_keyring(FileKeyring(path))
    return subprocess_env(path)


def test_setup_central_then_sync_until_idle_as_commands(tmp_path, central, file_keyring):
    """The commands an installer runs: secrets go to the keyring, only the URL to the file."""
    env = file_keyring
    data = tmp_path / "st"
    make_station(data, 2).close()
    token = central.add_station("cli-station")
    out = subprocess.run(
        [KIOSK, "setup", "central", "--data-dir", str(data),
         "--config", str(data / "settings.toml"), central.url, token, "--json"],
        env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    config = (data / "settings.toml").read_text()
    assert central.url in config and token not in config
    done = _sync(data, "--until-idle", "--timeout", "60", "--json", env=env)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["ok"] and result["backlog"]["verified"] == 2
    with Store(data, Settings.load(data / "settings.toml")) as store:
        assert_delivered(store, central.data_dir)


def test_until_idle_exits_1_when_the_timeout_runs_out(tmp_path, central, file_keyring):
    """Server gone: --until-idle keeps retrying, then exits 1 at --timeout; an incident is open."""
    data = tmp_path / "st"
    store = make_station(data, 1)
    from harness import link

    link(store, central.url, central.add_station("gone"))
    store.settings.set("sync.server_url", f"http://127.0.0.1:{free_port()}")
    store.settings.save()
    store.close()
    started = time.monotonic()
    done = _sync(data, "--until-idle", "--timeout", "2", "--json", env=file_keyring)
    assert done.returncode == 1
    assert 2 <= time.monotonic() - started < 30
    result = json.loads(done.stdout)
    assert result["link"] == "offline" and result["backlog"]["saved"] == 1
    with Store(data, Settings.load(data / "settings.toml")) as store:
        kinds = [i["kind"] for i in store.incidents()]
    assert "server_unreachable" in kinds


@pytest.mark.slow
def test_sigkill_at_random_moments_loses_and_duplicates_nothing(tmp_path, central, file_keyring):
    """30 SIGKILLs of `kiosk sync` mid-delivery over a slow link, then a clean run."""
    data = tmp_path / "st"
    store = make_station(data, 8)
    from harness import link

    with FaultProxy(central.port, bandwidth=120_000, latency=0.01) as proxy:
        link(store, central.url, central.add_station("killed"))
        store.settings.set("sync.server_url", proxy.url)
        store.settings.save()
        store.close()
        rng = random.Random(30)
        finished_early = 0
        for _ in range(30):
            proc = subprocess.Popen(
                [KIOSK, "sync", "--until-idle", "--timeout", "60", "--data-dir", str(data),
                 "--config", str(data / "settings.toml")],
                env=file_keyring, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                proc.wait(rng.uniform(0.3, 1.3))
                finished_early += 1
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGKILL)
                proc.wait()
        assert finished_early < 30, "the sync was never interrupted"
        done = _sync(data, "--until-idle", "--timeout", "90", "--json", env=file_keyring)
        assert done.returncode == 0, done.stdout + done.stderr
    with Store(data, Settings.load(data / "settings.toml")) as store:
        assert store.db.execute("SELECT COUNT(*) FROM records").fetchone()[0] == 8
        assert audit.verify(store.db) is None
        assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert_delivered(store, central.data_dir)
