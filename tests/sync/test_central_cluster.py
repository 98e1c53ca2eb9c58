"""Two `kiosk-central serve` processes over ONE PostgreSQL database and ONE S3 bucket
(SeaweedFS), behind HAProxy, with a real station delivering through the front: the
production set-up of docs/central-production.md, every part a real program
(tests/central/services.py)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import subprocess
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest
import requests
from harness import CENTRAL, free_port, link, make_station

import ektp_protocol as protocol
from kiosk.sync.engine import run_until_idle
from kiosk.sync.link import open_engine
from tests.central.services import haproxy, postgres_cluster, seaweed_s3


class Cluster:
    """The shared database and bucket, the key file, and the processes serving them."""

    def __init__(self, tmp: Path, dsn: str, s3) -> None:
        self.tmp, self.dsn, self.s3 = tmp, dsn, s3
        self.bucket = s3.create_bucket(f"c-{uuid.uuid4().hex[:12]}")
        key = tmp / "server-key"
        subprocess.run([CENTRAL, "new-key", str(key)], check=True, capture_output=True)
        self.env = {**os.environ, **s3.env(), "KIOSK_CENTRAL_DATABASE": dsn,
                    "KIOSK_CENTRAL_BLOB_STORE": f"s3://{self.bucket}/blobs",
                    "KIOSK_CENTRAL_KEY_FILE": str(key),
                    "KIOSK_CENTRAL_S3_ENDPOINT": s3.endpoint_url,
                    "KIOSK_CENTRAL_S3_REGION": s3.region}
        self.procs: list[tuple[subprocess.Popen, Path, str]] = []

    def cli(self, *args: str) -> str:
        out = subprocess.run([CENTRAL, *args], env=self.env, capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        return out.stdout.strip()

    def serve(self) -> str:
        port = free_port()
        log = self.tmp / f"serve-{port}.log"
        with open(log, "ab") as fh:
            proc = subprocess.Popen([CENTRAL, "serve", "--port", str(port)], env=self.env,
                                    stdout=subprocess.DEVNULL, stderr=fh)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(requests.RequestException):
                if requests.get(url + "/v1/health", timeout=1).ok:
                    break
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text()[-2000:]
            time.sleep(0.05)
        self.procs.append((proc, log, url))
        return url

    def stop(self) -> None:
        for proc, _, _ in self.procs:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def logs(self) -> str:
        return "".join(log.read_text(errors="replace") for _, log, _ in self.procs)

    def rows(self) -> dict[str, tuple[int, dict]]:
        """record_id -> (rows with that id, manifest) as PostgreSQL holds them."""
        with psycopg.connect(self.dsn) as conn:
            got = conn.execute("SELECT record_id, COUNT(*), MIN(manifest::text) FROM "
                               "records GROUP BY record_id").fetchall()
            out = {}
            for rid, n, _ in got:
                (body,) = conn.execute("SELECT manifest FROM records WHERE record_id = %s",
                                       [rid]).fetchone()
                out[rid] = (n, json.loads(bytes(body)))
        return out

    def object(self, sha: str) -> bytes | None:
        try:
            return self.s3.client().get_object(Bucket=self.bucket,
                                               Key=f"blobs/{sha[:2]}/{sha}")["Body"].read()
        except Exception:  # noqa: BLE001 - absent
            return None


@pytest.fixture(scope="module")
def services(tmp_path_factory):
    with postgres_cluster(tmp_path_factory.mktemp("pg")) as pg, \
            seaweed_s3(tmp_path_factory.mktemp("s3")) as s3:
        yield pg, s3


@pytest.fixture
def cluster(services, tmp_path):
    pg, s3 = services
    if not pg.running():
        pg.start()
    c = Cluster(tmp_path, pg.create_database(f"c_{uuid.uuid4().hex[:12]}"), s3)
    c.cli("migrate")
    try:
        yield c
    finally:
        c.stop()
    assert " 500 " not in c.logs() and "Traceback" not in c.logs(), c.logs()[-3000:]


def _drain(store, timeout: float = 120.0) -> None:
    engine = open_engine(store)
    try:
        assert run_until_idle(engine, timeout), engine.state()
    finally:
        engine.close()


def assert_delivered(store, cluster: Cluster) -> None:
    """Every record verified on the station, ONE row in PostgreSQL with the station's
    manifest, every blob in the bucket with the station's bytes."""
    rows = cluster.rows()
    assert store.db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0] == 0
    for rid, state, sha in store.db.execute("SELECT id, state, manifest_sha256 FROM records"):
        assert state == "verified", (rid, state)
        count, manifest = rows[rid]
        assert count == 1
        assert hashlib.sha256(protocol.canonical(manifest)).hexdigest() == sha
        for b in store.blob_rows(rid):
            assert cluster.object(b["sha256"]) == store.blob(rid, b["kind"])


