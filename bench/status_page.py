"""The applicant's status page under load: 50 concurrent clients posting lookups (`POST /cek`,
found and not found) to a real `kiosk-central serve` holding 100,000 records; requests/s and
p50/p95/p99 latency, beside the baseline of the same run: the bare form (`GET /cek`, no database)
under the same 50 clients. Target: p95 < 100 ms on this machine.

The records go straight into the embedded server's SQLite file in one transaction (manifest,
regno, lookup key, status; realistic manifests of ~2 KB), not through HTTP: the figure is
about reading them. The load comes from Debian's `wrk` (C, one thread, keep-alive, a small Lua
script cycling through prepared form bodies), installed with apt-get when missing, so the
load generator takes little of the 2 cores the server shares with it. The rate limits are
raised for the run (`--rate-per-client`, `--rate-per-regno`): every request comes from
127.0.0.1, and each still counts in the database as it would in service. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "sync"))

from harness import free_port  # noqa: E402

import ektp_protocol as protocol  # noqa: E402
from central.db_types import status_lookup  # noqa: E402
from central.storage import CentralStore  # noqa: E402

CENTRAL = str(Path(sys.executable).parent / "kiosk-central")
TARGET_P95_MS = 100.0
STATIONS = 40
OFFICES = [("Kantor Kecamatan Sabangau", "627104", "Asia/Jakarta"),
           ("Kantor Kecamatan Ujung Pandang", "737101", "Asia/Makassar"),
           ("Kantor Distrik Abepura", "947104", "Asia/Jayapura")]
NAMES = ["BUDI", "SITI", "AHMAD", "DEWI", "RINA", "AGUS", "SRI", "HENDRA", "NURUL", "YUSUF",
         "SANTOSO", "NURHALIZA", "FAUZI", "LESTARI", "MARLINA", "PRATAMA", "WIJAYA", "HASAN"]
# wrk's report as one JSON line (every figure wrk keeps, in microseconds)
LUA_DONE = """done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests": %d, "duration_us": %d, "connect": %d, '
    .. '"read": %d, "write": %d, "status": %d, "timeout": %d, "p50_us": %d, '
    .. '"p95_us": %d, "p99_us": %d, "max_us": %d}\\n', summary.requests, summary.duration,
    e.connect, e.read, e.write, e.status, e.timeout, latency:percentile(50),
    latency:percentile(95), latency:percentile(99), latency.max))
end
"""
LUA_POST = """wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
local bodies = {BODIES}
local i = 0
request = function()
  i = i % #bodies + 1
  return wrk.format(nil, nil, nil, bodies[i])
