"""The demo's own `kiosk-central`: a child process whose data lives beside the demo station's.

The server's folder is `<demo data dir>-central` (the demo's data dir `.../demo` has its
server in `.../demo-central`, as its keyring is `.../demo-keyring.json`). A restart serves the
same folder again, so the server still holds every record the station delivered, with the
same server key the station pinned; it listens on the port it had if that port is free, else
on a new one, and the station's settings are pointed at it before anything syncs.
"""

from __future__ import annotations

import json
import logging
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import requests

from kiosk.settings import Settings
from kiosk.store.keys import get_secret
from kiosk.store.station import Store
from kiosk.sync.link import (
    SERVER_KEY_META,
    SERVER_URL_META,
    setup_central,
    signing_key_name,
    token_name,
)

log = logging.getLogger(__name__)

STATION_NAME = "demo-station"
MADE_BY = "made-by-kiosk-demo.txt"  # the demo made this folder: it may empty it again
LINK_FILE = "demo-link.json"  # which station this server was set up for, and its key


class DemoStartFailed(RuntimeError):
    """The local central server did not come up."""


def central_dir(data_dir: Path) -> Path:
    """Where the demo server of the demo station in `data_dir` keeps its data."""
    data_dir = Path(data_dir)
    return data_dir.parent / f"{data_dir.name}-central"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_is_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


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


def add_station(data_dir: Path) -> str:
    """`kiosk-central station add` for the demo station; its token."""
    return subprocess.run(
        [*_central_cmd(), "station", "add", "--data-dir", str(data_dir), STATION_NAME],
        check=True, capture_output=True, text=True, timeout=60,
    ).stdout.strip().splitlines()[-1]


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
        if answers(url):
            return proc
        time.sleep(0.1)  # bounded start-up poll of a child process
    stop_process(proc)
    raise DemoStartFailed(f"kiosk-central did not answer on {url} within {timeout:.0f} s")


def answers(url: str, timeout: float = 0.5) -> bool:
    """Whether a central server answers its health check at `url`."""
    try:
        return requests.get(f"{url}/v1/health", timeout=timeout).status_code == 200
    except requests.RequestException:
        return False


def stop_process(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def linked(store: Store, folder: Path) -> bool:
    """The server in `folder` was set up for this very station, whose keyring still has the
    token and signing key and whose pinned server key is that server's."""
    try:
        link = json.loads((folder / LINK_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (isinstance(link, dict) and (folder / "central.db").is_file()
            and link.get("station_id") == store.station_id
            and link.get("server_public_key") == store.meta(SERVER_KEY_META)
            and bool(get_secret(token_name(store.station_id)))
            and bool(get_secret(signing_key_name(store.station_id))))


def _fresh_folder(folder: Path) -> None:
    """An empty server folder, emptying one only when the demo made it."""
    if folder.exists() and any(folder.iterdir()):
        if not (folder / MADE_BY).is_file():
            raise DemoStartFailed(f"{folder} exists and was not made by the demo; move it away")
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MADE_BY).write_text("kiosk --demo: the demo's central server data\n",
                                  encoding="utf-8")


def previous_port(store: Store) -> int | None:
    """The local port the station last delivered to (settings, else the database's copy)."""
    url = store.settings["sync.server_url"] or store.meta(SERVER_URL_META) or ""
    parts = urlsplit(url)
    try:
        return parts.port if parts.hostname == "127.0.0.1" else None
    except ValueError:
        return None


def point_station_at(store: Store, settings_path: Path, url: str) -> None:
    """The same server on a (maybe) new address: the settings file, the settings in memory
    (which the GUI and its sync worker read) and the database's copy name it; nothing else
    changes (the key stays pinned, the status cursor is that server's)."""
    on_disk = Settings.load(settings_path)
    if on_disk["sync.server_url"] != url:
        on_disk.set("sync.server_url", url)
        on_disk.save()
    if store.meta(SERVER_URL_META) != url:
        store.set_meta(SERVER_URL_META, url)
    store.settings.set("sync.server_url", url)


def open_central(store: Store, settings_path: Path,
                 timeout: float = 20.0) -> tuple[subprocess.Popen, str, Path]:
    """Serve the demo station's server (made and linked the first time, found again after);
    (process, url, folder). The station's settings name the url before this returns."""
    folder = central_dir(store.data_dir)
    again = linked(store, folder)
    token = ""
    if not again:
        _fresh_folder(folder)
        token = add_station(folder)
    old = previous_port(store)
    port = old if old is not None and port_is_free(old) else free_port()
    proc = serve_central(folder, port, timeout)
    url = f"http://127.0.0.1:{port}"
    try:
        if again:
            point_station_at(store, settings_path, url)
        else:
            info = setup_central(store, settings_path, url, token)
            store.settings.set("sync.server_url", url)
            (folder / LINK_FILE).write_text(json.dumps({
                "station_id": store.station_id,
                "server_public_key": info["server_public_key"]}), encoding="utf-8")
    except BaseException:
        stop_process(proc)
        raise
    log.info("demo central server at %s (pid %d, %s)", url, proc.pid,
             "found again" if again else "new")
    return proc, url, folder
