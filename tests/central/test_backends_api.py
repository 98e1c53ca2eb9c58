"""The central API's main paths on BOTH backends: the embedded one (SQLite + a blob folder)
and the production one (PostgreSQL + S3 on SeaweedFS, real servers from tests/central/
services.py). The same test bodies run on each (`backend` is parametrized)."""

from __future__ import annotations

import hashlib
import socket
import uuid

import pytest
from fastapi.testclient import TestClient

import ektp_protocol as protocol
from central.app import create_app
from central.bundle import BUNDLE_PATH
from central.storage import CentralStore
from ektp_protocol import bundle as wire


def _production_store(pg_dsn: str, s3, *, endpoint: str | None = None) -> CentralStore:
    bucket = s3.create_bucket(f"t-{uuid.uuid4().hex[:16]}")
    return CentralStore.open(pg_dsn, f"s3://{bucket}/blobs", key=protocol.new_private_key(),
                             migrate=True, blob_options={"endpoint_url": endpoint or
                                                         s3.endpoint_url, "region": s3.region})


@pytest.fixture(params=["sqlite+file", "postgresql+s3"])
def client(request, tmp_path):
    if request.param == "sqlite+file":
        store = CentralStore(tmp_path / "central")
    else:
        request.getfixturevalue("s3_env")
        store = _production_store(request.getfixturevalue("pg_dsn"),
                                  request.getfixturevalue("s3"))
    with TestClient(create_app(store=store, max_inflight=0)) as c:
        c.store = store
        yield c
    store.close()


class _Station:
    def __init__(self, client: TestClient, name: str) -> None:
        self.headers = {"Authorization": f"Bearer {client.store.add_station(name)}"}
        self.key = protocol.new_private_key()
        r = client.put("/v1/station/key", headers=self.headers,
                       json={"public_key": protocol.public_key_of(self.key)})
        assert r.status_code == 200


def _blobs(n: int, tag: str) -> dict[str, bytes]:
    out = {}
    for i in range(n):
        data = f"{tag} blob {i} ".encode() * (50 + i)
        out[hashlib.sha256(data).hexdigest()] = data
    return out


def _manifest(rid: str, blobs: dict[str, bytes], station_id: str = "st-a") -> bytes:
    return protocol.canonical({
        "protocol": "v1", "record_id": rid, "station_id": station_id, "regno": f"R-{rid[:4]}",
        "local_date": "2026-01-01", "created_at": "2026-01-01T00:00:00", "operator": "o",
        "applicant": {}, "exceptions": {}, "summary": {},
        "blobs": [{"kind": f"k{i}", "sha256": sha, "size": len(data),
                   "content_type": "application/octet-stream"}
                  for i, (sha, data) in enumerate(blobs.items())]})


def _put_record(client, st, rid, body):
    return client.put(f"/v1/records/{rid}", content=body,
                      headers={**st.headers, "Kiosk-Signature": protocol.sign(st.key, body)})


def _missing(client, st, shas):
    r = client.post("/v1/blobs:missing", json={"sha256": list(shas)}, headers=st.headers)
    assert r.status_code == 200
    return r.json()["missing"]


def _reconcile(client, st, ids):
    r = client.post("/v1/reconcile", json={"record_ids": ids}, headers=st.headers)
    assert r.status_code == 200
    return r.json()


def test_a_record_is_delivered_blob_by_blob_with_a_signed_receipt(client):
    st = _Station(client, "kec-a")
    server_key = client.get("/v1/server-key", headers=st.headers).json()["public_key"]
    assert server_key == client.store.public_key
    blobs, rid = _blobs(3, "a"), str(uuid.uuid4())
    assert _missing(client, st, blobs) == list(blobs)
    assert _put_record(client, st, rid, _manifest(rid, blobs)).json() == {
        "missing_blobs": sorted(blobs)}
    for sha, data in blobs.items():
        r = client.put(f"/v1/blobs/{sha}", content=data, headers=st.headers)
        assert r.status_code == 201
    assert client.put(f"/v1/blobs/{sha}", content=data, headers=st.headers).status_code == 200
    assert _missing(client, st, blobs) == []
    body = _manifest(rid, blobs)
    first = _put_record(client, st, rid, body)
    assert first.status_code == 201
    receipt = protocol.check_receipt(first.json(), server_key, rid, protocol.sha256_hex(body))
    again = _put_record(client, st, rid, body)
    assert again.status_code == 200 and again.json() == first.json()
    assert client.store.read_blob(sha) == data
    ans = _reconcile(client, st, [rid, str(uuid.uuid4())])
    assert ans["present"] == {rid: first.json()} and len(ans["missing"]) == 1
    got = client.get(f"/v1/records/{rid}", headers=st.headers).json()
    assert got["status"] == "received" and got["receipt"]["server_seq"] == receipt.server_seq


