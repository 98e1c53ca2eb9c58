"""The server as a process: CLI tokens, TLS with a test CA, admission before the body."""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import time

import pytest
import trustme
from harness import CENTRAL, CentralProcess, assert_delivered, link, make_station

from kiosk.sync.engine import run_until_idle
from kiosk.sync.link import SetupFailed, open_engine


def test_station_add_prints_a_token_once_and_stores_only_its_hash(tmp_path):
    out = subprocess.run([CENTRAL, "station", "add", "--data-dir", str(tmp_path), "kec-01"],
                         check=True, capture_output=True, text=True)
    token = out.stdout.strip()
    assert len(token) >= 22  # 128 random bits, URL-safe base64
    db = sqlite3.connect(tmp_path / "central.db")
    stored = db.execute("SELECT token_hash FROM stations WHERE name = 'kec-01'").fetchone()[0]
    assert token not in stored and len(stored) == 64
    again = subprocess.run([CENTRAL, "station", "add", "--data-dir", str(tmp_path), "kec-01"],
                           capture_output=True, text=True)
    assert again.returncode != 0


def test_tls_with_a_test_ca_is_verified_and_delivers(tmp_path):
    """HTTPS with a trustme CA: the pinned CA bundle works; without it set-up is refused."""
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    cert_pem, key_pem, ca_pem = (tmp_path / n for n in ("cert.pem", "key.pem", "ca.pem"))
    cert.private_key_and_cert_chain_pem.write_to_path(str(cert_pem))
    cert.private_key_pem.write_to_path(str(key_pem))
    ca.cert_pem.write_to_path(str(ca_pem))
    server = CentralProcess(tmp_path / "central", tls=(str(cert_pem), str(key_pem)),
                            ca=str(ca_pem))
    try:
        assert server.url.startswith("https://")
        untrusting = make_station(tmp_path / "plain", 1)
        with pytest.raises(SetupFailed):
            link(untrusting, server.url, server.add_station("plain"))
        untrusting.close()
        store = make_station(tmp_path / "st", 2, extra={"sync.ca_bundle": str(ca_pem)})
        link(store, server.url, server.add_station("tls"))
        engine = open_engine(store)
        try:
            assert run_until_idle(engine, 60)
        finally:
            engine.close()
        assert_delivered(store, server.data_dir)
        store.close()
    finally:
        server.stop()


def _recv_head(sock: socket.socket, timeout: float) -> bytes:
    sock.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def test_admission_answers_503_with_retry_after_before_reading_the_body(tmp_path):
    """With --max-inflight 1 and one upload hanging mid-body, a second request is refused at
    once although its 10 MB body was never sent."""
    server = CentralProcess(tmp_path / "central", max_inflight=1)
    try:
        token = server.add_station("busy")
        head = (f"PUT /v1/blobs/{'a' * 64} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}"
                "\r\nContent-Length: 10000000\r\n\r\n").encode()
        hog = socket.create_connection(("127.0.0.1", server.port))
        hog.sendall(head + b"x" * 1000)
        time.sleep(0.3)  # let the server take it in
        second = socket.create_connection(("127.0.0.1", server.port))
        started = time.monotonic()
        second.sendall(head)  # no body at all
        answer = _recv_head(second, 5)
        assert time.monotonic() - started < 2
        assert answer.startswith(b"HTTP/1.1 503"), answer
        assert b"retry-after: 1" in answer.lower()
        second.close()
        hog.close()
        deadline = time.monotonic() + 5
        while True:  # the slot frees once the hung upload is gone
            probe = socket.create_connection(("127.0.0.1", server.port))
            probe.sendall(b"GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
            if _recv_head(probe, 5).startswith(b"HTTP/1.1 200"):
                probe.close()
                break
            probe.close()
            assert time.monotonic() < deadline
            time.sleep(0.1)
    finally:
        server.stop()
