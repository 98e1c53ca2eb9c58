"""Hostile clients against a real `kiosk-central serve` (issue 14, point 4): huge bodies
refused from the head without the server's memory growing, slow bodies that cannot starve
admission, 503s that keep the connection, revocation at once from another process (audited,
failures logged without the token), and data files private on disk."""

from __future__ import annotations

import contextlib
import hashlib
import socket
import sqlite3
import stat
import subprocess
import threading
import time
import uuid

import pytest
import requests
from harness import CENTRAL, CentralProcess

import ektp_protocol as protocol
from central.storage import hash_token


@pytest.fixture
def serve(tmp_path):
    """Start `kiosk-central serve --max-inflight N` (stopped after the test)."""
    started: list[CentralProcess] = []

    def start(max_inflight: int = 8) -> CentralProcess:
        started.append(CentralProcess(tmp_path / "central", max_inflight=max_inflight))
        return started[-1]

    yield start
    for proc in started:
        proc.stop()


@pytest.fixture
def server(serve):
    return serve(8)


def _rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:"))


def _head(method: str, path: str, token: str | None, length: int | None,
          extra: str = "") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: x", "Content-Type: application/json"]
    if token:
        lines.append(f"Authorization: Bearer {token}")
    if length is not None:
        lines.append(f"Content-Length: {length}")
    return ("\r\n".join(lines) + "\r\n" + extra + "\r\n").encode()


def _answer(sock: socket.socket, timeout: float = 5) -> tuple[int, dict[str, str], bytes]:
    """One HTTP answer off the socket: status, headers (lower-case), body."""
    sock.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed after {data!r}")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:])}
    while len(body) < int(headers.get("content-length", 0)):
        body += sock.recv(65536)
    return int(lines[0].split()[1]), headers, body


def _closed(sock: socket.socket, timeout: float = 3) -> bool:
    sock.settimeout(timeout)
    try:
        return sock.recv(1) == b""
    except (ConnectionResetError, TimeoutError):
        return False


def test_huge_bodies_are_refused_from_the_head_without_the_server_growing(server):
    token = server.add_station("big")
    with requests.Session() as s:  # warm up: the first requests allocate what serving needs
        for _ in range(20):
            s.post(server.url + "/v1/reconcile", json={"record_ids": []},
                   headers={"Authorization": f"Bearer {token}"}).raise_for_status()
    before = _rss_kib(server.proc.pid)
    gib = 400 * 1024 * 1024
    for path in ("/v1/reconcile", "/v1/blobs:missing", "/v1/station/key"):
        for who in (None, "wrong-token", token):
            sock = socket.create_connection(("127.0.0.1", server.port))
            sock.sendall(_head("PUT" if "key" in path else "POST", path, who, gib))
            status, headers, body = _answer(sock)  # answered before any body byte was sent
            assert status == (413 if who == token else 401), (path, who, status, body)
            assert headers["connection"] == "close"
            assert _closed(sock)
            sock.close()
    # and an attacker who does not wait: 64 MiB pushed behind the head at once
    for _ in range(3):
        sock = socket.create_connection(("127.0.0.1", server.port))
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # closed under it
            sock.sendall(_head("POST", "/v1/reconcile", None, gib) + b"[" * (64 << 20))
        sock.close()
    time.sleep(0.5)
    grown = _rss_kib(server.proc.pid) - before
    print(f"RSS before {before} KiB, growth {grown} KiB")
    assert grown < 4 * 1024, f"server RSS grew by {grown} KiB"


def _trickle(sock: socket.socket, stop: threading.Event, answers: list) -> None:
    """One body byte every 1.5 s until the server answers or `stop`."""
    sock.settimeout(1.5)
    while not stop.is_set():
        try:
            sock.sendall(b" ")
            data = sock.recv(4096)
        except TimeoutError:
            continue
        except OSError:
            break
        answers.append(data)
        break


def _slowloris(server, token: str | None, n: int = 8) -> tuple[list, threading.Event, list]:
    stop = threading.Event()
    answers: list = []
    threads = []
    for _ in range(n):
        sock = socket.create_connection(("127.0.0.1", server.port))
        sock.sendall(_head("POST", "/v1/reconcile", token, 1000))
        t = threading.Thread(target=_trickle, args=(sock, stop, answers), daemon=True)
        t.start()
        threads.append((t, sock))
    return threads, stop, answers


