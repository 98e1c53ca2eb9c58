"""The station's secrets in the OS keyring: the data key, and (for sync) token and signing key.

Production uses the platform keyring (Windows Credential Manager, macOS Keychain, the Secret
Service on Linux). `FileKeyring` exists for the demo and for test subprocesses: it keeps
secrets in a JSON file *outside* the data directory and is never chosen automatically.

Every read and write goes through `station_keyring()`, which refuses a backend that would keep
the secrets unprotected: keyring's `fail` and `null` backends, anything from `keyrings.alt`
(plaintext or password-file keyrings), and any backend whose priority is below 1 (keyring's
own rule: "a priority of one or greater is recommended"). Inside keyring's ChainerBackend only
the members that pass are used, so a locked Secret Service never silently falls through to a
plaintext file. FileKeyring and MemoryKeyring pass: they are chosen in code, never discovered.
"""

from __future__ import annotations

import base64
import binascii
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
from keyring.backends import chainer, fail, null

from kiosk.domain.messages import DomainError, Msg

SERVICE = "ektp-kiosk"
DATA_KEY_BYTES = 32
# keyring's documented threshold: "a priority between zero but less than one is suitable, but
# a priority of one or greater is recommended" (keyring.backend.KeyringBackend.priority)
MIN_PRIORITY = 1.0
INSECURE_MODULES = ("keyrings.alt",)  # plaintext / password-file keyrings, never for the station


# What failed, for KeyringUnavailable's sentence ("..., so <action>."): the caller that knows
# names it (KeyringUnavailable.doing); STATION_DATA when nobody said.
STATION_DATA = Msg("data stasiun yang terenkripsi tidak bisa dibuka atau disimpan",
                   "the station's encrypted data can be neither opened nor saved")
RECORDING = Msg("perekaman ditolak agar data tidak tersimpan tanpa enkripsi",
                "recording is refused rather than keep data unencrypted")


class KeyringUnavailable(DomainError):
    """No usable keyring: nothing sealed can be opened or saved (recording is refused, a NIK
    cannot be looked up, a full-NIK export cannot be made). `action` says what failed."""

    def __init__(self, detail: str, action: Msg = STATION_DATA) -> None:
        super().__init__(
            Msg(
                f"Brankas kunci (keyring) sistem tidak tersedia, jadi {action.id}. Hubungi "
                "teknisi: di Linux jalankan layanan Secret Service (gnome-keyring atau KWallet) "
                "dan buka kuncinya; di Windows gunakan Credential Manager bawaan; `kiosk "
                "keyring` menunjukkan brankas yang dicoba. Rincian: " + detail,
                f"The system keyring is not available, so {action.en}. Call the technician: on "
                "Linux run a Secret Service (gnome-keyring or KWallet) and unlock it; on "
                "Windows the built-in Credential Manager is used; `kiosk keyring` shows the "
                "keyrings tried. Detail: " + detail,
            )
        )
        self.detail = detail
        self.action = action

    def doing(self, action: Msg) -> KeyringUnavailable:
        """The same failure, naming `action` as what it stopped."""
        return KeyringUnavailable(self.detail, action)


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


class DataKeyInvalid(DomainError):
    """The keyring entry is not a data key at all (mistyped when restored from the backup)."""

    def __init__(self, name: str, problem_id: str, problem_en: str) -> None:
        super().__init__(
            Msg(
                f"Kunci data di keyring ({SERVICE} / {name}) rusak: {problem_id}. Salin ulang "
                "kunci dari cadangan teknisi persis seperti tertulis (44 karakter base64, "
                "diakhiri '=').",
                f"The data key in the keyring ({SERVICE} / {name}) is damaged: {problem_en}. "
                "Copy the key again from the technician's backup exactly as written (44 base64 "
                "characters, ending in '=').",
            )
        )
        self.name = name


def backend_name(backend: keyring.backend.KeyringBackend) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def insecure_reason(backend: keyring.backend.KeyringBackend) -> str | None:
    """Why this one backend must not hold the station's secrets, or None if it may."""
    name = backend_name(backend)
    if isinstance(backend, fail.Keyring | null.Keyring):
        return f"{name}: no keyring"
    if type(backend).__module__.startswith(INSECURE_MODULES):
        return f"{name}: keeps secrets in a file (keyrings.alt)"
    try:
        priority = float(backend.priority)
    except Exception as exc:  # keyring's own signal: the backend is not viable here
        return f"{name}: not usable ({exc})"
    if priority < MIN_PRIORITY:
        return f"{name}: priority {priority:g} < {MIN_PRIORITY:g} (not a secure keyring)"
    return None


def resolve_backend(backend: keyring.backend.KeyringBackend) -> keyring.backend.KeyringBackend:
    """The backend the station really uses for `backend` (a ChainerBackend's best secure
    member); KeyringUnavailable naming every refused one when there is none."""
    if isinstance(backend, FileKeyring | MemoryKeyring):
        # chosen in code (the demo, tests) or by name; inside a chain they are judged like any
        # other member, so they are never picked up by accident
        return backend
    if isinstance(backend, chainer.ChainerBackend):
        members = list(backend.backends)
        if not members:
            raise KeyringUnavailable(f"{backend_name(backend)}: no keyring to chain")
    else:
        members = [backend]
    refused = []
    for member in members:
        reason = insecure_reason(member)
        if reason is None:
            return member
        refused.append(reason)
    raise KeyringUnavailable("; ".join(refused))


_resolved: tuple[keyring.backend.KeyringBackend, keyring.backend.KeyringBackend] | None = None
_resolved_lock = threading.Lock()


