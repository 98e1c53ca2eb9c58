"""`kiosk --demo`: demo accounts, simulated devices and a real local central server.

Everything here is plain Python (no Qt). The central server is a `kiosk-central` child process
whose data sits beside the demo station's (kiosk.demo.central): a restart finds its records
again, and the station's settings name the address it listens on before anything syncs.
Stopping that process shows the station going offline and catching up once it is back. The
demo makes nothing in the system's temporary folder.
"""

from __future__ import annotations

import logging
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.app import accounts
from kiosk.demo.accounts import DEMO_ACCOUNTS
from kiosk.demo.central import (
    DemoStartFailed,
    answers,
    central_dir,
    free_port,
    linked,
    open_central,
    port_is_free,
    previous_port,
    serve_central,
    stop_process,
)
from kiosk.devices.sim.camera import fake_camera_source
from kiosk.devices.sim.sbi import SbiSimulator
from kiosk.store.station import Store
from kiosk.sync.link import SERVER_URL_META

__all__ = ["DEMO_ACCOUNTS", "DemoEnvironment", "DemoStartFailed", "ensure_demo_accounts",
           "free_port", "is_demo_dir", "selftest_devices", "serve_central", "start_demo"]

log = logging.getLogger(__name__)

_NAMES = {"operator": "Petugas Demo", "teknisi": "Teknisi Demo", "pengawas": "Pengawas Demo"}
DEMO_MARKER = "demo-station.txt"  # in a data dir the demo runs on (its devices are simulated)


def ensure_demo_accounts(store: Store) -> list[tuple[str, str, str]]:
    """Create the demo accounts on a station without any; returns them for the login screen."""
    if not accounts.has_any_user(store):
        accounts.create_first_supervisor(store, "pengawas", _NAMES["pengawas"], "333333",
                                         demo=True)  # published PINs: no trivial-PIN rule
        for username, pin, role in DEMO_ACCOUNTS:
            if role != "supervisor":
                accounts.create_user(store, "pengawas", username, _NAMES[username], role, pin,
                                     demo=True)
    return list(DEMO_ACCOUNTS)


def is_demo_dir(data_dir: Path) -> bool:
    """Whether `kiosk --demo` runs on this data dir (simulated devices, its own server)."""
    return (Path(data_dir) / DEMO_MARKER).is_file()


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
        if self.central is not None:
            stop_process(self.central)

    def start_central_again(self) -> None:
        """Bring the demo server back on the same address and data: the station catches up."""
        if self.central_running or self.central_dir is None or not self.central_url:
            return
        port = int(self.central_url.rsplit(":", 1)[1])
        self.central = serve_central(self.central_dir, port)

    def stop(self) -> None:
        """End the simulated scanner and the server; the server's data stays beside the
        station's for the next start."""
        self.sbi.stop()
        self.stop_central()


SIM_PKI = "sbi-sim-pki"  # the simulated scanner's demo CA and keys, kept across restarts


def _simulated_devices(store: Store, sbi: SbiSimulator, cache_dir: Path | None) -> Path:
    """Point the settings in memory (never the file) at the simulated scanner and camera, and
    trust the scanner's demo CAs (written into the demo's own trust folder)."""
    camera = fake_camera_source(cache_dir)
    trust = store.data_dir / "sbi-trust"
    sbi.write_trust(trust)
    store.settings.set("sbi.trust_store", str(trust))
    store.settings.set("sbi.port_first", sbi.port)
    store.settings.set("sbi.port_last", sbi.port)
    store.settings.set("camera.source", str(camera))
    return camera


def start_demo(store: Store, settings_path: Path, cache_dir: Path | None = None,
               central: bool = True) -> DemoEnvironment:
    """Simulated camera and SBI scanner, and (unless `central` is False) the local server,
    with the settings naming its address before this returns."""
    (store.data_dir / DEMO_MARKER).write_text(
        "kiosk --demo runs here: invented applicants, simulated devices\n", encoding="utf-8")
    sbi = SbiSimulator(port=0, pki_dir=store.data_dir / SIM_PKI).start()
    env = DemoEnvironment(camera_source=_simulated_devices(store, sbi, cache_dir), sbi=sbi)
    if not central:
        return env
    env.central_dir = central_dir(store.data_dir)
    try:
        env.central, env.central_url, _ = open_central(store, settings_path)
    except (DemoStartFailed, subprocess.SubprocessError, OSError) as exc:
        # The station still works offline; the home screen shows the link as not set up.
        env.problems.append(str(exc))
        log.warning("demo central server not started: %s", exc)
    except Exception as exc:  # SetupFailed and friends: same, keep recording offline
        env.problems.append(str(exc))
        log.warning("demo station set-up failed: %s", exc)
    return env


@contextmanager
def selftest_devices(store: Store, cache_dir: Path | None = None) -> Iterator[bool]:
    """A self-test apart from the demo's window (`kiosk selftest` on a demo data dir) checks
    the demo's devices: its own simulated scanner and the demo camera for the block, and the
    demo's server, started on its address for the block when the window is not running it.
    Yields whether `store` is a demo's; on any other data dir nothing changes."""
    if not is_demo_dir(store.data_dir):
        yield False
        return
    sbi = SbiSimulator(port=0, pki_dir=store.data_dir / SIM_PKI).start()
    server: subprocess.Popen | None = None
    try:
        _simulated_devices(store, sbi, cache_dir)
        url = store.settings["sync.server_url"] or store.meta(SERVER_URL_META) or ""
        port = previous_port(store)
        folder = central_dir(store.data_dir)
        if url and port is not None and not answers(url) and linked(store, folder) \
                and port_is_free(port):
            try:
                server = serve_central(folder, port)
            except (DemoStartFailed, subprocess.SubprocessError, OSError) as exc:
                log.warning("demo central server not started for the self-test: %s", exc)
        store.settings.set("sync.server_url", url)
        yield True
    finally:
        sbi.stop()
        if server is not None:
            stop_process(server)