def _time_to_serve(server, token: str, limit: float) -> float:
    started = time.monotonic()
    with requests.Session() as s:
        while time.monotonic() - started < limit:
            r = s.get(server.url + "/v1/station", headers={"Authorization": f"Bearer {token}"})
            if r.status_code == 200:
                return time.monotonic() - started
            assert r.status_code == 503, r.text
            time.sleep(0.1)
    return float("inf")


def test_slow_bodies_cannot_hold_admission(server):
    """8 connections sending a byte every 1.5 s against --max-inflight 8: without a token they
    hold no slot at all; with one, each is cut (408, closed) once it falls below the minimum
    rate, so a good station is served within seconds, not never."""
    good = server.add_station("good")
    threads, stop, answers = _slowloris(server, None)
    time.sleep(0.5)
    anonymous = _time_to_serve(server, good, 15)
    stop.set()
    print(f"good client served in {anonymous:.2f} s beside 8 slow anonymous bodies")
    assert anonymous < 1.0
    assert all(a.startswith(b"HTTP/1.1 401") for a in answers) and len(answers) == 8
    for _, sock in threads:
        sock.close()

    slow = server.add_station("slow")
    threads, stop, answers = _slowloris(server, slow)
    time.sleep(0.5)
    authed = _time_to_serve(server, good, 15)
    for t, _ in threads:
        t.join(10)
    stop.set()
    print(f"good client served in {authed:.2f} s beside 8 slow authenticated bodies")
    assert authed < 8.0
    assert len(answers) == 8
    assert all(a.startswith(b"HTTP/1.1 408") and b"connection: close" in a.lower()
               for a in answers), answers
    for _, sock in threads:
        sock.close()


def test_a_503_keeps_the_connection_unless_a_large_body_is_unread(serve):
    server = serve(1)
    token = server.add_station("ka")
    hog = socket.create_connection(("127.0.0.1", server.port))
    hog.sendall(_head("POST", "/v1/reconcile", token, 1000) + b"{")  # holds the one slot
    time.sleep(0.3)
    sock = socket.create_connection(("127.0.0.1", server.port))
    sock.sendall(_head("GET", "/v1/station", token, None))
    status, headers, _ = _answer(sock)
    assert status == 503 and headers["retry-after"] == "1" and "connection" not in headers
    small = b'{"sha256": []}'
    sock.sendall(_head("POST", "/v1/blobs:missing", token, len(small)) + small)
    status, headers, _ = _answer(sock)
    assert status == 503 and "connection" not in headers  # small body: skipped, kept
    big = socket.create_connection(("127.0.0.1", server.port))
    big.sendall(_head("PUT", f"/v1/blobs/{'a' * 64}", token, 5_000_000))
    status, headers, _ = _answer(big)
    assert status == 503 and headers["connection"] == "close"  # 5 MB unread: closed
    big.close()
    status, _, _ = _answer(hog, 10)  # the hog falls behind the minimum rate and is cut
    assert status == 408
    hog.close()
    sock.sendall(_head("GET", "/v1/station", token, None))  # same connection, now served
    status, _, body = _answer(sock)
    assert status == 200, body
    sock.close()