def test_a_bundle_carries_every_blob_of_a_record_in_one_request(client):
    st = _Station(client, "kec-a")
    blobs, rid = _blobs(4, "b"), str(uuid.uuid4())
    r = client.post(BUNDLE_PATH, content=b"".join(wire.encode(list(blobs.items()))),
                    headers={**st.headers, "Content-Type": wire.CONTENT_TYPE})
    assert r.status_code == 200 and sorted(r.json()["stored"]) == sorted(blobs)
    assert _missing(client, st, blobs) == []
    assert _put_record(client, st, rid, _manifest(rid, blobs)).status_code == 201


def test_decisions_reach_the_station_in_order_and_revocation_holds_at_once(client):
    st, other = _Station(client, "kec-a"), _Station(client, "kec-b")
    ids = []
    for n in range(3):
        blobs, rid = _blobs(1, f"d{n}"), str(uuid.uuid4())
        for sha, data in blobs.items():
            client.put(f"/v1/blobs/{sha}", content=data, headers=st.headers)
        assert _put_record(client, st, rid, _manifest(rid, blobs)).status_code == 201
        ids.append(rid)
    client.store.set_status(ids[2], "rejected", "blurred photo")
    client.store.set_status(ids[0], "accepted", None)
    page = client.get("/v1/status-changes", params={"since": 0, "limit": 1},
                      headers=st.headers).json()
    assert [c["record_id"] for c in page["changes"]] == [ids[2]] and page["more"]
    rest = client.get("/v1/status-changes", params={"since": page["cursor"]},
                      headers=st.headers).json()
    assert [c["record_id"] for c in rest["changes"]] == [ids[0]] and not rest["more"]
    assert client.get("/v1/status-changes", headers=other.headers).json()["changes"] == []
    status = _reconcile(client, st, ids)["status"]
    assert status == {ids[2]: {"status": "rejected", "reason": "blurred photo"},
                      ids[0]: {"status": "accepted", "reason": None}}
    assert client.get("/v1/station", headers=st.headers).json()["records"] == 3
    client.store.revoke_station("kec-a", "tester")
    assert client.post("/v1/reconcile", json={"record_ids": ids},
                       headers=st.headers).status_code == 403
    assert client.get("/v1/station", headers=other.headers).status_code == 200


def test_a_blob_lost_from_the_store_makes_its_record_missing_until_sent_again(client):
    """The bytes are confirmed in the store itself: its rows alone do not make a record
    complete, and the station is asked for exactly the lost blob (asked at once here: no
    recheck period)."""
    client.store.recheck_after = 0
    st = _Station(client, "kec-a")
    blobs, rid = _blobs(2, "lost"), str(uuid.uuid4())
    for sha, data in blobs.items():
        client.put(f"/v1/blobs/{sha}", content=data, headers=st.headers)
    first = _put_record(client, st, rid, _manifest(rid, blobs)).json()
    lost = next(iter(blobs))
    assert client.store.blobs.delete(lost)
    assert _reconcile(client, st, [rid])["missing"] == [rid]
    assert _missing(client, st, blobs) == [lost]
    assert client.put(f"/v1/blobs/{lost}", content=blobs[lost],
                      headers=st.headers).status_code == 201
    assert _reconcile(client, st, [rid])["present"] == {rid: first}


