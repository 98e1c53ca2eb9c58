"""The client's one retry of a request whose connection was cut under it (a flapping link),
against a real socket that resets: once, it is asked again at once; a refused connection or
a server that does not answer is the engine's to wait out, not retried here."""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time

import pytest

from kiosk.sync.client import CentralClient, Unreachable

OK = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 15\r\n"
      b"Connection: close\r\n\r\n{\"status\":\"ok\"}")


class Flaky:
    """A listener on 127.0.0.1 that resets the first `cuts` connections after reading the
    request (RST: SO_LINGER 0), answers health after that, or stays silent (`silent`)."""

    def __init__(self, cuts: int, silent: bool = False) -> None:
        self.cuts, self.silent, self.accepted = cuts, silent, 0
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        held = []
        while not self.done.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            self.accepted += 1
            conn.recv(65536)
            if self.silent:
                held.append(conn)  # never answers
            elif self.accepted <= self.cuts:
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                conn.close()
            else:
                conn.sendall(OK)
                conn.close()
        for c in held:
            c.close()

    def close(self) -> None:
        self.done.set()
        self.thread.join(5)
        self.sock.close()


@contextlib.contextmanager
def flaky(cuts: int, silent: bool = False):
    server = Flaky(cuts, silent)
    try:
        yield server
    finally:
        server.close()


def _client(port: int) -> CentralClient:
    return CentralClient(f"http://127.0.0.1:{port}", "t", health_timeout=1.0,
                         request_timeout=1.0)


def test_one_cut_connection_is_asked_again_at_once():
    with flaky(cuts=1) as server:
        assert _client(server.port).health() == {"status": "ok"}
        assert server.accepted == 2


def test_a_link_that_keeps_cutting_is_unreachable_after_one_retry():
    with flaky(cuts=10) as server:
        with pytest.raises(Unreachable, match="aborted"):
            _client(server.port).health()
        assert server.accepted == 2  # once more, not on and on: the engine's backoff decides


def test_a_silent_server_is_not_asked_twice():
    with flaky(cuts=0, silent=True) as server:
        started = time.monotonic()
        with pytest.raises(Unreachable, match="timed out"):
            _client(server.port).health()
        assert server.accepted == 1 and time.monotonic() - started < 2.5


def test_a_refused_connection_is_not_retried():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound, never listening: refused
        with pytest.raises(Unreachable, match="(?i)refused"):
            _client(port).health()
