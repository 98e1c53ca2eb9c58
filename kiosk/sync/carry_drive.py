"""The drive's side of an export (kiosk.sync.carry.export; docs/carry.md).

The station reads and seals each record on the caller's thread and hands the sealed packet
to a DriveWriter, whose two threads do the rest while the next records are sealed:

- the *writer* hashes each packet (for the index) and writes it under a temporary name
  (`.NAME.part`), grouping packets into batches of EXPORT_BATCH (or EXPORT_BATCH_BYTES);
- the *committer* takes the batches in order: it flushes a batch at once (one syncfs where
  Linux has it), renames its packets, flushes their folder, reads each back from the drive
  (with O_DIRECT, else with its pages dropped from memory first), then lists them in the
  index, rewritten whole.

So the three overlap on two cores (hashing, file I/O and the seal's AES let go of the GIL).
A batch the committer finished waits in `written()` for the station to mark its records
carried. The index only ever lists packets that were whole on the drive:

- a packet that cannot be written ends the batch before it, which is still committed;
- a batch that fails (or comes after one that failed) leaves none of its packets on the
  drive, whole or temporary; an `abort` leaves none of the batches not yet committed.
"""

from __future__ import annotations

import contextlib
import errno
import mmap
import os
import queue
import threading
from dataclasses import dataclass
from pathlib import Path

from ektp_protocol import carry
from ektp_protocol.durable import flush_files, fsync_dir

EXPORT_BATCH = 16  # packets flushed at once, then listed in the index and marked carried
EXPORT_BATCH_BYTES = 32 * 1024 * 1024  # ... or fewer, once they are this large
QUEUED = 4  # sealed packets waiting for the writer (it has a batch, the committer another)


@dataclass
class Packet:
    """A record's sealed packet on its way to the drive."""

    record_id: str
    name: str
    data: bytes  # the sealed packet, kept until it is read back (then dropped)
    size: int
    sha256: str = ""  # of the packet file, for the index (hashed on the writer's thread)


def write_whole(path: Path, data: bytes) -> None:
    """`data` at `path`, or nothing there: a temporary name, flushed, renamed, the folder
    flushed, then read back (a drive that lies about its writes is caught here)."""
    tmp = part(path)
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)
    read_back(path, data)


def read_back(path: Path, data: bytes) -> None:
    """OSError (EIO), and the file removed, if the drive does not give `data` back at `path`.
    The file is flushed, and its bytes are read from the drive itself, not from memory: with
    O_DIRECT (the page cache bypassed, no copy through it) where the file system allows it,
    else after its pages in memory are dropped. So a drive that lies about its writes (a
    fake-capacity one, which takes more than it holds and overwrites what it took first) is
    caught here, not at the centre."""
    back = _read_direct(path, len(data))
    if back is None:
        back = _read_dropped(path)
    if back != data:
        path.unlink(missing_ok=True)
        raise OSError(errno.EIO, f"{path.name}: read back differs from what was written")


_DIRECT_ALIGN = 4096  # O_DIRECT: offsets, lengths and the buffer aligned to the block size
_buffers = threading.local()  # each committer's aligned buffer, grown to its largest packet


