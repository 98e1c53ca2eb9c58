"""The gate in front of the API, as plain ASGI middleware: who may come in, with how much, how
fast, and how many at once.

`Admission` decides everything it can from the request head, before a byte of the body is
read: 503 + Retry-After when `max_inflight` requests are already inside (after waiting at
most `queue_wait` seconds for one to leave), 404/405 when no route takes that method on that
path (the router's own answer, given before the body), 401/403 when the bearer token is missing,
unknown or revoked, 413 when the declared body is over the route's cap. Only a request its
head lets in (authenticated, within the cap) keeps a slot past that check, and only while its
body keeps coming: at `BodyPolicy.min_rate` bytes/s on average after a grace period, with no
gap over `BodyPolicy.idle`, and never over the cap; otherwise 408 (or 413) and the
connection is closed. An early refusal keeps the connection alive when the client
sent no body or a small one (the server skips it), and closes it only when a large unread
body would otherwise have to be read. `GzipRequest` inflates `Content-Encoding: gzip` request
bodies with the same cap.
"""

from __future__ import annotations

import asyncio
import collections
import json
import logging
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# authenticate(scope) -> (principal, None) or (None, (status, detail)); None: a public route.
Authenticate = Callable[[Scope], "tuple[Any, tuple[int, str] | None] | None"]
BodyLimit = Callable[[str, str], int]  # (method, path) -> most body bytes the route takes
# route(scope) -> None when a route takes this method on this path, else (status, detail,
# extra headers): 404 no such path, 405 (with Allow) a method the path does not take
Route = Callable[[Scope], "tuple[int, str, list[tuple[bytes, bytes]]] | None"]


@dataclass(frozen=True)
class BodyPolicy:
    """How a request body must arrive. The defaults suit a station on a thin link (a 4 KiB/s
    floor is 32 kbit/s; a 1 Mbit/s link sends 125 KiB/s)."""

    min_rate: float = 4096.0  # bytes per second, averaged from the request's start
    grace: float = 5.0  # seconds before the average rate is held against the body
    idle: float = 15.0  # longest wait for the next piece of the body
    drain_max: int = 64 * 1024  # an unread body up to this is skipped to keep the connection


log = logging.getLogger("central.admission")


def _encode(detail: str) -> bytes:
    return json.dumps({"detail": detail}).encode()


BUSY = _encode("server busy, retry later")


