"""Central ingest at scale, the deployments in ONE run: (0) the baseline, the embedded server
of the tree before issue 14 (`--baseline REV`: no bundle, so today's stations fall back to
one PUT per blob there), (a) the embedded server (SQLite + a blob folder), (b) PostgreSQL +
S3 (SeaweedFS) with one `kiosk-central serve` process, (c) the same with two processes
behind HAProxy. Every part is the real program
(tests/central/services.py); each configuration gets a fresh database / bucket / data dir.

N stations (`--stations`), each with a backlog of M records (`--records`, harness
quick_recording: ~720 KB of blobs each), are made and linked before the clock starts. Then
every station's real sync engine (kiosk.sync, `run_until_idle`, with its own sender threads)
runs in its own thread, all released at once, until every station is idle.

Measured on the station side, in this process:
- records/s: records delivered / wall time from release to the last station idle;
- per-record latency: `SyncEngine._deliver` timed, i.e. from the record's first request
  (`blobs:missing`) to its receipt answer (before the station checks and stores it);
- requests per record: every `CentralClient` request counted by path (health, key, bundle
  probe, reconcile included in `all`; `delivery` counts only blobs:missing, bundle/blob PUTs
  and record PUTs), over the records delivered;
- MB/s: blob bytes of the delivered records / wall time (and request body bytes sent / time);
- CPU milliseconds per record of each kind of process (stations = this process, servers,
  PostgreSQL, SeaweedFS, HAProxy), user + kernel and kernel alone, read from /proc.
A record must end `verified` on its station and be one row at the server, else the run fails.
Prints one JSON object.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import json
import math
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import keyring
import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "sync"))

import cputime  # noqa: E402
from cluster import Cluster  # noqa: E402
from harness import (  # noqa: E402
    FINGER_FORMATS,
    CentralProcess,
    link,
    make_station,
)

from kiosk.store.keys import MemoryKeyring  # noqa: E402
from kiosk.sync import engine as sync_engine  # noqa: E402
from kiosk.sync.client import CentralClient, ServerBusy  # noqa: E402
from kiosk.sync.link import open_engine  # noqa: E402
from tests.central.services import haproxy, postgres_cluster, seaweed_s3  # noqa: E402

DRAIN_TIMEOUT = 600.0


class Meter:
    """Station-side counts of one run: requests by kind, body bytes, per-record seconds."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests: collections.Counter[str] = collections.Counter()
        self.busy = 0  # answers 503/429 (the station backs off and asks again)
        self.body_bytes = 0
        self.record_s: list[float] = []

    def reset(self) -> None:
        with self.lock:
            self.requests.clear()
            self.busy = 0
            self.body_bytes = 0
            self.record_s = []


METER = Meter()


def _kind(method: str, path: str) -> str:
    """A request's path reduced to its route (no addresses or record ids)."""
    if path.startswith("/v1/blobs/"):
        return f"{method} /v1/blobs/{{sha}}"
    if path.startswith("/v1/records/"):
        return f"{method} /v1/records/{{id}}"
    return f"{method} {path.split('?', 1)[0]}"


def instrument() -> None:
    """Wrap the station client's one request method and the engine's per-record delivery."""
    request, deliver = CentralClient._request, sync_engine.SyncEngine._deliver

    def counted(self, method, path, **kw):  # type: ignore[no-untyped-def]
        body = kw.get("body")
        with METER.lock:
            METER.requests[_kind(method, path)] += 1
            METER.body_bytes += len(body or b"")
        try:
            return request(self, method, path, **kw)
        except ServerBusy:
            with METER.lock:
                METER.busy += 1
            raise

    def timed(self, p):  # type: ignore[no-untyped-def]
        started = time.monotonic()
        out = deliver(self, p)
        with METER.lock:
            METER.record_s.append(time.monotonic() - started)
        return out

    CentralClient._request = counted  # type: ignore[method-assign]
    sync_engine.SyncEngine._deliver = timed  # type: ignore[method-assign]


def pct(xs: list[float], q: float) -> float:
    """Nearest-rank percentile, in milliseconds."""
    s = sorted(xs)
    return round(1000 * s[max(0, math.ceil(q / 100 * len(s)) - 1)], 1)


# --- the deployments: each yields (front URL, add_station(name) -> token, rows()) ----------

