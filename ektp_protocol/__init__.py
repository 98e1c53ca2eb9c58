"""Wire format of sync protocol v1, shared by the station and the central server.

Canonical JSON (sorted keys, UTF-8, no insignificant space) makes the manifest's bytes, and so
its SHA-256, the same on both ends. Stations sign manifests and servers sign receipts with
Ed25519; keys travel as base64 of their 32 raw bytes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

PROTOCOL = "v1"
SIGNATURE_HEADER = "Kiosk-Signature"
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
RECORD_ID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
MANIFEST_FIELDS = (
    "protocol", "record_id", "station_id", "regno", "local_date", "created_at", "operator",
    "applicant", "exceptions", "summary", "blobs",
)
BLOB_FIELDS = ("kind", "sha256", "size", "content_type")
RECEIPT_FIELDS = ("record_id", "manifest_sha256", "server_seq", "received_at")


class ProtocolError(ValueError):
    """Bytes that are not valid protocol v1 (garbage, wrong hash, bad or missing signature)."""


def canonical(obj: Any) -> bytes:
    """Canonical JSON: sorted keys, UTF-8, no insignificant space."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def unb64(text: str) -> bytes:
    try:
        return base64.b64decode(text.encode(), validate=True)
    except (binascii.Error, ValueError, AttributeError) as exc:
        raise ProtocolError(f"not base64: {exc}") from None


# --- keys --------------------------------------------------------------------------------


def new_private_key() -> str:
    """A fresh Ed25519 private key, base64 of its raw 32 bytes."""
    from cryptography.hazmat.primitives import serialization

    raw = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    return b64(raw)


def load_private_key(text: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(unb64(text))


def public_key_of(private: str) -> str:
    from cryptography.hazmat.primitives import serialization

    pub = load_private_key(private).public_key()
    return b64(pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))


def load_public_key(text: str) -> Ed25519PublicKey:
    raw = unb64(text)
    if len(raw) != 32:
        raise ProtocolError("an Ed25519 public key is 32 bytes")
    return Ed25519PublicKey.from_public_bytes(raw)


def sign(private: str, data: bytes) -> str:
    return b64(load_private_key(private).sign(data))


def verify(public: str, data: bytes, signature: str) -> None:
    """ProtocolError unless `signature` is `public`'s signature of `data`."""
    try:
        load_public_key(public).verify(unb64(signature), data)
    except InvalidSignature:
        raise ProtocolError("signature does not verify") from None


# --- manifests ---------------------------------------------------------------------------


def parse_manifest(body: bytes) -> dict[str, Any]:
    """The manifest in `body`; ProtocolError unless it is canonical JSON with every field."""
    try:
        doc = json.loads(body.decode("utf-8"))
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


# --- receipts ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Receipt:
    """The server's signed word that it holds a record with this manifest hash."""

    record_id: str
    manifest_sha256: str
    server_seq: int
    received_at: str
    signature: str

    def body(self) -> dict[str, Any]:
        return {
            "record_id": self.record_id,
            "manifest_sha256": self.manifest_sha256,
            "server_seq": self.server_seq,
            "received_at": self.received_at,
        }

    def to_json(self) -> dict[str, Any]:
        """The wire form: {"receipt": {...}, "signature": "..."}."""
        return {"receipt": self.body(), "signature": self.signature}


def make_receipt(
    private: str, record_id: str, manifest_sha256: str, server_seq: int, received_at: str
) -> Receipt:
    body = {
        "record_id": record_id,
        "manifest_sha256": manifest_sha256,
        "server_seq": server_seq,
        "received_at": received_at,
    }
    return Receipt(record_id, manifest_sha256, server_seq, received_at,
                   sign(private, canonical(body)))


def check_receipt(
    doc: Any, server_public: str, record_id: str, manifest_sha256: str
) -> Receipt:
    """The receipt in `doc` if it is signed by the pinned server key and names our record and
    manifest hash; ProtocolError otherwise (a receipt that fails is *not* a delivery)."""
    if not isinstance(doc, dict) or not isinstance(doc.get("receipt"), dict):
        raise ProtocolError("no receipt in the answer")
    body = doc["receipt"]
    sig = doc.get("signature")
    if not isinstance(sig, str) or not sig:
        raise ProtocolError("receipt is not signed")
    if set(body) != set(RECEIPT_FIELDS):
        raise ProtocolError(f"receipt needs exactly {list(RECEIPT_FIELDS)}")
    verify(server_public, canonical(body), sig)
    if body["record_id"] != record_id:
        raise ProtocolError("receipt names another record")
    if body["manifest_sha256"] != manifest_sha256:
        raise ProtocolError("receipt carries a different manifest hash")
    if not isinstance(body["server_seq"], int) or not isinstance(body["received_at"], str):
        raise ProtocolError("receipt fields have the wrong types")
    return Receipt(record_id, manifest_sha256, body["server_seq"], body["received_at"], sig)
