"""The drive import's batches (central/carry.py): packets stored together, their blobs made
durable once per batch before any row of theirs commits, so a failing flush (an I/O error, a
full disk) leaves no record row, no blob at its address and no receipts file for its batch,
and importing the drive again takes every packet, each once. Packets are built here with
ektp_protocol alone (the station side is tests/sync/test_carry.py)."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import threading
import uuid
from pathlib import Path

import pytest

import ektp_protocol as protocol
from central import blobstore_file as blobstore
from central import carry as central_carry
from central.blobstore import BlobStoreUnavailable
from central.blobstore_file import STAGING
from central.storage import CentralStore
from ektp_protocol import carry


def _manifest(rid: str, blobs: dict[str, bytes]) -> bytes:
    return protocol.canonical({
        "protocol": "v1", "record_id": rid, "station_id": "st-carry", "regno": f"R-{rid[:6]}",
        "local_date": "2026-01-01", "created_at": "2026-01-01T00:00:00", "operator": "o",
        "applicant": {}, "exceptions": {}, "summary": {},
        "blobs": [{"kind": f"k{i}", "sha256": sha, "size": len(data),
                   "content_type": "application/octet-stream"}
                  for i, (sha, data) in enumerate(blobs.items())]})


def _drive(store: CentralStore, folder: Path, n: int, *, bad_blob: int | None = None
           ) -> tuple[Path, list[str]]:
    """An export folder of `n` packets from a station the centre knows (its key registered),
    the index signed by it; packet `bad_blob` carries a blob that does not match its address.
    The folder and the record ids."""
    key = protocol.new_private_key()
    station = store.station_by_token(store.add_station(f"carry-{uuid.uuid4().hex[:8]}"))
    assert station is not None and store.register_key(station, protocol.public_key_of(key))
    (folder / carry.PACKETS).mkdir(parents=True)
    listed, rids = [], []
    for i in range(n):
        rid = str(uuid.uuid4())
        blobs = {hashlib.sha256(d).hexdigest(): d for d in (os.urandom(3000 + i), b"sig%d" % i)}
        manifest = _manifest(rid, blobs)
        if i == bad_blob:
            blobs = {sha: data[::-1] for sha, data in blobs.items()}
        sealed = carry.seal(carry.Packet(manifest, protocol.sign(key, manifest), blobs),
                            carry.carry_public_key(store.private_key))
        name = rid + carry.SUFFIX
        (folder / carry.PACKETS / name).write_bytes(sealed)
        listed.append({"name": name, "record_id": rid, "sha256": carry.file_sha256(sealed)})
        rids.append(rid)
    index = {"station_key": protocol.public_key_of(key), "packets": listed}
    (folder / carry.INDEX).write_bytes(carry.signed_document("index", index, key))
    return folder, rids


def _records(store: CentralStore) -> int:
    return store.counts()["records"]


def _staged(store: CentralStore) -> list[str]:
    """Files staged and not linked (each writer thread stages in a folder of its own)."""
    return sorted(str(p) for p in (store.blob_dir / STAGING).rglob("*") if p.is_file())


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setattr(central_carry, "BATCH_PACKETS", 3)
    central = CentralStore(tmp_path / "central")
    yield central
    central.close()


def test_batches_flush_once_each_and_a_second_import_is_already(store, tmp_path, monkeypatch):
    folder, rids = _drive(store, tmp_path / "drive", 7)
    flushes: list[int] = []
    real = blobstore._flush_files
    monkeypatch.setattr(blobstore, "_flush_files",  # with names: the files (then links)
                        lambda where, names: (names and flushes.append(len(names)),
                                              real(where, names)))
    result = central_carry.import_folder(store, folder)
    assert [o.outcome for o in result.outcomes] == ["imported"] * 7
    assert flushes == [6, 6, 2]  # batches of 3, 3 and 1 packets of 2 blobs: one flush each
    assert _records(store) == 7 and _staged(store) == []
    for rid in rids:  # every blob at its address, whole
        for b in store.manifest(rid)["blobs"]:
            assert hashlib.sha256(store.blob_path(b["sha256"]).read_bytes()).hexdigest() \
                == b["sha256"]
    first = json.loads((folder / carry.RECEIPTS).read_bytes())["receipts"]["results"]
    again = central_carry.import_folder(store, folder)
    assert [o.outcome for o in again.outcomes] == ["already"] * 7 and _records(store) == 7
    assert [o.receipt for o in again.outcomes] == [r["receipt"] for r in first]
    assert flushes == [6, 6, 2]  # nothing new to write: the blobs were at their addresses


def test_a_flush_that_fails_leaves_its_batch_unstored_and_a_reimport_takes_all(
        store, tmp_path, monkeypatch):
    folder, rids = _drive(store, tmp_path / "drive", 7)
    order = sorted(rids)  # packets go in name order: batches of 3, 3 and 1
    private = carry.carry_private_key(store.private_key)
    second = {sha[:16] for rid in order[3:6] for sha in carry.open_packet(
        (folder / carry.PACKETS / (rid + carry.SUFFIX)).read_bytes(), private).blobs}
    real = blobstore._flush_files

    def failing(where: Path, names: list[str]) -> None:
        if any(os.path.basename(n)[:16] in second for n in names):  # the disk answers EIO
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        real(where, names)

    monkeypatch.setattr(blobstore, "_flush_files", failing)
    with pytest.raises(BlobStoreUnavailable):
        central_carry.import_folder(store, folder)
    assert not (folder / carry.RECEIPTS).exists()  # no receipt for anything
    held = {rid for rid in rids if store.record(rid) is not None}
    # the first batch is stored, the failing one not at all (the last, committed by the
    # other writer meanwhile, may be: importing again answers it "already")
    assert set(order[:3]) <= held <= set(order[:3] + order[6:])
    assert _staged(store) == []  # the failed batch's files were removed, none at its address
    kept = [store.manifest(rid) for rid in held]
    assert all(store.blob_path(b["sha256"]).exists() for m in kept for b in m["blobs"])
    assert len(list(store.blob_dir.glob("??/*"))) == 2 * len(held)  # no other blob there
    assert store.counts()["blobs"] == 2 * len(held)  # rows for the stored batches' blobs only
    monkeypatch.setattr(blobstore, "_flush_files", real)
    result = central_carry.import_folder(store, folder)  # the drive imported again
    outcomes = {o.record_id: o.outcome for o in result.outcomes}
    assert outcomes == {rid: "already" if rid in held else "imported" for rid in rids}
    assert _records(store) == 7 and store.counts()["blobs"] == 14
    assert (folder / carry.RECEIPTS).exists() and _staged(store) == []


def test_a_store_error_mid_batch_discards_what_the_batch_wrote(store, tmp_path, monkeypatch):
    folder, rids = _drive(store, tmp_path / "drive", 5)
    real, fifth = store.blobs.put, rids.index(sorted(rids)[4])  # imported in name order

    def put(sha256, data, size=None, **options):
        # the fifth packet's first blob (os.urandom(3000 + i)): the disk is full. Told by
        # its size, not by counting puts: the two writers' puts interleave.
        if len(data) == 3000 + fifth:
            raise BlobStoreUnavailable("cannot store blob: No space left on device")
        return real(sha256, data, size, **options)

    monkeypatch.setattr(store.blobs, "put", put)
    with pytest.raises(BlobStoreUnavailable):
        central_carry.import_folder(store, folder)
    assert _records(store) == 3 and _staged(store) == []  # batch 1 kept, batch 2 discarded
    assert not (folder / carry.RECEIPTS).exists()
    monkeypatch.setattr(store.blobs, "put", real)
    result = central_carry.import_folder(store, folder)
    assert sorted(o.outcome for o in result.outcomes) == ["already"] * 3 + ["imported"] * 2


def test_a_small_folder_is_split_into_batches_for_both_writers(store, tmp_path, monkeypatch):
    monkeypatch.setattr(central_carry, "BATCH_PACKETS", 128)
    folder, _ = _drive(store, tmp_path / "drive", 50)
    flushes: list[tuple[int, str]] = []
    real = blobstore._flush_files
    monkeypatch.setattr(blobstore, "_flush_files", lambda where, names: (
        names and flushes.append((len(names), threading.current_thread().name)),
        real(where, names)))
    result = central_carry.import_folder(store, folder)
    assert [o.outcome for o in result.outcomes] == ["imported"] * 50 and _records(store) == 50
    assert [n for n, _ in flushes] == [18] * 5 + [10]  # 50 packets in 6: 9 a batch, 2 blobs each
    assert len({thread for _, thread in flushes}) == 2  # the batches alternate between writers


def test_a_refused_packet_in_a_batch_is_named_and_the_others_import(store, tmp_path):
    folder, rids = _drive(store, tmp_path / "drive", 5, bad_blob=1)
    altered = folder / carry.PACKETS / (rids[3] + carry.SUFFIX)
    altered.write_bytes(altered.read_bytes()[:-1] + b"\0")
    result = central_carry.import_folder(store, folder)
    outcomes = {o.record_id: (o.outcome, o.reason) for o in result.outcomes}
    assert outcomes == {rids[0]: ("imported", None), rids[1]: ("refused", "blob_hash"),
                        rids[2]: ("imported", None), rids[3]: ("refused", "altered"),
                        rids[4]: ("imported", None)}
    assert _records(store) == 3 and _staged(store) == []
