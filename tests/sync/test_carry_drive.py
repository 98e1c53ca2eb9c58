"""The drive side of an export (kiosk.sync.carry_drive.DriveWriter), on its own: packets
written in batches by its two threads, and what stays on the drive when a packet, a batch or
the station side fails: only whole packets, each listed in the signed index, never a
temporary file, and a station side that is never left waiting."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import threading
from pathlib import Path

import pytest

import ektp_protocol as protocol
from ektp_protocol import carry
from kiosk.sync import carry_drive
from kiosk.sync.carry_drive import DriveWriter, Packet

KEY = protocol.new_private_key()


def _packet(n: int) -> Packet:
    data = bytes([n % 251]) * (1000 + n)
    return Packet(f"rec-{n:03}", f"rec-{n:03}{carry.SUFFIX}", data, len(data))


def _writer(tmp_path: Path) -> tuple[DriveWriter, Path]:
    folder = tmp_path / "export"
    (folder / carry.PACKETS).mkdir(parents=True)
    index = {"format": carry.FORMAT, "station_key": protocol.public_key_of(KEY), "packets": []}
    return DriveWriter(folder, index, KEY), folder


def _listed(folder: Path) -> list[dict]:
    if not (folder / carry.INDEX).exists():
        return []
    data = (folder / carry.INDEX).read_bytes()
    return carry.read_signed(data, "index", protocol.public_key_of(KEY))["packets"]


def _on_drive(folder: Path) -> list[str]:
    return sorted(p.name for p in (folder / carry.PACKETS).iterdir())


def _written_ids(writer: DriveWriter) -> list[str]:
    return [p.record_id for batch in writer.written() for p in batch]


def test_every_packet_put_is_whole_and_listed_with_its_hash_in_batches(tmp_path, monkeypatch):
    monkeypatch.setattr(carry_drive, "EXPORT_BATCH", 4)
    writer, folder = _writer(tmp_path)
    packets = [_packet(n) for n in range(10)]
    expected = {p.name: (p.data, hashlib.sha256(p.data).hexdigest()) for p in packets}
    for p in packets:
        writer.put(p)
    assert writer.close() is None
    batches = writer.written()
    assert [len(b) for b in batches] == [4, 4, 2]  # the last one short
    assert [p.record_id for b in batches for p in b] == [f"rec-{n:03}" for n in range(10)]
    listed = _listed(folder)
    assert [e["name"] for e in listed] == [p.name for p in packets]
    for entry in listed:
        data, sha = expected[entry["name"]]
        assert entry["sha256"] == sha and entry["size"] == len(data)
        assert (folder / carry.PACKETS / entry["name"]).read_bytes() == data
    assert _on_drive(folder) == sorted(expected)  # no temporary file left


def test_a_batch_that_fails_takes_itself_and_every_later_one_off_the_drive(
        tmp_path, monkeypatch):
    """The second batch's flush fails while the third is already written under temporary
    names: the index lists the first batch only, and the drive holds nothing else."""
    monkeypatch.setattr(carry_drive, "EXPORT_BATCH", 3)
    real, flushes, third_written = carry_drive.flush_files, [], threading.Event()

    def flush(folder: Path, names: list[str]) -> None:
        flushes.append(names)
        if len(flushes) == 2:
            assert third_written.wait(10)  # the writer went on meanwhile
            raise OSError(errno.EIO, "Input/output error")
        real(folder, names)

    real_part = carry_drive.write_part

    def write_part(path: Path, data: bytes) -> None:
        real_part(path, data)
        if path.name.startswith("rec-008"):
            third_written.set()

    monkeypatch.setattr(carry_drive, "flush_files", flush)
    monkeypatch.setattr(carry_drive, "write_part", write_part)
    writer, folder = _writer(tmp_path)
    for n in range(12):
        writer.put(_packet(n))
    error = writer.close()
    assert isinstance(error, OSError) and error.errno == errno.EIO
    assert _written_ids(writer) == ["rec-000", "rec-001", "rec-002"]
    assert [e["record_id"] for e in _listed(folder)] == ["rec-000", "rec-001", "rec-002"]
    assert _on_drive(folder) == [f"rec-{n:03}{carry.SUFFIX}" for n in range(3)]


def test_a_packet_that_cannot_be_written_ends_the_batch_before_it(tmp_path, monkeypatch):
    monkeypatch.setattr(carry_drive, "EXPORT_BATCH", 4)
    real_part = carry_drive.write_part

    def write_part(path: Path, data: bytes) -> None:
        if path.name.startswith("rec-006"):
            raise OSError(errno.ENOSPC, "No space left on device")
        real_part(path, data)

    monkeypatch.setattr(carry_drive, "write_part", write_part)
    writer, folder = _writer(tmp_path)
    for n in range(20):  # never kept waiting: what follows the failure is drained
        writer.put(_packet(n))
    error = writer.close()
    assert isinstance(error, OSError) and error.errno == errno.ENOSPC
    kept = [f"rec-{n:03}" for n in range(6)]
    assert _written_ids(writer) == kept == [e["record_id"] for e in _listed(folder)]
    assert _on_drive(folder) == [r + carry.SUFFIX for r in kept]


def test_an_abort_lists_nothing_more_and_leaves_no_temporary_file(tmp_path, monkeypatch):
    """The station side failed after handing over seven packets: the first batch may be
    committed already; whatever was not is off the drive."""
    monkeypatch.setattr(carry_drive, "EXPORT_BATCH", 4)
    writer, folder = _writer(tmp_path)
    for n in range(7):
        writer.put(_packet(n))
    writer.abort()
    done = _written_ids(writer)
    assert done in ([], [f"rec-{n:03}" for n in range(4)])
    assert [e["record_id"] for e in _listed(folder)] == done
    assert _on_drive(folder) == [r + carry.SUFFIX for r in done]


def test_a_failure_that_is_not_the_drives_reaches_the_station_side(tmp_path, monkeypatch):
    monkeypatch.setattr(carry_drive, "EXPORT_BATCH", 2)

    def broken(name, content, key):
        raise RuntimeError("a bug, not the drive")

    monkeypatch.setattr(carry_drive.carry, "signed_document", broken)
    writer, folder = _writer(tmp_path)
    for n in range(5):
        writer.put(_packet(n))
    error = writer.close()
    assert isinstance(error, RuntimeError)
    assert writer.written() == [] and not (folder / carry.INDEX).exists()
    assert _on_drive(folder) == []


def test_a_drive_that_lies_is_caught_and_its_batch_removed(tmp_path, monkeypatch):
    """What is read back from the drive differs from what was written (a fake-capacity
    drive): that batch and the ones after it are off the drive, the one before it listed."""
    monkeypatch.setattr(carry_drive, "EXPORT_BATCH", 2)
    real = carry_drive.flush_files

    def flush(folder: Path, names: list[str]) -> None:
        real(folder, names)
        for name in names:
            if Path(name).name == f".rec-003{carry.SUFFIX}.part":
                Path(name).write_bytes(b"\0" * Path(name).stat().st_size)

    monkeypatch.setattr(carry_drive, "flush_files", flush)
    writer, folder = _writer(tmp_path)
    for n in range(6):
        writer.put(_packet(n))
    error = writer.close()
    assert isinstance(error, OSError) and error.errno == errno.EIO
    assert [e["record_id"] for e in _listed(folder)] == ["rec-000", "rec-001"]
    assert _on_drive(folder) == [f"rec-00{n}{carry.SUFFIX}" for n in range(2)]
    assert json.loads((folder / carry.INDEX).read_bytes())["signature"]


@pytest.mark.parametrize("size", [1, 4095, 4096, 8192, 722_001])
def test_the_read_back_reads_the_drive_directly_and_sees_every_difference(tmp_path, size):
    """Read with O_DIRECT (this file system has it): the same bytes pass; a flipped last
    byte, a file cut by one byte and a file one block longer (also when the expected size is
    a whole number of blocks, where a read of exactly that size would not see it) are each
    caught, and the file removed."""
    data = bytes(range(256)) * (size // 256) + bytes(size % 256)
    path = tmp_path / "p.ektp"
    path.write_bytes(data)
    assert carry_drive._read_direct(path, size) == data
    carry_drive.read_back(path, data)
    flipped = data[:-1] + bytes([data[-1] ^ 1])
    for wrong in (flipped, data[:-1], data + b"\0" * 4096):
        path.write_bytes(wrong)
        with pytest.raises(OSError) as caught:
            carry_drive.read_back(path, data)
        assert caught.value.errno == errno.EIO and not path.exists()


def test_without_direct_io_the_read_back_drops_the_pages_and_still_compares(
        tmp_path, monkeypatch):
    """A file system that refuses O_DIRECT (EINVAL): the packet is read after its pages are
    dropped, and a difference is still caught."""
    real_open = os.open

    def no_direct(path, flags, *args, **kw):
        if flags & os.O_DIRECT:
            raise OSError(errno.EINVAL, "Invalid argument")
        return real_open(path, flags, *args, **kw)

    monkeypatch.setattr(carry_drive.os, "open", no_direct)
    data = os.urandom(10_000)
    path = tmp_path / "p.ektp"
    path.write_bytes(data)
    assert carry_drive._read_direct(path, len(data)) is None
    carry_drive.read_back(path, data)
    path.write_bytes(data[:-1] + b"\0")
    with pytest.raises(OSError) as caught:
        carry_drive.read_back(path, data)
    assert caught.value.errno == errno.EIO and not path.exists()
