"""Admission control and request decoding as plain ASGI middleware.

`Admission` counts requests in flight and answers 503 + Retry-After *before* the application
(or anything else) reads the request body, so an overloaded server sheds load instead of
collapsing. `GzipRequest` inflates `Content-Encoding: gzip` request bodies with a size bound.
"""

from __future__ import annotations

import json
import zlib
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class Admission:
    """At most `max_inflight` HTTP requests inside `app`; the rest get 503 at once."""

    def __init__(self, app: ASGIApp, max_inflight: int, retry_after: int = 1) -> None:
        self.app = app
        self.max_inflight = max_inflight
        self.retry_after = retry_after
        self.inflight = 0
        self.rejected = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.max_inflight <= 0:
            await self.app(scope, receive, send)
            return
        # The event loop is single-threaded: check-and-increment cannot interleave.
        if self.inflight >= self.max_inflight:
            self.rejected += 1
            await _respond(send, 503, {"detail": "server busy, retry later"},
                           [(b"retry-after", str(self.retry_after).encode())])
            return
        self.inflight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.inflight -= 1


class GzipRequest:
    """Inflate gzip-encoded request bodies (at most `limit` bytes once inflated)."""

    def __init__(self, app: ASGIApp, limit: int = 4 * 1024 * 1024) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers") or [])
        if scope["type"] != "http" or headers.get(b"content-encoding", b"").lower() != b"gzip":
            await self.app(scope, receive, send)
            return
        inflater = zlib.decompressobj(wbits=31)
        out = bytearray()
        more = True
        while more:
            msg = await receive()
            if msg["type"] != "http.request":
                return
            try:
                out += inflater.decompress(msg.get("body", b""), self.limit + 1 - len(out))
            except zlib.error:
                await _respond(send, 400, {"detail": "body is not valid gzip"})
                return
            if len(out) > self.limit or inflater.unconsumed_tail:
                await _respond(send, 413, {"detail": "body too large"})
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


async def _respond(
    send: Send, status: int, doc: Any, extra: list[tuple[bytes, bytes]] | None = None
) -> None:
    body = json.dumps(doc).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    # Close the connection: the unread request body must not be parsed as the next request.
    headers.append((b"connection", b"close"))
    headers += extra or []
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
