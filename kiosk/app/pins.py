"""Station PINs: six digits, stored only as a scrypt hash with a per-user salt."""

from __future__ import annotations

import hashlib
import hmac
import os
import re

from kiosk.domain.messages import DomainError, Msg

# scrypt cost: ~16 MiB and ~40 ms per PIN check, so guessing 10^6 PINs offline costs hours.
SCRYPT_N, SCRYPT_R, SCRYPT_P, SCRYPT_DKLEN = 2**14, 8, 1, 32
PIN_RE = re.compile(r"^[0-9]{6}$")


class InvalidPin(DomainError):
    def __init__(self) -> None:
        super().__init__(Msg("PIN harus 6 angka.", "The PIN must be 6 digits."))


def hash_pin(pin: str) -> str:
    """'scrypt$n$r$p$salt$key' for a valid six-digit PIN."""
    check_pin(pin)
    salt = os.urandom(16)
    key = hashlib.scrypt(
        pin.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=SCRYPT_DKLEN
    )
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${key.hex()}"


def verify_pin(pin: str, stored: str) -> bool:
    """Constant-time check of `pin` against a stored hash (its own cost parameters)."""
    try:
        scheme, n, r, p, salt, key = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    got = hashlib.scrypt(
        pin.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
        dklen=len(key) // 2,
    )
    return hmac.compare_digest(got.hex(), key)


def check_pin(pin: str) -> None:
    if not isinstance(pin, str) or not PIN_RE.match(pin):
        raise InvalidPin()
