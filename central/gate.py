"""What the gate in front of the API (central.admission.Admission) is told about this server:
which routes take which body, who a bearer token belongs to, what the router would answer a
request it has no route for, and which paths are public (no token: health, the API's own
documents, the applicant's status page, the officers' console with its own login)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI
from starlette.routing import Match
from starlette.types import Receive, Scope, Send

from central.admission import Admission
from central.bundle import bundle_body_limit
from central.database import DatabaseUnavailable
from central.storage import CentralStore, Station

# Body caps, sized for what a station sends (kiosk/sync/client.py): a blob is the largest (a
# photo or a fingerprint record: tens to hundreds of KB; 10 MiB leaves ample room), a
# manifest a few KB, a batch of at most MAX_IDS ids 40-70 KB, a public key 60 bytes.
MAX_BLOB = 10 * 1024 * 1024
MAX_MANIFEST = 256 * 1024
MAX_JSON = 128 * 1024
MAX_KEY_BODY = 4 * 1024
MAX_IDS = 1000
MAX_REPORT = 4 * 1024
PUBLIC = frozenset({"/v1/health", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"})
# the web pages: no bearer token (the console has its own login); their forms are small
WEB_PREFIXES = ("/cek", "/console")
MAX_FORM = 16 * 1024
# ... but for the console's drive import (central/web/console_carry.py), streamed to disk: a
# week's backlog of a station at a high cap (~1,400 records of ~720 KB) in one upload
CARRY_UPLOAD = ("POST", "/console/carry")
MAX_CARRY_UPLOAD = 1024 * 1024 * 1024
log = logging.getLogger("central.security")


def is_public(path: str) -> bool:
    """A path that takes no bearer token."""
    return path in PUBLIC or any(path == p or path.startswith(p + "/") for p in WEB_PREFIXES)


def body_limit(method: str, path: str) -> int:
    """The most body bytes the route at `path` takes (0: none)."""
    if (cap := bundle_body_limit(method, path)) is not None:
        return cap
    if method == "PUT" and path.startswith("/v1/blobs/"):
        return MAX_BLOB
    if method == "PUT" and path.startswith("/v1/records/"):
        return MAX_MANIFEST
    if method == "POST" and path in ("/v1/reconcile", "/v1/blobs:missing"):
        return MAX_JSON
    if (method, path) == CARRY_UPLOAD:
        return MAX_CARRY_UPLOAD
    if method == "POST" and any(path == p or path.startswith(p + "/") for p in WEB_PREFIXES):
        return MAX_FORM
    if (method, path) == ("PUT", "/v1/station/report"):
        return MAX_REPORT
    return MAX_KEY_BODY if (method, path) == ("PUT", "/v1/station/key") else 0


def verdict(store: CentralStore, scope: Scope) -> tuple[Station | None, tuple[int, str] | None]:
    """(station, None) for a valid token, else (None, (status, why)): 401 without a token or
    with an unknown one, 403 for a revoked station. Read from the database on every request,
    so a revocation holds at once for every process. Each failure is logged with the client's
    address, the path and the reason, never the token or its hash."""
    auth = dict(scope.get("headers") or ()).get(b"authorization", b"").decode("latin-1")
    station = None
    if not auth.startswith("Bearer ") or not auth[7:].strip():
        why: tuple[int, str] = (401, "missing bearer token")
    elif (station := store.station_by_token(auth[7:].strip())) is None:
        why = (401, "unknown token")
    elif station.revoked_at is not None:
        why = (403, f"station token revoked at {station.revoked_at}")
    else:
        return station, None
    client = scope.get("client") or ("?", 0)
    log.warning("authentication failed: client=%s:%s path=%r reason=%s%s", client[0], client[1],
                scope.get("path"), why[1], f" station={station.name!r}" if station else "")
    return None, why


def route_verdict(api: FastAPI, scope: Scope) -> tuple[int, str, list] | None:
    """What the router would answer a request it has no route for, decided from the head
    so the gate refuses it before reading a body: 405 with Allow for a method the path does
    not take, 404 for a path nobody serves; None when a route takes it."""
    allowed: set[str] = set()  # every route on this path: Allow lists them all
    for route in api.router.routes:
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return None
        if match is Match.PARTIAL:
            allowed |= set(getattr(route, "methods", None) or ())
    if not allowed:
        return 404, "Not Found", []
    return 405, "Method Not Allowed", [(b"allow", ", ".join(sorted(allowed)).encode())]


def gate_verdict(store: CentralStore, scope: Scope) -> Any:
    """The gate's token check; a database that cannot answer now lets the request through
    unauthenticated, so the route's own check meets the same error and answers 503 +
    Retry-After (the gate answers no 500)."""
    if is_public(scope["path"]):
        return None
    try:
        return verdict(store, scope)
    except DatabaseUnavailable:
        return None


class Gate(Admission):
    """The gate, with `/v1/health` passed straight through: a busy server is still alive, and
    the load balancer must hear which dependency is down."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == "/v1/health":
            await self.app(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)