# (front URL, add a station -> token, rows held, the database's size in bytes by part)
Deployment = tuple[str, Callable[[str], str], Callable[[], int], Callable[[], dict[str, int]]]
BASELINE = "562c110"  # the tree before issue 14: no bundle, one server over SQLite


def _baseline_launcher(tmp: Path, rev: str) -> str:
    """A `kiosk-central` that runs the central server of revision `rev` (its own central/
    and ektp_protocol/, taken with git archive) on this venv's Python."""
    tree = tmp / f"central-{rev}"
    tree.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "central",
                              "ektp_protocol"], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    script = tmp / f"kiosk-central-{rev}"
    script.write_text(f"#!{sys.executable}\nimport sys\nsys.path.insert(0, {str(tree)!r})\n"
                      "from central.cli import main\nmain()\n")
    script.chmod(0o700)
    return str(script)


@contextlib.contextmanager
def embedded(tmp: Path, rev: str | None = None) -> Iterator[Deployment]:
    """`kiosk-central serve --data-dir D` as an operator starts it: this tree's, or that of
    revision `rev` (the baseline)."""
    import harness

    plain = harness.CENTRAL
    program = _baseline_launcher(tmp, rev) if rev else plain
    harness.CENTRAL = program  # CentralProcess starts harness.CENTRAL
    try:
        server = CentralProcess(tmp / "central")
    finally:
        harness.CENTRAL = plain

    def add_station(name: str) -> str:
        out = subprocess.run([program, "station", "add", "--data-dir", str(server.data_dir),
                              name], check=True, capture_output=True, text=True)
        return out.stdout.strip()

    try:
        def rows() -> int:
            with sqlite3.connect(server.data_dir / "central.db") as conn:
                return conn.execute("SELECT COUNT(*) FROM records").fetchone()[0]
        def footprint() -> dict[str, int]:  # SQLite: the file, indexes inside it
            db = server.data_dir / "central.db"
            return {"database_bytes": db.stat().st_size}

        yield server.url, add_station, rows, footprint
    finally:
        server.stop()


@contextlib.contextmanager
def shared(tmp: Path, pg, s3, processes: int) -> Iterator[Deployment]:
    """`processes` servers over one fresh PostgreSQL database and one fresh bucket; behind
    HAProxy when more than one (docs/central-production.md; tests/sync/cluster.py)."""
    cluster = Cluster(tmp, pg.create_database(f"bench_{uuid.uuid4().hex[:10]}"), s3)
    cluster.cli("migrate")
    empty = pg_footprint(cluster.dsn)  # the schema's own pages, taken off what a run adds
    try:
        urls = [cluster.serve() for _ in range(processes)]
        with contextlib.ExitStack() as stack:
            front = urls[0] if processes == 1 else stack.enter_context(haproxy(urls, tmp))
            yield (front, lambda name: cluster.cli("station", "add", name),
                   lambda: len(cluster.rows()),
                   lambda: {k: v - empty[k] for k, v in pg_footprint(cluster.dsn).items()})
    finally:
        cluster.stop()


