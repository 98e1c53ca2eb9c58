"""The central server overloaded: successful requests/s and 503s/s from `--clients` keep-alive
clients hammering a `--max-inflight` server (defaults 32 and 8) for `--seconds`.

Each client thread has its own requests.Session (one kept-alive connection while the server
keeps it) and sends, back to back, the small authenticated request a station sends most:
`POST /v1/blobs:missing` with one hash (a JSON body of ~80 bytes). A 503 is counted and the
next request follows at once (no Retry-After sleep: this measures what refusing costs the
server). Also counted: answers that closed the connection (`Connection: close`), i.e. a new
TCP connection for the next request.

The server runs as `python -c "from central.cli import main; main()" serve` in a fresh data
directory, with the caller's environment and its working directory in /tmp, so
`PYTHONPATH=/tmp/base14 python bench/central_overload.py` measures the code of another tree
(the JSON names the `central` package it ran). Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

SERVER = [sys.executable, "-c", "from central.cli import main; main()"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _central(args: list[str], cwd: Path) -> str:
    out = subprocess.run([*SERVER, *args], check=True, capture_output=True, text=True, cwd=cwd)
    return out.stdout.strip()


def _hammer(url: str, token: str, until: float, counts: dict[str, int],
            lock: threading.Lock) -> None:
    session = requests.Session()
    session.headers.clear()
    session.headers["Authorization"] = f"Bearer {token}"
    body = json.dumps({"sha256": ["ab" * 32]}).encode()
    mine = {"ok": 0, "busy": 0, "other": 0, "closed": 0, "errors": 0}
    while time.monotonic() < until:
        try:
            r = session.post(url + "/v1/blobs:missing", data=body,
                             headers={"Content-Type": "application/json"}, timeout=10)
        except requests.RequestException:
            mine["errors"] += 1
            continue
        key = "ok" if r.status_code == 200 else "busy" if r.status_code == 503 else "other"
        mine[key] += 1
        if r.headers.get("Connection", "").lower() == "close":
            mine["closed"] += 1
    session.close()
    with lock:
        for k, v in mine.items():
            counts[k] += v


def run(clients: int, max_inflight: int, seconds: float) -> dict[str, object]:
    """Start a server, hammer it, stop it; the figures as a dict."""
    with tempfile.TemporaryDirectory(prefix="overload-") as tmp:
        work = Path(tmp)
        data = work / "central"
        tree = subprocess.run([sys.executable, "-c", "import central; print(central.__file__)"],
                              check=True, capture_output=True, text=True, cwd=work).stdout.strip()
        token = _central(["station", "add", "--data-dir", str(data), "bench"], work)
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        with open(work / "server.log", "wb") as log:
            proc = subprocess.Popen([*SERVER, "serve", "--data-dir", str(data), "--port",
                                     str(port), "--max-inflight", str(max_inflight)],
                                    cwd=work, stdout=subprocess.DEVNULL, stderr=log)
        try:
            deadline = time.monotonic() + 20
            while True:
                try:
                    if requests.get(url + "/v1/health", timeout=1).ok:
                        break
                except requests.RequestException:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("server did not start: "
                                     + (work / "server.log").read_text()[-2000:])
                time.sleep(0.05)
            counts = {"ok": 0, "busy": 0, "other": 0, "closed": 0, "errors": 0}
            lock = threading.Lock()
            start = time.monotonic()
            until = start + seconds
            threads = [threading.Thread(target=_hammer, args=(url, token, until, counts, lock))
                       for _ in range(clients)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed = time.monotonic() - start
        finally:
            proc.terminate()
            proc.wait(10)
    return {
        "central": str(Path(tree).parent),
        "clients": clients,
        "max_inflight": max_inflight,
        "seconds": round(elapsed, 2),
        "ok_per_s": round(counts["ok"] / elapsed, 1),
        "busy_503_per_s": round(counts["busy"] / elapsed, 1),
        "connection_closed_per_s": round(counts["closed"] / elapsed, 1),
        "other_status": counts["other"],
        "client_errors": counts["errors"],
        "cpus": os.cpu_count(),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--max-inflight", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--repeats", type=int, default=1, help="runs; each is printed")
    args = ap.parse_args()
    runs = [run(args.clients, args.max_inflight, args.seconds) for _ in range(args.repeats)]
    print(json.dumps(runs[0] if len(runs) == 1 else runs, indent=2))


if __name__ == "__main__":
    main()
