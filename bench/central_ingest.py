"""Central ingest on loopback: records/s and latency with N concurrent stations, then what
`--max-inflight` does to p95 under twice that load (unlimited server as the baseline).

Stations, records, manifests, signatures and blob bytes are all prepared before the clock
starts, so the timed part measures the server (plus the client threads sharing its 2 cores).
Each station thread has its own requests.Session and bearer token and delivers its records one
after another as the protocol says: `blobs:missing`, PUT the missing blobs, PUT the signed
manifest, check the signed 201 receipt. A 503 is counted and its Retry-After slept, then the
same request is sent again. Every run uses a fresh server data directory, so every record is
new to it. Each configuration runs `--repeats` times (the x2 ones interleaved); the JSON
quotes the median of every figure and each repeat's p95s. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import keyring
import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "sync"))

from harness import CentralProcess, link, make_station  # noqa: E402

import ektp_protocol as protocol  # noqa: E402
from central.storage import CentralStore  # noqa: E402
from kiosk.store.keys import MemoryKeyring, get_secret  # noqa: E402
from kiosk.store.station import Store  # noqa: E402
from kiosk.sync.client import GZIP_MIN  # noqa: E402
from kiosk.sync.link import SERVER_KEY_META, signing_key_name  # noqa: E402
from kiosk.sync.manifest import Payload, build_payload  # noqa: E402

TIMEOUT = 60.0


class IngestFailed(RuntimeError):
    """The server answered something a station would not count as a delivery."""


@dataclass
class Tally:
    """What every station thread of one run measured (appends are atomic under the GIL)."""

    admitted_s: list[float] = field(default_factory=list)  # per request that was not a 503
    record_s: list[float] = field(default_factory=list)  # first request of a record -> receipt
    busy: int = 0
    connection_errors: int = 0
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def pct(xs: list[float], q: float) -> float:
    """Nearest-rank percentile, in milliseconds."""
    s = sorted(xs)
    return round(1000 * s[max(0, math.ceil(q / 100 * len(s)) - 1)], 1)


def send(session: requests.Session, tally: Tally, method: str, url: str, body: bytes,
         headers: dict[str, str]) -> requests.Response:
    """One request, re-sent after each 503 (sleeping its Retry-After) or dropped connection."""
    while True:
        started = time.monotonic()
        try:
            resp = session.request(method, url, data=body, headers=headers, timeout=TIMEOUT)
        except requests.ConnectionError:
            with tally.lock:
                tally.connection_errors += 1
            time.sleep(0.1)
            continue
        elapsed = time.monotonic() - started
        if resp.status_code == 503:
            with tally.lock:
                tally.busy += 1
            time.sleep(float(resp.headers.get("Retry-After") or 1))
            continue
        tally.admitted_s.append(elapsed)
        return resp


def json_request(doc_or_bytes: object) -> tuple[bytes, dict[str, str]]:
    """Body and headers as the station client sends JSON (gzip from GZIP_MIN bytes)."""
    body = doc_or_bytes if isinstance(doc_or_bytes, bytes) else protocol.canonical(doc_or_bytes)
    headers = {"Content-Type": "application/json", "Accept-Encoding": "gzip"}
    if len(body) >= GZIP_MIN:
        body = gzip.compress(body, compresslevel=6, mtime=0)
        headers["Content-Encoding"] = "gzip"
    return body, headers


def deliver(url: str, token: str, server_key: str, payloads: list[Payload], tally: Tally,
            go: threading.Barrier) -> None:
    """One station thread: deliver every payload in order and check each receipt."""
    session = requests.Session()
    session.headers.clear()
    session.headers["Authorization"] = f"Bearer {token}"
    go.wait()
    try:
        for p in payloads:
            started = time.monotonic()
            body, hdrs = json_request({"sha256": sorted(p.blobs)})
            resp = send(session, tally, "POST", url + "/v1/blobs:missing", body, hdrs)
            if resp.status_code != 200:
                raise IngestFailed(f"blobs:missing {resp.status_code}")
            for sha in resp.json()["missing"]:
                r = send(session, tally, "PUT", f"{url}/v1/blobs/{sha}", p.blobs[sha], {})
                if r.status_code != 201:
                    raise IngestFailed(f"blob {sha[:12]} answered {r.status_code}")
            body, hdrs = json_request(p.manifest)
            hdrs[protocol.SIGNATURE_HEADER] = p.signature
            resp = send(session, tally, "PUT", f"{url}/v1/records/{p.record_id}", body, hdrs)
            if resp.status_code != 201:
                raise IngestFailed(f"record answered {resp.status_code}: {resp.text[:200]}")
            protocol.check_receipt(resp.json(), server_key, p.record_id, p.manifest_sha256)
            tally.record_s.append(time.monotonic() - started)
    except (IngestFailed, protocol.ProtocolError, requests.RequestException, ValueError) as exc:
        with tally.lock:
            tally.errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        session.close()


def start_server(data_dir: Path, stores: list[Store], max_inflight: int
                 ) -> tuple[CentralProcess, list[str]]:
    """A fresh server knowing every station (tokens made in its data dir before it starts),
    each station linked to it: key registered, server key pinned."""
    central = CentralStore(data_dir)
    tokens = [central.add_station(f"st{i:02d}") for i in range(len(stores))]
    central.conn().close()
    server = CentralProcess(data_dir, max_inflight=max_inflight)
    try:
        for store, token in zip(stores, tokens, strict=True):
            link(store, server.url, token)
    except BaseException:
        server.stop()
        raise
    return server, tokens


def run(tmp: Path, name: str, stores: list[Store], payloads: list[list[Payload]],
        max_inflight: int) -> dict[str, object]:
    """Every station of `stores` delivers its payloads at once to a fresh server."""
    data_dir = tmp / name
    server, tokens = start_server(data_dir, stores, max_inflight)
    try:
        server_key = stores[0].meta(SERVER_KEY_META)
        tally = Tally()
        go = threading.Barrier(len(stores) + 1)
        threads = [
            threading.Thread(target=deliver, args=(server.url, tok, server_key, pl, tally, go))
            for tok, pl in zip(tokens, payloads, strict=True)
        ]
        for t in threads:
            t.start()
        go.wait()
        started = time.monotonic()
        for t in threads:
            t.join()
        seconds = time.monotonic() - started
    finally:
        server.stop()
    with sqlite3.connect(data_dir / "central.db") as conn:
        held = conn.execute("SELECT COUNT(*) FROM records").fetchone()[0]
    expected = sum(len(p) for p in payloads)
    if tally.errors or held != expected or len(tally.record_s) != expected:
        raise IngestFailed(f"{name}: {held}/{expected} held, errors {tally.errors[:3]}")
    return {
        "seconds": round(seconds, 2),
        "records_per_s": round(expected / seconds, 1),
        "record_p50_ms": pct(tally.record_s, 50),
        "record_p95_ms": pct(tally.record_s, 95),
        "admitted_request_p50_ms": pct(tally.admitted_s, 50),
        "admitted_request_p95_ms": pct(tally.admitted_s, 95),
        "admitted_requests": len(tally.admitted_s),
        "answers_503": tally.busy,
        "connection_errors": tally.connection_errors,
    }


def summary(runs: list[dict[str, float]], stations: int, records: int,
            max_inflight: int) -> dict[str, object]:
    """Median of every figure over the repeats, plus each repeat's p95s."""
    out: dict[str, object] = {
        "max_inflight": max_inflight or "unlimited (0)", "stations": stations,
        "records": records, "repeats": len(runs),
    }
    for key in runs[0]:
        out[f"median_{key}"] = statistics.median(r[key] for r in runs)
    out["each_record_p95_ms"] = [r["record_p95_ms"] for r in runs]
    out["each_admitted_request_p95_ms"] = [r["admitted_request_p95_ms"] for r in runs]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--stations", type=int, default=20, help="concurrent stations (load x1)")
    ap.add_argument("--records", type=int, default=10, help="records per station")
    ap.add_argument("--generous", type=int, default=64, help="--max-inflight of the x1 run")
    ap.add_argument("--small", type=int, default=8, help="--max-inflight under x2 load")
    ap.add_argument("--repeats", type=int, default=3, help="runs of each configuration")
    args = ap.parse_args()
    keyring.set_keyring(MemoryKeyring())
    tmp = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    n2 = 2 * args.stations

    prep = time.monotonic()
    stores = [make_station(tmp / f"st{i:02d}", args.records, first=i * args.records)
              for i in range(n2)]
    # Link once so each station has its signing key, then sign every manifest up front.
    warm, _ = start_server(tmp / "warm-up", stores, 0)
    warm.stop()
    payloads = []
    for store in stores:
        key = get_secret(signing_key_name(store.station_id))
        ids = [r[0] for r in store.db.execute("SELECT id FROM records ORDER BY created_at, id")]
        payloads.append([build_payload(store, rid, key) for rid in ids])
    blob_bytes = sum(p.blob_bytes for pl in payloads for p in pl)
    prep_s = time.monotonic() - prep

    n1 = args.stations
    load1 = [run(tmp, f"x1-{i}", stores[:n1], payloads[:n1], args.generous)
             for i in range(args.repeats)]
    unlimited: list[dict[str, float]] = []
    limited: list[dict[str, float]] = []
    for i in range(args.repeats):  # interleaved, so drift hits both alike
        unlimited.append(run(tmp, f"x2-unlimited-{i}", stores, payloads, 0))
        limited.append(run(tmp, f"x2-limited-{i}", stores, payloads, args.small))
    for store in stores:
        store.close()
    base = summary(unlimited, n2, n2 * args.records, 0)
    small = summary(limited, n2, n2 * args.records, args.small)

    def ratio(key: str) -> float:
        return round(small[key] / base[key], 2)  # type: ignore[operator]

    print(json.dumps({
        "benchmark": "central_ingest",
        "setup": {
            "loopback": True, "blobs_per_record": len(payloads[0][0].blobs),
            "requests_per_record": 2 + len(payloads[0][0].blobs),
            "blob_kib_per_record": round(blob_bytes / sum(map(len, payloads)) / 1024, 1),
            "records_per_station": args.records, "one_record_at_a_time_per_station": True,
            "retry_after_s": 1, "fresh_server_data_dir_per_run": True,
            "clients_share_the_2_cores_with_the_server": True,
            "prepare_seconds": round(prep_s, 1),
        },
        f"load_x1_{n1}_stations": summary(load1, n1, n1 * args.records, args.generous),
        f"load_x2_{n2}_stations": {
            "baseline_unlimited": base,
            f"max_inflight_{args.small}": small,
            "limited_over_unlimited_medians": {
                "admitted_request_p95": ratio("median_admitted_request_p95_ms"),
                "record_p95": ratio("median_record_p95_ms"),
                "records_per_s": ratio("median_records_per_s"),
            },
        },
    }, indent=2))


if __name__ == "__main__":
    main()
