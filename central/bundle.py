"""`POST /v1/blobs:bundle`: all of a record's missing blobs in one request (see docs/bundle.md).

The body (framing: `ektp_protocol.bundle`) is read as it arrives; each part's SHA-256 is
checked while its bytes come in, and each complete, matching part's bytes are written to the
blob store at once, before the next part is read. The station's rows for them are committed
together (one folder sync and one transaction, not one per part) when the body ends, when it
pauses for PAUSE seconds, and at least every COMMIT_EVERY seconds; nothing is answered before.
So a bundle cut anywhere keeps every part that fully arrived: the station's next
`blobs:missing` asks only for the rest. A part whose
bytes do not hash to its address is refused and the others are kept. The answer says which
were stored (newly or already held) and which were refused.

The route checks the token (the `auth_dependency` given, resolved from the request head)
before it reads a byte of the body, caps the body at `MAX_BUNDLE` and each part at
`MAX_PART`, and holds the body to a read deadline (`IDLE` seconds between pieces at most,
`MIN_RATE` bytes/s on average after `GRACE`), also without the admission gate in front. An
older server has no such route and answers 404 (or 413 from its gate, which caps unknown
routes' bodies at 0): stations then upload blob by blob as before.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from central.schema import Problem
from central.storage import CentralStore, HashMismatch, Station
from ektp_protocol import bundle as wire

BUNDLE_PATH = "/v1/blobs:bundle"
MAX_PART = 10 * 1024 * 1024  # as one blob PUT (central.app.MAX_BLOB)
MAX_PARTS = 256  # a record names ~13 blobs; a station sends one record's per bundle
MAX_BUNDLE = 64 * 1024 * 1024
IDLE = 15.0  # longest wait for the next piece of the body (the gate's default too)
MIN_RATE = 4096.0  # bytes/s averaged from the start, after GRACE seconds
GRACE = 5.0
PAUSE = 0.05  # a body silent this long has its stored parts committed (see _pieces)
COMMIT_EVERY = 1.0  # ... and a body that keeps coming, at least this often
log = logging.getLogger("central.bundle")


class Refusal(BaseModel):
    sha256: str
    reason: str


class BundleAnswer(BaseModel):
    """What became of the parts: `stored` (held now, newly or already), `refused`."""

    # defaults: a 413/408 from the gate in front (before any part was read) has neither
    stored: list[str] = Field(default_factory=list,
                              description="SHA-256 of each part the server now holds")
    refused: list[Refusal] = Field(default_factory=list,
                                   description="parts not stored, with the reason")


class BundleProblem(BundleAnswer):
    """An error after some parts were read: those stored stay stored."""

    detail: str


class _Breach(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def bundle_body_limit(method: str, path: str) -> int | None:
    """The bundle route's body cap for the admission gate's `body_limit`; None: not ours."""
    return MAX_BUNDLE if (method, path) == ("POST", BUNDLE_PATH) else None


async def _next(stream: AsyncIterator[bytes]) -> bytes | None:
    try:
        return await stream.__anext__()
    except StopAsyncIteration:
        return None


async def _pieces(request: Request, cap: int,
                  on_pause: Callable[[], Awaitable[None]]) -> AsyncIterator[bytes]:
    """The body as it arrives, within `cap` bytes and the read deadline (else _Breach).
    Whenever nothing arrives for PAUSE seconds, `on_pause` runs before waiting on: a body
    that stopped (a link that died without a word) has what arrived kept at once, not when
    the deadline runs out."""
    stream = request.stream().__aiter__()
    started, got = time.monotonic(), 0
    while True:
        wait = min(IDLE, started + GRACE + got / MIN_RATE - time.monotonic())
        nxt = asyncio.ensure_future(_next(stream))
        try:
            done, _ = await asyncio.wait({nxt}, timeout=max(0.0, min(PAUSE, wait)))
            if not done and wait > PAUSE:
                await on_pause()
                done, _ = await asyncio.wait({nxt}, timeout=max(0.0, wait - PAUSE))
            if not done:
                raise _Breach(408, "bundle body too slow; send the rest again")
            piece = nxt.result()
        finally:
            if not nxt.done():
                nxt.cancel()
        if piece is None:
            return
        got += len(piece)
        if got > cap:
            raise _Breach(413, f"bundle too large (at most {cap} bytes)")
        yield piece


class _Intake:
    """One bundle being received: each part's bytes stored as it completes, their rows given
    to the station in one transaction at the end (`commit`), whatever ended the body."""

    def __init__(self, store: CentralStore, station: Station) -> None:
        self.store, self.station = store, station
        self.reader = wire.BundleReader(max_parts=MAX_PARTS, max_part=MAX_PART)
        self.stored: dict[str, int] = {}  # sha256 -> size, in order, duplicates once
        self.pending: dict[str, int] = {}  # stored bytes whose rows are not yet committed
        self.pending_since = 0.0
        self.refused: list[dict[str, str]] = []

    async def take(self, piece: bytes) -> None:
        for part in self.reader.feed(piece):
            if not part.matches:
                self.refused.append({"sha256": part.sha256, "reason": "hash mismatch"})
                continue
            try:
                await run_in_threadpool(self.store.store_bytes, part.sha256, part.data)
            except HashMismatch:
                self.refused.append({"sha256": part.sha256, "reason": "hash mismatch"})
            else:
                if not self.pending:
                    self.pending_since = time.monotonic()
                self.stored[part.sha256] = self.pending[part.sha256] = len(part.data)
        if self.pending and time.monotonic() - self.pending_since >= COMMIT_EVERY:
            await self.commit()
        if self.reader.error is not None:  # after storing the parts before the break
            raise self.reader.error

    async def commit(self) -> None:
        """Make the stored parts durable and the station's: one folder sync, one
        transaction (a 13-part bundle arriving at once costs one commit, not 13). Runs at
        the body's end, whenever it pauses, and at least every COMMIT_EVERY seconds."""
        if self.pending:
            pending, self.pending = self.pending, {}
            await run_in_threadpool(self.store.commit_blobs, self.station, pending)

    async def receive(self, request: Request) -> tuple[int, str | None]:
        """Read the whole body part by part; the answer's status and detail."""
        try:
            async for piece in _pieces(request, MAX_BUNDLE, self.commit):
                await self.take(piece)
        except wire.BundleError as exc:
            status = 413 if isinstance(exc, wire.BundleTooLarge) else 400 \
                if self.reader.declared is None else 422
            return status, str(exc)
        except _Breach as exc:
            return exc.status, exc.detail
        except ClientDisconnect:
            out = self.reader.outcome()
            log.info("bundle from %s cut after %d of %s parts (%d stored)", self.station.name,
                     out.parts, out.declared, len(self.stored))
            return 400, "connection closed inside the bundle"
        out = self.reader.outcome()
        if out.declared is None:
            return 400, "not a bundle (shorter than its header)"
        if not out.complete:
            return 422, f"bundle cut after {out.parts} of {out.declared} parts"
        return 200, None

    def answer(self, status: int = 200, detail: str | None = None) -> JSONResponse:
        doc: dict[str, Any] = {"stored": list(self.stored), "refused": self.refused}
        if detail is not None:
            doc["detail"] = detail
        # An error before the body's end: the rest must not be read as the next request.
        headers = {"Connection": "close"} if status in (408, 413) else None
        return JSONResponse(doc, status_code=status, headers=headers)


