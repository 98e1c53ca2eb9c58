"""`kiosk-central carry import DIR`: records a station could not send over a link, carried on
a drive (ektp_protocol.carry), stored exactly as an online delivery stores them.

For each export folder on the drive: the index must be signed by a station this centre knows
(its registered key) and not revoked; each packet must be listed in it with the same hash,
open with the centre's carry key, carry a manifest signed by that station, and blobs that
match their addresses. Then its blobs and manifest go through the same storage calls as the
sync API, so the receipt is the one an online delivery gets, and a record that already
arrived (online, or by an earlier import) is answered with its existing receipt, never
doubled. A refused packet is named with its reason; the others import. The outcomes, each
receipt signed as online, go back onto the drive as `receipts.json`, signed by the centre.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ektp_protocol as protocol
from central.database import Database
from central.storage import (
    CentralStore,
    HashMismatch,
    ManifestConflict,
    MissingBlobs,
    Station,
    StationIdClaimed,
    WrongStation,
)
from ektp_protocol import carry

log = logging.getLogger("central.carry")
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
    """Import one export folder and write its receipts file back into it."""
    folder = Path(folder)
    station, listed, refusal = _index(store, folder)
    files = sorted(p.name for p in (folder / carry.PACKETS).glob("*" + carry.SUFFIX))
    result = FolderResult(folder, station.name if station else None)
    private = carry.carry_private_key(store.private_key)
    for name in sorted(set(files) | set(listed)):
        entry = listed.get(name, {})
        if refusal:
            result.outcomes.append(Outcome(name, entry.get("record_id"), "refused", refusal))
        elif name not in listed:
            result.outcomes.append(Outcome(name, None, "refused", "not_listed"))
        elif name not in files:
            result.outcomes.append(Outcome(name, entry.get("record_id"), "refused", "missing"))
        else:
            assert station is not None
            result.outcomes.append(_one(store, station, private, folder, name, entry))
    _write_receipts(store, folder, result)
    log.info("carried folder %s from %s: %d imported, %d already held, %d refused",
             folder.name, result.station, result.count("imported"), result.count("already"),
             result.count("refused"))
    return result


def _one(store: CentralStore, station: Station, private: Any, folder: Path, name: str,
         entry: dict[str, Any]) -> Outcome:
    rid = entry.get("record_id")
    path = folder / carry.PACKETS / name
    if path.stat().st_size > carry.MAX_PACKET:
        return Outcome(name, rid, "refused", "too_large")
    data = path.read_bytes()
    if carry.file_sha256(data) != entry.get("sha256"):
        return Outcome(name, rid, "refused", "altered")
    try:
        packet = carry.open_packet(data, private)
    except carry.CarryError as exc:
        return Outcome(name, rid, "refused", exc.reason)
    from central.app import parse_manifest

    try:
        protocol.verify(station.public_key or "", packet.manifest, packet.signature)
    except (protocol.ProtocolError, ValueError):
        return Outcome(name, rid, "refused", "bad_signature")
    try:
        manifest = parse_manifest(packet.manifest, str(rid))
    except protocol.ProtocolError:
        return Outcome(name, rid, "refused", "bad_manifest")
    return _store(store, station, name, manifest, packet)


def _store(store: CentralStore, station: Station, name: str, manifest: dict[str, Any],
           packet: carry.Packet) -> Outcome:
    rid = manifest["record_id"]
    try:
        sizes = {sha: len(data) for sha, data in packet.blobs.items()}
        for sha, data in packet.blobs.items():
            store.store_bytes(sha, data)
        store.commit_blobs(station, sizes)
        receipt, created = store.put_record(station, manifest, packet.manifest,
                                            packet.signature)
    except HashMismatch:
        return Outcome(name, rid, "refused", "blob_hash")
    except (WrongStation, StationIdClaimed):
        return Outcome(name, rid, "refused", "other_station")
    except ManifestConflict:
        return Outcome(name, rid, "refused", "conflict")
    except (MissingBlobs, protocol.ProtocolError):
        return Outcome(name, rid, "refused", "bad_manifest")
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
