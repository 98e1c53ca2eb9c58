"""The v1 HTTP API (FastAPI). See docs/protocol.md for the contract stations rely on."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp

import ektp_protocol as protocol
from central.admission import Admission, GzipRequest
from central.storage import (
    CHANGES_PAGE,
    CentralStore,
    HashMismatch,
    ManifestConflict,
    MissingBlobs,
    Station,
    WrongStation,
)

MAX_BLOB = 32 * 1024 * 1024
MAX_MANIFEST = 1024 * 1024
MAX_IDS = 1000
Sha256 = Annotated[str, PathParam(pattern=protocol.SHA256_RE.pattern)]
RecordId = Annotated[str, PathParam(pattern=protocol.RECORD_ID_RE.pattern)]
ShaItem = Annotated[str, Field(pattern=protocol.SHA256_RE.pattern)]
IdItem = Annotated[str, Field(pattern=protocol.RECORD_ID_RE.pattern)]


class MissingQuery(BaseModel):
    sha256: list[ShaItem] = Field(max_length=MAX_IDS)


class MissingAnswer(BaseModel):
    missing: list[str]


class ReconcileQuery(BaseModel):
    record_ids: list[IdItem] = Field(max_length=MAX_IDS)


class StationKey(BaseModel):
    public_key: str = Field(max_length=100)


def _auth(request: Request, authorization: Annotated[str | None, Header()] = None) -> Station:
    """The station whose bearer token this is; 401 otherwise."""
    store: CentralStore = request.app.state.store
    if not authorization or not authorization.startswith("Bearer "):
        raise HTTPException(401, "missing bearer token", {"WWW-Authenticate": "Bearer"})
    station = store.station_by_token(authorization[7:].strip())
    if station is None:
        raise HTTPException(401, "unknown token", {"WWW-Authenticate": "Bearer"})
    return station


Auth = Annotated[Station, Depends(_auth)]


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise HTTPException(413, "body too large")
    out = bytearray()
    async for chunk in request.stream():
        out += chunk
        if len(out) > limit:
            raise HTTPException(413, "body too large")
    return bytes(out)


async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
    """422 with the validation errors; bytes that are not UTF-8 are shown, not a 500."""
    # The stock handler echoes the input and fails (500) on bytes that are not UTF-8.
    errors = jsonable_encoder(
        exc.errors(), custom_encoder={bytes: lambda b: b.decode("utf-8", "replace")}
    )
    return JSONResponse({"detail": errors}, status_code=422)


def create_api(store: CentralStore) -> FastAPI:
    """The FastAPI application (without the admission layer)."""
    api = FastAPI(
        title="e-KTP central server",
        version="1",
        description="Reference receiver for kecamatan recording stations (sync protocol v1).",
    )
    api.state.store = store
    api.add_exception_handler(RequestValidationError, _invalid)  # type: ignore[arg-type]
    _add_station_routes(api, store)
    _add_blob_routes(api, store)
    _add_record_routes(api, store)
    return api


def _add_station_routes(api: FastAPI, store: CentralStore) -> None:
    """Health, the server's key, and the station's key registration."""

    @api.get("/v1/health")
    def health() -> dict[str, Any]:
        """Liveness: answers without a token."""
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        return {"status": "ok", "server_time": now, "protocol": protocol.PROTOCOL}

    @api.get("/v1/server-key")
    def server_key(station: Auth) -> dict[str, str]:
        """The server's Ed25519 public key (stations pin it at set-up)."""
        return {"public_key": store.public_key}

    @api.put("/v1/station/key")
    def station_key(body: StationKey, station: Auth) -> dict[str, str]:
        """Register the station's manifest-signing public key (once; 409 if it differs)."""
        try:
            ok = store.register_key(station, body.public_key)
        except (protocol.ProtocolError, ValueError):
            raise HTTPException(422, "not an Ed25519 public key") from None
        if not ok:
            raise HTTPException(409, "a different key is registered for this station")
        return {"public_key": body.public_key}

    @api.get("/v1/station")
    def station_summary(station: Auth) -> dict[str, Any]:
        """What the server holds from this station: how many records, the newest one's
        registration number (null when none)."""
        return store.station_summary(station)

    @api.get("/v1/status-changes")
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

    @api.post("/v1/blobs:missing")
    def blobs_missing(body: MissingQuery, station: Auth) -> MissingAnswer:
        """Which of these blobs this station still has to upload."""
        return MissingAnswer(missing=store.missing_blobs(station, body.sha256))

    @api.put(
        "/v1/blobs/{sha256}",
        status_code=201,
        responses={200: {"description": "already stored"}, 422: {"description": "hash mismatch"}},
        openapi_extra={"requestBody": {"required": True, "content": {
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}},
    )
    async def put_blob(sha256: Sha256, request: Request, station: Auth) -> Response:
        """Upload one blob; its SHA-256 must match the URL."""
        data = await _read_body(request, MAX_BLOB)
        if hashlib.sha256(data).hexdigest() != sha256:
            raise HTTPException(422, "hash mismatch")
        try:
            created = await run_in_threadpool(store.put_blob, station, sha256, data)
        except HashMismatch:
            raise HTTPException(422, "hash mismatch") from None
        return Response(status_code=201 if created else 200)


def _add_record_routes(api: FastAPI, store: CentralStore) -> None:
    """A record's signed manifest in, its receipt out; reconciliation and one record's status."""

    @api.put(
        "/v1/records/{record_id}",
        status_code=201,
        responses={200: {"description": "same receipt"}, 409: {"description": "conflict"},
                   422: {"description": "missing blobs or invalid manifest"}},
        openapi_extra={"requestBody": {"required": True, "content": {
            "application/json": {"schema": {"type": "object"}}}}},
    )
    async def put_record(
        record_id: RecordId,
        request: Request,
        station: Auth,
        kiosk_signature: Annotated[str | None, Header()] = None,
    ) -> JSONResponse:
        """Store a signed manifest once all its blobs are here; answers the signed receipt."""
        body = await _read_body(request, MAX_MANIFEST)
        if station.public_key is None:
            raise HTTPException(403, "station key not registered (run kiosk setup central)")
        try:
            manifest = protocol.parse_manifest(body)
            if manifest["record_id"] != record_id:
                raise protocol.ProtocolError("record_id differs from the URL")
            protocol.verify(station.public_key, body, kiosk_signature or "")
        except protocol.ProtocolError as exc:
            raise HTTPException(422, str(exc)) from None
        try:
            receipt, created = await run_in_threadpool(
                store.put_record, station, manifest, body, kiosk_signature
            )
        except WrongStation:
            raise HTTPException(403, "record belongs to another station") from None
        except ManifestConflict:
            raise HTTPException(409, "a different manifest is stored for this record") from None
        except MissingBlobs as exc:
            return JSONResponse({"missing_blobs": exc.missing}, status_code=422)
        return JSONResponse(receipt.to_json(), status_code=201 if created else 200)

    @api.post("/v1/reconcile")
    def reconcile(body: ReconcileQuery, station: Auth) -> dict[str, Any]:
        """Receipts of the records held complete, the ids missing, non-default statuses."""
        return store.reconcile(station, body.record_ids)

    @api.get("/v1/records/{record_id}", responses={404: {"description": "not held"}})
    def get_record(record_id: RecordId, station: Auth) -> dict[str, Any]:
        """One record's receipt and processing status."""
        info = store.record(record_id)
        if info is None:
            raise HTTPException(404, "no such record")
        if info["station"] != station.id:
            raise HTTPException(403, "record belongs to another station")
        return {**info["receipt"].to_json(), "status": info["status"],
                "reject_reason": info["reject_reason"]}


def create_app(data_dir: Path, max_inflight: int = 64, retry_after: int = 1) -> ASGIApp:
    """The served application: admission control outermost, then gzip in both directions."""
    api = create_api(CentralStore(data_dir))
    inner: ASGIApp = GZipMiddleware(GzipRequest(api), minimum_size=1024)
    app = Admission(inner, max_inflight, retry_after)
    app.api = api  # type: ignore[attr-defined]  # for the CLI and tests: store, openapi
    return app
