"""A fault-injecting TCP proxy between a station and a real central server (tests, benches).

Per direction a reader thread applies faults and a writer thread delays chunks by the one-way
latency and paces them through a token bucket shared by all connections (one thin link).
Faults, each a probability per chunk: reset in the middle of a request body, the server's
answer dropped (after it committed), 503 + Retry-After instead of forwarding (a storm while
`storm_until` is in the future), garbage answers, and receipts with a flipped hash/signature.
By path (a request line's path starting with a given prefix): the answer dropped after the
server committed (`drop_answer_to`), or 404 as from a server without that call (`not_found`).
"""

from __future__ import annotations

import contextlib
import queue
import random
import re
import select
import socket
import struct
import threading
import time
from dataclasses import dataclass, field

METHOD_RE = re.compile(rb"^(GET|PUT|POST|HEAD|DELETE|PATCH|OPTIONS) (\S+) HTTP/1\.[01]\r\n")
GARBAGE = (
    b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 44\r\nConnection: close"
    b"\r\n\r\n<html><body>Login Wi-Fi gratis</body></html>",
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 12\r\n"
    b"Connection: close\r\n\r\n{\"receipt\": ",
    b"\x16\x03\x01\x00\xff garbage \x00\x01\x02",
    b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
    b"Connection: close\r\n\r\n{}",
)


@dataclass
class Faults:
    """Fault probabilities per chunk; change them while the proxy runs."""

    reset: float = 0.0
    drop_response: float = 0.0
    busy: float = 0.0
    garbage: float = 0.0
    tamper: float = 0.0
    storm_until: float = 0.0
    retry_after: int = 1
    drop_answer_to: tuple[str, ...] = ()  # path prefixes whose answers never arrive
    not_found: tuple[str, ...] = ()  # path prefixes answered 404 (an older server)


@dataclass
class Stats:
    requests: list[tuple[float, str, str]] = field(default_factory=list)  # (t, method, path)
    busy_sent: list[float] = field(default_factory=list)
    injected: dict[str, int] = field(default_factory=dict)
    bytes_up: int = 0
    bytes_down: int = 0


class Bucket:
    """Token bucket (bytes/s) shared by every connection in one direction."""

    def __init__(self, rate: float | None) -> None:
        self.rate = rate
        self.lock = threading.Lock()
        self.free_at = time.monotonic()

    def take(self, n: int) -> None:
        if not self.rate:
            return
        with self.lock:
            start = max(self.free_at, time.monotonic())
            self.free_at = start + n / self.rate
            until = self.free_at
        delay = until - time.monotonic()
        if delay > 0:
            time.sleep(delay)


