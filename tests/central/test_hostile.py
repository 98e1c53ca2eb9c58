"""Hostile clients, request by request (issue 14, point 4): bodies capped per route, deep
nesting and NaN refused with a 4xx that never echoes the input, one station may not claim
another's station_id nor state sizes other than the uploaded ones, hashes matched whole,
revocation at once, and an OpenAPI document that is true of every answer provoked here."""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import json
import uuid

import pytest
from fastapi.testclient import TestClient

import ektp_protocol as protocol
from central.admission import BodyPolicy
from central.app import create_app
from central.gate import MAX_BLOB, MAX_JSON, MAX_MANIFEST


def _manifest(rid: str, blobs: list[bytes], station_id: str, *, sizes: list[int] | None = None,
              shas: list[str] | None = None, summary: object = None) -> bytes:
    return protocol.canonical({
        "protocol": "v1", "record_id": rid, "station_id": station_id, "regno": "r",
        "local_date": "2026-01-01", "created_at": "t", "operator": "o", "applicant": {},
        "exceptions": {}, "summary": summary if summary is not None else {},
        "blobs": [{"kind": f"k{i}", "sha256": (shas or [])[i] if shas else
                   hashlib.sha256(b).hexdigest(), "size": (sizes or [])[i] if sizes else len(b),
                   "content_type": "application/octet-stream"} for i, b in enumerate(blobs)],
    })


def _deliver(client, st, body: bytes, rid: str, blobs: list[bytes]):
    for data in blobs:
        r = client.put(f"/v1/blobs/{hashlib.sha256(data).hexdigest()}", content=data,
                       headers=st.headers)
        assert r.status_code in (200, 201), r.text
    return client.put(f"/v1/records/{rid}", content=body,
                      headers={**st.headers, "Kiosk-Signature": protocol.sign(st.key, body)})


def _json(client, method, url, body: bytes, headers: dict):
    return client.request(method, url, content=body,
                          headers={**headers, "Content-Type": "application/json"})


# --- 3: parsing that cannot fail with a 500 ------------------------------------------------


def test_deep_nesting_is_a_4xx_on_every_json_route(app_client, stations):
    a = stations[0]
    deep = b"[" * 100_000
    for url in ("/v1/reconcile", "/v1/blobs:missing"):
        r = _json(app_client, "POST", url, deep, a.headers)
        assert 400 <= r.status_code < 500, (url, r.status_code)
        assert isinstance(r.json()["detail"], str | list)
    rid = str(uuid.uuid4())
    r = app_client.put(f"/v1/records/{rid}", content=deep,
                       headers={**a.headers, "Kiosk-Signature": protocol.sign(a.key, deep)})
    assert r.status_code == 422 and "deep" in r.json()["detail"], r.text


def test_nan_and_infinity_are_422_and_the_input_is_never_echoed(app_client, stations):
    a = stations[0]
    for url, body in (("/v1/blobs:missing", b'{"sha256": [NaN, "x"]}'),
                      ("/v1/reconcile", b'{"record_ids": [Infinity]}'),
                      ("/v1/station/key", b'{"public_key": -Infinity}')):
        r = _json(app_client, "POST" if "key" not in url else "PUT", url, body, a.headers)
        assert r.status_code == 422, (url, r.status_code, r.text)
        json.loads(r.text)  # strict JSON: no NaN in the answer
        for err in r.json()["detail"]:
            assert set(err) == {"loc", "msg", "type"}, err
    # NaN inside a signed, "canonical" manifest (json.dumps writes NaN): refused, not stored
    rid = str(uuid.uuid4())
    blob = b"nan-photo"
    body = _manifest(rid, [blob], "station-a", summary={"q": float("nan")})
    r = _deliver(app_client, a, body, rid, [blob])
    assert r.status_code == 422 and "NaN" in r.json()["detail"], r.text


# --- 4: what a manifest may claim ------------------------------------------------------------


def test_a_station_cannot_claim_another_stations_station_id(app_client, stations):
    a, b = stations
    rid = str(uuid.uuid4())
    assert _deliver(app_client, a, _manifest(rid, [b"a1"], "kiosk-A"), rid, [b"a1"]).status_code \
        == 201
    rid_b = str(uuid.uuid4())
    r = _deliver(app_client, b, _manifest(rid_b, [b"b1"], "kiosk-A"), rid_b, [b"b1"])
    assert r.status_code == 403 and "station_id" in r.json()["detail"], r.text
    assert app_client.store.record(rid_b) is None
    r = _deliver(app_client, b, _manifest(rid_b, [b"b1"], "kiosk-B"), rid_b, [b"b1"])
    assert r.status_code == 201  # its own id is fine
    rid2 = str(uuid.uuid4())  # and a's next record under its own id still is
    assert _deliver(app_client, a, _manifest(rid2, [b"a2"], "kiosk-A"), rid2, [b"a2"]) \
        .status_code == 201


