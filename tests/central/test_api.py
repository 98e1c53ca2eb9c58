"""The v1 endpoints' rules: auth, hash checks, signatures, idempotency, conflicts."""

from __future__ import annotations

import hashlib
import uuid

import ektp_protocol as protocol


def _manifest(record_id: str, blobs: dict[str, bytes]) -> bytes:
    return protocol.canonical({
        "protocol": "v1", "record_id": record_id, "station_id": "s", "regno": "r",
        "local_date": "2026-01-01", "created_at": "t", "operator": "o", "applicant": {},
        "exceptions": {}, "summary": {},
        "blobs": [{"kind": f"k{i}", "sha256": hashlib.sha256(b).hexdigest(), "size": len(b),
                   "content_type": "application/octet-stream"}
                  for i, b in enumerate(blobs.values())],
    })


def _upload(client, st, blobs):
    for data in blobs.values():
        r = client.put(f"/v1/blobs/{hashlib.sha256(data).hexdigest()}", content=data,
                       headers=st.headers)
        assert r.status_code in (200, 201)


def _put(client, st, rid, body, key=None):
    sig = protocol.sign(key or st.key, body)
    return client.put(f"/v1/records/{rid}", content=body,
                      headers={**st.headers, "Kiosk-Signature": sig})


def test_no_token_or_a_wrong_token_is_401(app_client):
    assert app_client.post("/v1/blobs:missing", json={"sha256": []}).status_code == 401
    bad = {"Authorization": "Bearer not-a-token"}
    assert app_client.post("/v1/blobs:missing", json={"sha256": []}, headers=bad).status_code == 401
    assert app_client.get("/v1/health").status_code == 200


def test_another_stations_token_cannot_read_or_overwrite_a_record(app_client, stations):
    a, b = stations
    blobs = {"x": b"photo bytes"}
    _upload(app_client, a, blobs)
    rid = str(uuid.uuid4())
    assert _put(app_client, a, rid, _manifest(rid, blobs)).status_code == 201
    assert app_client.get(f"/v1/records/{rid}", headers=b.headers).status_code == 403
    _upload(app_client, b, blobs)
    assert _put(app_client, b, rid, _manifest(rid, blobs)).status_code == 403
    ans = app_client.post("/v1/reconcile", json={"record_ids": [rid]}, headers=b.headers).json()
    assert ans["missing"] == [rid] and ans["present"] == {}


def test_blob_with_the_wrong_hash_is_422_and_not_stored(app_client, stations):
    a = stations[0]
    sha = hashlib.sha256(b"right").hexdigest()
    r = app_client.put(f"/v1/blobs/{sha}", content=b"wrong", headers=a.headers)
    assert r.status_code == 422
    assert app_client.post("/v1/blobs:missing", json={"sha256": [sha]},
                           headers=a.headers).json() == {"missing": [sha]}
    first = app_client.put(f"/v1/blobs/{sha}", content=b"right", headers=a.headers)
    again = app_client.put(f"/v1/blobs/{sha}", content=b"right", headers=a.headers)
    assert (first.status_code, again.status_code) == (201, 200)


def test_record_waits_for_its_blobs_then_answers_the_same_receipt_again(app_client, stations):
    a = stations[0]
    blobs = {"x": b"one", "y": b"two"}
    rid = str(uuid.uuid4())
    body = _manifest(rid, blobs)
    r = _put(app_client, a, rid, body)
    assert r.status_code == 422 and len(r.json()["missing_blobs"]) == 2
    _upload(app_client, a, blobs)
    first = _put(app_client, a, rid, body)
    assert first.status_code == 201
    receipt = protocol.check_receipt(first.json(), app_client.store.public_key, rid,
                                     protocol.sha256_hex(body))
    again = _put(app_client, a, rid, body)
    assert again.status_code == 200 and again.json() == first.json()
    assert receipt.server_seq == again.json()["receipt"]["server_seq"]
    other = _manifest(rid, {"x": b"one"})
    assert _put(app_client, a, rid, other).status_code == 409


def test_a_manifest_not_signed_by_the_registered_key_is_refused(app_client, stations):
    a = stations[0]
    blobs = {"x": b"data"}
    _upload(app_client, a, blobs)
    rid = str(uuid.uuid4())
    body = _manifest(rid, blobs)
    assert _put(app_client, a, rid, body, key=protocol.new_private_key()).status_code == 422
    unsigned = app_client.put(f"/v1/records/{rid}", content=body, headers=a.headers)
    assert unsigned.status_code == 422
    assert app_client.get(f"/v1/records/{rid}", headers=a.headers).status_code == 404


def test_a_tampered_receipt_is_rejected_by_the_station_check(app_client, stations):
    a = stations[0]
    blobs = {"x": b"data"}
    _upload(app_client, a, blobs)
    rid = str(uuid.uuid4())
    body = _manifest(rid, blobs)
    doc = _put(app_client, a, rid, body).json()
    sha = protocol.sha256_hex(body)
    pinned = app_client.store.public_key
    for field, value in (("server_seq", 999), ("manifest_sha256", "0" * 64),
                         ("received_at", "2000-01-01")):
        forged = {"receipt": {**doc["receipt"], field: value}, "signature": doc["signature"]}
        try:
            protocol.check_receipt(forged, pinned, rid, sha)
        except protocol.ProtocolError:
            continue
        raise AssertionError(f"receipt with a changed {field} was accepted")
    for unsigned in ({"receipt": doc["receipt"]}, {"receipt": doc["receipt"], "signature": ""}):
        try:
            protocol.check_receipt(unsigned, pinned, rid, sha)
        except protocol.ProtocolError:
            continue
        raise AssertionError("unsigned receipt accepted")
    other_server = protocol.public_key_of(protocol.new_private_key())
    try:
        protocol.check_receipt(doc, other_server, rid, sha)
    except protocol.ProtocolError:
        pass
    else:
        raise AssertionError("receipt of an unpinned server key accepted")
    assert protocol.check_receipt(doc, pinned, rid, sha).record_id == rid


def test_station_key_is_registered_once(app_client, stations):
    a = stations[0]
    other = protocol.public_key_of(protocol.new_private_key())
    r = app_client.put("/v1/station/key", json={"public_key": other}, headers=a.headers)
    assert r.status_code == 409
