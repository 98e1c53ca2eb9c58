"""`kiosk --demo`: demo accounts, simulated devices and a real local central server.

Everything here is plain Python (no Qt). The central server is a `kiosk-central` child process
on a free port with a fresh data dir; the station is set up against it with the sync module's
own set-up, so the demo syncs for real, and stopping that process shows the station going
offline and catching up once it is back.
"""

from __future__ import annotations

import logging
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from kiosk.app import accounts
from kiosk.demo.accounts import DEMO_ACCOUNTS
from kiosk.devices.sim.camera import fake_camera_source
from kiosk.devices.sim.sbi import SbiSimulator
from kiosk.store.station import Store
from kiosk.sync.link import setup_central

log = logging.getLogger(__name__)

_NAMES = {"operator": "Petugas Demo", "teknisi": "Teknisi Demo", "pengawas": "Pengawas Demo"}


class DemoStartFailed(RuntimeError):
    """The local central server did not come up."""


def ensure_demo_accounts(store: Store) -> list[tuple[str, str, str]]:
    """Create the demo accounts on a station without any; returns them for the login screen."""
    if not accounts.has_any_user(store):
        accounts.create_first_supervisor(store, "pengawas", _NAMES["pengawas"], "333333")
        for username, pin, role in DEMO_ACCOUNTS:
            if role != "supervisor":
                accounts.create_user(store, "pengawas", username, _NAMES[username], role, pin)
    return list(DEMO_ACCOUNTS)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _die_with_parent() -> None:
    """Linux: the demo server ends when the station process dies, even when killed."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _central_cmd() -> list[str]:
    script = Path(sys.executable).parent / "kiosk-central"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from central.cli import main; main()"]


@dataclass
class DemoEnvironment:
    """The demo's helpers; `stop()` ends all of them."""

    camera_source: Path
    sbi: SbiSimulator
    central: subprocess.Popen | None = None
    central_url: str = ""
    central_dir: Path | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def central_running(self) -> bool:
        return self.central is not None and self.central.poll() is None

    def stop_central(self) -> None:
        """Take the demo server down: the station goes offline and keeps recording."""
        if self.central_running:
            assert self.central is not None
            self.central.terminate()
            try:
                self.central.wait(5)
            except subprocess.TimeoutExpired:
                self.central.kill()
                self.central.wait()

    def start_central_again(self) -> None:
        """Bring the demo server back on the same address and data: the station catches up."""
        if self.central_running or self.central_dir is None or not self.central_url:
            return
        port = int(self.central_url.rsplit(":", 1)[1])
        self.central = serve_central(self.central_dir, port)

    def stop(self) -> None:
        self.sbi.stop()
        self.stop_central()
        if self.central_dir is not None:
            shutil.rmtree(self.central_dir, ignore_errors=True)


def start_central(data_dir: Path, timeout: float = 20.0) -> tuple[subprocess.Popen, str, str]:
    """A fresh `kiosk-central` on a free port; (process, url, station token)."""
    token = subprocess.run(
        [*_central_cmd(), "station", "add", "--data-dir", str(data_dir), "demo-station"],
        check=True, capture_output=True, text=True, timeout=60,
    ).stdout.strip().splitlines()[-1]
    port = free_port()
    return serve_central(data_dir, port, timeout), f"http://127.0.0.1:{port}", token


def serve_central(data_dir: Path, port: int, timeout: float = 20.0) -> subprocess.Popen:
    """`kiosk-central serve` on 127.0.0.1:`port`, once it answers its health check."""
    with open(data_dir / "central.log", "ab") as log_file:  # the child keeps its own copy
        proc = subprocess.Popen(
            [*_central_cmd(), "serve", "--data-dir", str(data_dir), "--port", str(port)],
            stdout=log_file, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise DemoStartFailed(f"kiosk-central exited with {proc.returncode}")
        try:
            if requests.get(f"{url}/v1/health", timeout=0.5).status_code == 200:
                return proc
        except requests.RequestException:
            pass
        time.sleep(0.1)  # bounded start-up poll of a child process
    proc.terminate()
    raise DemoStartFailed(f"kiosk-central did not answer on {url} within {timeout:.0f} s")


def start_demo(store: Store, settings_path: Path, cache_dir: Path | None = None,
               central: bool = True) -> DemoEnvironment:
    """Simulated camera and SBI scanner, and (unless `central` is False) a local server."""
    sbi = SbiSimulator(port=0).start()
    store.settings.set("sbi.port_first", sbi.port)
    store.settings.set("sbi.port_last", sbi.port)
    env = DemoEnvironment(camera_source=fake_camera_source(cache_dir), sbi=sbi)
    store.settings.set("camera.source", str(env.camera_source))
    if not central:
        return env
    env.central_dir = Path(tempfile.mkdtemp(prefix="ektp-central-demo-"))
    try:
        env.central, env.central_url, token = start_central(env.central_dir)
        setup_central(store, settings_path, env.central_url, token)
        log.info("demo central server at %s (pid %d)", env.central_url, env.central.pid)
    except (DemoStartFailed, subprocess.SubprocessError, OSError) as exc:
        # The station still works offline; the home screen shows the link as not set up.
        env.problems.append(str(exc))
        log.warning("demo central server not started: %s", exc)
    except Exception as exc:  # SetupFailed and friends: same, keep recording offline
        env.problems.append(str(exc))
        log.warning("demo station set-up failed: %s", exc)
    return env
