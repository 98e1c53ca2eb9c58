"""Test and bench harness: a real `kiosk-central` process, quick distinct recordings, stations
linked to a server, and the server-side checks (held exactly once, identical bytes)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
from functools import lru_cache
from pathlib import Path

import numpy as np
import requests

from kiosk.devices import iso19794
from kiosk.devices.signature import render_strokes
from kiosk.devices.sim import synthetic
from kiosk.domain.recording import FINGER_NAMES, PHOTO, SIGNATURE_PNG, Blob, Recording, finger_kind

CENTRAL = str(Path(sys.executable).parent / "kiosk-central")
KIOSK = str(Path(sys.executable).parent / "kiosk")
FAST_SYNC = {
    "sync.backoff_base": 0.05,
    "sync.backoff_cap": 1.0,
    "sync.health_timeout": 2.0,
    "sync.request_timeout": 5.0,
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class CentralProcess:
    """`kiosk-central serve` on 127.0.0.1 in a child process."""

    def __init__(self, data_dir: Path, *, max_inflight: int = 64,
                 tls: tuple[str, str] | None = None, ca: str | None = None,
                 extra: tuple[str, ...] = ()) -> None:
        self.data_dir = Path(data_dir)
        self.port = free_port()
        scheme = "https" if tls else "http"
        self.url = f"{scheme}://127.0.0.1:{self.port}"
        cmd = [CENTRAL, "serve", "--data-dir", str(data_dir), "--port", str(self.port),
               "--max-inflight", str(max_inflight)]
        if tls:
            cmd += ["--tls-cert", tls[0], "--tls-key", tls[1]]
        cmd += extra  # more serve options
        # The server's log goes to a file: a pipe nobody reads fills up (64 KB of tracebacks
        # from injected faults) and then blocks the server's event loop on its next log line.
        self.log_path = self.data_dir.parent / f"{self.data_dir.name}-server.log"
        self._log = open(self.log_path, "ab")  # noqa: SIM115  (closed in stop())
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=self._log)
        deadline = time.monotonic() + 20
        while True:
            try:
                if requests.get(self.url + "/v1/health", timeout=1, verify=ca or True).ok:
                    break
            except requests.RequestException:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"central did not start: {self.log_path.read_text()[-2000:]}")
            time.sleep(0.05)

    def view(self, record_ids: list[str] | None = None) -> dict[str, dict]:
        """What the server holds (harness.server_view of its data dir)."""
        return server_view(self.data_dir, record_ids)

    def add_station(self, name: str) -> str:
        out = subprocess.run([CENTRAL, "station", "add", "--data-dir", str(self.data_dir), name],
                             check=True, capture_output=True, text=True)
        return out.stdout.strip()

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._log.close()


@lru_cache(maxsize=1)
def _fingers() -> dict[int, np.ndarray]:
    return {p: synthetic.ridge_image(1000 + p, quality=0.95) for p in FINGER_NAMES}


FINGER_FORMATS = {  # name -> iso19794.encode(edition, compression)
    "2011-jpeg2000": ("2011", "jpeg2000_lossless"),  # what a registration scanner sends
    "2005-wsq": ("2005", "wsq"),  # what stations sent before issue 13 (~7x smaller)
}


def quick_recording(i: int, kecamatan: str = "627104", regions=None,
                    fingers: str = "2011-jpeg2000") -> Recording:
    """A complete, distinct recording in ~0.2 s (finger images shifted, not regrown);
    `fingers` is one of FINGER_FORMATS."""
    import cv2

    from kiosk.demo.records import demo_applicant, demo_photo
    from kiosk.domain.regions import RegionTable

    rng = np.random.default_rng(i)
    regions = regions or RegionTable.load()
    applicant = demo_applicant(rng, kecamatan, regions, dt.date.today(), serial=1 + i % 9999)
    blobs = [Blob(PHOTO, demo_photo(rng))]
    quality: dict[str, object] = {"face": {"passed": True}}
    for pos, img in _fingers().items():
        shifted = np.roll(img, (i * 7 + pos) % img.shape[1], axis=1)
        edition, compression = FINGER_FORMATS[fingers]
        blobs.append(Blob(finger_kind(pos), iso19794.encode(pos, 80, shifted, edition=edition,
                                                            compression=compression)))
        quality[finger_kind(pos)] = 80
    strokes = synthetic.signature_strokes(i)
    ok, png = cv2.imencode(".png", render_strokes(strokes))
    blobs.append(Blob(SIGNATURE_PNG, png.tobytes()))
    return Recording(applicant=applicant, blobs=blobs, quality=quality)


def make_station(data_dir: Path, n: int, *, first: int = 0, extra: dict | None = None,
                 fingers: str = "2011-jpeg2000"):
    """A Store with `n` saved recordings and fast-retry sync settings (settings.toml beside);
    `fingers`: the finger record format (FINGER_FORMATS)."""
    from kiosk.settings import Settings
    from kiosk.store.station import Store

    settings = Settings(path=data_dir / "settings.toml")
    for k, v in {**FAST_SYNC, **(extra or {})}.items():
        settings.set(k, v)
    settings.set("cap.daily", 1000)
    settings.save()
    store = Store(data_dir, settings)
    for i in range(n):
        store.save_recording(quick_recording(first + i, fingers=fingers), "tester")
    return store


def link(store, url: str, token: str) -> None:
    """`kiosk setup central` in-process, then reload the settings it wrote."""
    from kiosk.settings import Settings
    from kiosk.sync.link import setup_central

    setup_central(store, store.settings.path, url, token)
    store.settings = Settings.load(store.settings.path)


def server_view(central_dir: Path, record_ids: list[str] | None = None) -> dict[str, dict]:
    """record_id -> {"count", "manifest", "blobs": {sha: bytes}} read from the server's disk
    (of these records only, when given)."""
    conn = sqlite3.connect(central_dir / "central.db")
    out: dict[str, dict] = {}
    where, params = "", []
    if record_ids is not None:
        where = f" WHERE record_id IN ({', '.join('?' * len(record_ids))})"
        params = list(record_ids)
    for rid, manifest in conn.execute(f"SELECT record_id, manifest FROM records{where}",
                                      params):
        doc = json.loads(manifest)
        entry = out.setdefault(rid, {"count": 0, "manifest": doc, "blobs": {}})
        entry["count"] += 1
        for b in doc["blobs"]:
            path = central_dir / "blobs" / b["sha256"][:2] / b["sha256"]
            entry["blobs"][b["sha256"]] = path.read_bytes() if path.exists() else None
    conn.close()
    return out


def assert_delivered(store, server) -> None:
    """Every record of the station is verified, held once by the server, with identical bytes.
    `server`: an embedded server's data dir, or anything with `view()` (CentralProcess,
    cluster.ClusterCentral)."""
    rows = list(store.db.execute("SELECT id, state, manifest_sha256 FROM records"))
    view = server.view([r[0] for r in rows]) if hasattr(server, "view") \
        else server_view(server)
    assert store.db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0] == 0
    for rid, state, sha in rows:
        assert state == "verified", (rid, state)
        assert rid in view, f"{rid} not on the server"
        assert view[rid]["count"] == 1
        for b in store.blob_rows(rid):
            data = store.blob(rid, b["kind"])
            assert view[rid]["blobs"][b["sha256"]] == data
            assert hashlib.sha256(data).hexdigest() == b["sha256"]
        server_manifest = json.dumps(view[rid]["manifest"], sort_keys=True,
                                     separators=(",", ":"), ensure_ascii=False).encode()
        assert hashlib.sha256(server_manifest).hexdigest() == sha


def subprocess_env(keyring_file: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHON_KEYRING_BACKEND"] = "kiosk.store.keys.FileKeyring"
    env["KIOSK_KEYRING_FILE"] = str(keyring_file)
    return env


def rot_blob(store, record_id: str, kind: str | None = None) -> str:
    """Bit rot: flip bytes in the middle of one sealed blob of `record_id` (the first kind if
    none is given), straight in the database file's row. Returns the kind."""
    kind = kind or store.db.execute(
        "SELECT kind FROM blobs WHERE record_id = ? ORDER BY kind", [record_id]).fetchone()[0]
    sealed = bytearray(store.db.execute(
        "SELECT sealed FROM blobs WHERE record_id = ? AND kind = ?", [record_id, kind]
    ).fetchone()[0])
    middle = len(sealed) // 2
    for i in range(middle, middle + 4):
        sealed[i] ^= 0xFF
    store.db.execute("UPDATE blobs SET sealed = ? WHERE record_id = ? AND kind = ?",
                     [bytes(sealed), record_id, kind])
    return kind


def record_ids(store) -> list[str]:
    """The station's record ids, oldest first."""
    return [r[0] for r in store.db.execute("SELECT id FROM records ORDER BY created_at, id")]