def _read_direct(path: Path, size: int) -> bytes | None:
    """The file's bytes read with O_DIRECT, up to `size` and one block more (so a file
    longer than expected shows); None where the file system does not do direct I/O."""
    if not hasattr(os, "O_DIRECT"):
        return None
    want = (size // _DIRECT_ALIGN + 2) * _DIRECT_ALIGN
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECT | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        if exc.errno == errno.EINVAL:
            return None
        raise
    try:
        buffer = getattr(_buffers, "mmap", None)
        if buffer is None or len(buffer) < want:
            if buffer is not None:
                buffer.close()
            buffer = _buffers.mmap = mmap.mmap(-1, want)  # page-aligned
        got = 0
        while got < want:  # a short read is the end of the file (or the drive's, an error)
            n = os.preadv(fd, [memoryview(buffer)[got:want]], got)
            got += n
            if n == 0 or got % _DIRECT_ALIGN:
                break
    except OSError as exc:
        if exc.errno == errno.EINVAL:
            return None
        raise
    finally:
        os.close(fd)
    return buffer[:got]


def _read_dropped(path: Path) -> bytes:
    """The file's bytes after its pages in memory are dropped (posix_fadvise DONTNEED)."""
    with open(path, "rb") as fh:
        if hasattr(os, "posix_fadvise"):
            with contextlib.suppress(OSError):  # a file system without a page cache
                os.posix_fadvise(fh.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
        return fh.read()


def write_part(path: Path, data: bytes) -> None:
    """`data` under `path`'s temporary name (flushed with its batch, then renamed). A write
    that fails removes what it wrote: on a full drive that room lets the batch before it
    be listed."""
    try:
        with open(part(path), "wb") as fh:
            fh.write(data)
    except OSError:
        with contextlib.suppress(OSError):
            part(path).unlink(missing_ok=True)
        raise


def part(path: Path) -> Path:
    return path.with_name(f".{path.name}.part")


class DriveWriter:
    """The export's drive side, on two threads (see the module). `put` hands it a sealed
    packet; `written` the batches now whole and listed; `close` finishes what was put and
    tells the first failure; `abort` stops with nothing more listed."""

    def __init__(self, folder: Path, index: dict, signing_key: str) -> None:
        self.folder, self.index, self.signing_key = folder, index, signing_key
        self.packets = folder / carry.PACKETS
        self._todo: queue.Queue[Packet | None] = queue.Queue(maxsize=QUEUED)
        self._batches: queue.Queue[list[Packet] | None] = queue.Queue(maxsize=1)
        self._written: queue.Queue[list[Packet]] = queue.Queue()
        self._write_error: BaseException | None = None
        self._commit_error: BaseException | None = None
        self._aborted = threading.Event()
        self._threads = [threading.Thread(target=self._write_loop, name="carry-write"),
                         threading.Thread(target=self._commit_loop, name="carry-commit")]
        for t in self._threads:
            t.daemon = True
            t.start()

    @property
    def failed(self) -> bool:
        return self._write_error is not None or self._commit_error is not None

    def put(self, packet: Packet) -> None:
        self._todo.put(packet)  # waits while QUEUED packets wait

    def written(self) -> list[list[Packet]]:
        """The batches whole on the drive and listed in its index since the last call."""
        out = []
        with contextlib.suppress(queue.Empty):
            while True:
                out.append(self._written.get_nowait())
        return out

    def close(self) -> BaseException | None:
        """What was put written (its last batch short); the first failure, if any: a packet
        that could not be written, else a batch that could not be committed."""
        self._todo.put(None)
        for t in self._threads:
            t.join()
        return self._write_error or self._commit_error

    def abort(self) -> None:
        """Stop without listing anything more (the station side failed)."""
        self._aborted.set()
        self.close()

    def _write_loop(self) -> None:
        batch: list[Packet] = []
        try:
            while (packet := self._todo.get()) is not None:
                if self.failed or self._aborted.is_set():
                    continue  # drained, so the station side is never kept waiting
                try:
                    batch = self._write(packet, batch)
                except BaseException as exc:  # noqa: BLE001 (told at close)
                    self._write_error = exc
            if batch and not self._aborted.is_set():
                self._batches.put(batch)  # the last, short batch; or the one before a failure
            elif batch:
                _remove(self.packets, batch)
        finally:
            self._batches.put(None)

    def _write(self, packet: Packet, batch: list[Packet]) -> list[Packet]:
        """`batch` with `packet` hashed and written into it; a full one goes to be
        committed (then it is empty). A packet that cannot be written raises, the batch
        before it kept to be committed."""
        packet.sha256 = carry.file_sha256(packet.data)
        write_part(self.packets / packet.name, packet.data)
        batch.append(packet)
        if len(batch) >= EXPORT_BATCH or sum(p.size for p in batch) >= EXPORT_BATCH_BYTES:
            self._batches.put(batch)
            return []
        return batch

    def _commit_loop(self) -> None:
        while (batch := self._batches.get()) is not None:
            if self._commit_error is not None or self._aborted.is_set():
                _remove(self.packets, batch)  # after a failed batch, none is listed
                continue
            try:
                self._commit(batch)
            except BaseException as exc:  # noqa: BLE001 (told at close)
                self._commit_error = exc

    def _commit(self, packets: list[Packet]) -> None:
        """Flush the batch's packets at once, rename them, flush their folder, read each
        back; then list them in the index (rewritten whole)."""
        where, listed = self.packets, len(self.index["packets"])
        try:
            flush_files(where, [str(part(where / p.name)) for p in packets])
            for p in packets:
                os.replace(part(where / p.name), where / p.name)
            fsync_dir(where)
            for p in packets:
                read_back(where / p.name, p.data)
            self.index["packets"].extend({"name": p.name, "record_id": p.record_id,
                                          "size": p.size, "sha256": p.sha256}
                                         for p in packets)
            write_whole(self.folder / carry.INDEX,
                        carry.signed_document("index", self.index, self.signing_key))
        except BaseException:  # none of the batch stays to be taken for a packet not listed
            del self.index["packets"][listed:]
            _remove(where, packets)
            raise
        for p in packets:
            p.data = b""
        self._written.put(packets)


def _remove(where: Path, packets: list[Packet]) -> None:
    """The packets' files (whole or temporary) off the drive, as far as it lets."""
    for p in packets:
        for path in (where / p.name, part(where / p.name)):
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)
