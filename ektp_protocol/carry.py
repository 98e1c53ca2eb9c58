"""Records carried on a drive when no link exists: the packets, the drive's index and the
receipts file, as both the station (export, receipts) and the centre (import) read them.

A drive holds one folder per export, `ektp-carry-<station>-<time>/`:

    index.json            the station's signed list of the packets it finished writing
    packets/<record>.ektp  one sealed packet per record (written whole, then renamed)
    receipts.json         written back by the centre at import: its signed outcome per packet

**Packet** (`seal` / `open_packet`): exactly what the sync protocol would send for the
record (the manifest bytes, the station's signature of them, every blob in bundle framing),
encrypted for the centre so a lost drive exposes nothing: an ephemeral X25519 key agreed
with the centre's carry key (pinned at set-up), HKDF-SHA256, AES-256-GCM. The file is
`"EKTPCAR1" | ephemeral public key (32) | nonce (12) | ciphertext+tag`; a truncated or altered
file fails its tag. The centre's carry key is derived from its receipt-signing key, so every
process of a shared centre has it, and the centre signs it so a station can check it against
the server key it pinned.

**Index** and **receipts** are JSON documents `{"<name>": {...}, "signature": b64}` whose
signature (Ed25519) covers the canonical JSON of the named part: the station signs its index,
the centre its receipts (each receipt inside is also signed on its own, as online).
"""

from __future__ import annotations

import functools
import hashlib
import os
import struct
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ektp_protocol import bundle
from ektp_protocol.bundle import encode
from ektp_protocol.canonical import ProtocolError, b64, canonical, unb64
from ektp_protocol.signing import sign, verify

MAGIC = b"EKTPCAR1"
RECORD_MAGIC = b"EKTPREC1"
SUFFIX = ".ektp"
FORMAT = 1
INDEX, RECEIPTS, PACKETS = "index.json", "receipts.json", "packets"
FOLDER_PREFIX = "ektp-carry-"
_HEAD = struct.Struct(">8s32s12s")
_INFO = b"ektp carry packet v1"
_KEY_INFO = b"ektp carry x25519 v1"
_KEY_STATEMENT = b"ektp carry key v1:"
MAX_PACKET = 80 * 1024 * 1024  # a record is about 1 MB; 13 blobs of 10 MiB at the very most


class CarryError(ProtocolError):
    """A packet, index or receipts file that cannot be taken: `reason` is a short code,
    the message a sentence."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


# --- the centre's carry key ----------------------------------------------------------------

def carry_private_key(server_private_key: str) -> X25519PrivateKey:
    """The centre's X25519 key, derived from its Ed25519 receipt key (base64 seed)."""
    seed = HKDF(hashes.SHA256(), 32, salt=None, info=_KEY_INFO).derive(unb64(server_private_key))
    return X25519PrivateKey.from_private_bytes(seed)


def carry_public_key(server_private_key: str) -> str:
    """The centre's carry public key, base64 of 32 bytes."""
    from cryptography.hazmat.primitives import serialization

    pub = carry_private_key(server_private_key).public_key()
    return b64(pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))


def carry_key_signature(server_private_key: str) -> str:
    """The centre's statement that this carry key is its own (signed with its receipt key)."""
    return sign(server_private_key,
                _KEY_STATEMENT + carry_public_key(server_private_key).encode())


def check_carry_key(carry_key: str, signature: str, server_public_key: str) -> str:
    """`carry_key` when the pinned server key signed it; ProtocolError otherwise."""
    verify(server_public_key, _KEY_STATEMENT + carry_key.encode(), signature)
    if len(unb64(carry_key)) != 32:
        raise ProtocolError("a carry key is 32 bytes")
    return carry_key


# --- packets -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Packet:
    """What a packet carries: the record's manifest bytes, its station signature, blobs."""

    manifest: bytes
    signature: str
    blobs: dict[str, bytes | memoryview]  # opened: views into the packet's plaintext


def _key(shared: bytes, eph_public: bytes, carry_public: bytes) -> bytes:
    return HKDF(hashes.SHA256(), 32, salt=eph_public + carry_public, info=_INFO).derive(shared)


def seal(packet: Packet, carry_key: str) -> bytes:
    """The sealed file of `packet`, readable only with the centre's carry private key."""
    from cryptography.hazmat.primitives import serialization

    raw = serialization.Encoding.Raw, serialization.PublicFormat.Raw
    carry_public = unb64(carry_key)
    eph = X25519PrivateKey.generate()
    eph_public = eph.public_key().public_bytes(*raw)
    shared = eph.exchange(X25519PublicKey.from_public_bytes(carry_public))
    sig = packet.signature.encode("ascii")
    plain = b"".join([RECORD_MAGIC, struct.pack(">I", len(packet.manifest)), packet.manifest,
                      struct.pack(">H", len(sig)), sig, *encode(packet.blobs.items())])
    nonce = os.urandom(12)
    body = AESGCM(_key(shared, eph_public, carry_public)).encrypt(
        nonce, plain, MAGIC + eph_public)
    return _HEAD.pack(MAGIC, eph_public, nonce) + body


