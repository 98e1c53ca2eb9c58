"""The bundle upload, server side (central/bundle.py) and its framing (ektp_protocol/bundle.py):
parts stored as they arrive and kept when the bundle is cut, a wrong part refused and the rest
kept, duplicates harmless, the token checked before the body, caps and the read deadline."""

from __future__ import annotations

import hashlib
import os
import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient

import central.bundle as central_bundle
from central import app as central_app
from central.bundle import BUNDLE_PATH, MAX_PARTS, add_bundle_routes, bundle_body_limit
from central.storage import CentralStore
from ektp_protocol import bundle as wire


def with_bundle(app):  # type: ignore[no-untyped-def]
    """`app` (create_app's) with the bundle route and its body cap, as the integrated server."""
    api = app.api
    if not any(getattr(r, "path", None) == BUNDLE_PATH for r in api.router.routes):
        add_bundle_routes(api, api.state.store, central_app._auth)
    plain = app.body_limit
    app.body_limit = lambda m, p: bundle_body_limit(m, p) or plain(m, p)
    return app


def blob(i: int, size: int = 3000) -> tuple[str, bytes]:
    data = hashlib.sha256(str(i).encode()).digest() * (size // 32) + bytes([i % 256])
    return hashlib.sha256(data).hexdigest(), data


def body_of(parts: list[tuple[str, bytes]]) -> bytes:
    return b"".join(wire.encode(parts))


@pytest.fixture
def bundle_client(tmp_path):
    app = with_bundle(central_app.create_app(tmp_path / "central", max_inflight=0))
    with TestClient(app) as client:
        client.store = app.api.state.store
        client.headers["Authorization"] = "Bearer " + client.store.add_station("s")
        yield client


def post(client: TestClient, body: bytes):  # type: ignore[no-untyped-def]
    return client.post(BUNDLE_PATH, content=body, headers={"Content-Type": wire.CONTENT_TYPE})


def missing(client: TestClient, shas: list[str]) -> list[str]:
    return client.post("/v1/blobs:missing", json={"sha256": shas}).json()["missing"]


# --- the framing ------------------------------------------------------------------------

def test_a_cut_stream_parses_up_to_its_last_complete_part_at_every_cut_point():
    parts = [blob(1, 100), blob(2, 0), blob(3, 70)]
    body = body_of(parts)
    ends = [wire.encoded_size(len(d) for _, d in parts[:k]) for k in range(4)]
    for cut in range(len(body) + 1):
        got, out = wire.parse(body[:cut])
        k = max((i for i, end in enumerate(ends) if end <= cut), default=0)
        assert [p.sha256 for p in got] == [s for s, _ in parts[:k]]
        assert all(p.matches for p in got) and [p.data for p in got] == [d for _, d in parts[:k]]
        assert out.complete == (cut == len(body))
        assert out.parts == k
        assert out.declared == (3 if cut >= wire.HEAD.size else None)


def test_fed_byte_by_byte_it_reads_the_same_and_checks_each_hash():
    parts = [blob(4, 500), (blob(5)[0], b"not the bytes of that address"), blob(6, 33)]
    reader = wire.BundleReader(max_parts=8, max_part=1000)
    body = body_of(parts)
    got = [p for i in range(len(body)) for p in reader.feed(body[i:i + 1])]
    assert [(p.sha256, p.matches) for p in got] == [(parts[0][0], True), (parts[1][0], False),
                                                    (parts[2][0], True)]
    assert reader.outcome().complete


def test_framing_errors_are_said_before_the_bytes_are_read():
    with pytest.raises(wire.BundleError, match="magic"):
        wire.parse(b"NOTABNDL" + bytes(4))
    with pytest.raises(wire.BundleTooLarge):
        wire.parse(wire.head(9), max_parts=8)
    with pytest.raises(wire.BundleTooLarge):  # the head alone: none of the 10**9 bytes
        wire.parse(wire.head(1) + wire.part_head("ab" * 32, 10**9), max_part=1000)
    with pytest.raises(wire.BundleError, match="after the last"):
        wire.parse(body_of([blob(1)]) + b"x")


# --- the route ----------------------------------------------------------------------------

def test_a_bundle_stores_every_part_by_its_address(bundle_client):
    parts = [blob(i) for i in range(5)]
    r = post(bundle_client, body_of(parts))
    assert r.status_code == 200, r.text
    assert r.json() == {"stored": [s for s, _ in parts], "refused": []}
    assert missing(bundle_client, [s for s, _ in parts]) == []
    for sha, data in parts:
        assert bundle_client.store.read_blob(sha) == data


def test_a_part_whose_bytes_do_not_match_is_refused_and_the_others_kept(bundle_client):
    good1, good2, bad_sha = blob(10), blob(11), blob(12)[0]
    r = post(bundle_client, body_of([good1, (bad_sha, b"tampered bytes"), good2]))
    assert r.status_code == 200
    assert r.json() == {"stored": [good1[0], good2[0]],
                        "refused": [{"sha256": bad_sha, "reason": "hash mismatch"}]}
    assert missing(bundle_client, [good1[0], bad_sha, good2[0]]) == [bad_sha]
    assert not bundle_client.store.blob_path(bad_sha).exists()


def test_duplicate_parts_and_parts_already_held_are_harmless(bundle_client):
    a, b = blob(20), blob(21)
    assert post(bundle_client, body_of([a])).status_code == 200
    r = post(bundle_client, body_of([a, b, b, a]))
    assert r.status_code == 200 and r.json() == {"stored": [a[0], b[0]], "refused": []}
    rows = bundle_client.store.conn().execute("SELECT COUNT(*) FROM blobs").fetchone()[0]
    assert rows == 2 and missing(bundle_client, [a[0], b[0]]) == []


def test_an_empty_bundle_answers_nothing_stored(bundle_client):  # the stations' probe
    r = post(bundle_client, wire.head(0))
    assert r.status_code == 200 and r.json() == {"stored": [], "refused": []}


def test_broken_framing_keeps_the_parts_before_it(bundle_client):
    a = blob(30)
    assert post(bundle_client, b"GET / HTTP/1.1\r\n").status_code == 400
    assert post(bundle_client, b"").status_code == 400
    r = post(bundle_client, wire.head(MAX_PARTS + 1))
    assert r.status_code == 413
    over = wire.head(2) + wire.part_head(a[0], len(a[1])) + a[1] \
        + wire.part_head("cd" * 32, central_bundle.MAX_PART + 1)
    r = post(bundle_client, over)
    assert r.status_code == 413 and r.json()["stored"] == [a[0]]
    r = post(bundle_client, body_of([a]) + b"trailing")
    assert r.status_code == 422 and r.json()["stored"] == [a[0]]


def test_the_route_is_in_the_openapi_document_with_its_answers(bundle_client):
    op = bundle_client.get("/openapi.json").json()["paths"][BUNDLE_PATH]["post"]
    assert {"200", "401", "403", "408", "413", "422", "503"} <= set(op["responses"])
    assert wire.CONTENT_TYPE in op["requestBody"]["content"]


def test_the_probe_is_answered_here_and_refused_by_a_server_without_the_route(tmp_path):
    """The station's empty-bundle probe: 200 from this server; a server from before the
    bundle (the same app with the route taken out) answers 404 or 413, so stations fall
    back to one PUT per blob."""
    with TestClient(central_app.create_app(tmp_path / "c", max_inflight=0)) as client:
        client.headers["Authorization"] = "Bearer " + client.app.api.state.store.add_station("o")
        assert post(client, wire.head(0)).status_code == 200
        api = client.app.api
        api.router.routes[:] = [r for r in api.router.routes
                                if getattr(r, "path", "") != "/v1/blobs:bundle"]
        assert post(client, wire.head(0)).status_code in (404, 413)


# --- over a real socket: the token before the body, cuts, the read deadline ---------------

class Served:
    """An ASGI app on 127.0.0.1 under uvicorn, in a thread of this process."""

    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0,
                                                    log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        while not self.server.started:
            time.sleep(0.01)
        self.port = self.server.servers[0].sockets[0].getsockname()[1]

    def raw(self, head: bytes, body: bytes = b"", *, close: bool = False,
            timeout: float = 5.0) -> bytes:
        """Send `head` + `body` on a fresh connection; the answer (b"" when none). `close`:
        then close our side, as a link that died a moment later (uvicorn drops body bytes
        still unread when the end of the connection arrives with them)."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as s:
            s.sendall(head + body)
            if close:
                time.sleep(0.5)
                s.shutdown(socket.SHUT_WR)
            out = b""
            try:
                while chunk := s.recv(65536):
                    out += chunk
                    if b"\r\n\r\n" in out and (close or b"}" in out):
                        break
            except (TimeoutError, ConnectionResetError):
                pass
            return out

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


def _head(length: int, token: str | None) -> bytes:
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    return (f"POST {BUNDLE_PATH} HTTP/1.1\r\nHost: x\r\n{auth}Content-Length: {length}\r\n"
            "\r\n").encode()


@pytest.fixture(params=["gated", "route-alone"])
def served(request, tmp_path):
    """The served app with the gate (create_app), and the route alone behind create_api."""
    if request.param == "gated":
        app = with_bundle(central_app.create_app(tmp_path / "central", max_inflight=8))
        store = app.api.state.store
    else:
        store = CentralStore(tmp_path / "central")
        app = central_app.create_api(store)
        add_bundle_routes(app, store, central_app._auth)
    srv = Served(app)
    srv.store, srv.token = store, store.add_station("s")
    yield srv
    srv.stop()


def test_an_unauthenticated_bundle_is_refused_before_its_body_is_read(served):
    # 50 MB announced, 10 bytes sent: an answer now means the body was never waited for
    for token in (None, "not-a-token"):
        started = time.monotonic()
        answer = served.raw(_head(50_000_000, token), b"EKTPBDL1\x00\x00", timeout=4)
        assert answer.startswith(b"HTTP/1.1 401"), answer[:200]
        assert time.monotonic() - started < 2
    assert served.store.conn().execute("SELECT COUNT(*) FROM blobs").fetchone()[0] == 0


def test_a_cut_bundle_keeps_the_parts_that_fully_arrived(served):
    parts = [blob(40 + i, 20_000) for i in range(4)]
    body = body_of(parts)
    cut = wire.encoded_size(len(d) for _, d in parts[:2]) + 5_000  # 5 KB into the third
    served.raw(_head(len(body), served.token), body[:cut], close=True)
    deadline = time.monotonic() + 5
    shas = [s for s, _ in parts]
    while time.monotonic() < deadline and served.store.missing_blobs(
            served.store.station_by_token(served.token), shas) != shas[2:]:
        time.sleep(0.05)
    assert served.store.missing_blobs(served.store.station_by_token(served.token),
                                      shas) == shas[2:]
    leftovers = [p for p in served.store.blob_dir.rglob("*") if p.name.startswith(".tmp")]
    assert leftovers == []


def test_a_bundle_that_stalls_gets_408_and_keeps_what_arrived(served, monkeypatch):
    monkeypatch.setattr(central_bundle, "IDLE", 0.5)
    monkeypatch.setattr(central_bundle, "GRACE", 0.5)
    if hasattr(served.server.config.app, "policy"):  # the gate holds its own deadline
        monkeypatch.setattr(served.server.config.app, "policy", type(
            served.server.config.app.policy)(grace=0.5, idle=0.5))
    a = blob(50)
    first = wire.head(2) + wire.part_head(*_sized(a)) + a[1]
    answer = served.raw(_head(len(first) + 1000, served.token), first, timeout=6)
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    station = served.store.station_by_token(served.token)
    assert served.store.missing_blobs(station, [a[0]]) == []


def _sized(part: tuple[str, bytes]) -> tuple[str, int]:
    return part[0], len(part[1])


def test_fsync_is_not_skipped_for_bundled_parts(bundle_client, monkeypatch):
    """Parts go through the store's put_blob (temp file, fsync, rename): count the fsyncs."""
    calls: list[int] = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (calls.append(fd), real(fd))[1])
    assert post(bundle_client, body_of([blob(60), blob(61)])).status_code == 200
    assert len(calls) >= 2
    assert all(Path(bundle_client.store.blob_path(s)).exists() for s in (blob(60)[0],
                                                                         blob(61)[0]))
