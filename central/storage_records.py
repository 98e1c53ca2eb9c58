"""The record writes of `central.storage.CentralStore` (a mixin, kept apart to be read on its
own): a verified manifest stored once with its signed receipt (`put_record`, the sync API), or
a batch of them with their blobs made durable at once (`put_records`, the drive import), and
the refusals both raise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ektp_protocol as protocol
from central.blobstore import BlobStore
from central.database import Database, PutOutcome, RecordRow
from central.db_types import status_lookup


class WrongStation(PermissionError):
    """The record belongs to another station."""


class StationIdClaimed(WrongStation):
    """The manifest's `station_id` is one another station delivers records under."""


class ManifestConflict(ValueError):
    """A different manifest is already stored under this record id."""


class MissingBlobs(ValueError):
    """The manifest names blobs this station has not uploaded (or the server lost)."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__(f"{len(missing)} blobs missing")
        self.missing = missing


@dataclass(frozen=True)
class Station:
    id: int
    name: str
    public_key: str | None
    revoked_at: str | None = None  # set: the token no longer opens anything


class RecordWrites:
    """put_record / put_records over the store's `db`, `blobs` and signing key."""

    db: Database
    blobs: BlobStore
    private_key: str

    @staticmethod
    def _receipt(row: RecordRow) -> protocol.Receipt:
        return protocol.Receipt(row.record_id, row.manifest_sha256, row.seq, row.received_at,
                                row.receipt_signature)

    def put_record(
        self, station: Station, manifest: dict[str, Any], body: bytes, signature: str
    ) -> tuple[protocol.Receipt, bool]:
        """Store a verified manifest; (receipt, created). Idempotent for the same manifest,
        also when several processes store it at once (one row, one seq, one receipt)."""
        args = self._record_args(manifest, body, signature)
        return self._answer(station, args, self.db.put_record(station_id=station.id, **args))

    def put_records(self, station: Station, sizes: dict[str, int],
                    records: list[tuple[dict[str, Any], bytes, str]]
                    ) -> list[tuple[protocol.Receipt, bool] | Exception]:
        """A batch of one station's verified records (the drive import): the blobs written
        with `store_bytes(flush=False)` (sha256 -> size) made durable at once, then their
        rows and every record's row in ONE transaction (db.put_records). Per record (manifest,
        body, signature), in order, what `put_record` answers or the exception it raises
        (then nothing of that record is stored). Nothing is committed if the sync fails."""
        answers: list[tuple[protocol.Receipt, bool] | Exception | None] = [None] * len(records)
        todo: list[tuple[int, dict[str, Any]]] = []
        for i, (manifest, body, signature) in enumerate(records):
            try:
                todo.append((i, self._record_args(manifest, body, signature)))
            except protocol.ProtocolError as exc:
                answers[i] = exc
        self.blobs.sync(sorted(sizes))
        outs = self.db.put_records(station.id, sizes, [args for _, args in todo])
        for (i, args), out in zip(todo, outs, strict=True):
            try:
                answers[i] = self._answer(station, args, out)
            except (WrongStation, ManifestConflict, MissingBlobs, protocol.ProtocolError) as exc:
                answers[i] = exc
        return [a for a in answers if a is not None]

    def _record_args(self, manifest: dict[str, Any], body: bytes,
                     signature: str) -> dict[str, Any]:
        """db.put_record's arguments for a verified manifest (but the station)."""
        record_id = manifest["record_id"]
        sha = protocol.sha256_hex(body)
        sizes: dict[str, int] = {}
        for b in manifest["blobs"]:
            if sizes.setdefault(b["sha256"], b["size"]) != b["size"]:
                raise protocol.ProtocolError(f"blob {b['sha256']} is listed with two sizes")
        key = self.private_key
        return dict(
            record_id=record_id, manifest=body, manifest_sha256=sha,
            station_signature=signature, created_at=str(manifest.get("created_at") or ""),
            blobs=sizes, claimed_station_id=manifest["station_id"],
            regno=manifest["regno"], lookup=status_lookup(
                manifest["regno"], manifest["applicant"].get("tanggal_lahir")),
            sign=lambda seq, at: protocol.make_receipt(key, record_id, sha, seq, at).signature)

    def _answer(self, station: Station, args: dict[str, Any],
                out: PutOutcome) -> tuple[protocol.Receipt, bool]:
        """put_record's answer to the database's outcome (or its exception)."""
        row, record_id = out.row, args["record_id"]
        if row is not None and row.station != station.id:
            raise WrongStation(record_id)
        if row is not None and row.manifest_sha256 != args["manifest_sha256"]:
            raise ManifestConflict(record_id)
        if out.claimed_by is not None:
            raise StationIdClaimed(args["claimed_station_id"])
        if out.missing:
            raise MissingBlobs(out.missing)
        if out.wrong_sizes:
            raise protocol.ProtocolError(f"blob sizes differ from the uploads: "
                                         f"{sorted(out.wrong_sizes)}")
        assert row is not None
        return self._receipt(row), out.created
