"""The carry service behind the supervisor's screen and the receipts watcher: drives found
under a media root, the supervisor's permission, a cancelled or failing export leaving only
whole packets, and receipts read once when a drive holding them is plugged in."""

from __future__ import annotations

import errno
import os
import threading
from pathlib import Path

import pytest

from ektp_protocol import carry
from kiosk.app import accounts
from kiosk.app.accounts import PermissionDenied
from kiosk.app.carry import CarryService, drive_roots, drives
from kiosk.domain.messages import DomainError
from kiosk.sync import carry_drive
from kiosk.sync.carry import CarryFailed
from tests.app.carry_centre import (
    OPERATOR,
    SUPERVISOR,
    carried_ids,
    carry_station,
    import_folder,
    index_ids,
)
from tests.store.mounts import small_disk


@pytest.fixture
def station(tmp_path):
    store, server = carry_station(tmp_path / "data", 6)
    yield store, server
    store.close()


def _media(tmp_path: Path, *labels: str) -> tuple[Path, list[Path]]:
    root = tmp_path / "media"
    mounts = [root / "pengawas" / label for label in labels]
    for m in mounts:
        m.mkdir(parents=True)
    return root, mounts


def _supervisor(store):
    return accounts.act_as(store, *SUPERVISOR, "carry")


def test_drives_are_the_folders_two_levels_under_each_media_root(tmp_path, settings):
    """/media/<user>/<label>: each label is a drive, with its room; the setting lists roots."""
    root, (a, b) = _media(tmp_path, "FLASHDISK", "KINGSTON")
    (root / "pengawas" / ".hidden").mkdir()
    assert [d.label for d in drives([root, tmp_path / "absent"])] == ["FLASHDISK", "KINGSTON"]
    assert all(d.free > 0 and d.writable for d in drives([root]))
    settings.set("carry.drive_roots", f"{root}:/run/media")
    assert drive_roots(settings) == (root, Path("/run/media"))


def test_an_operator_may_not_export_and_a_supervisor_needs_the_right_pin(station, tmp_path):
    store, _ = station
    drive = _media(tmp_path, "USB")[1][0]
    operator = accounts.authenticate(store, *OPERATOR)
    service = CarryService(store, operator)
    with pytest.raises(PermissionDenied):
        service.require()
    with pytest.raises(PermissionDenied):
        service.export(operator, drive)
    with pytest.raises(DomainError):
        service.authenticate_role(SUPERVISOR[0], "000000", "carry")
    assert list(drive.iterdir()) == [] and carried_ids(store) == []
    result = service.export(_supervisor(store), drive)
    assert len(result.written) == 6 and set(carried_ids(store)) == set(result.written)
    assert store.db.execute("SELECT COUNT(*) FROM audit WHERE action = 'carry.exported'"
                            ).fetchone()[0] == 1


def test_cancel_mid_export_leaves_only_whole_listed_packets(station, tmp_path):
    """Cancelled after the third packet: the index lists three, the drive holds three whole
    packets and nothing half-written, three records are carried, the rest untouched."""
    store, _ = station
    drive = _media(tmp_path, "USB")[1][0]
    stop = threading.Event()

    def progress(done: int, total: int) -> None:
        if done == 3:
            stop.set()

    result = CarryService(store, None).export(_supervisor(store), drive, progress, stop)
    assert result.cancelled and len(result.written) == 3 and result.total == 6
    assert index_ids(result.folder) == result.written
    packets = sorted(p.name for p in (result.folder / carry.PACKETS).iterdir())
    assert packets == sorted(r + carry.SUFFIX for r in result.written)
    assert set(carried_ids(store)) == set(result.written)
    assert store.backlog()["saved"] == 6  # all still queued for the link


@pytest.mark.parametrize("err, words", [(errno.ENOSPC, "Flashdisk penuh"),
                                        (errno.EROFS, "tidak bisa ditulisi"),
                                        (errno.EIO, "mungkin dicabut")])
