"""A record's manifest: its fields and its blobs' hashes, as canonical JSON."""

from __future__ import annotations

import json
from typing import Any

from ektp_protocol.canonical import (
    PROTOCOL,
    RECORD_ID_RE,
    SHA256_RE,
    ProtocolError,
    canonical,
)

MANIFEST_FIELDS = (
    "protocol", "record_id", "station_id", "regno", "local_date", "created_at", "operator",
    "applicant", "exceptions", "summary", "blobs",
)
BLOB_FIELDS = ("kind", "sha256", "size", "content_type")


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_manifest(body: bytes) -> dict[str, Any]:
    """The manifest in `body`; ProtocolError unless it is canonical JSON with every field
    (NaN and Infinity, which Python's json would take, are not JSON)."""
    try:
        doc = json.loads(body.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ProtocolError(f"manifest is not JSON: {exc}") from None
    if not isinstance(doc, dict) or set(doc) != set(MANIFEST_FIELDS):
        raise ProtocolError(f"manifest must have exactly the fields {list(MANIFEST_FIELDS)}")
    if canonical(doc) != body:
        raise ProtocolError("manifest is not canonical JSON")
    if doc["protocol"] != PROTOCOL:
        raise ProtocolError(f"unknown protocol {doc['protocol']!r}")
    if not isinstance(doc["record_id"], str) or not RECORD_ID_RE.match(doc["record_id"]):
        raise ProtocolError("record_id must be a lowercase UUID")
    blobs = doc["blobs"]
    if not isinstance(blobs, list):
        raise ProtocolError("blobs must be a list")
    for b in blobs:
        if not isinstance(b, dict) or set(b) != set(BLOB_FIELDS):
            raise ProtocolError(f"each blob needs exactly {list(BLOB_FIELDS)}")
        if not isinstance(b["sha256"], str) or not SHA256_RE.match(b["sha256"]):
            raise ProtocolError("blob sha256 must be 64 lowercase hex digits")
        if not isinstance(b["size"], int) or b["size"] < 0:
            raise ProtocolError("blob size must be a non-negative integer")
    return doc
