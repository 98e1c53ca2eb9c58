"""`kiosk-central carry import DIR`: records a station could not send over a link, carried on
a drive (ektp_protocol.carry), stored exactly as an online delivery stores them.

For each export folder on the drive: the index must be signed by a station this centre knows
(its registered key) and not revoked; each packet must be listed in it, open with the
centre's carry key (the seal's tag covers every byte), carry a manifest signed by that
station for the record listed, and blobs that match their addresses. (The file's hash in the
index is read only when a seal does not open: it tells an altered file from one sealed for
another centre; hashing every file first would add a third pass over the bytes and prove
nothing the seal and the signature do not.) Then it is stored as the sync API stores a
record, in batches (its blobs made durable together before their rows commit), so the
receipt is the one an online delivery gets, and a record that already arrived (online, or by
an earlier import) is answered with its existing receipt, never doubled. A refused packet
is named with its reason; the others import. The outcomes, each receipt signed as online,
go back onto the drive as `receipts.json`, signed by the centre.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ektp_protocol as protocol
from central.blobstore import HashMismatch
from central.database import Database
from central.storage import (
    CentralStore,
    ManifestConflict,
    MissingBlobs,
    Station,
    WrongStation,
)
from ektp_protocol import carry

log = logging.getLogger("central.carry")
BATCH_PACKETS = 128  # packets whose blobs are made durable, and rows committed, together
BATCH_BYTES = 128 * 1024 * 1024  # ... or fewer, once their blobs are this large
BATCHES = 6  # ... or fewer, so a folder is at least this many batches: both writers work
BATCH_MIN = 8  # ... but never fewer than this (each batch costs two flushes and a commit)
REASONS = {  # reason code -> the sentence an officer reads (the receipts file keeps both)
    "bad_index": "the drive's index is not signed by a station this centre knows",
    "revoked": "the station that wrote this drive is revoked",
    "not_listed": "not in this drive's signed index (another station's packet, or added "
                  "afterwards)",
    "missing": "listed in the index but not on the drive",
    "altered": "its bytes differ from what the station wrote (altered or damaged on the drive)",
    "damaged": "cut short, altered, or sealed for another centre: its seal does not open",
    "not_packet": "not a carried packet",
    "bad_framing": "the record inside is malformed",
    "blob_hash": "a blob does not match its address",
    "bad_signature": "the manifest is not signed by the station of this drive",
    "bad_manifest": "the manifest is not valid",
    "other_station": "the record belongs to another station",
    "conflict": "a different manifest is stored under this record id",
    "too_large": "larger than any record can be",
}


@dataclass
class Outcome:
    name: str
    record_id: str | None
    outcome: str  # imported | already | refused
    reason: str | None = None
    receipt: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"name": self.name, "record_id": self.record_id,
                               "outcome": self.outcome}
        if self.reason:
            doc["reason"], doc["message"] = self.reason, REASONS.get(self.reason, self.reason)
        if self.receipt is not None:
            doc["receipt"] = self.receipt
        return doc


@dataclass
class FolderResult:
    folder: Path
    station: str | None
    outcomes: list[Outcome] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for o in self.outcomes if o.outcome == outcome)


def export_folders(root: Path) -> list[Path]:
    """The export folders under `root` (itself, or its children, or theirs): each holds an
    index.json."""
    root = Path(root)
    found = [p.parent for depth in ("", "*/", "*/*/") for p in root.glob(depth + carry.INDEX)]
    return sorted(set(found))


def _station_by_key(db: Database, public_key: str) -> Station | None:
    with db.read() as tx:
        row = tx.execute("SELECT id, name, public_key, revoked_at FROM stations "
                         "WHERE public_key = ?", [public_key]).fetchone()
    return Station(int(row[0]), row[1], row[2], row[3]) if row else None


def _index(store: CentralStore, folder: Path) -> tuple[Station | None, dict[str, dict], str]:
    """(station, listed packets by file name, refusal reason or "")."""
    try:
        data = (folder / carry.INDEX).read_bytes()
        content = carry.read_signed(data, "index")
        station = _station_by_key(store.db, str(content.get("station_key", "")))
        if station is None:
            return None, {}, "bad_index"
        carry.read_signed(data, "index", station.public_key)
    except (OSError, carry.CarryError):
        return None, {}, "bad_index"
    if station.revoked_at is not None:
        return station, {}, "revoked"
    listed = {str(p.get("name")): p for p in content.get("packets", []) if isinstance(p, dict)}
    return station, listed, ""


def import_folder(store: CentralStore, folder: Path) -> FolderResult:
    """Import one export folder and write its receipts file back into it.

    The packets that pass their checks are stored in batches (`_Batch`: up to BATCH_PACKETS
    packets or BATCH_BYTES of blobs, and a smaller folder in about BATCHES, so the two
    writers share it evenly): their blobs written unflushed, made durable together,
    then their rows committed in one transaction; the receipts file is written only after
    every batch is committed. An error of the store (disk, database) ends the import with
    nothing of the failing batch stored and no receipts file: importing again finishes it."""
    folder = Path(folder)
    station, listed, refusal = _index(store, folder)
    files = sorted(p.name for p in (folder / carry.PACKETS).glob("*" + carry.SUFFIX))
    result = FolderResult(folder, station.name if station else None)
    private = carry.carry_private_key(store.private_key)
    per_batch = min(BATCH_PACKETS, max(BATCH_MIN, -(-len(listed) // BATCHES)))
    batch = _Batch(store, station, result.outcomes, per_batch) if station else None
    try:
        for name in sorted(set(files) | set(listed)):
            entry = listed.get(name, {})
            if refusal:
                result.outcomes.append(Outcome(name, entry.get("record_id"), "refused", refusal))
            elif name not in listed:
                result.outcomes.append(Outcome(name, None, "refused", "not_listed"))
            elif name not in files:
                result.outcomes.append(Outcome(name, entry.get("record_id"), "refused",
                                               "missing"))
            else:
                assert station is not None and batch is not None
                result.outcomes.append(_one(batch, station, private, folder, name, entry))
                if batch.full():
                    batch.commit()
        if batch is not None:
            batch.commit()
            batch.settle()
    except BaseException:
        if batch is not None:
            batch.close(failed=True)
        raise
    if batch is not None:
        batch.close(failed=False)
    _write_receipts(store, folder, result)
    log.info("carried folder %s from %s: %d imported, %d already held, %d refused",
             folder.name, result.station, result.count("imported"), result.count("already"),
             result.count("refused"))
    return result


def _one(batch: _Batch, station: Station, private: Any, folder: Path, name: str,
         entry: dict[str, Any]) -> Outcome:
    """The packet's refusal, or its place in the batch (an outcome decided at commit)."""
    rid = entry.get("record_id")
    path = folder / carry.PACKETS / name
    if path.stat().st_size > carry.MAX_PACKET:
        return Outcome(name, rid, "refused", "too_large")
    data = path.read_bytes()
    try:  # each blob's hash is checked by the writer thread, as it writes it
        packet = carry.open_packet(data, private, check_blobs=False)
    except carry.CarryError as exc:  # the station's hash of the file tells what happened
        altered = carry.file_sha256(data) != entry.get("sha256")
        return Outcome(name, rid, "refused", "altered" if altered else exc.reason)
    del data
    from central.app import parse_manifest

    try:
        protocol.verify(station.public_key or "", packet.manifest, packet.signature)
    except (protocol.ProtocolError, ValueError):
        return Outcome(name, rid, "refused", "bad_signature")
    try:
        manifest = parse_manifest(packet.manifest, str(rid))
    except protocol.ProtocolError:
        return Outcome(name, rid, "refused", "bad_manifest")
    return batch.add(name, manifest, packet)