def test_a_full_read_only_or_pulled_drive_is_a_sentence_and_loses_nothing(
        station, tmp_path, monkeypatch, err, words):
    store, _ = station
    drive = _media(tmp_path, "USB")[1][0]
    real, calls = carry_drive.write_part, []

    def failing(path: Path, data: bytes) -> None:
        calls.append(path)
        if len(calls) == 3:  # the third packet
            path.with_name(f".{path.name}.part").write_bytes(data[:100])  # cut short
            raise OSError(err, "simulated")
        real(path, data)

    monkeypatch.setattr(carry_drive, "write_part", failing)
    with pytest.raises(CarryFailed) as caught:
        CarryService(store, None).export(_supervisor(store), drive)
    assert words in caught.value.msg.id
    folder = next(drive.iterdir())
    # the two packets before it are whole and listed (their batch ended first), the third's
    # cut file is not a packet
    assert len(index_ids(folder)) == 2 == len(carried_ids(store))
    assert set(index_ids(folder)) == set(carried_ids(store))
    assert sorted(p.name for p in (folder / carry.PACKETS).glob("*" + carry.SUFFIX)) == \
        sorted(r + carry.SUFFIX for r in index_ids(folder))
    assert store.db.execute("SELECT COUNT(*) FROM audit WHERE action = 'carry.export_failed'"
                            ).fetchone()[0] == 1


def test_packets_are_flushed_a_batch_at_once_and_a_failed_flush_keeps_the_batches_before(
        station, tmp_path, monkeypatch):
    """Batches of two: one flush each (not an fsync a packet); the third batch's flush fails
    (the drive pulled): the index lists the first two batches, whose records are carried,
    and no packet of the third is on the drive under a packet's name."""
    store, _ = station
    drive = _media(tmp_path, "USB")[1][0]
    monkeypatch.setattr(carry_drive, "EXPORT_BATCH", 2)
    real, flushed = carry_drive.flush_files, []

    def flush(folder: Path, names: list[str]) -> None:
        flushed.append(len(names))
        if len(flushed) == 3:
            raise OSError(errno.EIO, "Input/output error")
        real(folder, names)

    monkeypatch.setattr(carry_drive, "flush_files", flush)
    with pytest.raises(CarryFailed) as caught:
        CarryService(store, None).export(_supervisor(store), drive)
    assert "mungkin dicabut" in caught.value.msg.id and flushed == [2, 2, 2]
    folder = next(drive.iterdir())
    assert len(index_ids(folder)) == 4 and set(index_ids(folder)) == set(carried_ids(store))
    assert sorted(p.name for p in (folder / carry.PACKETS).iterdir()) == \
        sorted(r + carry.SUFFIX for r in index_ids(folder))  # no temporary file either
    monkeypatch.setattr(carry_drive, "flush_files", real)
    again = CarryService(store, None).export(_supervisor(store), drive)  # another drive's go
    assert len(again.written) == 6 and len(index_ids(again.folder)) == 6


def test_a_failure_on_the_station_side_stops_the_drive_side_with_nothing_half_listed(
        station, tmp_path, monkeypatch):
    """Sealing the fourth record fails unexpectedly (not the drive): the export stops with
    that error; a batch already whole on the drive stays listed and carried, and nothing
    else is on it, not even a temporary file."""
    store, _ = station
    drive = _media(tmp_path, "USB")[1][0]
    monkeypatch.setattr(carry_drive, "EXPORT_BATCH", 2)
    real, calls = carry.seal, []

    def seal(packet: carry.Packet, key: str) -> bytes:
        calls.append(packet)
        if len(calls) == 4:
            raise RuntimeError("simulated fault while sealing")
        return real(packet, key)

    monkeypatch.setattr(carry, "seal", seal)
    with pytest.raises(RuntimeError):
        CarryService(store, None).export(_supervisor(store), drive)
    folder = next(drive.iterdir())
    listed = index_ids(folder) if (folder / carry.INDEX).exists() else []
    assert len(listed) in (0, 2) and set(listed) == set(carried_ids(store))
    assert sorted(p.name for p in (folder / carry.PACKETS).iterdir()) == \
        sorted(r + carry.SUFFIX for r in listed)
    assert store.backlog()["saved"] == 6


