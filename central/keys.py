"""The receipt-signing key a central server signs with: made once into a file (embedded
server, `kiosk-central new-key`), or shared by every process of a production set-up through
a file or the environment, never generated per process."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import ektp_protocol as protocol

KEY_ENV = "KIOSK_CENTRAL_KEY"  # the receipt-signing key itself (base64), for shared servers


class KeyMissing(ValueError):
    """No usable receipt-signing key was given to a server on a shared database."""



def load_key(key_file: Path | None = None, environ: dict[str, str] | None = None) -> str:
    """The shared receipt-signing key: from `key_file` (its first line, base64 as
    `kiosk-central new-key` writes it), else from $KIOSK_CENTRAL_KEY. KeyMissing with a
    sentence for a person when neither is there or the key is not an Ed25519 private key."""
    env = os.environ if environ is None else environ
    if key_file is not None:
        try:
            key, where = Path(key_file).read_text(encoding="ascii").strip(), str(key_file)
        except (OSError, UnicodeDecodeError) as exc:
            raise KeyMissing(f"cannot read the server key file {key_file}: "
                             f"{getattr(exc, 'strerror', None) or exc}") from None
    elif env.get(KEY_ENV, "").strip():
        key, where = env[KEY_ENV].strip(), f"${KEY_ENV}"
    else:
        raise KeyMissing("a server on a shared database needs the receipt-signing key every "
                         "process shares: give --key-file FILE (made once with kiosk-central "
                         f"new-key) or set {KEY_ENV}")
    try:
        protocol.public_key_of(key)
    except Exception:  # noqa: BLE001 - any decoding failure is the same sentence
        raise KeyMissing(f"the server key in {where} is not an Ed25519 private key "
                         "(base64 of 32 bytes)") from None
    return key


def write_new_key(path: Path) -> str:
    """Write a fresh private key to `path` (0600, fsynced, atomically); its public key."""
    key = protocol.new_private_key()
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent or Path("."))
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return protocol.public_key_of(key)
