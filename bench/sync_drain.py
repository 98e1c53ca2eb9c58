"""Backlog drain through a 1 Mbit/s, 150 ms-each-way link, beside curl sending the same bytes.

Prints one JSON object: time until every record is verified, curl's time for one file of the
same total size through an identical link (to a plain HTTP sink that reads and discards it:
the central caps one blob at 10 MiB), their ratio (target <= 1.05), the wire overhead, and
the requests per record. `--bundle` (the default) serves the central with the bundle upload
(POST /v1/blobs:bundle), `--no-bundle` without it, as today's server: the station finds out
which with one probe and sends blob by blob there.
"""

from __future__ import annotations

import argparse
import hashlib
import http.server
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import keyring

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "sync"))

from faultproxy import FaultProxy  # noqa: E402
from harness import FINGER_FORMATS, link, make_station  # noqa: E402
from test_bundle import BundleCentral, by_kind, per_record  # noqa: E402

from kiosk.store.keys import MemoryKeyring  # noqa: E402
from kiosk.sync.engine import run_until_idle  # noqa: E402
from kiosk.sync.link import open_engine  # noqa: E402


class _Sink(http.server.BaseHTTPRequestHandler):
    """Reads a PUT body whole and answers 204: the far end of curl's upload."""

    protocol_version = "HTTP/1.1"

    def do_PUT(self) -> None:  # noqa: N802 (http.server's name)
        left = int(self.headers.get("Content-Length", "0"))
        while left > 0:
            piece = self.rfile.read(min(left, 1 << 16))
            if not piece:  # the client went away
                return
            left -= len(piece)
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--count", type=int, default=40, help="records (the issue asks 200)")
    ap.add_argument("--mbit", type=float, default=1.0)
    ap.add_argument("--latency-ms", type=float, default=150.0)
    ap.add_argument("--bundle", action=argparse.BooleanOptionalAction, default=True,
                    help="serve the bundle upload (default) or not, as today's server")
    ap.add_argument("--fingers", choices=sorted(FINGER_FORMATS), default="2011-jpeg2000",
                    help="finger records: 2011/JPEG 2000 (~720 KB a record, today) or "
                         "2005/WSQ (~150 KB, what the issue's baseline measured)")
    args = ap.parse_args()
    keyring.set_keyring(MemoryKeyring())
    tmp = Path(tempfile.mkdtemp(prefix="bench-drain-"))
    server = BundleCentral(tmp / "central", bundle=args.bundle)
    rate = args.mbit * 1_000_000 / 8
    try:
        store = make_station(tmp / "st", args.count, fingers=args.fingers, extra={
            "sync.backoff_base": 0.5, "sync.backoff_cap": 5.0, "sync.request_timeout": 120.0})
        link(store, server.url, server.add_station("bench"))
        blob_bytes = store.db.execute("SELECT SUM(size) FROM blobs").fetchone()[0]
        with FaultProxy(server.port, bandwidth=rate, latency=args.latency_ms / 1000) as proxy:
            store.settings.set("sync.server_url", proxy.url)
            engine = open_engine(store)
            started = time.monotonic()
            ok = run_until_idle(engine, 3600)
            sync_s = time.monotonic() - started
            engine.close()
            wire = proxy.stats.bytes_up + proxy.stats.bytes_down
            kinds = by_kind(proxy.stats.requests)
        # curl: the same number of bytes as one file, through an identical fresh link
        blob = tmp / "one-file.bin"
        blob.write_bytes(hashlib.sha256(b"seed").digest() * (blob_bytes // 32 + 1))
        sink = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Sink)
        threading.Thread(target=sink.serve_forever, daemon=True).start()
        with FaultProxy(sink.server_address[1], bandwidth=rate,
                        latency=args.latency_ms / 1000) as proxy:
            started = time.monotonic()
            out = subprocess.run(
                ["/usr/bin/curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-T", str(blob),
                 f"{proxy.url}/upload"], capture_output=True, text=True, check=True)
            curl_s = time.monotonic() - started
        sink.shutdown()
        print(json.dumps({
            "benchmark": "sync_drain",
            "records": args.count,
            "fingers": args.fingers,
            "link": {"mbit_per_s": args.mbit, "one_way_latency_ms": args.latency_ms},
            "all_verified": ok,
            "blob_bytes": blob_bytes,
            "sync_seconds_to_all_verified": round(sync_s, 2),
            "curl_seconds_same_bytes": round(curl_s, 2),
            "curl_http_status": out.stdout,
            "ratio_sync_over_curl": round(sync_s / curl_s, 3),
            "target_ratio": 1.05,
            "wire_bytes_both_directions": wire,
            "overhead_vs_blob_bytes": round((wire - blob_bytes) / blob_bytes, 4),
            "bundle": args.bundle,
            "requests_total": sum(kinds.values()),
            "requests_by_kind": dict(sorted(kinds.items())),
            # blobs:missing, blob PUTs or bundles (the session's probe left out), record PUT
            "requests_per_record": round((per_record(kinds) - 1) / args.count, 2),
            "requests_per_record_all_included": round(sum(kinds.values()) / args.count, 2),
        }, indent=2))
        store.close()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
