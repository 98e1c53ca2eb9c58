"""The station's secrets in the OS keyring: the data key, and (for sync) token and signing key.

Production uses the platform keyring (Windows Credential Manager, macOS Keychain, the Secret
Service on Linux). `FileKeyring` exists for the demo and for test subprocesses: it keeps
secrets in a JSON file *outside* the data directory and is never chosen automatically.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import threading
from pathlib import Path

import keyring
import keyring.backend
import keyring.errors
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from kiosk.domain.messages import DomainError, Msg

SERVICE = "ektp-kiosk"


class KeyringUnavailable(DomainError):
    """No usable keyring: the station must not record."""

    def __init__(self, detail: str) -> None:
        super().__init__(
            Msg(
                "Brankas kunci (keyring) sistem tidak tersedia, jadi perekaman ditolak agar data "
                "tidak tersimpan tanpa enkripsi. Hubungi teknisi: di Linux jalankan layanan "
                "Secret Service (gnome-keyring atau KWallet) dan buka kuncinya; di Windows "
                "gunakan Credential Manager bawaan. Rincian: " + detail,
                "The system keyring is not available, so recording is refused rather than keep "
                "data unencrypted. Call the technician: on Linux run a Secret Service "
                "(gnome-keyring or KWallet) and unlock it; on Windows the built-in Credential "
                "Manager is used. Detail: " + detail,
            )
        )
        self.detail = detail


class DataKeyMismatch(DomainError):
    """The keyring holds a key, but not the one this data directory was encrypted with."""

    def __init__(self) -> None:
        super().__init__(
            Msg(
                "Kunci data di keyring tidak cocok dengan basis data stasiun ini. Pulihkan "
                "kunci stasiun dari cadangan teknisi; jangan membuat kunci baru.",
                "The data key in the keyring does not match this station's database. Restore "
                "the station key from the technician's backup; do not create a new one.",
            )
        )


def get_secret(name: str) -> str | None:
    """Read one secret; KeyringUnavailable when there is no usable keyring."""
    try:
        return keyring.get_password(SERVICE, name)
    except keyring.errors.KeyringError as exc:
        raise KeyringUnavailable(f"{type(exc).__name__}: {exc}") from exc


def set_secret(name: str, value: str) -> None:
    try:
        keyring.set_password(SERVICE, name, value)
    except keyring.errors.KeyringError as exc:
        raise KeyringUnavailable(f"{type(exc).__name__}: {exc}") from exc


def delete_secret(name: str) -> None:
    try:
        keyring.delete_password(SERVICE, name)
    except keyring.errors.PasswordDeleteError:
        pass
    except keyring.errors.KeyringError as exc:
        raise KeyringUnavailable(f"{type(exc).__name__}: {exc}") from exc


def load_or_create_data_key(station_id: str, create: bool) -> bytes:
    """The 256-bit station data key; created (when `create`) on first use."""
    name = f"data-key:{station_id}"
    stored = get_secret(name)
    if stored:
        return base64.b64decode(stored)
    if not create:
        raise DataKeyMismatch()
    key = secrets.token_bytes(32)
    set_secret(name, base64.b64encode(key).decode())
    return key


def derive(key: bytes, purpose: str) -> bytes:
    """A 256-bit subkey for one purpose (encryption, NIK lookup) from the station key."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode()).derive(key)


class _NeverAutomatic:
    """Backends only ever chosen explicitly (keyring.set_keyring or PYTHON_KEYRING_BACKEND):
    a priority that raises makes keyring's discovery treat them as not viable, so a station
    without a real keyring gets KeyringUnavailable instead of silently using one of these."""

    @keyring.backend.properties.classproperty
    def priority(cls) -> float:  # noqa: N805
        raise RuntimeError("chosen explicitly only")


class FileKeyring(keyring.backend.KeyringBackend):
    """Secrets in a 0600 JSON file named by KIOSK_KEYRING_FILE (demo and test processes only).

    Viable only while KIOSK_KEYRING_FILE is set, so it is never picked on a production station.
    """

    _lock = threading.Lock()

    @keyring.backend.properties.classproperty
    def priority(cls) -> float:  # noqa: N805
        if not os.environ.get("KIOSK_KEYRING_FILE"):
            raise RuntimeError("KIOSK_KEYRING_FILE is not set")
        return 0.1

    def __init__(self, path: Path | None = None) -> None:
        super().__init__()
        env = os.environ.get("KIOSK_KEYRING_FILE")
        self.path = Path(path) if path else Path(env) if env else None

    def _read(self) -> dict[str, str]:
        if self.path is None:
            raise keyring.errors.KeyringError("KIOSK_KEYRING_FILE is not set")
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._read().get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        with self._lock:
            data = self._read()
            data[f"{service}/{username}"] = password
            assert self.path is not None
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh)
                fh.flush()
                os.fsync(fh.fileno())
            tmp.replace(self.path)

    def delete_password(self, service: str, username: str) -> None:
        with self._lock:
            data = self._read()
            if data.pop(f"{service}/{username}", None) is None:
                raise keyring.errors.PasswordDeleteError(username)
            assert self.path is not None
            self.path.write_text(json.dumps(data), encoding="utf-8")


class MemoryKeyring(_NeverAutomatic, keyring.backend.KeyringBackend):
    """Secrets in this process's memory (in-process tests)."""

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.items.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError(username)