@pytest.mark.parametrize("way", ["direct", "dropped"])
def test_a_drive_that_gives_back_other_bytes_is_caught_by_the_read_back(
        station, tmp_path, monkeypatch, way):
    """A fake-capacity drive takes a write and later gives other bytes back. Simulated: the
    third packet's bytes change on the drive once flushed. The read-back (from the drive:
    with O_DIRECT, or where a file system has none, each packet's pages dropped from memory
    first) finds it; the export stops with the drive's sentence, no packet of that batch is
    left under its name (none would be listed), and only the batch before it is listed and
    carried."""
    store, _ = station
    drive = _media(tmp_path, "USB")[1][0]
    monkeypatch.setattr(carry_drive, "EXPORT_BATCH", 2)
    real, reads, dropped = carry_drive.flush_files, [], []

    def flush(folder: Path, names: list[str]) -> None:
        real(folder, names)
        if any(Path(n).parent.name == carry.PACKETS for n in names) and len(reads) >= 2:
            damaged = Path(names[0])
            data = bytearray(damaged.read_bytes())
            data[-1] ^= 0xFF
            damaged.write_bytes(bytes(data))

    real_direct, real_fadvise = carry_drive._read_direct, os.posix_fadvise

    def direct(path: Path, size: int) -> bytes | None:
        back = real_direct(path, size) if way == "direct" else None
        reads.append((path.name, "direct" if back is not None else "dropped"))
        return back

    def fadvise(fd: int, offset: int, length: int, advice: int) -> None:
        dropped.append((os.readlink(f"/proc/self/fd/{fd}"), advice))
        real_fadvise(fd, offset, length, advice)

    monkeypatch.setattr(carry_drive, "flush_files", flush)
    monkeypatch.setattr(carry_drive, "_read_direct", direct)
    monkeypatch.setattr(carry_drive.os, "posix_fadvise", fadvise)
    with pytest.raises(CarryFailed) as caught:
        CarryService(store, None).export(_supervisor(store), drive)
    assert "mungkin dicabut" in caught.value.msg.id
    folder = next(drive.iterdir())
    listed = index_ids(folder)
    assert len(listed) == 2 and set(listed) == set(carried_ids(store))
    assert sorted(p.name for p in (folder / carry.PACKETS).glob("*" + carry.SUFFIX)) == \
        sorted(r + carry.SUFFIX for r in listed)  # the failed batch's two were removed
    packets = [(name, how) for name, how in reads if name.endswith(carry.SUFFIX)]
    assert [Path(name).stem for name, _ in packets[:2]] == listed  # each read back
    assert {how for _, how in packets} == {way}  # from the drive, this way
    if way == "dropped":  # each packet's pages were dropped before it was read
        assert [Path(path).name for path, _ in dropped
                if path.endswith(carry.SUFFIX)][:2] == [name for name, _ in packets[:2]]
        assert all(advice == os.POSIX_FADV_DONTNEED for _, advice in dropped)


def test_an_index_that_cannot_be_rewritten_leaves_the_batch_off_the_drive(
        station, tmp_path, monkeypatch):
    """The second batch's packets are whole, but its index cannot be written (the drive
    pulled then): the drive keeps the first batch's index, and none of the second batch's
    packets (no whole packet is left that its index does not list)."""
    store, _ = station
    drive = _media(tmp_path, "USB")[1][0]
    monkeypatch.setattr(carry_drive, "EXPORT_BATCH", 2)
    real, calls = carry_drive.write_whole, []

    def pulled(path: Path, data: bytes) -> None:
        calls.append(path)
        if len(calls) == 2:
            raise OSError(errno.EIO, "Input/output error")
        real(path, data)

    monkeypatch.setattr(carry_drive, "write_whole", pulled)
    with pytest.raises(CarryFailed):
        CarryService(store, None).export(_supervisor(store), drive)
    folder = next(drive.iterdir())
    listed = index_ids(folder)
    assert len(listed) == 2 and set(listed) == set(carried_ids(store))
    assert sorted(p.name for p in (folder / carry.PACKETS).iterdir()) == \
        sorted(r + carry.SUFFIX for r in listed)