class Admission:
    """The gate (see the module docstring). `max_inflight` 0: no slot limit (the token, body
    caps and deadlines still apply)."""

    def __init__(self, app: ASGIApp, max_inflight: int, retry_after: int = 1, *,
                 authenticate: Authenticate | None = None,
                 body_limit: BodyLimit | None = None, route: Route | None = None,
                 policy: BodyPolicy | None = None, queue_wait: float = 0.1,
                 authenticate_in_thread: bool = True) -> None:
        self.app = app
        self.route = route
        self.authenticate_in_thread = authenticate_in_thread
        self.max_inflight = max_inflight
        self.retry_after = retry_after
        self.authenticate = authenticate
        self.body_limit = body_limit
        self.policy = policy or BodyPolicy()
        self.inflight = 0
        self.rejected = 0
        self.queue_wait = queue_wait
        self.max_queue = 4 * max_inflight
        self._waiters: collections.deque[asyncio.Future[bool]] = collections.deque()
        self._retry_header = (b"retry-after", str(retry_after).encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared, chunked = _declared_length(scope)
        unread = declared if declared is not None else (1 << 62 if chunked else 0)
        if not await self._admit():
            self.rejected += 1
            await self._refuse(send, 503, BUSY, [self._retry_header], unread=unread)
            return
        try:  # the slot is held across the app only for a request its head lets in
            refusal = await self._check(scope, declared)
            if refusal is None:
                limit = scope["state"]["body_limit"]
                await _Body(self.policy, limit, declared, receive, send).run(self.app, scope)
        finally:
            self._release()
        if refusal is not None:
            await self._refuse(send, *refusal, unread=max(unread, abs(declared or 0)), keep=False)

    async def _admit(self) -> bool:
        """Take a slot, waiting at most `queue_wait` s behind at most `max_queue` others. A
        short wait costs nothing but a future; a 503 costs the client a round trip and the
        server a request to parse, so a brief queue turns a flood of retries into served
        requests. The event loop is single-threaded: check-and-take cannot interleave."""
        if self.max_inflight <= 0 or self.inflight < self.max_inflight:
            self.inflight += 1
            return True
        if len(self._waiters) >= self.max_queue or self.queue_wait <= 0:
            return False
        loop = asyncio.get_running_loop()
        granted: asyncio.Future[bool] = loop.create_future()
        timer = loop.call_later(self.queue_wait,
                                lambda: granted.done() or granted.set_result(False))
        self._waiters.append(granted)
        try:
            return await granted  # True: a leaving request handed its slot over
        except asyncio.CancelledError:  # the client went away while it waited
            if granted.done() and not granted.cancelled() and granted.result():
                self._release()  # handed over just as it went: pass the slot on
            raise
        finally:
            timer.cancel()
            if granted in self._waiters:
                self._waiters.remove(granted)

    def _release(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(True)  # the slot passes on: inflight stays
                return
        self.inflight -= 1

    async def _check(self, scope: Scope,
                     declared: int | None) -> tuple[int, bytes, list] | None:
        """The head's verdict, from the head alone: None to let the request in (its station
        and body cap put in `scope["state"]`), else (status, body, headers). The token is
        looked up on a worker thread (`authenticate_in_thread`): a database across the
        network that is slow or restarting must not stall the event loop, and with it every
        other connection and the health check."""
        state = scope.setdefault("state", {})
        if self.route is not None and (no_route := self.route(scope)) is not None:
            return no_route[0], _encode(no_route[1]), no_route[2]
        if self.authenticate is not None:
            verdict = await run_in_threadpool(self.authenticate, scope) \
                if self.authenticate_in_thread else self.authenticate(scope)
            if verdict is not None and verdict[1] is not None:
                status, detail = verdict[1]
                extra = [(b"www-authenticate", b"Bearer")] if status == 401 else []
                return status, _encode(detail), extra
            if verdict is not None:
                state["station"] = verdict[0]
        limit = self.body_limit(scope["method"], scope["path"]) if self.body_limit else 1 << 62
        state["body_limit"] = limit
        if declared is not None and not 0 <= declared <= limit:
            return 413, _encode(f"body too large (at most {limit} bytes here)"), []
        return None

    async def _refuse(self, send: Send, status: int, body: bytes,
                      extra: list[tuple[bytes, bytes]] | None = None, *, unread: int,
                      keep: bool = True) -> None:
        """Answer without reading the body; keep the connection when `keep` and the unread
        body is small enough for the server to skip."""
        close = unread > 0 and (not keep or unread > self.policy.drain_max)
        await _respond(send, status, body, extra, close=close)


class _Body:
    """One admitted request: its body bounded by `limit` bytes and the policy's deadlines;
    on a breach the gate answers (413/408, connection closed) and the app sees a disconnect."""

    def __init__(self, policy: BodyPolicy, limit: int, declared: int | None,
                 receive: Receive, send: Send) -> None:
        self.policy, self.limit, self.declared = policy, limit, declared
        self._receive, self._send = receive, send
        self.started = time.monotonic()
        self.got = 0
        self.done = declared == 0
        self.answered = False  # the gate sent the answer: the app's messages are dropped
        self.app_started = False

    async def run(self, app: ASGIApp, scope: Scope) -> None:
        try:
            await app(scope, self.receive, self.send)
        except ClientDisconnect:  # the client left mid-body: nobody to answer, nothing wrong
            log.info("client %s left during %s %s", (scope.get("client") or ("?",))[0],
                     scope.get("method"), scope.get("path"))
        except Exception:
            if not self.answered:
                raise  # else: the app tripping over the disconnect it was shown

    async def send(self, message: Message) -> None:
        if self.answered:
            return
        if message["type"] == "http.response.start":
            self.app_started = True
        await self._send(message)

    async def receive(self) -> Message:
        if self.answered:
            return {"type": "http.disconnect"}
        if self.done:
            return await self._receive()
        now = time.monotonic()
        due = self.started + self.policy.grace + self.got / self.policy.min_rate
        wait = min(self.policy.idle, due - now)
        try:
            if wait <= 0:
                raise TimeoutError
            message = await asyncio.wait_for(self._receive(), wait)
        except TimeoutError:
            return await self._breach(408, "request body too slow; send it again")
        if message["type"] == "http.request":
            self.got += len(message.get("body", b""))
            if self.got > self.limit:
                return await self._breach(413, f"body too large (at most {self.limit} bytes "
                                               "here)")
            self.done = not message.get("more_body", False)
        return message

    async def _breach(self, status: int, detail: str) -> Message:
        if not self.app_started:
            self.answered = True
            await _respond(self._send, status, _encode(detail), close=True)
        return {"type": "http.disconnect"}


def _declared_length(scope: Scope) -> tuple[int | None, bool]:
    """(Content-Length or None, chunked); a Content-Length that is not a number is -1."""
    length: int | None = None
    chunked = False
    for name, value in scope.get("headers") or ():
        if name == b"content-length":
            length = int(value) if value.isdigit() else -1
        elif name == b"transfer-encoding":
            chunked = b"chunked" in value.lower()
    return length, chunked


class GzipRequest:
    """Inflate gzip-encoded request bodies: at most the route's cap (`scope["state"]
    ["body_limit"]`, set by `Admission`) or `limit` bytes once inflated."""

    def __init__(self, app: ASGIApp, limit: int = 4 * 1024 * 1024) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers") or [])
        if scope["type"] != "http" or headers.get(b"content-encoding", b"").lower() != b"gzip":
            await self.app(scope, receive, send)
            return
        limit = min(self.limit, (scope.get("state") or {}).get("body_limit", self.limit))
        inflater = zlib.decompressobj(wbits=31)
        out = bytearray()
        more = True
        while more:
            msg = await receive()
            if msg["type"] != "http.request":
                return
            try:
                out += inflater.decompress(msg.get("body", b""), limit + 1 - len(out))
            except zlib.error:
                await _respond(send, 400, _encode("body is not valid gzip"), close=True)
                return
            if len(out) > limit or inflater.unconsumed_tail:
                await _respond(send, 413, _encode(f"body too large once inflated (at most "
                                                  f"{limit} bytes here)"), close=True)
                return
            more = msg.get("more_body", False)
        body = bytes(out)
        new_headers = [
            (k, v) for k, v in scope["headers"] if k not in (b"content-encoding", b"content-length")
        ] + [(b"content-length", str(len(body)).encode())]
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app({**scope, "headers": new_headers}, replay, send)


async def _respond(send: Send, status: int, body: bytes,
                   extra: list[tuple[bytes, bytes]] | None = None, *, close: bool) -> None:
    """A JSON answer; `close` when an unread request body must not be parsed as the next
    request (or the client is not worth keeping)."""
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if close:
        headers.append((b"connection", b"close"))
    headers += extra or []
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