def test_revocation_is_immediate_audited_and_failures_are_logged(server):
    token = server.add_station("kec-07")
    with requests.Session() as s:
        s.headers["Authorization"] = f"Bearer {token}"
        assert s.get(server.url + "/v1/station").status_code == 200
        out = subprocess.run([CENTRAL, "station", "revoke", "--data-dir", str(server.data_dir),
                              "kec-07", "--by", "supervisor-budi"],
                             check=True, capture_output=True, text=True)
        assert "revoked" in out.stdout
        r = s.get(server.url + "/v1/station")  # the same kept-alive connection, another process
        assert r.status_code == 403 and "revoked" in r.json()["detail"]
        assert s.post(server.url + "/v1/reconcile", json={"record_ids": []}).status_code == 403
    assert requests.get(server.url + "/v1/station",
                        headers={"Authorization": "Bearer guessed"}).status_code == 401
    assert requests.get(server.url + "/v1/station").status_code == 401
    # log injection through a path a route takes (an unknown path is 404 before any token)
    assert requests.get(server.url + "/v1/records/x%0Aforged line").status_code == 401
    assert requests.get(server.url + "/v1/x%0Aforged line").status_code == 404
    again = subprocess.run([CENTRAL, "station", "revoke", "--data-dir", str(server.data_dir),
                            "nobody"], capture_output=True, text=True)
    assert again.returncode != 0 and "no station" in again.stderr
    db = sqlite3.connect(server.data_dir / "central.db")
    audit = db.execute("SELECT s.name, a.action, a.actor, a.at, s.revoked_at FROM station_audit a "
                       "JOIN stations s ON s.id = a.station").fetchall()
    assert len(audit) == 1 and audit[0][:3] == ("kec-07", "revoke", "supervisor-budi")
    assert audit[0][3] >= audit[0][4]
    time.sleep(0.2)
    log = server.log_path.read_text()
    failures = [line for line in log.splitlines() if "authentication failed" in line]
    assert len(failures) == 5, log
    assert not any(line.startswith("forged") for line in log.splitlines())
    assert any("reason=station token revoked" in f and "path='/v1/station'" in f
               and "client=127.0.0.1:" in f for f in failures)
    assert any("reason=unknown token" in f for f in failures)
    assert any("reason=missing bearer token" in f for f in failures)
    assert token not in log and hash_token(token) not in log and "guessed" not in log


def test_data_files_are_private_after_a_real_serve_and_upload(server):
    token = server.add_station("priv")
    h = {"Authorization": f"Bearer {token}"}
    key = protocol.new_private_key()
    assert requests.put(server.url + "/v1/station/key", headers=h,
                        json={"public_key": protocol.public_key_of(key)}).status_code == 200
    data = b"applicant photo"
    sha = hashlib.sha256(data).hexdigest()
    assert requests.put(f"{server.url}/v1/blobs/{sha}", data=data, headers=h).status_code == 201
    rid = str(uuid.uuid4())
    body = protocol.canonical({
        "protocol": "v1", "record_id": rid, "station_id": "st", "regno": "r",
        "local_date": "2026-01-01", "created_at": "t", "operator": "o",
        "applicant": {"nik": "6271040101900001"}, "exceptions": {}, "summary": {},
        "blobs": [{"kind": "photo", "sha256": sha, "size": len(data), "content_type": "x"}]})
    r = requests.put(f"{server.url}/v1/records/{rid}", data=body,
                     headers={**h, "Kiosk-Signature": protocol.sign(key, body)})
    assert r.status_code == 201
    d = server.data_dir
    files = [d / "central.db", d / "central.db-wal", d / "central.db-shm", d / "server-key",
             d / "blobs" / sha[:2] / sha]
    folders = [d, d / "blobs", d / "blobs" / sha[:2]]
    modes = {p.name: oct(stat.S_IMODE(p.stat().st_mode)) for p in files + folders}
    assert all(modes[p.name] == "0o600" for p in files), modes
    assert all(modes[p.name] == "0o700" for p in folders), modes


@pytest.mark.parametrize("route", ["/v1/blobs/{sha}", "/v1/blobs:missing", "/v1/blobs:bundle"])
def test_a_client_gone_mid_body_leaves_no_traceback_and_the_server_serves_on(server, route):
    """A station whose link dies in the middle of a body (a reset, not a slow trickle): the
    server notes it and goes on; no 'Exception in ASGI application' in its log."""
    token = server.add_station(f"cut-{uuid.uuid4().hex[:6]}")
    path = route.replace("{sha}", "ab" * 32)
    for _ in range(3):
        with socket.create_connection(("127.0.0.1", server.port)) as sock:
            sock.sendall(_head("PUT" if "{sha}" in route else "POST", path, token, 200_000)
                         + b"x" * 70_000)
            time.sleep(0.2)  # the server is reading the body
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\1\0\0\0\0\0\0\0")
    time.sleep(0.5)
    assert requests.get(server.url + "/v1/station",
                        headers={"Authorization": f"Bearer {token}"}, timeout=5).ok
    log = server.log_path.read_text(errors="replace")
    assert "Traceback" not in log and "Exception in ASGI" not in log, log[-2000:]
