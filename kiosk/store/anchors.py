"""Anchors: what the station knows about its database from outside it, so that a database
that was lost, emptied or swapped for an older copy is noticed instead of silently starting
a fresh station (a new id and data key, registration numbers from 001 again).

Three anchors, each compared with the database:

- the keyring: `ektp-kiosk / station-id:<data folder>` holds the station id of the database
  in that folder. A database created where one was anchored keeps the anchored id (so the
  data key stays the station's) and is marked replaced (meta `db.replaced`); a database of
  another station in the folder is named too.
- the anchor file `station.anchor` beside the database: the newest record saved, written
  after each committed save into the older of two fixed slots (a torn write leaves the other
  whole; no rename and no extra fsync, so the save stays fast: after a power cut it may be a
  save behind, never ahead), each MAC'd with a key derived from the data key. The record
  of its newest whole slot must be in the database.
- the server: meta `server_last_regno`, the newest registration number the central server
  holds from this station (written by the sync engine); it must be in the database.

`problem` says what is wrong, `refuse_if_replaced` raises DatabaseReplaced; a deliberate
restore (kiosk.store.backup) re-anchors with `reanchor`.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.domain.messages import DomainError, Msg
from kiosk.store.errors import DatabaseReplaced, StorageError
from kiosk.store.keys import get_secret, set_secret

if TYPE_CHECKING:
    from kiosk.store.station import Store

log = logging.getLogger(__name__)
ANCHOR_FILE = "station.anchor"
SLOT = 512  # bytes per anchor slot (two slots)
REPLACED_META = "db.replaced"
SERVER_LAST_REGNO = "server_last_regno"
_VERSION = 1


def keyring_name(data_dir: Path) -> str:
    return f"station-id:{Path(data_dir).resolve()}"


def anchored_station(data_dir: Path) -> str | None:
    """The station id anchored for this folder, or None (none yet, or no keyring now)."""
    try:
        return get_secret(keyring_name(data_dir)) or None
    except DomainError as exc:  # KeyringUnavailable: the recording gate says so itself
        log.info("station anchor not readable: %s", exc.msg.en)
        return None


def was_here(data_dir: Path) -> bool:
    """Whether a station's database was anchored in this folder (its anchor file, or its
    keyring entry): a database missing there was lost, not never made."""
    return (Path(data_dir) / ANCHOR_FILE).exists() or anchored_station(data_dir) is not None


def anchor_station(data_dir: Path, station_id: str) -> bool:
    """Anchor `station_id` for this folder; False when the keyring cannot take it now."""
    try:
        set_secret(keyring_name(data_dir), station_id)
        return True
    except DomainError as exc:
        log.warning("station anchor not written: %s", exc.msg.en)
        return False


# --- the anchor file ------------------------------------------------------------------


def _payload(body: dict[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def _slot(store: Store, record_id: str, regno: str, saved_at: str) -> bytes:
    body = {"v": _VERSION, "station_id": store.station_id, "record_id": record_id,
            "regno": regno, "saved_at": saved_at}
    text = json.dumps({**body, "mac": store.sealer().anchor_mac(_payload(body))}).encode()
    if len(text) >= SLOT:
        raise ValueError("anchor too long")
    return text.ljust(SLOT - 1) + b"\n"


def _parse(store: Store, raw: bytes) -> dict[str, Any] | None:
    """One slot's content when it is whole, this station's and its MAC holds."""
    try:
        data = json.loads(raw.decode("utf-8"))
        mac = data.pop("mac")
    except (ValueError, KeyError, TypeError, AttributeError):
        return None  # empty, or torn by a power cut
    if data.get("v") != _VERSION or data.get("station_id") != store.station_id:
        return None
    if mac != store.sealer().anchor_mac(_payload(data)):
        log.warning("a slot of %s does not match its MAC: ignored", ANCHOR_FILE)
        return None
    return data


def write_anchor_file(store: Store, record_id: str, regno: str, saved_at: str) -> None:
    """Name the newest saved record in `station.anchor`: two fixed slots, the older one
    overwritten in place (no rename, no fsync: a save stays as fast as before, and a write
    torn by a power cut leaves the other slot whole). The slot to write is worked out once
    per Store, then they alternate; the file stays open with the Store (close_anchor_file)."""
    try:
        fd = getattr(store, "_anchor_fd", None)
        if fd is None:
            fd = os.open(store.data_dir / ANCHOR_FILE, os.O_RDWR | os.O_CREAT, 0o600)
            raw = os.pread(fd, 2 * SLOT, 0)
            ages = [(h or {}).get("saved_at", "")
                    for h in (_parse(store, raw[i * SLOT:(i + 1) * SLOT]) for i in range(2))]
            store._anchor_fd = fd  # type: ignore[attr-defined]
            store._anchor_slot = 0 if ages[0] <= ages[1] else 1  # type: ignore[attr-defined]
        target = store._anchor_slot  # type: ignore[attr-defined]
        os.pwrite(fd, _slot(store, record_id, regno, saved_at), target * SLOT)
        store._anchor_slot = 1 - target  # type: ignore[attr-defined]
    except OSError as exc:  # the save itself is committed: this anchor just stays older
        log.warning("anchor file not written (%s); it stays one save behind", exc)
        close_anchor_file(store)


def close_anchor_file(store: Store) -> None:
    fd = getattr(store, "_anchor_fd", None)
    store._anchor_fd = None  # type: ignore[attr-defined]
    if fd is not None:
        with contextlib.suppress(OSError):
            os.close(fd)


def read_anchor_file(store: Store) -> dict[str, Any] | None:
    """The newest whole slot of the anchor file that is this station's and whose MAC holds,
    else None (missing, torn, or not ours: then it anchors nothing)."""
    path = store.data_dir / ANCHOR_FILE
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("anchor file %s unreadable (%s): ignored", path, exc)
        return None
    held = [h for h in (_parse(store, raw[i * SLOT:(i + 1) * SLOT]) for i in range(2)) if h]
    return max(held, key=lambda h: h["saved_at"]) if held else None


# --- the check --------------------------------------------------------------------------


def _has(store: Store, column: str, value: str) -> bool:
    return store.db.execute(f"SELECT 1 FROM records WHERE {column} = ?", [value]
                            ).fetchone() is not None


def _marker(store: Store) -> Msg | None:
    raw = store.meta(REPLACED_META)
    if raw is None:
        return None
    try:
        at = json.loads(raw).get("at", "?")
    except (ValueError, AttributeError):
        at = "?"
    return Msg(f"basis data ini dibuat baru pada {at} di folder yang sudah punya basis data "
               f"stasiun {store.station_id}; berkas lamanya hilang atau kosong",
               f"this database was made new at {at} in a folder that already had station "
               f"{store.station_id}'s database; the old file was missing or empty")


def _keyring(store: Store) -> Msg | None:
    # the anchor changes only by a restore, which needs the station stopped: asked once per
    # Store (a Secret Service answers over D-Bus; home asks at every refresh)
    if getattr(store, "_keyring_anchor_ok", False):
        return None
    anchored = anchored_station(store.data_dir)
    if anchored is None:
        if not store.read_only and store.meta(REPLACED_META) is None:
            anchor_station(store.data_dir, store.station_id)  # first check: adopt this one
        return None
    if anchored == store.station_id:
        store._keyring_anchor_ok = True  # type: ignore[attr-defined]
        return None
    return Msg(f"folder ini milik stasiun {anchored}, tetapi basis datanya milik stasiun "
               f"{store.station_id}",
               f"this folder belongs to station {anchored}, but its database is station "
               f"{store.station_id}'s")


def _anchor_file(store: Store) -> Msg | None:
    try:
        anchor = read_anchor_file(store)
    except DomainError as exc:  # no data key now: the recording gate says so itself
        log.info("anchor file not checked: %s", exc.msg.en)
        return None
    if anchor is None or _has(store, "id", anchor["record_id"]):
        return None
    return Msg(f"basis data lebih tua dari rekaman terakhir yang tersimpan "
               f"({anchor['regno']}, {anchor['saved_at']})",
               f"the database is older than the last recording saved "
               f"({anchor['regno']}, {anchor['saved_at']})")


def _server(store: Store) -> Msg | None:
    regno = store.meta(SERVER_LAST_REGNO)
    if not regno or _has(store, "regno", regno):
        return None
    return Msg(f"server pusat sudah menyimpan {regno} dari stasiun ini, tetapi basis data ini "
               "tidak memilikinya",
               f"the central server holds {regno} from this station, but this database does "
               "not have it")


def problem(store: Store) -> Msg | None:
    """Why this database is younger than its anchors (None: it is not)."""
    for check in (_marker, _keyring, _anchor_file, _server):
        why = check(store)
        if why is not None:
            return why
    return None


def refuse_if_replaced(store: Store) -> None:
    why = problem(store)
    if why is not None:
        raise DatabaseReplaced(why)


# --- a deliberate restore ---------------------------------------------------------------


def reanchor(store: Store) -> None:
    """Anchor the database now in the folder (after `kiosk restore`): the keyring's station
    id, the anchor file from its newest record, no replaced marker."""
    if not anchor_station(store.data_dir, store.station_id):
        raise StorageError(cause=Msg("brankas kunci tidak menerima jangkar stasiun",
                                     "the keyring did not take the station anchor"))
    if store.meta(REPLACED_META) is not None:
        store.delete_meta(REPLACED_META)
    row = store.db.execute(
        "SELECT id, regno, created_at FROM records ORDER BY created_at DESC, rowid DESC LIMIT 1"
    ).fetchone()
    path = store.data_dir / ANCHOR_FILE
    close_anchor_file(store)
    path.unlink(missing_ok=True)  # what it named belongs to the database replaced
    if row is not None:
        write_anchor_file(store, row[0], row[1], row[2])
