"""Wire format of sync protocol v1, shared by the station and the central server.

Canonical JSON (sorted keys, UTF-8, no insignificant space) makes the manifest's bytes, and so
its SHA-256, the same on both ends. Stations sign manifests and servers sign receipts with
Ed25519; keys travel as base64 of their 32 raw bytes.

Both sides import this package as a whole (`import ektp_protocol as protocol`); the modules
are `canonical` (constants, canonical JSON, encodings, ProtocolError), `signing` (Ed25519),
`manifest`, `receipt` and `status` (the server's processing statuses). It imports nothing
from the station or the server.
"""

from __future__ import annotations

from ektp_protocol.canonical import (
    PROTOCOL,
    RECORD_ID_RE,
    SHA256_RE,
    SIGNATURE_HEADER,
    ProtocolError,
    b64,
    canonical,
    sha256_hex,
    unb64,
)
from ektp_protocol.manifest import BLOB_FIELDS, MANIFEST_FIELDS, parse_manifest
from ektp_protocol.receipt import RECEIPT_FIELDS, Receipt, check_receipt, make_receipt
from ektp_protocol.signing import (
    load_private_key,
    load_public_key,
    new_private_key,
    public_key_of,
    sign,
    verify,
)
from ektp_protocol.status import ProcessingStatus

__all__ = [
    "BLOB_FIELDS",
    "MANIFEST_FIELDS",
    "PROTOCOL",
    "RECEIPT_FIELDS",
    "RECORD_ID_RE",
    "SHA256_RE",
    "SIGNATURE_HEADER",
    "ProcessingStatus",
    "ProtocolError",
    "Receipt",
    "b64",
    "canonical",
    "check_receipt",
    "load_private_key",
    "load_public_key",
    "make_receipt",
    "new_private_key",
    "parse_manifest",
    "public_key_of",
    "sha256_hex",
    "sign",
    "unb64",
    "verify",
]