def test_a_blob_vouched_for_recently_is_not_asked_again_until_the_recheck_period_ends(client):
    """With a recheck period, reconciliation and blobs:missing ask the store nothing about
    blobs it acknowledged or confirmed within it (no HEAD storm from stations reconciling a
    month of records); once the period is over they ask, confirm what is there, and a lost
    blob makes its record missing and is asked for again."""
    client.store.recheck_after = 3600
    asked: list[list[str]] = []
    exists_many = client.store.blobs.exists_many
    client.store.blobs.exists_many = lambda shas: asked.append(list(shas)) or exists_many(shas)
    st = _Station(client, "kec-a")
    blobs, rid = _blobs(3, "recheck"), str(uuid.uuid4())
    for sha, data in blobs.items():
        assert client.put(f"/v1/blobs/{sha}", content=data, headers=st.headers).status_code == 201
    receipt = _put_record(client, st, rid, _manifest(rid, blobs)).json()
    lost = sorted(blobs)[0]
    assert client.store.blobs.delete(lost)
    assert _reconcile(client, st, [rid])["present"] == {rid: receipt}  # trusted: not asked
    assert _missing(client, st, blobs) == []
    assert asked == []
    with client.store.db.transaction() as tx:  # the period ends (an hour ago and more)
        tx.execute("UPDATE blobs SET confirmed_at = '2000-01-01T00:00:00.000000+00:00'")
    assert _reconcile(client, st, [rid])["missing"] == [rid]
    assert asked == [sorted(blobs)]
    assert _missing(client, st, blobs) == [lost]  # its row went with the bytes
    assert client.put(f"/v1/blobs/{lost}", content=blobs[lost],
                      headers=st.headers).status_code == 201
    assert _reconcile(client, st, [rid])["present"] == {rid: receipt}
    assert len(asked) == 1  # the others were confirmed by that question, the lost one re-sent
    rows = client.store.db.blob_rows(client.store.db.station_by_name("kec-a").id, list(blobs))
    assert all(at > "2026" for _, at in rows.values())


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_blob_store_that_is_down_is_503_with_retry_after_and_health_says_which(
        pg_dsn, s3, s3_env):
    store = _production_store(pg_dsn, s3, endpoint=f"http://127.0.0.1:{_closed_port()}")
    with TestClient(create_app(store=store, max_inflight=1)) as c:
        c.store = store
        st = _Station(c, "kec-a")
        data = b"bytes that cannot be stored now"
        r = c.put(f"/v1/blobs/{hashlib.sha256(data).hexdigest()}", content=data,
                  headers=st.headers)
        assert r.status_code == 503 and int(r.headers["Retry-After"]) >= 1
        health = c.get("/v1/health")
        assert health.status_code == 503
        assert health.json()["status"] == "degraded"
        assert (health.json()["database"], health.json()["blob_store"]) == ("ok", "down")
    store.close()


def test_health_is_ok_on_both_backends_and_answers_past_a_full_gate(client):
    doc = client.get("/v1/health").json()
    assert (doc["status"], doc["database"], doc["blob_store"]) == ("ok", "ok", "ok")
    gate = client.app
    gate.max_inflight, gate.inflight = 1, 1  # as if every slot were taken
    try:
        assert client.get("/v1/health").status_code == 200
        st_headers = {"Authorization": "Bearer x"}
        assert client.get("/v1/station", headers=st_headers).status_code == 503
    finally:
        gate.max_inflight, gate.inflight = 0, 0


def test_the_cli_refuses_a_shared_database_without_the_key_or_with_an_old_schema(
        tmp_path, monkeypatch):
    from click.testing import CliRunner

    from central.cli import cli

    monkeypatch.delenv("KIOSK_CENTRAL_KEY", raising=False)
    urls = ["--database", f"sqlite:///{tmp_path / 'c.db'}",
            "--blob-store", f"file://{tmp_path / 'blobs'}"]
    run = CliRunner().invoke
    out = run(cli, ["serve", *urls])
    assert out.exit_code == 1 and "receipt-signing key" in out.output
    assert not (tmp_path / "server-key").exists()
    key = tmp_path / "key"
    assert run(cli, ["new-key", str(key)]).exit_code == 0
    out = run(cli, ["serve", *urls, "--key-file", str(key)])
    assert out.exit_code == 1 and "run kiosk-central migrate" in out.output
    assert run(cli, ["migrate", *urls, "--key-file", str(key)]).exit_code == 0
    env = {"KIOSK_CENTRAL_DATABASE": urls[1], "KIOSK_CENTRAL_BLOB_STORE": urls[3],
           "KIOSK_CENTRAL_KEY": key.read_text().strip()}
    token = run(cli, ["station", "add", "kec-a"], env=env).output.strip()
    assert len(token) == 22
    assert run(cli, ["station", "add", "kec-a"], env=env).exit_code == 1
    assert '"kec-a"' in run(cli, ["station", "list"], env=env).output
    out = run(cli, ["serve", "--database", urls[1]])
    assert out.exit_code == 2 and "go together" in out.output