def _responses() -> dict[int | str, dict[str, Any]]:
    said = {
        400: "not a bundle (wrong magic), or a body that cannot be read",
        401: "no bearer token, or an unknown one (WWW-Authenticate: Bearer)",
        403: "station token revoked",
        408: "the body did not arrive at the minimum rate (parts read before are kept)",
        413: "bundle, or one part, over the cap (parts read before are kept)",
        422: "framing broken or the bundle cut short (parts read before are kept)",
        503: "server busy: retry after Retry-After seconds",
    }
    kept = (408, 413, 422)
    return {code: {"model": BundleProblem if code in kept else Problem, "description": text}
            for code, text in said.items()}


def add_bundle_routes(api: FastAPI, store: CentralStore,
                      auth_dependency: Callable[..., Station]) -> None:
    """Register `POST /v1/blobs:bundle` on `api`; `auth_dependency` yields the request's
    authenticated station (central.app's `_auth`) before the body is touched."""
    # a default, not an Annotated alias: annotations are strings here, resolved globally
    authenticated = Depends(auth_dependency)

    @api.post(
        BUNDLE_PATH,
        response_model=BundleAnswer,
        responses=_responses(),
        openapi_extra={"requestBody": {"required": True, "content": {
            wire.CONTENT_TYPE: {"schema": {"type": "string", "format": "binary"}}}}},
    )
    async def post_bundle(request: Request,
                          station: Station = authenticated) -> JSONResponse:
        """Upload several blobs in one body (framing: docs/bundle.md); each part is checked
        against its SHA-256 and stored as it completes, so a cut bundle keeps what arrived."""
        intake = _Intake(store, station)
        try:
            status, detail = await intake.receive(request)
        finally:  # the parts that arrived are kept, however the body ended
            await intake.commit()
        return intake.answer(status, detail)