def test_blob_sizes_must_be_the_uploaded_ones(app_client, stations):
    a = stations[0]
    rid = str(uuid.uuid4())
    blobs = [b"twelve bytes", b"x" * 100]
    r = _deliver(app_client, a, _manifest(rid, blobs, "kiosk-A", sizes=[12, 99]), rid, blobs)
    assert r.status_code == 422 and "size" in r.json()["detail"], r.text
    assert hashlib.sha256(blobs[1]).hexdigest() in r.json()["detail"]
    assert app_client.store.record(rid) is None
    r = _deliver(app_client, a, _manifest(rid, blobs, "kiosk-A"), rid, blobs)
    assert r.status_code == 201


def test_a_hash_or_id_with_a_trailing_newline_is_refused_everywhere(app_client, stations):
    a = stations[0]
    sha = hashlib.sha256(b"n").hexdigest()
    assert protocol.SHA256_RE.match(sha + "\n")  # what `$` lets through
    rid = str(uuid.uuid4())
    body = _manifest(rid, [b"n"], "kiosk-A", shas=[sha + "\n"])
    r = _deliver(app_client, a, body, rid, [b"n"])
    assert r.status_code == 422 and "detail" in r.json() and "64" in r.json()["detail"], r.text
    assert app_client.put(f"/v1/blobs/{sha}%0A", content=b"n", headers=a.headers) \
        .status_code == 422
    assert app_client.get(f"/v1/records/{rid}%0A", headers=a.headers).status_code == 422
    r = app_client.post("/v1/blobs:missing", json={"sha256": [sha + "\n"]}, headers=a.headers)
    assert r.status_code == 422
    r = app_client.post("/v1/reconcile", json={"record_ids": [rid + "\n"]}, headers=a.headers)
    assert r.status_code == 422


# --- 1: caps -------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "url", "cap"), [
    ("POST", "/v1/reconcile", MAX_JSON), ("POST", "/v1/blobs:missing", MAX_JSON),
    ("PUT", "/v1/station/key", 4096), ("PUT", f"/v1/records/{uuid.uuid4()}", MAX_MANIFEST),
    ("PUT", f"/v1/blobs/{'a' * 64}", MAX_BLOB), ("GET", "/v1/station", 0),
])
def test_every_route_caps_its_body(app_client, stations, method, url, cap):
    a = stations[0]
    r = app_client.request(method, url, content=b"{" + b" " * cap + b"}", headers=a.headers)
    assert r.status_code == 413, r.text
    assert f"at most {cap} bytes" in r.json()["detail"]
    assert r.headers["connection"] == "close"


def test_a_gzip_bomb_and_a_chunked_body_are_capped_too(app_client, stations):
    a = stations[0]
    bomb = gzip.compress(b'{"record_ids": [' + b" " * (MAX_JSON * 4) + b"]}")
    assert len(bomb) < MAX_JSON
    r = app_client.post("/v1/reconcile", content=bomb,
                        headers={**a.headers, "Content-Encoding": "gzip",
                                 "Content-Type": "application/json"})
    assert r.status_code == 413 and "inflated" in r.json()["detail"]

    def chunks():
        for _ in range(MAX_JSON // 1024 + 2):
            yield b" " * 1024
    r = app_client.post("/v1/blobs:missing", content=chunks(), headers=a.headers)
    assert r.status_code == 413, r.text


# --- 8: the OpenAPI document is true ---------------------------------------------------------


def _problems(doc, schema, components) -> list[str]:
    """Why `doc` does not match the JSON schema (the subset FastAPI emits); [] when it does."""
    if "$ref" in schema:
        return _problems(doc, components[schema["$ref"].rsplit("/", 1)[1]], components)
    if "anyOf" in schema:
        alts = [_problems(doc, s, components) for s in schema["anyOf"]]
        return [] if any(not p for p in alts) else [f"none of anyOf: {alts}"]
    kind = schema.get("type")
    checks = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}
    if kind == "integer":
        return [] if isinstance(doc, int) and not isinstance(doc, bool) else [f"{doc!r} not int"]
    if kind in checks and not isinstance(doc, checks[kind]):
        return [f"{doc!r:.80} is not {kind}"]
    out: list[str] = []
    if kind == "object":
        out += [f"missing {k}" for k in schema.get("required", []) if k not in doc]
        for k, sub in schema.get("properties", {}).items():
            if k in doc:
                out += _problems(doc[k], sub, components)
    if kind == "array":
        for item in doc:
            out += _problems(item, schema.get("items", {}), components)
    return out