class _Batch:
    """Packets whose blobs are being written (unflushed) and whose rows are not committed.
    `add` gives the packet a "pending" outcome, which the batch's commit replaces with the
    stored one: the blobs made durable at once, then the blob and record rows in one
    transaction (CentralStore.put_records), so no row, and no receipt, ever names bytes not
    on disk.

    Two writer threads take the batches in turn, each writing its batch's blobs and then
    making them durable and committing its rows (a file store's unflushed blobs belong to
    the thread that put them: a batch's puts, sync and discard are on one thread). So one
    batch's flush and transaction overlap the next batch's writes, and the reading thread
    reads and opens packets meanwhile (the writers hash each blob as they write it: hashing
    and writing let go of the GIL, so both cores work): it waits only for the commit two
    batches back (at most two batches are in memory) and, at the end, for the last."""

    def __init__(self, store: CentralStore, station: Station, outcomes: list[Outcome],
                 packets: int = BATCH_PACKETS) -> None:
        self.store, self.station, self.outcomes = store, station, outcomes
        self.packets = packets
        self.writers = [ThreadPoolExecutor(1, thread_name_prefix=f"carry-import-{i}")
                        for i in (0, 1)]
        self.items: list[tuple[int, dict[str, Any], tuple[bytes, str],
                               Future[str | None]]] = []
        self.staged: dict[str, int] = {}  # written by this batch's writer
        self.bytes = 0
        self.committing: list[tuple[list, dict[str, int], Future[list]]] = []

    def add(self, name: str, manifest: dict[str, Any], packet: carry.Packet) -> Outcome:
        """Queue the packet's blobs for writing; its outcome for the caller to append."""
        written = self.writers[0].submit(self._write, packet.blobs, self.staged)
        self.items.append((len(self.outcomes), manifest, (packet.manifest, packet.signature),
                           written))
        self.bytes += sum(len(data) for data in packet.blobs.values())
        return Outcome(name, manifest["record_id"], "pending")

    def _write(self, blobs: dict[str, Any], staged: dict[str, int]) -> str | None:
        """(A writer.) The blobs, each hashed as it is written (off the reading thread, in
        parallel with it); "blob_hash" when one does not match its address: it is kept
        nowhere and its record is refused (the blobs before it, which match, stay, as an
        online upload's blobs sent before their manifest do)."""
        for sha, data in blobs.items():
            try:
                self.store.store_bytes(sha, data, flush=False)
            except HashMismatch:
                return "blob_hash"
            staged[sha] = len(data)
        return None

    def full(self) -> bool:
        return len(self.items) >= self.packets or self.bytes >= BATCH_BYTES

    def commit(self) -> None:
        """Queue the batch's flush and transaction behind its writes, and hand the next
        batch to the other writer once that one's last commit is settled."""
        if self.items:
            answers = self.writers[0].submit(self._commit, self.items, self.staged)
            self.committing.append((self.items, self.staged, answers))
            self.writers.reverse()
        self.items, self.staged, self.bytes = [], {}, 0
        self.settle(keep=1)

    def _commit(self, items: list, staged: dict[str, int]) -> list:
        """(The batch's writer, after its writes.) A write's error ends the import."""
        refused = [written.result() for *_, written in items]
        records = [(manifest, *signed) for (_, manifest, signed, _), reason
                   in zip(items, refused, strict=True) if reason is None]
        stored = iter(self.store.put_records(self.station, dict(staged), records))
        return [reason or next(stored) for reason in refused]

    def settle(self, keep: int = 0) -> None:
        """Wait for all but the `keep` newest commits and put their answers in their
        outcomes (a commit's error is raised here, and ends the import)."""
        while len(self.committing) > keep:
            items, _, answers = self.committing[0]
            for (slot, manifest, _, _), answer in zip(items, answers.result(), strict=True):
                self.outcomes[slot] = _stored(self.outcomes[slot].name, manifest["record_id"],
                                              answer)
            self.committing.pop(0)

    def close(self, failed: bool) -> None:
        """End the writers; when the import `failed`, what they wrote and did not make
        durable (a failed commit's blobs, a batch not committed) is dropped first: it never
        reaches its address."""
        for *_, written in self.items:
            written.cancel()
        wait([written for *_, written in self.items] + [f for *_, f in self.committing])
        if failed:
            shas = sorted({sha for _, staged, _ in self.committing for sha in staged}
                          | set(self.staged))
            for writer in self.writers:  # each drops what its own thread staged
                writer.submit(self.store.blobs.discard, shas).result()
        for writer in self.writers:
            writer.shutdown()


def _stored(name: str, rid: str, answer: tuple[Any, bool] | Exception | str) -> Outcome:
    if isinstance(answer, str):  # refused by the batch's writer
        return Outcome(name, rid, "refused", answer)
    if isinstance(answer, WrongStation):  # StationIdClaimed too
        return Outcome(name, rid, "refused", "other_station")
    if isinstance(answer, ManifestConflict):
        return Outcome(name, rid, "refused", "conflict")
    if isinstance(answer, MissingBlobs | protocol.ProtocolError):
        return Outcome(name, rid, "refused", "bad_manifest")
    if isinstance(answer, Exception):
        raise answer
    receipt, created = answer
    return Outcome(name, rid, "imported" if created else "already", receipt=receipt.to_json())


def _write_receipts(store: CentralStore, folder: Path, result: FolderResult) -> None:
    """receipts.json into the folder, signed by the centre, written whole or not at all."""
    content = {"format": carry.FORMAT, "folder": folder.name, "station": result.station,
               "server_key": store.public_key,
               "imported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
               "results": [o.to_json() for o in result.outcomes]}
    data = carry.signed_document("receipts", content, store.private_key)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".receipts-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, folder / carry.RECEIPTS)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
