"""Protocol overhead: bytes on the wire per record (both directions, reconciliation included)
against the record's blob bytes, on an unshaped loopback link. Target: under 5 %."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import keyring

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "sync"))

from faultproxy import FaultProxy  # noqa: E402
from harness import CentralProcess, link, make_station  # noqa: E402

from kiosk.store.keys import MemoryKeyring  # noqa: E402
from kiosk.sync.engine import run_until_idle  # noqa: E402
from kiosk.sync.link import open_engine  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--count", type=int, default=20)
    args = ap.parse_args()
    keyring.set_keyring(MemoryKeyring())
    tmp = Path(tempfile.mkdtemp(prefix="bench-overhead-"))
    server = CentralProcess(tmp / "central")
    try:
        store = make_station(tmp / "st", args.count)
        link(store, server.url, server.add_station("bench"))
        blob_bytes = store.db.execute("SELECT SUM(size) FROM blobs").fetchone()[0]
        with FaultProxy(server.port) as proxy:
            store.settings.set("sync.server_url", proxy.url)
            engine = open_engine(store)
            started = time.monotonic()
            ok = run_until_idle(engine, 600)
            seconds = time.monotonic() - started
            engine.close()
            up, down = proxy.stats.bytes_up, proxy.stats.bytes_down
            requests = len(proxy.stats.requests)
        wire = up + down
        print(json.dumps({
            "benchmark": "sync_overhead",
            "records": args.count,
            "all_verified": ok,
            "seconds": round(seconds, 2),
            "blob_bytes_per_record": blob_bytes // args.count,
            "wire_bytes_per_record": wire // args.count,
            "requests_per_record": round(requests / args.count, 2),
            "bytes_up": up,
            "bytes_down": down,
            "overhead": round((wire - blob_bytes) / blob_bytes, 4),
            "target_overhead": 0.05,
        }, indent=2))
        store.close()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
