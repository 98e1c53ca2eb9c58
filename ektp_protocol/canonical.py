"""Protocol v1's constants, canonical JSON and the encodings both sides share."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from typing import Any

PROTOCOL = "v1"
SIGNATURE_HEADER = "Kiosk-Signature"
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
RECORD_ID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


class ProtocolError(ValueError):
    """Bytes that are not valid protocol v1 (garbage, wrong hash, bad or missing signature)."""


def canonical(obj: Any) -> bytes:
    """Canonical JSON: sorted keys, UTF-8, no insignificant space."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sha256_hex(data: bytes) -> str:
    """SHA-256 of `data` as 64 lowercase hex digits (blob and manifest names)."""
    return hashlib.sha256(data).hexdigest()


def b64(data: bytes) -> str:
    """Standard base64 (keys and signatures on the wire)."""
    return base64.b64encode(data).decode()


def unb64(text: str) -> bytes:
    """The bytes of strict base64 `text`; ProtocolError when it is not base64."""
    try:
        return base64.b64decode(text.encode(), validate=True)
    except (binascii.Error, ValueError, AttributeError) as exc:
        raise ProtocolError(f"not base64: {exc}") from None
