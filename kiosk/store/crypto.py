"""AES-256-GCM sealing of personal data, and the keyed NIK lookup hash."""

from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from kiosk.store.keys import derive

NONCE_BYTES = 12


class DecryptionFailed(Exception):
    """Ciphertext that does not open with this key and context (tampered or wrong key)."""


class Sealer:
    """Encrypts and decrypts with subkeys of the station data key."""

    def __init__(self, data_key: bytes) -> None:
        self._aead = AESGCM(derive(data_key, "ektp-kiosk/aes-gcm/v1"))
        self._nik_key = derive(data_key, "ektp-kiosk/nik-lookup/v1")

    def seal(self, plaintext: bytes, context: str) -> bytes:
        """nonce || ciphertext+tag, bound to `context` (associated data)."""
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, plaintext, context.encode())

    def open(self, sealed: bytes, context: str) -> bytes:
        try:
            return self._aead.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], context.encode())
        except (InvalidTag, ValueError) as exc:
            raise DecryptionFailed(context) from exc

    def nik_hash(self, nik: str) -> str:
        """Keyed hash for looking a record up by NIK without storing the NIK."""
        return hmac.new(self._nik_key, nik.strip().encode(), hashlib.sha256).hexdigest()
