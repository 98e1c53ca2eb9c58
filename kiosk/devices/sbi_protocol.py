"""MOSIP SBI 0.9.5 wire details shared by the client and the simulator.

- JWS compact tokens (`data`, `deviceInfo`, `digitalId`): signed EdDSA (Ed25519) with the
  device's public key in the header as a JWK. A certified device signs with a key chained to
  the MOSIP device CA (x5c); this station checks the signature and that every token of one
  device carries the key its `deviceInfo` was signed with, which is what it can check offline.
- Hash chain over one capture response: the first `previousHash` is SHA-256 of the empty
  string; each biometric's `hash` = SHA-256(bytes(previousHash) + SHA-256(bioValue bytes)),
  upper-case hex, where bioValue bytes are the base64url-decoded ISO record; the next
  biometric's previousHash is that hash.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from kiosk.domain.recording import FINGER_NAMES

SPEC_VERSION = "0.9.5"
EMPTY_HASH = hashlib.sha256(b"").hexdigest().upper()
SUB_LEFT, SUB_RIGHT, SUB_THUMBS = 1, 2, 3
SUB_ID_POSITIONS = {SUB_RIGHT: (2, 3, 4, 5), SUB_LEFT: (7, 8, 9, 10), SUB_THUMBS: (1, 6)}
BIO_SUB_TYPE = dict(FINGER_NAMES)  # position -> "Right IndexFinger" ...
POSITION = {v: k for k, v in BIO_SUB_TYPE.items()}

ERROR_INFO = {
    0: "Success",
    100: "Device not registered",
    101: "Unable to detect a biometric object",
    102: "Technical error during extraction",
    103: "Device tamper detected",
    104: "Unable to connect to management server",
    105: "Image orientation error",
    106: "Device not found",
    107: "Device public key expired",
    108: "Domain public key missing",
    109: "Requested number of biometrics not supported",
    110: "Device not ready",
    111: "Device busy",
    112: "Invalid transaction id",
}


def error_info(code: int) -> str:
    if code in ERROR_INFO:
        return ERROR_INFO[code]
    return "Vendor-defined device error" if 500 <= code <= 599 else "Unknown error"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class BadToken(ValueError):
    """A JWS that does not parse or whose signature does not verify."""


def public_jwk(key: Ed25519PublicKey) -> dict[str, str]:
    raw = key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return {"kty": "OKP", "crv": "Ed25519", "x": b64url(raw)}


def sign(payload: dict[str, Any], key: Ed25519PrivateKey) -> str:
    header = {"alg": "EdDSA", "typ": "JWT", "jwk": public_jwk(key.public_key())}
    signing_input = (b64url(json.dumps(header, separators=(",", ":")).encode()) + "."
                     + b64url(json.dumps(payload, separators=(",", ":")).encode()))
    return signing_input + "." + b64url(key.sign(signing_input.encode("ascii")))


def verify(token: str) -> tuple[dict[str, Any], dict[str, str]]:
    """(payload, signer's JWK) of a valid EdDSA token; BadToken otherwise."""
    try:
        h64, p64, s64 = token.split(".")
        header = json.loads(unb64url(h64))
        payload = json.loads(unb64url(p64))
        jwk = header["jwk"]
        if header.get("alg") != "EdDSA" or jwk.get("crv") != "Ed25519":
            raise BadToken(f"unsupported token algorithm {header.get('alg')!r}")
        key = Ed25519PublicKey.from_public_bytes(unb64url(jwk["x"]))
        key.verify(unb64url(s64), f"{h64}.{p64}".encode("ascii"))
    except BadToken:
        raise
    except InvalidSignature:
        raise BadToken("signature does not verify") from None
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BadToken(f"malformed token: {exc}") from None
    if not isinstance(payload, dict):
        raise BadToken("payload is not an object")
    return payload, jwk


def chain_hash(previous_hash: str, bio_value: bytes) -> str:
    """The next hash of the capture chain (see the module docstring)."""
    current = hashlib.sha256(bio_value).digest()
    return hashlib.sha256(bytes.fromhex(previous_hash) + current).hexdigest().upper()