def test_a_station_delivers_through_two_processes_and_survives_amnesia(cluster, tmp_path):
    a, b = cluster.serve(), cluster.serve()
    with haproxy([a, b], tmp_path) as front:
        store = make_station(tmp_path / "station", 20)
        try:
            link(store, front, cluster.cli("station", "add", "kec-1"))
            _drain(store)
            assert len(cluster.rows()) == 20
            assert_delivered(store, cluster)
            ids = [r[0] for r in store.db.execute("SELECT id FROM records ORDER BY id")]
            with psycopg.connect(cluster.dsn) as conn:  # the database forgets two records
                for rid in ids[:2]:
                    conn.execute("DELETE FROM status_changes WHERE record_id = %s", [rid])
                    conn.execute("DELETE FROM record_blobs WHERE record_id = %s", [rid])
                    conn.execute("DELETE FROM records WHERE record_id = %s", [rid])
            lost = store.blob_rows(ids[5])[0]["sha256"]  # the bucket loses a blob
            cluster.s3.client().delete_object(Bucket=cluster.bucket,
                                              Key=f"blobs/{lost[:2]}/{lost}")
            _drain(store)  # within the recheck period (an hour) the servers do not ask S3
            assert store.db.execute("SELECT state FROM records WHERE id = ?",
                                    [ids[5]]).fetchone()[0] == "verified"
            with psycopg.connect(cluster.dsn) as conn:  # ... and then that hour has passed
                conn.execute("UPDATE blobs SET confirmed_at = '2000-01-01T00:00:00+00:00'")
            _drain(store)
            requeued = store.db.execute(
                "SELECT COUNT(*) FROM audit WHERE action = 'record.requeued'").fetchone()[0]
            assert requeued >= 3
            assert_delivered(store, cluster)
        finally:
            store.close()


def test_the_same_record_put_to_both_processes_at_once_makes_one_row(cluster):
    a, b = cluster.serve(), cluster.serve()
    token = cluster.cli("station", "add", "racer")
    headers = {"Authorization": f"Bearer {token}"}
    key = protocol.new_private_key()
    assert requests.put(a + "/v1/station/key", headers=headers, timeout=10,
                        json={"public_key": protocol.public_key_of(key)}).ok
    data = b"one photo, stored once " * 100
    sha = hashlib.sha256(data).hexdigest()
    assert requests.put(f"{b}/v1/blobs/{sha}", data=data, headers=headers, timeout=10).ok
    for _ in range(50):
        rid = str(uuid.uuid4())
        body = protocol.canonical({
            "protocol": "v1", "record_id": rid, "station_id": "racer-1", "regno": "R",
            "local_date": "2026-01-01", "created_at": "t", "operator": "o", "applicant": {},
            "exceptions": {}, "summary": {}, "blobs": [{"kind": "photo", "sha256": sha,
                                                        "size": len(data),
                                                        "content_type": "image/jpeg"}]})
        put_headers = {**headers, "Kiosk-Signature": protocol.sign(key, body)}

        def put(url: str, rid: str = rid, body: bytes = body,
                h: dict = put_headers) -> requests.Response:
            return requests.put(f"{url}/v1/records/{rid}", data=body, headers=h, timeout=30)

        with ThreadPoolExecutor(2) as pool:
            answers = list(pool.map(put, [a, b]))
        assert sorted(r.status_code for r in answers) == [200, 201]
        assert answers[0].json() == answers[1].json()
    rows = cluster.rows()
    assert len(rows) == 50 and all(n == 1 for n, _ in rows.values())