def test_a_really_full_drive_keeps_the_whole_packets_that_fit_and_says_so(station, tmp_path):
    """A real small filesystem (a tmpfs) with room for about two and a half packets: the
    export stops at the packet that does not fit, with the drive's sentence; the packets
    before it are whole on the drive and listed (the cut one is removed, which gives the
    index its room), their records are carried, and the rest untouched for the next drive."""
    store, server = station
    drive = _media(tmp_path, "USB")[1][0]
    rid = store.db.execute("SELECT id FROM records LIMIT 1").fetchone()[0]
    packet = sum(row["size"] for row in store.blob_rows(rid)) + 8192
    with small_disk(drive, size=f"{packet * 5 // 2 // 1024}k"):
        with pytest.raises(CarryFailed) as caught:
            CarryService(store, None).export(_supervisor(store), drive)
        assert "Flashdisk penuh" in caught.value.msg.id
        (folder,) = drive.iterdir()
        listed = index_ids(folder)
        assert 1 <= len(listed) < 6 and set(listed) == set(carried_ids(store))
        assert sorted(p.name for p in (folder / carry.PACKETS).iterdir()) == \
            sorted(r + carry.SUFFIX for r in listed)
        for rid in listed:  # whole: each opens with the centre's key
            data = (folder / carry.PACKETS / (rid + carry.SUFFIX)).read_bytes()
            assert carry.open_packet(data, carry.carry_private_key(server)).manifest
    assert store.backlog()["saved"] == 6  # all still queued for the link


def test_a_read_only_drive_is_a_sentence_and_nothing_is_carried(station, tmp_path):
    store, _ = station
    drive = _media(tmp_path, "USB")[1][0]
    with small_disk(drive) as disk:
        disk.remount("ro")
        with pytest.raises(CarryFailed) as caught:
            CarryService(store, None).export(_supervisor(store), drive)
        assert "tidak bisa ditulisi" in caught.value.msg.id
        assert list(drive.iterdir()) == [] and carried_ids(store) == []


def test_receipts_on_an_inserted_drive_are_read_once(station, tmp_path):
    """The watcher's look: nothing before the centre imported; then one read making every
    record received; then nothing again, even with the drive still in, or plugged in again."""
    store, server = station
    root, (drive,) = _media(tmp_path, "USB")
    service = CarryService(store, None, roots=[root])
    result = service.export(_supervisor(store), drive)
    assert service.read_new_receipts() == []  # exported, not imported yet
    import_folder(result.folder, server)
    assert [p.records for p in service.pending_receipts(drive)] == [6]
    reads = service.read_new_receipts()
    assert len(reads) == 1 and len(reads[0].result.received) == 6
    assert "6 rekaman kini diterima server pusat" in reads[0].words.id
    assert store.backlog()["received"] == 6 and store.backlog()["saved"] == 0
    assert service.read_new_receipts() == []
    assert CarryService(store, None, roots=[root]).read_new_receipts() == []  # a restart


def test_a_refused_receipt_is_named_and_its_record_stays_queued(station, tmp_path):
    store, server = station
    root, (drive,) = _media(tmp_path, "USB")
    service = CarryService(store, None, roots=[root])
    result = service.export(_supervisor(store), drive)
    bad = result.written[0]
    import_folder(result.folder, server, refuse={bad: "diubah di flashdisk"})
    (read,) = service.read_new_receipts()
    regno = store.db.execute("SELECT regno FROM records WHERE id = ?", [bad]).fetchone()[0]
    assert "5 rekaman kini diterima" in read.words.id and "1 ditolak" in read.words.id
    assert f"{regno}: diubah di flashdisk" in read.words.id
    assert store.backlog()["saved"] == 1


def test_a_damaged_receipts_file_is_said_once(station, tmp_path):
    store, server = station
    root, (drive,) = _media(tmp_path, "USB")
    service = CarryService(store, None, roots=[root])
    result = service.export(_supervisor(store), drive)
    import_folder(result.folder, server)
    path = result.folder / carry.RECEIPTS
    path.write_bytes(path.read_bytes()[:-40])
    (read,) = service.read_new_receipts()
    assert read.failed and "tidak sah atau rusak" in read.words.id
    assert service.read_new_receipts() == []
    assert store.backlog()["saved"] == 6