@functools.lru_cache(maxsize=8)
def _public_bytes(carry_private: X25519PrivateKey) -> bytes:
    """The public half of the centre's carry key (derived once, not for every packet)."""
    from cryptography.hazmat.primitives import serialization

    return carry_private.public_key().public_bytes(serialization.Encoding.Raw,
                                                   serialization.PublicFormat.Raw)


def open_packet(data: bytes, carry_private: X25519PrivateKey, *,
                check_blobs: bool = True) -> Packet:
    """The packet sealed in `data`; CarryError "damaged" for a cut or altered file (the
    AEAD tag), "not_packet" for a file that is not one, "foreign" for one sealed for
    another centre (its tag fails the same way: it cannot be told from damage, and says so).
    Each blob is checked against its address ("blob_hash"), unless `check_blobs` is False:
    then the caller checks them (the centre's blob store hashes what it writes anyway)."""
    if len(data) < _HEAD.size + 16 or not data.startswith(MAGIC):
        raise CarryError("not_packet", "not a carried packet (wrong start or too short)")
    _, eph_public, nonce = _HEAD.unpack_from(data)
    carry_public = _public_bytes(carry_private)
    shared = carry_private.exchange(X25519PublicKey.from_public_bytes(eph_public))
    try:
        plain = AESGCM(_key(shared, eph_public, carry_public)).decrypt(
            nonce, memoryview(data)[_HEAD.size:], MAGIC + eph_public)
    except InvalidTag:
        raise CarryError("damaged", "the packet is cut short, altered, or sealed for another "
                                    "centre: its seal does not open") from None
    return _parse(plain, check_blobs)


def _parse(plain: bytes, check_blobs: bool) -> Packet:
    try:
        if not plain.startswith(RECORD_MAGIC):
            raise ValueError("wrong record magic")
        at = len(RECORD_MAGIC)
        (n,) = struct.unpack_from(">I", plain, at)
        manifest = plain[at + 4:at + 4 + n]
        at += 4 + n
        (m,) = struct.unpack_from(">H", plain, at)
        signature = plain[at + 2:at + 2 + m].decode("ascii")
        at += 2 + m
    except (ValueError, struct.error, UnicodeDecodeError) as exc:
        raise CarryError("bad_framing", f"the packet's record is malformed: {exc}") from None
    try:
        return Packet(manifest, signature, _blobs(plain, at, check_blobs))
    except struct.error:
        raise CarryError("bad_framing", "the packet's blobs are cut short") from None


def _blobs(plain: bytes, at: int, check: bool) -> dict[str, bytes | memoryview]:
    """The blobs in bundle framing (ektp_protocol.bundle) from `plain[at:]`, to its end:
    views into `plain`, not copies."""
    magic, count = bundle.HEAD.unpack_from(plain, at)
    at += bundle.HEAD.size
    if magic != bundle.MAGIC or count > 512:
        raise CarryError("bad_framing", "the packet's blobs are malformed: not a bundle of "
                                        "at most 512 parts")
    blobs: dict[str, bytes | memoryview] = {}
    view = memoryview(plain)
    for _ in range(count):
        raw, size = bundle.PART.unpack_from(plain, at)
        at += bundle.PART.size
        if at + size > len(plain):
            raise struct.error("cut short")
        data = view[at:at + size]
        at += size
        sha256 = raw.hex()
        if check and hashlib.sha256(data).hexdigest() != sha256:
            raise CarryError("blob_hash", f"blob {sha256[:16]} does not match its address")
        blobs[sha256] = data
    if at != len(plain):
        raise CarryError("bad_framing", "the packet's blobs are malformed: bytes after the "
                                        "last part")
    return blobs


# --- signed documents (index, receipts) -----------------------------------------------------

def signed_document(name: str, content: dict[str, Any], private_key: str) -> bytes:
    """`{name: content, "signature": ...}` as JSON bytes (canonical)."""
    return canonical({name: content, "signature": sign(private_key, canonical(content))})


def read_signed(data: bytes, name: str, public_key: str | None = None) -> dict[str, Any]:
    """The `name` part of a signed document; with `public_key`, CarryError unless that key
    signed it."""
    import json

    try:
        doc = json.loads(data)
        content, signature = doc[name], doc["signature"]
        if not isinstance(content, dict) or not isinstance(signature, str):
            raise ValueError("wrong shape")
    except (ValueError, KeyError, TypeError) as exc:
        raise CarryError("bad_document", f"{name} is not readable: {exc}") from None
    if public_key is not None:
        try:
            verify(public_key, canonical(content), signature)
        except (ProtocolError, ValueError):
            raise CarryError("bad_signature", f"{name} is not signed by the expected key") \
                from None
    return content


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