end
"""


def ensure_wrk() -> str:
    """Debian's wrk, installed as the Makefile's bench target installs sqlite3."""
    if shutil.which("wrk") is None:
        for cmd in (["apt-get", "install", "-y", "-qq", "wrk"],
                    ["sudo", "apt-get", "install", "-y", "-qq", "wrk"]):
            try:
                if subprocess.run(cmd, capture_output=True, timeout=600).returncode == 0:
                    break
            except (OSError, subprocess.TimeoutExpired):
                continue
    path = shutil.which("wrk")
    if path is None:
        sys.exit("wrk is missing and could not be installed: apt-get install wrk")
    return path


def _manifest(rid: str, station_id: str, regno: str, nik: str, nama: str, born: str,
              rng: random.Random) -> bytes:
    """A manifest shaped like a station's: the applicant and 13 blobs (photo, 10 fingers,
    signature, scanner evidence)."""
    kinds = ["photo.jpg", *(f"finger.{p}" for p in range(1, 11)), "signature.png",
             "sbi.evidence"]
    return protocol.canonical({
        "protocol": "v1", "record_id": rid, "station_id": station_id, "regno": regno,
        "local_date": "2026-12-07", "created_at": "2026-12-07T09:00:00+07:00",
        "operator": "budi", "exceptions": {}, "summary": {"items": kinds},
        "applicant": {"nik": nik, "nama": nama, "tanggal_lahir": born, "kecamatan": regno[:6],
                      "alamat": "JL. TJILIK RIWUT KM 5", "jenis_kelamin": "L"},
        "blobs": [{"kind": k, "sha256": hashlib.sha256(f"{rid}{k}".encode()).hexdigest(),
                   "size": rng.randrange(20_000, 300_000), "content_type": "application/x"}
                  for k in kinds]})


def fill(data_dir: Path, n: int, seed: int = 7) -> list[tuple[str, str]]:
    """`n` records from STATIONS stations (two of three reported their office) straight into
    the database in one transaction; answers every (regno, birth date) stored."""
    rng = random.Random(seed)
    store = CentralStore(data_dir)
    ids = [store.db.add_station(f"kec-{s:02d}", f"token-hash-{s}") for s in range(STATIONS)]
    rows, people = [], []
    for i in range(n):
        s = i % STATIONS
        office = OFFICES[s % len(OFFICES)]
        k = i // STATIONS  # the station's k-th recording: 30 a day, numbered from 001
        day = dt.date(2026, 1, 1) + dt.timedelta(days=k // 30)
        regno = f"{office[1]}-{s:02d}-{day:%Y%m%d}-{k % 30 + 1:03d}"
        born = f"{rng.randrange(1940, 2008)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
        nik = f"{office[1]}{born[8:10]}{born[5:7]}{born[2:4]}{i % 10000:04d}"
        nama = f"{rng.choice(NAMES)} {rng.choice(NAMES)}"
        rid = str(uuid.UUID(int=rng.getrandbits(128)))
        body = _manifest(rid, f"st-{s:02d}", regno, nik, nama, born, rng)
        status = rng.choices(["received", "accepted", "rejected"], [70, 25, 5])[0]
        rows.append((rid, ids[s], body, hashlib.sha256(body).hexdigest(), "sig",
                     "2026-12-07T02:00:00.000000+00:00", "2026-12-07T09:00:00+07:00",
                     f"st-{s:02d}", regno, status_lookup(regno, born), status,
                     "Foto wajah buram." if status == "rejected" else None, "receipt-sig"))
        people.append((regno, born))
    with store.db.transaction() as tx:
        tx.executemany(
            "INSERT INTO records (record_id, station, manifest, manifest_sha256, "
            "station_signature, received_at, created_at, claimed_station_id, regno, lookup, "
            "status, reject_reason, receipt_signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
            "?, ?, ?)", rows)
        tx.executemany(
            "INSERT INTO station_reports (station, at, office, kecamatan, timezone) "
            "VALUES (?, ?, ?, ?, ?)",
            [(sid, "2026-12-07T02:00:00+00:00", *OFFICES[s % len(OFFICES)])
             for s, sid in enumerate(ids) if s % 3 != 2])
    store.close()
    return people


def bodies(people: list[tuple[str, str]], count: int, seed: int = 11) -> list[str]:
    """Form bodies: half found, a quarter unknown numbers, a quarter wrong birth dates."""
    rng = random.Random(seed)
    out = []
    for k in range(count):
        regno, born = rng.choice(people)
        if k % 4 == 2:
            regno = regno[:-6] + "999999"
        elif k % 4 == 3:
            born = "1900-01-01"
        out.append(urllib.parse.urlencode({"no": regno, "lahir": born}))
    return out


def wrk(binary: str, url: str, seconds: float, script: Path) -> dict:
    """One wrk run: 1 thread, 50 connections; its figures as a dict (milliseconds)."""
    cmd = [binary, "-t1", "-c50", f"-d{int(seconds)}s", "--timeout", "10s", "-s", str(script)]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, timeout=seconds + 60)
    line = next((x for x in out.stdout.splitlines() if x.startswith("WRKJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no figures: {out.stdout[-1000:]} {out.stderr[-1000:]}")
    raw = json.loads(line[8:])
    seconds_run = raw["duration_us"] / 1e6
    errors = {k: raw[k] for k in ("connect", "read", "write", "status", "timeout") if raw[k]}
    return {"requests": raw["requests"], "requests_per_s": round(raw["requests"] / seconds_run, 1),
            "p50_ms": raw["p50_us"] / 1000, "p95_ms": raw["p95_us"] / 1000,
            "p99_ms": raw["p99_us"] / 1000, "max_ms": raw["max_us"] / 1000, "errors": errors}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--seconds", type=float, default=25.0)
    ap.add_argument("--baseline-seconds", type=float, default=10.0)
    args = ap.parse_args()
    binary = ensure_wrk()
    with tempfile.TemporaryDirectory(prefix="status-page-") as tmp:
        data = Path(tmp) / "central"
        t0 = time.perf_counter()
        people = fill(data, args.records)
        filled_s = time.perf_counter() - t0
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        log = open(Path(tmp) / "server.log", "wb")  # noqa: SIM115 (closed below)
        proc = subprocess.Popen(
            [CENTRAL, "serve", "--data-dir", str(data), "--port", str(port),
             "--rate-per-client", "1000000000", "--rate-per-regno", "1000000000"],
            stdout=subprocess.DEVNULL, stderr=log)
        try:
            result = measure(binary, url, people, args, Path(tmp))
        finally:
            proc.terminate()
            proc.wait(20)
            log.close()
    result["records"] = args.records
    result["fill_s"] = round(filled_s, 1)
    print(json.dumps(result, indent=2))


def measure(binary: str, url: str, people: list[tuple[str, str]], args: argparse.Namespace,
            tmp: Path) -> dict:
    """Check the answers are the page's, warm up, then the baseline and the lookups."""
    deadline = time.monotonic() + 30
    while True:
        try:
            if requests.get(url + "/v1/health", timeout=1).ok:
                break
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            sys.exit("the server did not start")
        time.sleep(0.1)
    regno, born = people[123]
    found = requests.post(url + "/cek", data={"no": regno, "lahir": born}, timeout=10)
    missed = requests.post(url + "/cek", data={"no": regno, "lahir": "1900-01-01"}, timeout=10)
    assert found.status_code == 200 and "****" in found.text, found.text[-2000:]
    assert missed.status_code == 200 and "Belum ditemukan" in missed.text
    script, form = tmp / "post.lua", tmp / "get.lua"
    script.write_text(LUA_POST.replace("BODIES", ", ".join(
        json.dumps(b) for b in bodies(people, 4000))) + LUA_DONE)
    form.write_text(LUA_DONE)
    wrk(binary, url + "/cek", 3, script)  # warm-up: connections, caches, the page cache
    baseline = wrk(binary, url + "/cek", args.baseline_seconds, form)
    lookups = wrk(binary, url + "/cek", args.seconds, script)
    return {
        "figure": "status page POST /cek under 50 concurrent clients",
        "load_generator": "wrk 4.1 (Debian), 1 thread, 50 keep-alive connections, Lua-cycled "
                          "form bodies: 1/2 found, 1/4 unknown number, 1/4 wrong birth date",
        "cores": os.cpu_count(),
        "lookups": lookups,
        "baseline_form_get": baseline,
        "target": {"p95_ms": TARGET_P95_MS, "met": lookups["p95_ms"] < TARGET_P95_MS
                   and not lookups["errors"]},
    }


if __name__ == "__main__":
    main()