def _rst(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


class FaultProxy:
    """Listens on 127.0.0.1:`port`, forwards to `target_port`."""

    def __init__(
        self, target_port: int, *, latency: float = 0.0, bandwidth: float | None = None,
        faults: Faults | None = None, seed: int = 0,
    ) -> None:
        self.target = ("127.0.0.1", target_port)
        self.latency = latency
        self.up = Bucket(bandwidth)
        self.down = Bucket(bandwidth)
        self.faults = faults or Faults()
        self.stats = Stats()
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._closing = False
        self._socks: set[socket.socket] = set()
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self._closing = True
        self.listener.close()
        with self.lock:
            for s in list(self._socks):
                _rst(s)

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _roll(self, p: float) -> bool:
        with self.lock:
            return p > 0 and self.rng.random() < p

    def _count(self, name: str) -> None:
        with self.lock:
            self.stats.injected[name] = self.stats.injected.get(name, 0) + 1

    def _accept(self) -> None:
        while not self._closing:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                _rst(client)
                continue
            for s in (client, upstream):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self.lock:
                self._socks |= {client, upstream}
            conn = _Conn(self, client, upstream)
            conn.start()


class _Conn:
    """One proxied connection: two directions, each a reader and a delayed writer."""

    def __init__(self, proxy: FaultProxy, client: socket.socket, upstream: socket.socket) -> None:
        self.p = proxy
        self.client = client
        self.upstream = upstream
        self.dead = threading.Event()
        self.finished = 0
        self.lock = threading.Lock()
        self.path = ""  # of the last request on this connection (HTTP/1.1: one at a time)

    def start(self) -> None:
        for up in (True, False):
            q: queue.Queue = queue.Queue()
            threading.Thread(target=self._read, args=(up, q), daemon=True).start()
            threading.Thread(target=self._write, args=(up, q), daemon=True).start()

    def kill(self) -> None:
        if not self.dead.is_set():
            self.dead.set()
            _rst(self.client)
            _rst(self.upstream)

    def _reply(self, data: bytes, *, clean: bool = False) -> None:
        """Answer the station ourselves (after the latency), then close: abruptly (RST, as
        a broken middlebox), or `clean`ly (FIN, as a server that closes after answering)."""
        time.sleep(self.p.latency)
        with contextlib.suppress(OSError):
            self.client.sendall(data)
        if not clean:
            self.kill()
            return
        self.dead.set()
        with contextlib.suppress(OSError):
            self.client.shutdown(socket.SHUT_WR)
        self.client.close()
        self.upstream.close()

    def _read(self, up: bool, q: queue.Queue) -> None:
        try:
            self._pump(up, q)
        finally:
            q.put("quit")  # however reading ended, the writer must not wait for ever

    def _pump(self, up: bool, q: queue.Queue) -> None:
        src = self.client if up else self.upstream
        f = self.p.faults
        while not self.dead.is_set():
            try:
                # poll, so a killed connection's reader lets go of the socket at once
                # (a close() under a blocked recv() would not send the RST until it returns)
                if not select.select([src], [], [], 0.1)[0]:
                    continue
                data = src.recv(65536)
            except (OSError, ValueError):
                data = b""
            if not data:
                q.put(None)
                return
            if up:
                m = METHOD_RE.match(data)
                now = time.monotonic()
                if m:
                    self.path = m.group(2).decode()
                    with self.p.lock:
                        self.p.stats.requests.append((now, m.group(1).decode(), self.path))
                if m and self.path.startswith(f.not_found):
                    self.p._count("not_found")
                    self._reply(b"HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n"
                                b"Content-Length: 22\r\nConnection: close\r\n\r\n"
                                b'{"detail":"Not Found"}', clean=True)
                    return
                if m and (now < f.storm_until or self.p._roll(f.busy)):
                    self.p._count("busy")
                    with self.p.lock:
                        self.p.stats.busy_sent.append(now)
                    self._reply(
                        b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: "
                        + str(f.retry_after).encode()
                        + b"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    )
                    return
                if self.p._roll(f.reset):
                    self.p._count("reset")
                    q.put((time.monotonic() + self.p.latency, data[: len(data) // 2]))
                    q.put("reset")
                    return
            else:
                if self.path.startswith(f.drop_answer_to):
                    self.p._count("drop_answer_to")
                    self.kill()
                    return
                if self.p._roll(f.drop_response):
                    self.p._count("drop_response")
                    self.kill()
                    return
                if self.p._roll(f.garbage):
                    self.p._count("garbage")
                    with self.p.lock:
                        junk = self.p.rng.choice(GARBAGE)
                    self._reply(junk)
                    return
                if b'"manifest_sha256":"' in data and self.p._roll(f.tamper):
                    self.p._count("tamper")
                    data = _tamper(data)
            q.put((time.monotonic() + self.p.latency, data))

    def _write(self, up: bool, q: queue.Queue) -> None:
        dst = self.upstream if up else self.client
        bucket = self.p.up if up else self.p.down
        while True:
            item = q.get()
            if item == "quit":
                return
            if item is None:
                with contextlib.suppress(OSError):
                    dst.shutdown(socket.SHUT_WR)
                with self.lock:
                    self.finished += 1
                    both = self.finished == 2
                if both:  # both directions ended cleanly: release the sockets
                    self.client.close()
                    self.upstream.close()
                return
            if item == "reset":
                self.kill()
                return
            due, data = item
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            for i in range(0, len(data), 4096):
                piece = data[i : i + 4096]
                bucket.take(len(piece))
                if self.dead.is_set():
                    return
                try:
                    dst.sendall(piece)
                except OSError:
                    self.kill()
                    return
                with self.p.lock:
                    if up:
                        self.p.stats.bytes_up += len(piece)
                    else:
                        self.p.stats.bytes_down += len(piece)


def _tamper(data: bytes) -> bytes:
    """Flip one hex digit of the receipt's manifest hash (its signature then fails too)."""
    key = b'"manifest_sha256":"'
    i = data.index(key) + len(key)
    flipped = b"0" if data[i : i + 1] != b"0" else b"1"
    return data[:i] + flipped + data[i + 1 :]
