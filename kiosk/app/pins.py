"""Station PINs: six digits, stored only as a scrypt hash with a per-user salt.

A PIN a person chooses (an account added, a PIN reset, the first supervisor at set-up, from
the GUI or the command line) must also not be trivial (`check_new_pin`): one digit repeated,
a run up or down, or a short pattern repeated, the PINs tried first by anyone guessing. The
demo's published accounts (operator / 111111 ...) are the one exception, created through
kiosk.demo with `demo=True`. Accounts hold no birth date, so a PIN made of one cannot be
recognised here.
"""

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
    def __init__(self, msg: Msg | None = None) -> None:
        super().__init__(msg or Msg("PIN harus 6 angka.", "The PIN must be 6 digits."))


class TrivialPin(InvalidPin):
    """Six digits, but among the first an attacker tries; `reason`: same, run, pattern."""

    WORDS = {
        "same": Msg("PIN tidak boleh satu angka yang diulang (mis. 111111): mudah ditebak. "
                    "Pilih 6 angka yang tidak berpola.",
                    "The PIN cannot be one digit repeated (like 111111): it is easy to guess. "
                    "Choose 6 digits without a pattern."),
        "run": Msg("PIN tidak boleh angka berurutan naik atau turun (mis. 123456 atau 654321): "
                   "mudah ditebak. Pilih 6 angka yang tidak berpola.",
                   "The PIN cannot be digits in a row up or down (like 123456 or 654321): it is "
                   "easy to guess. Choose 6 digits without a pattern."),
        "pattern": Msg("PIN tidak boleh pola yang diulang (mis. 121212 atau 123123): mudah "
                       "ditebak. Pilih 6 angka yang tidak berpola.",
                       "The PIN cannot be a repeated pattern (like 121212 or 123123): it is "
                       "easy to guess. Choose 6 digits without a pattern."),
    }

    def __init__(self, reason: str) -> None:
        super().__init__(self.WORDS[reason])
        self.reason = reason


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
    """Six digits (any six: the check of a PIN typed to log in or to act)."""
    if not isinstance(pin, str) or not PIN_RE.match(pin):
        raise InvalidPin()


def trivial_reason(pin: str) -> str | None:
    """Why six digits are trivial ("same", "run", "pattern"), or None.

    Runs count with wrap-around (890123, 210987): each step +1 or each step -1 mod 10.
    Patterns: the first two or three digits repeated (121212, 123123).
    """
    digits = [int(c) for c in pin]
    if len(set(digits)) == 1:
        return "same"
    steps = {(b - a) % 10 for a, b in zip(digits, digits[1:], strict=False)}
    if steps in ({1}, {9}):
        return "run"
    if pin == pin[:2] * 3 or pin == pin[:3] * 2:
        return "pattern"
    return None


def check_new_pin(pin: str) -> None:
    """A PIN a person chooses: six digits (InvalidPin) and not trivial (TrivialPin)."""
    check_pin(pin)
    reason = trivial_reason(pin)
    if reason is not None:
        raise TrivialPin(reason)