def pg_footprint(dsn: str) -> dict[str, int]:
    """The database's rows and bytes (tables with TOAST, and indexes) after a run: what
    docs/scaling.md multiplies by a year of records."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
        tables = [r[0] for r in conn.execute(
            "SELECT relname FROM pg_stat_user_tables WHERE schemaname = 'public'")]
        rows = sum(conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables)
        heap, index = conn.execute(
            "SELECT COALESCE(SUM(pg_table_size(relid)), 0), "
            "COALESCE(SUM(pg_indexes_size(relid)), 0) FROM pg_stat_user_tables "
            "WHERE schemaname = 'public'").fetchone()
    return {"rows": rows, "table_bytes": int(heap), "index_bytes": int(index),
            "database_bytes": int(heap) + int(index)}


# --- one run -------------------------------------------------------------------------------

def run(tmp: Path, deployment: contextlib.AbstractContextManager[Deployment], stations: int,
        records: int, fingers: str) -> dict[str, object]:
    """Make and link the stations (untimed), then drain them all at once (timed)."""
    prep = time.monotonic()
    stores = [make_station(tmp / f"st{i:03d}", records, first=i * records, fingers=fingers)
              for i in range(stations)]
    blob_bytes = sum(b["size"] for s in stores for (rid,) in s.db.execute("SELECT id FROM records")
                     for b in s.blob_rows(rid))
    with deployment as (url, add_station, rows, footprint):
        for i, store in enumerate(stores):
            link(store, url, add_station(f"bench-{i:03d}"))
        prep_s = time.monotonic() - prep
        engines = [open_engine(s) for s in stores]
        ok: list[bool] = []
        go = threading.Barrier(stations + 1)

        def drain(engine) -> None:  # type: ignore[no-untyped-def]
            go.wait()
            ok.append(sync_engine.run_until_idle(engine, DRAIN_TIMEOUT))

        threads = [threading.Thread(target=drain, args=(e,)) for e in engines]
        for t in threads:
            t.start()
        METER.reset()
        cpu_before, sys_before = cputime.snapshot(), cputime.snapshot("system")
        go.wait()
        started = time.monotonic()
        for t in threads:
            t.join()
        seconds = time.monotonic() - started
        cpu = cputime.spent(cpu_before, cputime.snapshot())
        kernel = cputime.spent(sys_before, cputime.snapshot("system"))
        for e in engines:
            e.close()
        held = rows()
        size = footprint()
    expected = stations * records
    verified = sum(s.db.execute("SELECT COUNT(*) FROM records WHERE state = 'verified'")
                   .fetchone()[0] for s in stores)
    for s in stores:
        s.close()
    if not all(ok) or verified != expected or held != expected:
        raise RuntimeError(f"{verified}/{expected} verified, {held} rows, idle {ok.count(True)}")
    delivery = sum(n for k, n in METER.requests.items()
                   if "/v1/blobs" in k or "/v1/records/" in k or "bundle" in k)
    return {
        "records": expected, "seconds": round(seconds, 2),
        "records_per_s": round(expected / seconds, 2),
        "record_latency_p50_ms": pct(METER.record_s, 50),
        "record_latency_p95_ms": pct(METER.record_s, 95),
        "requests_per_record_all": round(sum(METER.requests.values()) / expected, 2),
        "requests_per_record_delivery": round(delivery / expected, 2),
        "requests": dict(sorted(METER.requests.items())),
        "answered_busy_503": METER.busy,
        "blob_mb_per_s": round(blob_bytes / seconds / 1e6, 2),
        "sent_body_mb_per_s": round(METER.body_bytes / seconds / 1e6, 2),
        "blob_bytes_per_record": round(blob_bytes / expected),
        "prepare_seconds": round(prep_s, 1),
        "cpu_seconds": cpu,
        "cpu_ms_per_record": {k: round(1000 * v / expected, 1) for k, v in cpu.items()},
        "of_which_kernel_ms_per_record": {k: round(1000 * v / expected, 1)
                                          for k, v in kernel.items()},
        "database_per_record": {k: round(v / expected, 1) for k, v in size.items()},
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--stations", type=int, default=40, help="concurrent stations")
    ap.add_argument("--records", type=int, default=5, help="backlog of records per station")
    ap.add_argument("--fingers", choices=sorted(FINGER_FORMATS), default="2011-jpeg2000",
                    help="finger records: 2011/JPEG 2000 (~720 KB a record, today) or "
                         "2005/WSQ (~150 KB, what the issue's baseline measured)")
    ap.add_argument("--baseline", default=BASELINE, metavar="REV",
                    help="also run the embedded server of this git revision first (the tree "
                         "before issue 14; '' to skip)")
    args = ap.parse_args()
    keyring.set_keyring(MemoryKeyring())
    instrument()
    tmp = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    out: dict[str, object] = {
        "benchmark": "central_scale", "stations": args.stations,
        "records_per_station": args.records, "fingers": args.fingers,
        "cores": os.cpu_count(),
        "loopback": True, "stations_share_the_cores_with_the_servers": True,
        "latency_is": "station side: first request of a record (blobs:missing) to its receipt",
        "requests_counted_at": "station side: every CentralClient request",
    }
    if args.baseline:
        out[f"baseline_embedded_{args.baseline}"] = run(
            tmp / "base", embedded(tmp / "base", args.baseline), args.stations, args.records,
            args.fingers)
    out["embedded"] = run(tmp / "a", embedded(tmp / "a"), args.stations, args.records,
                          args.fingers)
    (tmp / "pg").mkdir()
    with postgres_cluster(tmp / "pg") as pg, seaweed_s3(tmp / "s3") as s3:
        for name, n in (("postgres_s3_1_process", 1), ("postgres_s3_2_processes_haproxy", 2)):
            d = tmp / name
            d.mkdir()
            out[name] = run(d, shared(d, pg, s3, n), args.stations, args.records, args.fingers)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
