"""Ed25519 keys and signatures; keys travel as base64 of their 32 raw bytes."""

from __future__ import annotations

import functools

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ektp_protocol.canonical import ProtocolError, b64, unb64


def new_private_key() -> str:
    """A fresh Ed25519 private key, base64 of its raw 32 bytes."""
    raw = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    return b64(raw)


@functools.lru_cache(maxsize=16)
def load_private_key(text: str) -> Ed25519PrivateKey:
    """The private key in base64 `text` (loaded once: a batch signs a receipt per record)."""
    return Ed25519PrivateKey.from_private_bytes(unb64(text))


def public_key_of(private: str) -> str:
    """The base64 public key that belongs to base64 private key `private`."""
    pub = load_private_key(private).public_key()
    return b64(pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))


def load_public_key(text: str) -> Ed25519PublicKey:
    """The public key in base64 `text`; ProtocolError unless it is 32 bytes."""
    raw = unb64(text)
    if len(raw) != 32:
        raise ProtocolError("an Ed25519 public key is 32 bytes")
    return Ed25519PublicKey.from_public_bytes(raw)


def sign(private: str, data: bytes) -> str:
    """`private`'s signature of `data`, base64."""
    return b64(load_private_key(private).sign(data))


def verify(public: str, data: bytes, signature: str) -> None:
    """ProtocolError unless `signature` is `public`'s signature of `data`."""
    try:
        load_public_key(public).verify(unb64(signature), data)
    except InvalidSignature:
        raise ProtocolError("signature does not verify") from None
