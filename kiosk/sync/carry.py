"""Records carried on a drive when no link exists (ektp_protocol.carry; docs/carry.md).

`export` writes every record the centre does not hold yet into a new folder on the drive,
one sealed packet each (for the centre's carry key, pinned at set-up, so a lost drive exposes
nothing). It reads and seals the records here while kiosk.sync.carry_drive's DriveWriter
writes them in batches on its own threads (each batch flushed at once, renamed, read back,
then listed in the station's signed index, rewritten atomically); the records of each batch
listed are marked carried, in one transaction. So the index lists only packets that were
whole on the drive, and a drive pulled mid-export holds a valid index of what it does hold
(a cancelled export, or a packet that fails, ends its batch first). An exported record
stays in the outbox: the link still delivers it if it comes back first.

`apply_receipts` reads the receipts file the centre wrote back onto the drive (signed with
the server key the station pinned), checks each receipt against the station's own manifest
hash exactly as an online receipt, and marks those records received; the next
reconciliation over the link verifies them as usual.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import ektp_protocol as protocol
from ektp_protocol import carry
from kiosk.domain.messages import DomainError, Msg
from kiosk.store import audit
from kiosk.store.db import iso, write_transaction
from kiosk.store.station import Store
from kiosk.sync.carry_drive import DriveWriter, Packet
from kiosk.sync.link import CARRY_KEY_META, SERVER_KEY_META
from kiosk.sync.manifest import build_payload, manifest_doc

log = logging.getLogger(__name__)

RECEIPTS_READ_META = "carry.receipts_read"
READ_KEPT = 200  # receipts files remembered as read: years of weekly drives


class CarryFailed(DomainError):
    """An export or a receipts file that could not be done, in words for the supervisor."""


def _drive_error(exc: OSError, where: Path) -> CarryFailed:
    if exc.errno == errno.ENOSPC:
        return CarryFailed(Msg(
            f"Flashdisk penuh di {where}: sebagian rekaman sudah tertulis dan tercatat di "
            "indeksnya. Pakai flashdisk lain untuk sisanya.",
            f"The drive is full at {where}: part of the records are written and listed in "
            "its index. Use another drive for the rest."))
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return CarryFailed(Msg(
            f"Flashdisk di {where} tidak bisa ditulisi (hanya-baca atau tanpa izin).",
            f"The drive at {where} cannot be written (read-only or no permission)."))
    return CarryFailed(Msg(
        f"Flashdisk di {where} gagal dibaca/ditulis ({exc.strerror or exc}): mungkin dicabut. "
        "Pasang lagi dan ulangi; yang sudah tertulis tetap sah.",
        f"The drive at {where} failed ({exc.strerror or exc}): perhaps pulled out. Plug it "
        "in and export again; what was written stays valid."))


@dataclass
class ExportResult:
    folder: Path
    written: list[str] = field(default_factory=list)  # record ids, in order
    unreadable: list[str] = field(default_factory=list)  # records that could not be read
    bytes: int = 0
    cancelled: bool = False
    total: int = 0


def unsent(store: Store, since: dt.date | None = None) -> list[str]:
    """Records the centre does not hold yet (queued, being sent), oldest first."""
    sql = "SELECT r.id FROM outbox o JOIN records r ON r.id = o.record_id WHERE 1 = 1"
    params: list[str] = []
    if since is not None:
        sql += " AND r.local_date >= ?"
        params.append(since.isoformat())
    return [r[0] for r in store.db.execute(sql + " ORDER BY r.created_at, r.id", params)]


def export(store: Store, drive: Path, signing_key: str, *, since: dt.date | None = None,
           progress: Callable[[int, int], None] | None = None,
           cancel: threading.Event | None = None) -> ExportResult:
    """Write the unsent records onto `drive` (a new export folder in it); see the module.
    The station's side (reading and sealing each record, marking listed batches carried)
    runs here while the DriveWriter's threads write and check the drive's side, so the two
    overlap on two cores."""
    carry_key = store.meta(CARRY_KEY_META)
    if not carry_key:
        raise CarryFailed(Msg(
            "Kunci pusat untuk flashdisk belum tersimpan di stasiun ini: sambungkan stasiun ke "
            "server pusat sekali (kiosk setup central) lalu ulangi.",
            "The centre's drive key is not on this station yet: connect it to the central "
            "server once (kiosk setup central), then try again."))
    ids = unsent(store, since)
    now = store.clock()
    try:
        folder = _new_folder(Path(drive), f"{carry.FOLDER_PREFIX}{store.station_id[:8]}-"
                                          f"{now.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}")
    except OSError as exc:
        raise _drive_error(exc, Path(drive)) from exc
    result = ExportResult(folder, total=len(ids))
    index = {"format": carry.FORMAT, "station_id": store.station_id,
             "station_key": protocol.public_key_of(signing_key),
             "station_name": store.settings["station.name"], "created_at": iso(now),
             "packets": []}
    writer = DriveWriter(folder, index, signing_key)
    try:
        for n, rid in enumerate(ids, 1):
            if (cancel is not None and cancel.is_set()) or writer.failed:
                result.cancelled = not writer.failed
                break
            sealed = _export_one(store, rid, signing_key, carry_key, result)
            if sealed is not None:
                writer.put(sealed)
            _mark_carried(store, folder, writer.written(), result)
            if progress is not None:
                progress(n, len(ids))
    except BaseException:
        writer.abort()
        _mark_carried(store, folder, writer.written(), result)
        raise
    error = writer.close()
    _mark_carried(store, folder, writer.written(), result)
    if isinstance(error, OSError):
        raise _drive_error(error, folder) from error
    if error is not None:
        raise error
    log.info("exported %d records to %s (%d unreadable, cancelled=%s)", len(result.written),
             folder, len(result.unreadable), result.cancelled)
    return result


def _new_folder(drive: Path, name: str) -> Path:
    """A new export folder (with its packets folder) named `name`, or `name-2`, `-3`... when
    an export of the same second is there (a retry after a failure)."""
    drive.mkdir(parents=True, exist_ok=True)
    for n in range(1, 100):
        folder = drive / (name if n == 1 else f"{name}-{n}")
        try:
            folder.mkdir()
        except FileExistsError:
            continue
        (folder / carry.PACKETS).mkdir()
        return folder
    raise OSError(errno.EEXIST, f"{name}: 99 exports of the same second are on this drive")


def _export_one(store: Store, rid: str, signing_key: str, carry_key: str,
                result: ExportResult) -> Packet | None:
    """The record read and sealed for the drive (None: it cannot be read)."""
    try:
        payload = build_payload(store, rid, signing_key, check_hashes=False)
    except Exception as exc:  # noqa: BLE001 (a rotten record is this record's, as in sync)
        log.warning("record %s cannot be read to be carried: %s", rid, exc)
        result.unreadable.append(rid)
        return None
    sealed = carry.seal(carry.Packet(payload.manifest, payload.signature, payload.blobs),
                        carry_key)
    return Packet(rid, rid + carry.SUFFIX, sealed, len(sealed))


def _mark_carried(store: Store, folder: Path, batches: list[list[Packet]],
                  result: ExportResult) -> None:
    """Records of batches whole on the drive and listed in its index become carried."""
    at = iso(store.clock())
    for packets in batches:
        with write_transaction(store.db):
            for p in packets:
                store.db.execute("UPDATE records SET carried_at = ?, carry_folder = ? "
                                 "WHERE id = ?", [at, folder.name, p.record_id])
                audit.append(store.db, "carry", "record.carried",
                             {"record_id": p.record_id, "folder": folder.name})
        result.written.extend(p.record_id for p in packets)
        result.bytes += sum(p.size for p in packets)


@dataclass
class ReceiptsResult:
    received: list[str] = field(default_factory=list)  # now received, by the drive's road
    already: list[str] = field(default_factory=list)  # received before (the link came back)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (record id, the reason)
    folders: int = 0


def apply_receipts(store: Store, drive: Path) -> ReceiptsResult:
    """Apply every receipts file on `drive` (the drive, or one export folder on it)."""
    server_key = store.meta(SERVER_KEY_META)
    if not server_key:
        raise CarryFailed(Msg("Stasiun ini belum tersambung ke server pusat (kunci server "
                              "belum tersimpan).", "This station was never set up with a "
                              "central server (no pinned server key)."))
    files = sorted({p for g in ("", "*/", "*/*/") for p in Path(drive).glob(g + carry.RECEIPTS)})
    if not files:
        raise CarryFailed(Msg(f"Tidak ada tanda terima dari pusat di {drive}.",
                              f"No receipts from the centre on {drive}."))
    result = ReceiptsResult()
    for path in files:
        try:
            data = path.read_bytes()
            content = carry.read_signed(data, "receipts", server_key)
        except (OSError, carry.CarryError) as exc:
            raise CarryFailed(Msg(
                f"Tanda terima di {path} tidak sah atau rusak ({exc}): jangan dipakai.",
                f"The receipts at {path} are not valid or damaged ({exc}): not used.")) from None
        result.folders += 1
        for entry in content.get("results", []):
            _apply_one(store, server_key, entry, result)
        _mark_read(store, carry.file_sha256(data))
    return result


def receipts_read(store: Store) -> list[str]:
    """SHA-256 of the receipts files this station has read (the latest READ_KEPT), so a drive
    left plugged in, or plugged in again, is not read twice (kiosk.app.carry polls drives)."""
    try:
        kept = json.loads(store.meta(RECEIPTS_READ_META) or "[]")
    except ValueError:
        return []
    return [s for s in kept if isinstance(s, str)] if isinstance(kept, list) else []


def _mark_read(store: Store, sha: str) -> None:
    kept = [s for s in receipts_read(store) if s != sha] + [sha]
    store.set_meta(RECEIPTS_READ_META, json.dumps(kept[-READ_KEPT:]))


def _apply_one(store: Store, server_key: str, entry: dict, result: ReceiptsResult) -> None:
    rid = entry.get("record_id")
    row = store.db.execute("SELECT state FROM records WHERE id = ?", [rid]).fetchone() \
        if isinstance(rid, str) else None
    if row is None:
        return  # another station's, or a packet the centre could not even name
    if entry.get("outcome") not in ("imported", "already") or not entry.get("receipt"):
        result.refused.append((rid, str(entry.get("message") or entry.get("reason"))))
        return
    if row[0] not in ("saved", "uploading"):
        result.already.append(rid)
        return
    sha = protocol.sha256_hex(protocol.canonical(manifest_doc(store, rid)))
    try:
        receipt = protocol.check_receipt(entry["receipt"], server_key, rid, sha)
    except (protocol.ProtocolError, ValueError, KeyError, TypeError) as exc:
        result.refused.append((rid, f"receipt does not check: {exc}"))
        return
    store.outbox.received(rid, sha, json.dumps(receipt.to_json(), sort_keys=True),
                          receipt.received_at, receipt.server_seq, store.clock(), carried=True)
    result.received.append(rid)
