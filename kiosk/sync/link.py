"""Setting up and opening the station's link to the central server.

The API token and the Ed25519 signing key live in the keyring; the server URL in the settings
file; the server's pinned public key in the station database (`meta`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ektp_protocol as protocol
from kiosk.domain.messages import DomainError, Msg
from kiosk.settings import Settings
from kiosk.store.keys import get_secret, set_secret
from kiosk.store.outbox import STATUS_CURSOR
from kiosk.store.station import Store
from kiosk.sync.client import CentralClient, Conflict, SyncError

SERVER_KEY_META = "sync.server_public_key"
SERVER_URL_META = "sync.server_url"
CARRY_KEY_META = "sync.server_carry_key"
STATUS_URL_SETTING = "receipt.status_url"  # printed on receipts and in their QR codes


def token_name(station_id: str) -> str:
    return f"api-token:{station_id}"


def signing_key_name(station_id: str) -> str:
    return f"signing-key:{station_id}"


class NotConfigured(DomainError):
    """The station has no server link yet (`kiosk setup central` was not run)."""

    def __init__(self, what: str) -> None:
        super().__init__(Msg(
            f"Koneksi ke server pusat belum diatur ({what}). Teknisi: jalankan "
            "`kiosk setup central URL TOKEN`.",
            f"The central server link is not set up ({what}). Technician: run "
            "`kiosk setup central URL TOKEN`.",
        ))


class SetupFailed(DomainError):
    """`kiosk setup central` could not complete; nothing was changed."""

    def __init__(self, detail: str) -> None:
        super().__init__(Msg(
            f"Pengaturan server pusat gagal: {detail}. Periksa alamat, token dan jaringan.",
            f"Central server setup failed: {detail}. Check the address, token and network.",
        ))


def tls_verify(settings: Settings) -> bool | str:
    """requests' `verify`: the CA bundle when set, else on/off per `sync.verify_tls`."""
    if not settings["sync.verify_tls"]:
        return False
    return settings["sync.ca_bundle"] or True


def make_client(settings: Settings, url: str, token: str) -> CentralClient:
    return CentralClient(
        url, token, verify=tls_verify(settings),
        health_timeout=float(settings["sync.health_timeout"]),
        request_timeout=float(settings["sync.request_timeout"]),
    )


def setup_central(store: Store, settings_path: Path, url: str, token: str) -> dict[str, Any]:
    """Register this station with the server: keep the token and signing key in the keyring,
    register the public key, pin the server's key, write sync.server_url to the settings, and
    receipt.status_url: the status page the server names for receipts (empty when it names
    none, so a receipt never points applicants to a page of another server)."""
    settings = Settings.load(settings_path)
    client = make_client(store.settings, url, token)
    signing = get_secret(signing_key_name(store.station_id)) or protocol.new_private_key()
    public = protocol.public_key_of(signing)
    try:
        client.health()
        client.register_key(public)
        server_key, status_url = client.server_identity()
        carry_key = client.carry_key(server_key)
    except Conflict:
        raise SetupFailed(
            "server already holds another key for this station (kiosk-central station reset-key)"
        ) from None
    except SyncError as exc:
        raise SetupFailed(f"{type(exc).__name__}: {exc}") from None
    finally:
        client.close()
    set_secret(signing_key_name(store.station_id), signing)
    set_secret(token_name(store.station_id), token)
    if store.meta(SERVER_URL_META) != url:
        store.set_meta(STATUS_CURSOR, "0")  # another server's change log starts afresh
    store.set_meta(SERVER_KEY_META, server_key)
    store.set_meta(SERVER_URL_META, url)
    if carry_key:  # for records carried on a drive (kiosk/sync/carry.py)
        store.set_meta(CARRY_KEY_META, carry_key)
    settings.set("sync.server_url", url)
    settings.set(STATUS_URL_SETTING, status_url or "")
    settings.save()
    return {"server_url": url, "station_public_key": public, "server_public_key": server_key,
            "status_url": status_url}


def open_engine(
    store: Store,
    on_state: Callable[[Any], None] | None = None,
    stop: threading.Event | None = None,
):  # -> SyncEngine (imported lazily to keep this module light)
    """An engine for this store from its settings, keyring and pinned key; NotConfigured if
    any piece is missing."""
    from kiosk.sync.engine import SyncEngine

    url = store.settings["sync.server_url"] or store.meta(SERVER_URL_META)
    if not url:
        raise NotConfigured("sync.server_url")
    server_key = store.meta(SERVER_KEY_META)
    if not server_key:
        raise NotConfigured("server key not pinned")
    token = get_secret(token_name(store.station_id))
    signing = get_secret(signing_key_name(store.station_id))
    if not token or not signing:
        raise NotConfigured("token or signing key missing from the keyring")
    return SyncEngine(
        store, make_client(store.settings, url, token), server_key=server_key,
        signing_key=signing, on_state=on_state, stop=stop,
    )
