"""Building a record's manifest and upload payload from the station store.

The manifest is a pure function of what the save transaction wrote (never of settings that may
change later), so a record re-sent after the server lost it has byte-identical manifest bytes
and the server's idempotency check (same hash -> same receipt) holds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import ektp_protocol as protocol
from kiosk.store.station import Store


@dataclass(frozen=True)
class Payload:
    """Everything one delivery needs, held in memory while it is in flight."""

    record_id: str
    manifest: bytes
    manifest_sha256: str
    signature: str
    blobs: dict[str, bytes]  # sha256 -> plaintext
    fresh: bool = False  # first attempt, never acknowledged: all its blobs are missing

    @property
    def blob_bytes(self) -> int:
        return sum(len(b) for b in self.blobs.values())


def manifest_doc(store: Store, record_id: str) -> dict:
    """The manifest fields of one saved record (decrypts the biodata)."""
    row = store.db.execute(
        "SELECT regno, local_date, created_at, operator, summary FROM records WHERE id = ?",
        [record_id],
    ).fetchone()
    if row is None:
        raise KeyError(record_id)
    regno, local_date, created_at, operator, summary = row
    applicant, exceptions = store.applicant(record_id)
    blobs = [
        {"kind": b["kind"], "sha256": b["sha256"], "size": b["size"],
         "content_type": b["content_type"]}
        for b in store.blob_rows(record_id)
    ]
    return {
        "protocol": protocol.PROTOCOL,
        "record_id": record_id,
        "station_id": store.station_id,
        "regno": regno,
        "local_date": local_date,
        "created_at": created_at,
        "operator": operator,
        "applicant": applicant.to_dict(),
        "exceptions": exceptions,
        "summary": json.loads(summary),
        "blobs": blobs,
    }


def build_payload(store: Store, record_id: str, signing_key: str, *,
                  fresh: bool = False, check_hashes: bool = True) -> Payload:
    """Manifest bytes, their hash and signature, and the plaintext blobs (`fresh`: see
    Payload; `check_hashes`: see Store.blob)."""
    body = protocol.canonical(manifest_doc(store, record_id))
    blobs: dict[str, bytes] = {}
    for b in store.blob_rows(record_id):
        blobs[b["sha256"]] = store.blob(record_id, b["kind"], check_hash=check_hashes)
    return Payload(
        record_id=record_id,
        manifest=body,
        manifest_sha256=protocol.sha256_hex(body),
        signature=protocol.sign(signing_key, body),
        blobs=blobs,
        fresh=fresh,
    )
