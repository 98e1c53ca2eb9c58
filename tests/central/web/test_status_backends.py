"""The status page's answers on BOTH backends (the browser tests run the embedded one): on
PostgreSQL the lookup runs in a worker thread and the counters in PostgreSQL, and the page
must say the same: found, not found (one page for either wrong field), over the limit."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient

import ektp_protocol as protocol
from central.app import create_app
from central.storage import CentralStore
from central.web.settings import WebSettings

REGNO, BORN = "627104-01-20261207-017", "1990-08-17"


@pytest.fixture(params=["sqlite", "postgresql"])
def client(request, tmp_path):
    if request.param == "sqlite":
        store = CentralStore(tmp_path / "central")
    else:
        store = CentralStore.open(request.getfixturevalue("pg_dsn"),
                                  f"file://{tmp_path / 'blobs'}", migrate=True,
                                  key=protocol.new_private_key())
    app = create_app(store=store, max_inflight=0, web=WebSettings(rate_per_regno=4))
    with TestClient(app) as c:
        c.store = store
        yield c
    store.close()


def _deliver(client: TestClient) -> str:
    headers = {"Authorization": f"Bearer {client.store.add_station('kec-a')}"}
    key = protocol.new_private_key()
    assert client.put("/v1/station/key", headers=headers,
                      json={"public_key": protocol.public_key_of(key)}).status_code == 200
    rid = str(uuid.uuid4())
    body = protocol.canonical({
        "protocol": "v1", "record_id": rid, "station_id": "627104-01", "regno": REGNO,
        "local_date": "2026-12-07", "created_at": "2026-12-07T08:20:00+07:00",
        "operator": "budi", "exceptions": {}, "summary": {}, "blobs": [],
        "applicant": {"nik": "6271041708900001", "nama": "BUDI SANTOSO",
                      "tanggal_lahir": BORN, "kecamatan": "627104"}})
    r = client.put(f"/v1/records/{rid}", content=body,
                   headers={**headers, "Kiosk-Signature": protocol.sign(key, body)})
    assert r.status_code == 201
    return rid


def test_found_not_found_and_over_the_limit_read_the_same_on_either_backend(client):
    rid = _deliver(client)
    client.store.set_status(rid, "rejected", "Foto wajah buram.")
    found = client.post("/cek", data={"no": REGNO.replace("-", " "), "lahir": "17/08/1990"})
    assert found.status_code == 200 and "Perlu rekam ulang" in found.text
    assert "B. S." in found.text and "Foto wajah buram." in found.text
    assert "kantor kecamatan tempat Anda direkam" in found.text  # never reported its office
    assert "BUDI" not in found.text and "6271041708900001" not in found.text
    unknown = client.post("/cek", data={"no": "627104-01-20261207-099", "lahir": BORN})
    wrong = client.post("/cek", data={"no": REGNO, "lahir": "1990-08-18"})
    assert unknown.status_code == wrong.status_code == 200
    assert unknown.content == wrong.content and "Belum ditemukan" in wrong.text
    answers = [client.post("/cek", data={"no": REGNO, "lahir": BORN}) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]  # rate_per_regno: 4
    last = answers[-1]
    assert last.status_code == 429 and "Terlalu banyak percobaan" in last.text
    assert 0 < int(last.headers["retry-after"]) <= 600