def station_keyring() -> keyring.backend.KeyringBackend:
    """The secure backend behind keyring.get_keyring(); KeyringUnavailable if there is none.

    Resolved once per configured backend (asking a Secret Service for its priority is a D-Bus
    round trip); a backend set later with keyring.set_keyring is resolved afresh."""
    global _resolved
    try:
        current = keyring.get_keyring()
    except Exception as exc:  # a broken keyringrc.cfg or PYTHON_KEYRING_BACKEND
        raise KeyringUnavailable(f"{type(exc).__name__}: {exc}") from exc
    with _resolved_lock:
        if _resolved is not None and _resolved[0] is current:
            return _resolved[1]
        chosen = resolve_backend(current)
        _resolved = (current, chosen)
        return chosen


def get_secret(name: str) -> str | None:
    """Read one secret; KeyringUnavailable when there is no usable keyring."""
    backend = station_keyring()
    try:
        return backend.get_password(SERVICE, name)
    except keyring.errors.KeyringError as exc:
        raise KeyringUnavailable(f"{type(exc).__name__}: {exc}") from exc


def set_secret(name: str, value: str) -> None:
    backend = station_keyring()
    try:
        backend.set_password(SERVICE, name, value)
    except keyring.errors.KeyringError as exc:
        raise KeyringUnavailable(f"{type(exc).__name__}: {exc}") from exc


def delete_secret(name: str) -> None:
    backend = station_keyring()
    try:
        backend.delete_password(SERVICE, name)
    except keyring.errors.PasswordDeleteError:
        pass
    except keyring.errors.KeyringError as exc:
        raise KeyringUnavailable(f"{type(exc).__name__}: {exc}") from exc


def decode_data_key(name: str, stored: str) -> bytes:
    """The 32 key bytes of a keyring entry; DataKeyInvalid when it is not base64 of 32 bytes."""
    text = "".join(stored.split())  # a key copied from paper may carry spaces or line breaks
    try:
        key = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise DataKeyInvalid(name, "bukan teks base64", "it is not base64 text") from None
    if len(key) != DATA_KEY_BYTES:
        raise DataKeyInvalid(
            name, f"panjangnya {len(key)} bita, seharusnya {DATA_KEY_BYTES}",
            f"it is {len(key)} bytes long, not {DATA_KEY_BYTES}",
        )
    return key


def load_or_create_data_key(station_id: str, create: bool) -> bytes:
    """The 256-bit station data key; created (when `create`) on first use."""
    name = f"data-key:{station_id}"
    stored = get_secret(name)
    if stored:
        return decode_data_key(name, stored)
    if not create:
        raise DataKeyMismatch()
    key = secrets.token_bytes(DATA_KEY_BYTES)
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


# --- the demo's keyring ------------------------------------------------------------------
# `kiosk --demo` keeps its secrets in a FileKeyring beside (never inside) its data dir, and
# writes DEMO_KEYRING_MARKER into the data dir naming that file. Whatever opens the data dir
# later (any `kiosk` command, the GUI) then uses the same file. Only the demo writes a marker,
# and only the file beside the folder is ever honoured: a marker cannot point a station at
# any other file.
DEMO_KEYRING_MARKER = "demo-keyring.txt"


def demo_keyring_file(data_dir: Path) -> Path:
    """The demo's key file for `data_dir`: `<data dir>-keyring.json`, beside it."""
    folder = Path(data_dir).absolute()
    return folder.with_name(folder.name + "-keyring.json")


def mark_demo_keyring(data_dir: Path) -> Path:
    """Write the marker into the demo's data dir; returns its key file."""
    key_file = demo_keyring_file(data_dir)
    (Path(data_dir) / DEMO_KEYRING_MARKER).write_text(
        f"{key_file.name}\n"
        "# kiosk --demo: this data dir holds invented applicants only; its secrets are in the\n"
        "# file named above, beside this folder. A real station never has this file.\n",
        encoding="utf-8")
    return key_file


def marked_demo_keyring(data_dir: Path) -> Path | None:
    """The demo key file the marker in `data_dir` names, or None (no marker, or one that
    names anything but the file beside the folder)."""
    try:
        first = (Path(data_dir) / DEMO_KEYRING_MARKER).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    key_file = demo_keyring_file(data_dir)
    lines = first.splitlines()
    return key_file if lines and lines[0].strip() == key_file.name else None


def use_file_keyring(path: Path) -> None:
    """Keep this process's secrets (and its `kiosk` children's) in the FileKeyring `path`."""
    os.environ["KIOSK_KEYRING_FILE"] = str(path)
    keyring.set_keyring(FileKeyring(path))


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


def describe_keyring() -> dict[str, object]:
    """What `kiosk keyring` shows a technician: the backend keyring chose, each one it would
    chain with its priority and verdict, and the one the station really uses (or why none)."""
    try:
        current = keyring.get_keyring()
    except Exception as exc:
        return {"configured": None, "members": [], "used": None,
                "problem": f"{type(exc).__name__}: {exc}"}
    members = list(current.backends) if isinstance(current, chainer.ChainerBackend) else []
    rows = []
    for member in members:
        try:
            priority: float | None = float(member.priority)
        except Exception:
            priority = None
        rows.append({"backend": backend_name(member), "priority": priority,
                     "refused": insecure_reason(member)})
    try:
        used, problem = backend_name(resolve_backend(current)), None
    except KeyringUnavailable as exc:
        used, problem = None, exc.detail
    return {"configured": backend_name(current), "members": rows, "used": used,
            "problem": problem}
