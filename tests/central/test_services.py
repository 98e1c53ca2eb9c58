"""The production path's servers are the real programs: PostgreSQL keeps a committed row over a
restart and lets in only the test user, SeaweedFS checks S3 signatures and honours
`If-None-Match: *`, HAProxy spreads requests over its backends and routes around a dead one."""

from __future__ import annotations

import collections
import contextlib
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import psycopg
import pytest
from botocore.exceptions import ClientError

from tests.central.services import free_port, http_get


def test_postgres_is_real_local_durable_and_keeps_a_row_over_restart(pg, pg_dsn):
    with psycopg.connect(pg_dsn) as conn:
        settings = {name: conn.execute(f"SHOW {name}").fetchone()[0]
                    for name in ("listen_addresses", "fsync", "synchronous_commit", "port")}
        assert settings == {"listen_addresses": "127.0.0.1", "fsync": "on",
                            "synchronous_commit": "on", "port": str(pg.port)}
        assert conn.execute("SELECT version()").fetchone()[0].startswith("PostgreSQL ")
        conn.execute("CREATE TABLE kept (id int PRIMARY KEY, nik text)")
        conn.execute("INSERT INTO kept VALUES (1, '3171234567890001')")
    before = _postmaster_pid(pg)
    pg.restart()
    assert _postmaster_pid(pg) != before  # a new server process, the same data
    with psycopg.connect(pg_dsn) as conn:
        assert conn.execute("SELECT id, nik FROM kept").fetchall() == [(1, "3171234567890001")]


def test_postgres_stopped_refuses_then_serves_again(pg, pg_dsn):
    pg.stop()
    try:
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(pg_dsn, connect_timeout=2)
    finally:
        pg.start()
    with psycopg.connect(pg_dsn) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)


def test_postgres_trusts_only_the_test_user(pg):
    with pytest.raises(psycopg.OperationalError, match="rejects|no pg_hba|password|denied"):
        psycopg.connect(f"postgresql://postgres@127.0.0.1:{pg.port}/postgres", connect_timeout=2)


def _postmaster_pid(pg) -> int:
    return int((pg.data / "postmaster.pid").read_text().split()[0])


def test_seaweed_stores_and_returns_an_object(s3):
    client = s3.client()
    body = b"\x00photo\xff" * 1000
    client.put_object(Bucket=s3.bucket, Key="t/one", Body=body)
    assert client.get_object(Bucket=s3.bucket, Key="t/one")["Body"].read() == body
    listed = client.list_objects_v2(Bucket=s3.bucket, Prefix="t/")["Contents"]
    assert [(o["Key"], o["Size"]) for o in listed] == [("t/one", len(body))]


def test_seaweed_refuses_a_wrong_signature(s3):
    s3.client().put_object(Bucket=s3.bucket, Key="t/signed", Body=b"x")
    for call in (lambda c: c.get_object(Bucket=s3.bucket, Key="t/signed"),
                 lambda c: c.put_object(Bucket=s3.bucket, Key="t/forged", Body=b"y")):
        with pytest.raises(ClientError) as refused:
            call(s3.client(secret_key=s3.secret_key + "x"))
        assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
        assert refused.value.response["Error"]["Code"] == "SignatureDoesNotMatch"
    with pytest.raises(ClientError):
        s3.client().head_object(Bucket=s3.bucket, Key="t/forged")


def test_seaweed_conditional_put_refuses_an_existing_key_with_412(s3):
    client = s3.client()
    key = f"t/once-{time.monotonic_ns()}"
    client.put_object(Bucket=s3.bucket, Key=key, Body=b"first", IfNoneMatch="*")
    with pytest.raises(ClientError) as refused:
        client.put_object(Bucket=s3.bucket, Key=key, Body=b"second", IfNoneMatch="*")
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 412
    assert refused.value.response["Error"]["Code"] == "PreconditionFailed"
    assert client.get_object(Bucket=s3.bucket, Key=key)["Body"].read() == b"first"


class _Backend:
    """A tiny HTTP server that answers /v1/health and names itself on every other path."""

    def __init__(self, name: str) -> None:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the http.server API
                body = b"ok" if self.path == "/v1/health" else outer.name.encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_: object) -> None:
                pass

        self.name = name
        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.server.handle_error = lambda *_: None  # health checks hang up early: not news
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def backends():
    started = [_Backend("a"), _Backend("b")]
    yield started
    for backend in started:
        with contextlib.suppress(OSError):
            backend.stop()


def _who(front: str, n: int) -> collections.Counter:
    answers = collections.Counter()
    for i in range(n):
        status, _, body = http_get(f"{front}/who/{i}")
        answers[body.decode() if status == 200 else status] += 1
    return answers


def test_haproxy_spreads_requests_and_skips_a_dead_backend(haproxy, backends):
    front = haproxy([b.url for b in backends])
    assert _who(front, 20) == {"a": 10, "b": 10}  # round robin
    backends[1].stop()
    # at once (before any health check noticed): refused connections are retried elsewhere
    assert _who(front, 20) == {"a": 20}
    time.sleep(3)  # and once marked DOWN it is skipped outright
    assert _who(front, 10) == {"a": 10}


def test_haproxy_answers_503_with_retry_after_when_no_backend_is_up(haproxy, backends):
    front = haproxy([b.url for b in backends])
    for backend in backends:
        backend.stop()
    deadline = time.monotonic() + 10
    while True:
        status, headers, body = http_get(f"{front}/v1/health")
        if status == 503 or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert status == 503
    assert headers.get("retry-after") == "5"
    assert b"no central server is available" in body
