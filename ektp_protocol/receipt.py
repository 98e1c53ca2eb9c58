"""The server's receipt: its signed word that it holds a record with this manifest hash."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ektp_protocol.canonical import ProtocolError, canonical
from ektp_protocol.signing import sign, verify

RECEIPT_FIELDS = ("record_id", "manifest_sha256", "server_seq", "received_at")


@dataclass(frozen=True)
class Receipt:
    """The server's signed word that it holds a record with this manifest hash."""

    record_id: str
    manifest_sha256: str
    server_seq: int
    received_at: str
    signature: str

    def body(self) -> dict[str, Any]:
        """The signed part, in the wire's field names."""
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
    """A receipt for this record, signed with the server's base64 private key."""
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
