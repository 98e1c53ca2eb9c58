"""`kiosk-central scrub` and `serve --scrub-mb-per-s` as real processes: exit statuses (0 all
sound, 1 problems found, 2 cannot run), the JSON and the sentences, on the embedded server and
on PostgreSQL + S3; and the background scrub of a running server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import requests
from fastapi.testclient import TestClient

import ektp_protocol as protocol
from central.app import create_app
from central.scrub_state import Lease, scrub_report
from central.storage import CentralStore
from tests.central.test_backends_api import _closed_port, _Station
from tests.central.test_scrub import Backend, _deliver, _embedded

CENTRAL = str(Path(sys.executable).parent / "kiosk-central")


def _scrub(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([CENTRAL, "scrub", *args], capture_output=True, text=True,
                          timeout=120, env=env)


def _embedded_with_records(path: Path, n: int) -> dict[str, dict]:
    local = _embedded(path)
    records = _deliver(local, _Station(local.client, "kec-a"), n, path.name)
    local.store.close()
    return records


def test_scrub_exits_0_when_sound_1_with_a_problem_and_2_when_it_cannot_run(tmp_path):
    data = tmp_path / "central"
    records = _embedded_with_records(data, 2)
    done = _scrub("--data-dir", str(data), "--json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert (doc["blobs"], doc["problems"], doc["passes_finished"]) == (6, [], 1)

    rid, blobs = next(iter(records.items()))
    sha = sorted(blobs["blobs"])[0]
    path = data / "blobs" / sha[:2] / sha
    path.write_bytes(path.read_bytes()[:-1])  # a truncated file
    done = _scrub("--data-dir", str(data))
    assert done.returncode == 1, done.stderr
    assert f"damaged {sha}: records {rid}; stations kec-a" in done.stdout
    assert "Checked 6 blobs" in done.stdout and not path.exists()
    done = _scrub("--data-dir", str(data), "--json")  # found once; the rest is sound
    assert done.returncode == 0 and json.loads(done.stdout)["blobs"] == 5

    (data / "blobs").rename(tmp_path / "unmounted")
    done = _scrub("--data-dir", str(data), "--json")
    assert done.returncode == 2 and done.stdout == ""
    assert "is not there" in done.stderr and "Traceback" not in done.stderr
    done = _scrub("--data-dir", str(data), "--limit", "0")
    assert done.returncode == 2 and "Traceback" not in done.stderr


def test_scrub_on_postgresql_and_s3_names_the_damaged_blob_and_refuses_a_store_that_is_down(
        pg_dsn, s3, s3_env, tmp_path):
    key = tmp_path / "key"
    key.write_text(protocol.new_private_key())
    bucket = s3.create_bucket(f"t-{uuid.uuid4().hex[:16]}")
    store = CentralStore.open(pg_dsn, f"s3://{bucket}/blobs", key=key.read_text(),
                              migrate=True, blob_options={"endpoint_url": s3.endpoint_url,
                                                          "region": s3.region})
    client = TestClient(create_app(store=store, max_inflight=0))
    client.store = store
    backend = Backend(client, store, s3)
    records = _deliver(backend, _Station(client, "kec-b"), 2, "pgs3")
    sha = sorted(next(iter(records.values()))["blobs"])[2]
    backend.damage(sha)
    args = ["--database", pg_dsn, "--blob-store", f"s3://{bucket}/blobs",
            "--key-file", str(key), "--s3-region", s3.region]
    env = {**os.environ, **s3_env}

    down = _scrub(*args, "--s3-endpoint", f"http://127.0.0.1:{_closed_port()}", env=env)
    assert down.returncode == 2 and "cannot be read" in down.stderr
    assert "Traceback" not in down.stderr and scrub_report(store.db)["open"] == []
    done = _scrub(*args, "--s3-endpoint", s3.endpoint_url, "--json", env=env)
    assert done.returncode == 1, done.stderr
    doc = json.loads(done.stdout)
    assert [(p["sha256"], p["problem"], p["stations"]) for p in doc["problems"]] == [
        (sha, "damaged", ["kec-b"])]
    assert doc["damaged"] == 1 and doc["blobs"] == 6
    assert [f["sha256"] for f in scrub_report(store.db)["open"]] == [sha]
    store.close()


def test_serve_scrubs_in_the_background_and_gives_the_lease_up_when_stopped(tmp_path):
    """`serve --scrub-mb-per-s`: a blob damaged before the server started is found while it
    serves; stopping the server frees the lease at once for another process."""
    data = tmp_path / "central"
    records = _embedded_with_records(data, 2)
    sha = sorted(next(iter(records.values()))["blobs"])[0]
    path = data / "blobs" / sha[:2] / sha
    path.write_bytes(b"rot" + path.read_bytes()[3:])
    port = _closed_port()
    log = tmp_path / "server.log"
    with open(log, "wb") as sink:
        proc = subprocess.Popen([CENTRAL, "serve", "--data-dir", str(data), "--port", str(port),
                                 "--scrub-mb-per-s", "20"], stdout=sink, stderr=sink)
    store = CentralStore(data)
    try:
        deadline = time.monotonic() + 30
        while not scrub_report(store.db)["open"]:
            assert time.monotonic() < deadline and proc.poll() is None, log.read_text()
            time.sleep(0.1)
        assert requests.get(f"http://127.0.0.1:{port}/v1/health", timeout=5).ok
        assert Lease.current(store.db) is not None
    finally:
        proc.terminate()
        proc.wait(30)
    report = scrub_report(store.db)
    assert [(f["sha256"], f["problem"]) for f in report["open"]] == [(sha, "damaged")]
    assert report["scrubbing"] is None  # given up at shutdown, not left to expire
    assert "Traceback" not in log.read_text()
    store.close()