def _check(openapi, route: str, method: str, resp) -> None:
    """The answer's status is documented for the route, and its body matches the schema."""
    answers = openapi["paths"][route][method]["responses"]
    assert str(resp.status_code) in answers, (route, method, resp.status_code, list(answers))
    content = answers[str(resp.status_code)].get("content", {}).get("application/json")
    if content and resp.content:
        problems = _problems(resp.json(), content["schema"], openapi["components"]["schemas"])
        assert problems == [], (route, method, resp.status_code, resp.text, problems)


def test_every_route_documents_the_gates_answers(app_client):
    openapi = app_client.get("/openapi.json").json()
    for route, item in openapi["paths"].items():
        for method, op in item.items():
            codes = set(op["responses"])
            need = {"413", "503"} if route == "/v1/health" else {"401", "403", "413", "503"}
            assert need <= codes, (route, method, sorted(codes))
            # the bundle's errors say also which parts were stored (BundleProblem)
            models = {"Problem", "BundleProblem"} if route == "/v1/blobs:bundle" else {"Problem"}
            for code in need:
                schema = op["responses"][code]["content"]["application/json"]["schema"]
                assert schema["$ref"].rsplit("/", 1)[1] in models, (route, code, schema)


def _asgi(app, method: str, path: str, headers: list, receive) -> tuple[int, bytes]:
    """One request straight through the ASGI app (for what TestClient cannot send)."""
    sent: list[dict] = []

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": method, "path": path, "raw_path": path.encode(),
             "query_string": b"", "headers": headers, "client": ("127.0.0.1", 1),
             "server": ("127.0.0.1", 80), "scheme": "http", "http_version": "1.1",
             "root_path": "", "state": {}}
    asyncio.run(app(scope, receive, send))
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


class _Answer:
    def __init__(self, status: int, body: bytes) -> None:
        self.status_code, self.content = status, body

    def json(self):
        return json.loads(self.content)


def test_provoked_answers_match_the_documented_schema(tmp_path):
    app = create_app(tmp_path / "c", max_inflight=4, policy=BodyPolicy(grace=0.2, idle=0.2))
    with TestClient(app) as c:
        store = app.api.state.store
        openapi = c.get("/openapi.json").json()
        tok = store.add_station("a")
        h = {"Authorization": f"Bearer {tok}"}
        key = protocol.new_private_key()
        sha = hashlib.sha256(b"x").hexdigest()
        rid = str(uuid.uuid4())
        route_rec, route_blob = "/v1/records/{record_id}", "/v1/blobs/{sha256}"
        _check(openapi, "/v1/server-key", "get", c.get("/v1/server-key"))  # 401
        _check(openapi, "/v1/station/key", "put",
               c.put("/v1/station/key", json={"public_key": "nope"}, headers=h))  # 422
        _check(openapi, "/v1/station/key", "put", c.put(
            "/v1/station/key", json={"public_key": protocol.public_key_of(key)}, headers=h))
        _check(openapi, route_blob, "put", c.put(f"/v1/blobs/{sha}", content=b"y", headers=h))
        _check(openapi, route_blob, "put", c.put(f"/v1/blobs/{'z' * 64}", content=b"y",
                                                 headers=h))  # 422 path pattern
        _check(openapi, "/v1/reconcile", "post", _json(c, "POST", "/v1/reconcile",
                                                       b"[" * 5000, h))  # 400
        _check(openapi, "/v1/reconcile", "post",
               c.post("/v1/reconcile", content=b"{" * MAX_JSON * 2, headers=h))  # 413
        body = _manifest(rid, [b"x"], "kiosk-A")
        signed = {**h, "Kiosk-Signature": protocol.sign(key, body)}
        _check(openapi, route_rec, "put", c.put(f"/v1/records/{rid}", content=body,
                                                headers=signed))  # 422 missing_blobs
        assert c.put(f"/v1/blobs/{sha}", content=b"x", headers=h).status_code == 201
        _check(openapi, route_rec, "put", c.put(f"/v1/records/{rid}", content=body,
                                                headers=signed))  # 201
        other = _manifest(rid, [b"x"], "kiosk-A", summary={"v": 2})
        _check(openapi, route_rec, "put", c.put(f"/v1/records/{rid}", content=other, headers={
            **h, "Kiosk-Signature": protocol.sign(key, other)}))  # 409
        _check(openapi, route_rec, "get", c.get(f"/v1/records/{uuid.uuid4()}", headers=h))  # 404
        _check(openapi, "/v1/status-changes", "get",
               c.get("/v1/status-changes?since=-1", headers=h))  # 422
        app.inflight = app.max_inflight  # as if full
        busy = c.get("/v1/station", headers=h)
        app.inflight = 0
        assert busy.status_code == 503 and busy.headers["retry-after"] == "1"
        _check(openapi, "/v1/station", "get", busy)
        store.revoke_station("a", "test")
        _check(openapi, "/v1/station", "get", c.get("/v1/station", headers=h))  # 403
    # 408: a body that stops coming (TestClient sends whole bodies, so straight through ASGI)
    app2 = create_app(tmp_path / "c2", max_inflight=4, policy=BodyPolicy(grace=0.2, idle=0.2))
    tok2 = app2.api.state.store.add_station("slow")

    async def stalls():
        await asyncio.sleep(3600)

    status, raw = _asgi(app2, "POST", "/v1/reconcile",
                        [(b"authorization", f"Bearer {tok2}".encode()),
                         (b"content-length", b"100")], stalls)
    assert status == 408
    _check(openapi, "/v1/reconcile", "post", _Answer(status, raw))
    assert app2.inflight == 0  # the slot is back


