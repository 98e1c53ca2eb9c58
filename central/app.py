"""The v1 HTTP API (FastAPI). See docs/protocol.md for the contract stations rely on.

The gate in front of it (`central.admission.Admission`) checks the bearer token from the
request head before any body byte is read, caps each route's body (`body_limit`) and holds it
to a minimum rate; every answer it can give is declared on each route (`_errors`)."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, HTTPException, Query, Request, Security
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPBearer
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp

import ektp_protocol as protocol
from central.admission import BodyPolicy, GzipRequest
from central.blobstore import BlobStoreUnavailable
from central.bundle import add_bundle_routes
from central.database import DatabaseUnavailable
from central.gate import (
    MAX_BLOB,
    MAX_IDS,
    MAX_MANIFEST,
    Gate,
    body_limit,
    gate_verdict,
    route_verdict,
    verdict,
)
from central.gate import log as security_log
from central.reports import add_report_routes, check_status_url
from central.schema import MissingBlobsProblem, Problem
from central.storage import (
    CHANGES_PAGE,
    CentralStore,
    HashMismatch,
    ManifestConflict,
    MissingBlobs,
    Station,
    StationIdClaimed,
    WrongStation,
)
from central.web import add_web_routes
from central.web.settings import WebSettings
from ektp_protocol.carry import carry_key_signature, carry_public_key

# Body caps, sized for what a station sends (kiosk/sync/client.py): a blob is the largest (a
# photo or a fingerprint record: tens to hundreds of KB; 10 MiB leaves ample room), a
# manifest a few KB, a batch of at most MAX_IDS ids 40-70 KB, a public key 60 bytes.
# Input patterns in the form pydantic applies them: the whole string (its `$` is the end).
Sha256 = Annotated[str, PathParam(pattern=protocol.SHA256_RE.pattern)]
RecordId = Annotated[str, PathParam(pattern=protocol.RECORD_ID_RE.pattern)]
ShaItem = Annotated[str, Field(pattern=protocol.SHA256_RE.pattern)]
IdItem = Annotated[str, Field(pattern=protocol.RECORD_ID_RE.pattern)]
bearer = HTTPBearer(auto_error=False, description="the station's token (kiosk-central station add)")


class MissingQuery(BaseModel):
    sha256: list[ShaItem] = Field(max_length=MAX_IDS)


class MissingAnswer(BaseModel):
    missing: list[str]


class ReconcileQuery(BaseModel):
    record_ids: list[IdItem] = Field(max_length=MAX_IDS)


class StationKey(BaseModel):
    # base64 of 32 raw bytes: 43 characters (the last carrying 4 bits) and one "="
    public_key: str = Field(pattern=r"^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$",
                            description="the station's Ed25519 public key, base64")


async def _auth(request: Request, _: Annotated[Any, Security(bearer)] = None) -> Station:
    """The station the gate authenticated (or, without the gate, checked here). Async: the
    usual case reads what the gate left, and a sync dependency costs a thread hop."""
    station = getattr(request.state, "station", None)
    if station is None:
        station, why = await run_in_threadpool(verdict, request.app.state.store, request.scope)
        if why is not None:
            raise HTTPException(why[0], why[1], {"WWW-Authenticate": "Bearer"})
    return station


Auth = Annotated[Station, Depends(_auth)]

_ANSWERS: dict[int, tuple[Any, str]] = {
    400: (Problem, "a body that cannot be parsed (not JSON, nested too deeply, broken gzip)"),
    401: (Problem, "no bearer token, or an unknown one (WWW-Authenticate: Bearer)"),
    403: (Problem, "station token revoked, or not this station's to do"),
    404: (Problem, "no such record"),
    408: (Problem, "the body did not arrive at the minimum rate; the connection is closed"),
    409: (Problem, "conflicts with what is stored"),
    413: (Problem, "body over this route's cap (also said before reading it)"),
    422: (Problem, "invalid request (detail: a sentence or the invalid fields, never the input)"),
    503: (Problem, "server busy: retry after Retry-After seconds"),
}


def _errors(*codes: int, **special: Any) -> dict[int | str, dict[str, Any]]:
    """OpenAPI responses: every route may answer 413 and 503 (the gate); authenticated ones
    401 and 403; `codes` adds more. `special` ("r422": {...}) overrides one."""
    out: dict[int | str, dict[str, Any]] = {}
    for code in sorted({413, 503, *codes}):
        model, text = _ANSWERS[code]
        out[code] = special.get(f"r{code}") or {"model": model, "description": text}
    return out


AUTHED = (401, 403)
BODY = (400, 408, 422)  # routes that take a body


async def _read_body(request: Request, limit: int) -> bytes:
    """The whole body (the gate has already bounded it; this is the check without the gate)."""
    out = bytearray()
    async for chunk in request.stream():
        out += chunk
        if len(out) > limit:
            raise HTTPException(413, f"body too large (at most {limit} bytes here)")
    return bytes(out)


async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
    """422 naming the invalid fields. The input is never echoed: it may be huge, personal, or
    not even JSON (NaN, bytes that are not UTF-8), and the stock handler then fails (500)."""
    errors = [{"loc": [p if isinstance(p, int) else str(p) for p in e.get("loc", ())],
               "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))} for e in exc.errors()]
    return JSONResponse({"detail": errors}, status_code=422)


async def _unavailable(request: Request, exc: Exception) -> Response:
    """503 + Retry-After (never 500) when the database or blob store cannot answer now (on
    the web pages, a page that says so)."""
    which = "database" if isinstance(exc, DatabaseUnavailable) else "blob store"
    wait = int(getattr(exc, "retry_after", 1) or 1)
    logging.getLogger("central.app").warning("%s unavailable on %s %s: %s", which,
                                             request.method, request.url.path, exc)
    if request.url.path.startswith(("/cek", "/console")):
        from central.web.render import page

        return page(request, "error.html", status=503, headers={"Retry-After": str(wait)},
                    busy=True)
    return JSONResponse({"detail": f"the server's {which} is unavailable; retry"},
                        status_code=503, headers={"Retry-After": str(wait)})


def parse_manifest(body: bytes, record_id: str) -> dict[str, Any]:
    """The manifest in `body`, strictly: ProtocolError (422) for NaN/Infinity, nesting too deep
    to parse, a hash or id with anything after it (a trailing newline), or a station_id that
    is not a short string."""
    try:  # parsed once: protocol.parse_manifest refuses NaN/Infinity too
        manifest = protocol.parse_manifest(body)
    except RecursionError:
        raise protocol.ProtocolError("manifest nests too deeply") from None
    except ValueError as exc:
        raise protocol.ProtocolError(f"manifest is not JSON: {exc}") from None
    if manifest["record_id"] != record_id:
        raise protocol.ProtocolError("record_id differs from the URL")
    if not protocol.RECORD_ID_RE.fullmatch(record_id):
        raise protocol.ProtocolError("record_id must be a lowercase UUID")
    if not all(protocol.SHA256_RE.fullmatch(b["sha256"]) for b in manifest["blobs"]):
        raise protocol.ProtocolError("blob sha256 must be 64 lowercase hex digits")
    sid = manifest["station_id"]
    if not isinstance(sid, str) or not 0 < len(sid) <= 100:
        raise protocol.ProtocolError("station_id must be a string of 1-100 characters")
    if not isinstance(manifest["regno"], str) or not 0 < len(manifest["regno"]) <= 64:
        raise protocol.ProtocolError("regno must be a string of 1-64 characters")
    if not isinstance(manifest["applicant"], dict):
        raise protocol.ProtocolError("applicant must be an object")
    return manifest


async def _known_query_only(request: Request) -> None:
    """422 for a query parameter an API route does not declare: a misspelt `?sinse=` must
    not silently mean "from the start". (The web pages take their own: `?lang=`.)"""
    if not request.url.path.startswith("/v1/"):
        return
    route = request.scope.get("route")
    known = {p.alias for p in getattr(getattr(route, "dependant", None), "query_params", ())}
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        raise HTTPException(422, f"unknown query parameter {unknown[0]!r:.40}")


def create_api(store: CentralStore, status_url: str = "") -> FastAPI:
    """The FastAPI application (without the admission layer); `status_url`: the applicant's
    status page as applicants reach it (told to stations, for their receipts)."""
    api = FastAPI(
        title="e-KTP central server",
        version="1",
        description="Reference receiver for kecamatan recording stations (sync protocol v1).",
        dependencies=[Depends(_known_query_only)],
    )
    api.state.store = store
    api.add_exception_handler(RequestValidationError, _invalid)  # type: ignore[arg-type]
    api.add_exception_handler(DatabaseUnavailable, _unavailable)
    api.add_exception_handler(BlobStoreUnavailable, _unavailable)
    _add_station_routes(api, store, status_url)
    add_report_routes(api, store, Depends(_auth), status_url,
                      _errors(*AUTHED, *BODY))
    _add_blob_routes(api, store)
    _add_record_routes(api, store)
    add_bundle_routes(api, store, _auth)
    return api


def _add_station_routes(api: FastAPI, store: CentralStore, status_url: str) -> None:
    """Health, the server's key, and the station's key registration."""

    @api.get("/v1/health", responses=_errors())
    def health() -> JSONResponse:
        """Readiness, without a token and outside admission control: 200 `"status": "ok"`
        when the database and the blob store both answer, else 503 `"degraded"` naming the
        one that is down (`"database": "down"`), so a load balancer stops sending here."""
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        deps = store.health()
        ok = all(v == "ok" for v in deps.values())
        doc = {"status": "ok" if ok else "degraded", "server_time": now,
               "protocol": protocol.PROTOCOL, **deps}
        return JSONResponse(doc, status_code=200 if ok else 503,
                            headers=None if ok else {"Retry-After": "1"})

    @api.get("/v1/server-key", responses=_errors(*AUTHED))
    def server_key(station: Auth) -> dict[str, str | None]:
        """The server's Ed25519 public key (stations pin it at set-up), the applicant's
        status page (`status_url`, null when this server has none) for their receipts, and
        the key records carried on a drive are sealed for (`carry_key`, X25519, with the
        server key's signature of it: docs/carry.md)."""
        return {"public_key": store.public_key, "status_url": status_url or None,
                "carry_key": carry_public_key(store.private_key),
                "carry_key_signature": carry_key_signature(store.private_key)}

    @api.put("/v1/station/key", responses=_errors(*AUTHED, *BODY, 409))
    def station_key(body: StationKey, station: Auth) -> dict[str, str]:
        """Register the station's manifest-signing public key (once; 409 if it differs)."""
        try:
            ok = store.register_key(station, body.public_key)
        except (protocol.ProtocolError, ValueError):
            raise HTTPException(422, "not an Ed25519 public key") from None
        if not ok:
            raise HTTPException(409, "a different key is registered for this station")
        return {"public_key": body.public_key}

    @api.get("/v1/station", responses=_errors(*AUTHED))
    def station_summary(station: Auth) -> dict[str, Any]:
        """What the server holds from this station: how many records, the newest one's
        registration number (null when none)."""
        return store.station_summary(station)

    @api.get("/v1/status-changes", responses=_errors(*AUTHED, 422))
    def status_changes(
        station: Auth,
        since: Annotated[int, Query(ge=0, le=2**62)] = 0,
        limit: Annotated[int, Query(ge=1, le=CHANGES_PAGE)] = CHANGES_PAGE,
    ) -> dict[str, Any]:
        """This station's processing decisions after cursor `since`, oldest first:
        `{"changes": [{record_id, status, reason, cursor}], "cursor": next since, "more"}`."""
        return store.status_changes(station, since, limit)


def _add_blob_routes(api: FastAPI, store: CentralStore) -> None:
    """Which blobs a station still has to send, and the upload of one blob."""

    @api.post("/v1/blobs:missing", responses=_errors(*AUTHED, *BODY))
    def blobs_missing(body: MissingQuery, station: Auth) -> MissingAnswer:
        """Which of these blobs this station still has to upload."""
        return MissingAnswer(missing=store.missing_blobs(station, body.sha256))

    @api.put(
        "/v1/blobs/{sha256}",
        status_code=201,
        responses={200: {"description": "already stored"}, **_errors(*AUTHED, *BODY)},
        openapi_extra={"requestBody": {"required": True, "content": {
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}},
    )
    async def put_blob(sha256: Sha256, request: Request, station: Auth) -> Response:
        """Upload one blob; its SHA-256 must match the URL."""
        data = await _read_body(request, MAX_BLOB)
        try:  # the blob store checks the bytes against the address as it writes them
            created = await run_in_threadpool(store.put_blob, station, sha256, data)
        except HashMismatch:
            raise HTTPException(422, "hash mismatch") from None
        return Response(status_code=201 if created else 200)


def _add_record_routes(api: FastAPI, store: CentralStore) -> None:
    """A record's signed manifest in, its receipt out; reconciliation and one record's status."""

    @api.put(
        "/v1/records/{record_id}",
        status_code=201,
        responses={200: {"description": "same receipt"}, **_errors(*AUTHED, *BODY, 409, r422={
            "model": Problem | MissingBlobsProblem,
            "description": "blobs still to upload (missing_blobs), or an invalid manifest"})},
        openapi_extra={"requestBody": {"required": True, "content": {
            "application/json": {"schema": {"type": "object"}}}}},
    )
    async def put_record(
        record_id: RecordId,
        request: Request,
        station: Auth,
        kiosk_signature: Annotated[str | None, Header(max_length=200)] = None,
    ) -> JSONResponse:
        """Store a signed manifest once all its blobs are here; answers the signed receipt."""
        body = await _read_body(request, MAX_MANIFEST)
        if station.public_key is None:
            raise HTTPException(403, "station key not registered (run kiosk setup central)")
        try:
            manifest = parse_manifest(body, record_id)
            protocol.verify(station.public_key, body, kiosk_signature or "")
        except protocol.ProtocolError as exc:
            raise HTTPException(422, str(exc)) from None
        try:
            receipt, created = await run_in_threadpool(
                store.put_record, station, manifest, body, kiosk_signature
            )
        except StationIdClaimed:
            raise HTTPException(403, "the manifest's station_id is another station's") from None
        except WrongStation:
            raise HTTPException(403, "record belongs to another station") from None
        except protocol.ProtocolError as exc:  # blob sizes that are not the uploaded ones
            raise HTTPException(422, str(exc)) from None
        except ManifestConflict:
            raise HTTPException(409, "a different manifest is stored for this record") from None
        except MissingBlobs as exc:
            return JSONResponse({"missing_blobs": exc.missing}, status_code=422)
        return JSONResponse(receipt.to_json(), status_code=201 if created else 200)

    @api.post("/v1/reconcile", responses=_errors(*AUTHED, *BODY))
    def reconcile(body: ReconcileQuery, station: Auth) -> dict[str, Any]:
        """Receipts of the records held complete, the ids missing, non-default statuses."""
        return store.reconcile(station, body.record_ids)

    @api.get("/v1/records/{record_id}", responses=_errors(*AUTHED, 404, 422))
    def get_record(record_id: RecordId, station: Auth) -> dict[str, Any]:
        """One record's receipt and processing status."""
        info = store.record(record_id)
        if info is None:
            raise HTTPException(404, "no such record")
        if info["station"] != station.id:
            raise HTTPException(403, "record belongs to another station")
        return {**info["receipt"].to_json(), "status": info["status"],
                "reject_reason": info["reject_reason"]}


def create_app(data_dir: Path | None = None, max_inflight: int = 64, retry_after: int = 1,
               policy: BodyPolicy | None = None, *,
               store: CentralStore | None = None, web: WebSettings | None = None) -> ASGIApp:
    """The served application over `store` (default: `CentralStore(data_dir)`): the gate
    (token, body caps and deadlines, admission control) outermost, then gzip in both
    directions; `/v1/health` passes by the gate."""
    store = store if store is not None else CentralStore(data_dir)  # type: ignore[arg-type]
    web = web or WebSettings()
    api = create_api(store, check_status_url(web.public_url))
    api.state.web = web
    add_web_routes(api, store, api.state.web)
    if not security_log.handlers:  # failed authentications reach the server's log (stderr)
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        security_log.addHandler(handler)
        security_log.setLevel(logging.INFO)
    inner: ASGIApp = GZipMiddleware(GzipRequest(api, MAX_BLOB), minimum_size=1024)
    app = Gate(inner, max_inflight, retry_after, policy=policy, body_limit=body_limit,
                authenticate=lambda scope: gate_verdict(store, scope),
                route=lambda scope: route_verdict(api, scope),
                # a SQLite read in WAL mode waits for no writer: a thread hop costs more
                authenticate_in_thread=store.db.dialect != "sqlite")
    app.api = api  # type: ignore[attr-defined]  # for the CLI and tests: store, openapi
    return app
