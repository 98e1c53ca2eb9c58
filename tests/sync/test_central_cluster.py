"""Two `kiosk-central serve` processes over ONE PostgreSQL database and ONE S3 bucket
(SeaweedFS), behind HAProxy, with a real station delivering through the front: the
production set-up of docs/central-production.md, every part a real program
(tests/central/services.py, tests/sync/cluster.py)."""

from __future__ import annotations

import hashlib
import uuid
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
import requests
from cluster import Cluster
from harness import assert_delivered, link, make_station

import ektp_protocol as protocol
from kiosk.sync.engine import run_until_idle
from kiosk.sync.link import open_engine
from tests.central.services import haproxy


@pytest.fixture
def cluster(production, tmp_path):
    pg, s3 = production
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