# --- 7: a short queue in front of the slots ---------------------------------------------------


def test_a_freed_slot_passes_to_a_waiting_request_and_a_vanished_waiter_leaks_nothing():
    """max_inflight 1: a request arriving while the slot is taken waits (up to queue_wait)
    and gets the slot when it frees; one that waits too long gets 503; a waiter whose client
    went away never keeps a slot."""
    from central.admission import Admission

    async def scenario() -> list:
        release = asyncio.Event()
        statuses: list = []

        async def app(scope, receive, send):
            if scope["path"] == "/hold":
                await release.wait()
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b""})

        gate = Admission(app, 1, queue_wait=0.5)

        async def call(path: str) -> None:
            async def send(message):
                if message["type"] == "http.response.start":
                    statuses.append((path, message["status"]))

            async def receive():
                return {"type": "http.request", "body": b"", "more_body": False}
            await gate({"type": "http", "method": "GET", "path": path, "headers": [],
                        "state": {}}, receive, send)

        holder = asyncio.create_task(call("/hold"))
        await asyncio.sleep(0.01)
        vanished = asyncio.create_task(call("/gone"))
        waiter = asyncio.create_task(call("/wait"))
        await asyncio.sleep(0.01)
        vanished.cancel()  # its client disconnected while queued
        await asyncio.sleep(0.1)
        release.set()  # the slot passes to /wait, not to the vanished one
        await asyncio.gather(holder, waiter)
        assert gate.inflight == 0 and not gate._waiters
        release.clear()
        holder = asyncio.create_task(call("/hold"))
        await asyncio.sleep(0.01)
        await call("/late")  # waits 0.5 s, then 503
        release.set()
        await holder
        assert gate.inflight == 0
        return statuses

    statuses = asyncio.run(scenario())
    assert statuses == [("/hold", 200), ("/wait", 200), ("/late", 503), ("/hold", 200)]


def test_an_older_data_directory_is_made_private_at_start(tmp_path):
    import stat

    from central.storage import CentralStore

    d = tmp_path / "old"
    CentralStore(d).conn().close()
    (d / "blobs" / "ab").mkdir(mode=0o755)
    for p, mode in ((d, 0o755), (d / "blobs", 0o755), (d / "central.db", 0o644)):
        p.chmod(mode)  # as a server before this change left them
    CentralStore(d)
    modes = {p.name: stat.S_IMODE(p.stat().st_mode)
             for p in (d, d / "blobs", d / "blobs" / "ab", d / "central.db", d / "server-key")}
    assert modes == {"old": 0o700, "blobs": 0o700, "ab": 0o700, "central.db": 0o600,
                     "server-key": 0o600}
