"""`FileBlobStore`: blobs as files `root/ab/abcd...` on a local (or mounted) file system
(central/blobstore.py describes both backends and the protocol they share).

A batch's blobs (`put(flush=False)`, the drive import) are staged unflushed in
`root/.incoming/<pid>-<thread>/`, a folder per thread, off their addresses, until that
thread's `sync` makes them durable at once and links them into place.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import os
import tempfile
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from central.blobstore import (
    BlobNotFound,
    BlobStoreUnavailable,
    _Discard,
    _hash_into,
    check_sha256,
)
from ektp_protocol.durable import SYNCFS as _SYNCFS
from ektp_protocol.durable import flush_files as _flush_files
from ektp_protocol.durable import fsync_dir as _fsync_dir

STAGING = ".incoming"  # a file store's folder for blobs put with flush=False, until `sync`
STALE_STAGED = 24 * 3600.0  # seconds after which a staged file is a crash's leftover
_SEQUENCE = itertools.count()  # staging file names (in a pid's folder): unique, no retry


class FileBlobStore:
    """Blobs as files `root/ab/abcd...` on a local (or mounted) file system."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self._text = os.fspath(self.root)
        self._mkdir(self.root)
        # put(flush=False): (thread, sha256) -> staged files, linked into place by `sync`
        self._staged: dict[tuple[int, str], list[str]] = {}
        self._staged_lock = threading.Lock()
        self._sweep_staging()

    def _sweep_staging(self) -> None:
        """Remove what a crashed batch staged (older than STALE_STAGED: not a live batch's),
        and the staging folders of threads that left them empty."""
        stale = time.time() - STALE_STAGED
        with contextlib.suppress(OSError), os.scandir(self.root / STAGING) as entries:
            for entry in entries:
                if not entry.is_dir(follow_symlinks=False):
                    if entry.stat().st_mtime < stale:  # an older version's flat staging
                        _remove({"": [entry.path]})
                    continue
                with contextlib.suppress(OSError), os.scandir(entry.path) as files:
                    _remove({"": [f.path for f in files if f.stat().st_mtime < stale]})
                with contextlib.suppress(OSError):  # a live thread's, if not empty
                    os.rmdir(entry.path)

    @staticmethod
    def _mkdir(path: Path) -> None:
        if not path.is_dir():
            path.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(path, 0o700)

    def path(self, sha256: str) -> Path:
        """Where the blob lives (whether or not it is there)."""
        check_sha256(sha256)
        return self.root / sha256[:2] / sha256

    def put(self, sha256: str, chunks: Iterable[bytes] | bytes, size: int | None = None,
            *, durable: bool = True, flush: bool = True, checked: bool = False) -> bool:
        """Stream to a temporary file, verify, fsync, link into place, fsync the folder (not
        `durable`: the folder's fsync is left to `sync`, once for a whole bundle; not
        `flush`: see `_stage`)."""
        if not flush:
            return self._stage(sha256, chunks, size, checked)
        final = self.path(sha256)
        try:
            self._mkdir(final.parent)
            fd, tmp_name = tempfile.mkstemp(prefix=".incoming-", dir=final.parent)  # 0600
        except OSError as exc:
            raise BlobStoreUnavailable(f"cannot write to the blob folder {self.root}: "
                                       f"{exc.strerror}") from exc
        try:
            with os.fdopen(fd, "wb") as sink:
                _hash_into(sink, sha256, chunks, size, checked)
                sink.flush()
                os.fsync(sink.fileno())
            created = self._link(tmp_name, final)
            if durable:  # also when it was there: an earlier non-durable put may not be synced
                _fsync_dir(final.parent)
            return created
        except OSError as exc:
            raise BlobStoreUnavailable(f"cannot store blob {sha256[:12]}… in {self.root}: "
                                       f"{exc.strerror}") from exc
        finally:
            with contextlib.suppress(FileNotFoundError):  # linked, then removed
                os.unlink(tmp_name)

    @staticmethod
    def _link(tmp_name: str, final: Path | str) -> bool:
        """Put the file in place without ever replacing one: False if it was already there."""
        try:
            os.link(tmp_name, final)
            return True
        except FileExistsError:
            return False
        except OSError as exc:  # a file system without hard links: check, then rename
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP):
                raise
            if os.path.exists(final):
                return False
            os.replace(tmp_name, final)
            return True

    def get(self, sha256: str) -> bytes:
        with self.open(sha256) as stream:
            return stream.read()

    def open(self, sha256: str) -> IO[bytes]:
        path = self.path(sha256)
        try:
            return open(path, "rb")  # noqa: SIM115 - the caller closes the stream
        except FileNotFoundError:
            raise BlobNotFound(f"no blob {sha256}") from None
        except OSError as exc:
            raise BlobStoreUnavailable(f"cannot read blob {sha256[:12]}…: {exc.strerror}") from exc

    def _stage(self, sha256: str, chunks: Iterable[bytes] | bytes, size: int | None,
               checked: bool) -> bool:
        """Write and verify into the staging folder, no fsync, not yet at the address: a
        reader (or a durable `put` of the same blob, which would take the file as there)
        must never find bytes the disk may not hold. This thread's `sync` links it."""
        final = self._name(sha256)
        if os.path.exists(final):  # durable there already (nothing reaches an address unflushed)
            _hash_into(_Discard(), sha256, chunks, size, checked)
            return False
        try:
            fd, tmp_name = self._staging_file(sha256)
        except OSError as exc:
            raise BlobStoreUnavailable(f"cannot write to the blob folder {self.root}: "
                                       f"{exc.strerror}") from exc
        try:
            with os.fdopen(fd, "wb") as sink:
                _hash_into(sink, sha256, chunks, size, checked)
        except BaseException as exc:
            _remove({sha256: [tmp_name]})
            if isinstance(exc, OSError):
                raise BlobStoreUnavailable(f"cannot store blob {sha256[:12]}… in {self.root}: "
                                           f"{exc.strerror}") from exc
            raise
        with self._staged_lock:
            self._staged.setdefault((threading.get_ident(), sha256), []).append(tmp_name)
        return True

    def _name(self, sha256: str) -> str:
        """`path` as text (a batch's loop over thousands of blobs makes no Path objects)."""
        check_sha256(sha256)
        return f"{self._text}/{sha256[:2]}/{sha256}"

    def _staging_dir(self) -> str:
        """The calling thread's own staging folder: threads that create files in one folder
        queue for its lock in the kernel (two import writers in one folder took twice the
        CPU time of one, for no gain), while in folders of their own they run side by side.
        Made on first use, removed by `sync` or `discard` once empty."""
        return f"{self._text}/{STAGING}/{os.getpid()}-{threading.get_native_id()}"

    def _staging_file(self, sha256: str) -> tuple[int, str]:
        """A new file (0600) of the caller's own in its staging folder (made on first use)."""
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
        folder = self._staging_dir()
        for _ in range(3):
            name = f"{folder}/{sha256[:16]}-{next(_SEQUENCE)}"
            try:
                return os.open(name, flags, 0o600), name
            except FileExistsError:  # left by a crashed process that had this pid and thread
                continue
            except FileNotFoundError:  # no staging folder yet
                self._mkdir(Path(folder))
        raise OSError(errno.EEXIST, "no free name in the staging folder")

    def _leave_staging(self) -> None:
        """Remove the calling thread's staging folder if nothing is staged in it any more."""
        with contextlib.suppress(OSError):  # not there, or still holding a later batch
            os.rmdir(self._staging_dir())

    def _take_staged(self, shas: list[str]) -> dict[str, list[str]]:
        with self._staged_lock:
            return {sha: names for sha in dict.fromkeys(shas) if (names := self._staged.pop(
                (threading.get_ident(), sha), None))}

    def discard(self, shas: list[str]) -> None:
        _remove(self._take_staged(shas))
        self._leave_staging()

    def sync(self, shas: list[str]) -> None:
        """Make this thread's staged blobs among `shas` durable (one `syncfs`, or an fsync
        each), link them into place (written once: one there wins), then the shard folders of
        all `shas` (a second syncfs, or an fsync of each folder once; someone else's entries
        are covered too). On a failure the staged files are removed: none is at its address."""
        staged = self._take_staged(shas)
        try:
            if staged:
                _flush_files(self.root / STAGING, [n for names in staged.values() for n in names])
            for sha, names in staged.items():
                final = self._name(sha)
                for name in names:
                    try:
                        self._link(name, final)
                    except FileNotFoundError:  # the first blob of its shard: no folder yet
                        self._mkdir(Path(os.path.dirname(final)))
                        self._link(name, final)
                    with contextlib.suppress(FileNotFoundError):  # linked, or already there
                        os.unlink(name)
            if staged:
                self._leave_staging()
            if staged and _SYNCFS is not None:  # the links and every folder: one more syncfs
                return _flush_files(self.root, [])
            for folder in sorted({self.path(sha).parent for sha in shas}):
                if folder.is_dir():
                    _fsync_dir(folder)
        except OSError as exc:
            _remove(staged)
            self._leave_staging()
            raise BlobStoreUnavailable(f"cannot sync the blob folder {self.root}: "
                                       f"{exc.strerror}") from exc

    def exists_many(self, shas: list[str]) -> set[str]:
        """One `stat` per blob: a local system call, cheaper than listing a shard folder."""
        return {sha for sha in set(shas) if self.path(sha).is_file()}

    def delete(self, sha256: str) -> bool:
        try:
            self.path(sha256).unlink()
            return True
        except FileNotFoundError:
            return False

    def close(self) -> None:
        """Nothing to release: every operation opens and closes its own files."""


def _remove(staged: dict[str, list[str]]) -> None:
    for name in (n for names in staged.values() for n in names):
        with contextlib.suppress(OSError):
            os.unlink(name)
