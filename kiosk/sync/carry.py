"""Records carried on a drive when no link exists (ektp_protocol.carry; docs/carry.md).

`export` writes every record the centre does not hold yet into a new folder on the drive,
one sealed packet each (for the centre's carry key, pinned at set-up, so a lost drive exposes
nothing), in batches (EXPORT_BATCH packets or EXPORT_BATCH_BYTES): each packet written to a
temporary name, the batch flushed at once (one syncfs, where Linux has it), renamed, the
folder flushed, each packet read back; then the station's signed index, rewritten
(atomically) after each batch, lists them, and the station marks them carried, in one
transaction. So the index lists only packets that were whole on the drive, and a drive
pulled mid-export holds a valid index of what it does hold (a cancelled export, or a packet
that fails, ends its batch first). An exported record stays in the outbox: the link still
delivers it if it comes back first.

`apply_receipts` reads the receipts file the centre wrote back onto the drive (signed with
the server key the station pinned), checks each receipt against the station's own manifest
hash exactly as an online receipt, and marks those records received; the next
reconciliation over the link verifies them as usual.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import json
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import ektp_protocol as protocol
from ektp_protocol import carry
from ektp_protocol.durable import flush_files, fsync_dir
from kiosk.domain.messages import DomainError, Msg
from kiosk.store import audit
from kiosk.store.db import iso, write_transaction
from kiosk.store.station import Store
from kiosk.sync.link import CARRY_KEY_META, SERVER_KEY_META
from kiosk.sync.manifest import build_payload, manifest_doc

log = logging.getLogger(__name__)

RECEIPTS_READ_META = "carry.receipts_read"
EXPORT_BATCH = 16  # packets flushed at once, then listed in the index and marked carried
EXPORT_BATCH_BYTES = 32 * 1024 * 1024  # ... or fewer, once they are this large
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


def write_whole(path: Path, data: bytes) -> None:
    """`data` at `path`, or nothing there: a temporary name, flushed, renamed, the folder
    flushed, then read back (a drive that lies about its writes is caught here)."""
    tmp = _part(path)
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)
    _read_back(path, data)


def _read_back(path: Path, data: bytes) -> None:
    """OSError (EIO), and the file removed, if the drive does not give `data` back at `path`.
    The file is flushed, so its pages in memory are dropped first and the bytes come from
    the drive itself: a drive that lies about its writes (a fake-capacity one, which takes
    more than it holds and overwrites what it took first) is caught here, not at the centre."""
    with open(path, "rb") as fh:
        if hasattr(os, "posix_fadvise"):
            with contextlib.suppress(OSError):  # a file system without a page cache
                os.posix_fadvise(fh.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
        back = fh.read()
    if back != data:
        path.unlink(missing_ok=True)
        raise OSError(errno.EIO, f"{path.name}: read back differs from what was written")


def _write_part(path: Path, data: bytes) -> None:
    """`data` under `path`'s temporary name (flushed with its batch, then renamed). A write
    that fails removes what it wrote: on a full drive that room lets the batch before it
    be listed."""
    try:
        with open(_part(path), "wb") as fh:
            fh.write(data)
    except OSError:
        with contextlib.suppress(OSError):
            _part(path).unlink(missing_ok=True)
        raise


def _part(path: Path) -> Path:
    return path.with_name(f".{path.name}.part")


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
    """Write the unsent records onto `drive` (a new export folder in it); see the module."""
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
    batch = _ExportBatch(store, folder, index, signing_key, result)
    try:
        for n, rid in enumerate(ids, 1):
            if cancel is not None and cancel.is_set():
                result.cancelled = True
                break
            try:
                written = _export_one(store, folder, rid, signing_key, carry_key, result)
            except OSError:  # the packets before it are kept, if the drive still takes them
                with contextlib.suppress(OSError):
                    batch.commit()
                raise
            if written is not None and batch.add(written):
                batch.commit()
            if progress is not None:
                progress(n, len(ids))
        batch.commit()
    except OSError as exc:
        raise _drive_error(exc, folder) from exc
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


@dataclass
class _Packet:
    record_id: str
    name: str
    data: bytes  # the sealed packet, kept until it is read back
    sha256: str

    @property
    def size(self) -> int:
        return len(self.data)


def _export_one(store: Store, folder: Path, rid: str, signing_key: str, carry_key: str,
                result: ExportResult) -> _Packet | None:
    """The record sealed and written under its packet's temporary name (None: unreadable)."""
    try:
        payload = build_payload(store, rid, signing_key)
    except Exception as exc:  # noqa: BLE001 (a rotten record is this record's, as in sync)
        log.warning("record %s cannot be read to be carried: %s", rid, exc)
        result.unreadable.append(rid)
        return None
    sealed = carry.seal(carry.Packet(payload.manifest, payload.signature, payload.blobs),
                        carry_key)
    name = rid + carry.SUFFIX
    _write_part(folder / carry.PACKETS / name, sealed)
    return _Packet(rid, name, sealed, carry.file_sha256(sealed))


class _ExportBatch:
    """Packets written under their temporary names, not yet whole on the drive."""

    def __init__(self, store: Store, folder: Path, index: dict, signing_key: str,
                 result: ExportResult) -> None:
        self.store, self.folder, self.index = store, folder, index
        self.signing_key, self.result = signing_key, result
        self.packets: list[_Packet] = []

    def add(self, packet: _Packet) -> bool:
        """Queue the packet; True when the batch is full."""
        self.packets.append(packet)
        return (len(self.packets) >= EXPORT_BATCH
                or sum(p.size for p in self.packets) >= EXPORT_BATCH_BYTES)

    def commit(self) -> None:
        """Flush the batch's packets at once, rename them, flush their folder, read each
        back; then list them in the index (rewritten whole) and mark them carried."""
        packets, self.packets = self.packets, []
        if not packets:
            return
        where, listed = self.folder / carry.PACKETS, len(self.index["packets"])
        try:
            flush_files(where, [str(_part(where / p.name)) for p in packets])
            for p in packets:
                os.replace(_part(where / p.name), where / p.name)
            fsync_dir(where)
            for p in packets:
                _read_back(where / p.name, p.data)
            self.index["packets"].extend({"name": p.name, "record_id": p.record_id,
                                          "size": p.size, "sha256": p.sha256}
                                         for p in packets)
            write_whole(self.folder / carry.INDEX,
                        carry.signed_document("index", self.index, self.signing_key))
        except OSError:  # none of the batch stays to be taken for a packet the index forgot
            del self.index["packets"][listed:]
            for p in packets:
                for path in (where / p.name, _part(where / p.name)):
                    with contextlib.suppress(OSError):
                        path.unlink(missing_ok=True)
            raise
        at = iso(self.store.clock())
        with write_transaction(self.store.db):
            for p in packets:
                self.store.db.execute("UPDATE records SET carried_at = ?, carry_folder = ? "
                                      "WHERE id = ?", [at, self.folder.name, p.record_id])
                audit.append(self.store.db, "carry", "record.carried",
                             {"record_id": p.record_id, "folder": self.folder.name})
        self.result.written.extend(p.record_id for p in packets)
        self.result.bytes += sum(p.size for p in packets)


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
