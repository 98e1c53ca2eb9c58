"""The blob half of the central's storage: content-addressed bytes, by SHA-256 hex.

Two backends behind one `BlobStore` protocol, chosen by URL (`open_blob_store`):

- `file:///PATH` -> `FileBlobStore`: today's layout `PATH/ab/abcd...` (files 0600, folders
  0700). A blob is streamed into a temporary file in its shard folder while it is hashed, then
  fsynced, linked into place (a hard link never overwrites, so a blob is written once) and the
  folder fsynced: `put` returns only when the bytes survive a power cut. A batch (the drive
  import) puts with `flush=False`: unflushed, in `PATH/.incoming/`, off its address until
  `sync` makes the batch durable at once (Linux: one syncfs(2); else an fsync per file), links
  it into place and fsyncs each shard folder once: no address ever holds bytes not on disk.
- `s3://BUCKET[/PREFIX]` -> `S3BlobStore`: any S3-compatible store (SeaweedFS in the tests).
  Through obstore (Rust). The body is hashed, then sent in one PUT with `If-None-Match: *`
  (the store refuses with 412 when the key exists: written once) and
  `x-amz-checksum-sha256` (the store verifies the bytes it received). `put` returns only
  after the store acknowledged the PUT. Credentials come only from the environment / the
  standard AWS chain (boto3's default session), never from arguments.

Every failure of the store itself (down, timing out, answering 5xx, disk full) raises
`BlobStoreUnavailable`, so the API can answer 503 + Retry-After; a blob that does not match
its address raises `HashMismatch` and leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import itertools
import os
import re
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any, Protocol, runtime_checkable
from urllib.parse import unquote, urlsplit

from ektp_protocol.durable import SYNCFS as _SYNCFS
from ektp_protocol.durable import flush_files as _flush_files
from ektp_protocol.durable import fsync_dir as _fsync_dir

CHUNK = 1 << 20  # bytes handed to hash/write at once when a blob comes as one bytes object
STAGING = ".incoming"  # a file store's folder for blobs put with flush=False, until `sync`
STALE_STAGED = 24 * 3600.0  # seconds after which a staged file is a crash's leftover
_SHA256 = re.compile(r"[0-9a-f]{64}")
_SEQUENCE = itertools.count()  # staging file names (with the pid): unique without a retry


class BlobStoreError(Exception):
    """The blob store refused or failed an operation (the message says why, for a person)."""


class BlobStoreUnavailable(BlobStoreError):
    """The store cannot be reached or is failing now; the request may be retried later.

    `retry_after` is the number of seconds the API should put in its Retry-After header.
    """

    def __init__(self, message: str, retry_after: int = 5) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class HashMismatch(BlobStoreError, ValueError):
    """The bytes sent do not hash to (or are not the size of) the address they were sent as."""

    def __init__(self, expected: str, actual: str, detail: str = "") -> None:
        super().__init__(detail or f"blob content hashes to {actual}, not {expected}")
        self.expected = expected
        self.actual = actual


class BlobNotFound(BlobStoreError, LookupError):
    """No blob is stored under this address."""


def check_sha256(sha256: str) -> str:
    """Return `sha256` if it is 64 lowercase hex digits (a blob address), else ValueError.

    Checked on every call because the address becomes a file name or an object key.
    """
    if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256):
        raise ValueError(f"not a blob address (64 lowercase hex digits): {sha256!r:.80}")
    return sha256


def _pieces(chunks: Iterable[bytes] | bytes) -> Iterator[bytes]:
    """Yield the blob's bytes in pieces; a single bytes object is sliced without copying."""
    if isinstance(chunks, bytes | bytearray | memoryview):
        view = memoryview(chunks)
        for start in range(0, len(view), CHUNK):
            yield view[start:start + CHUNK]
        return
    for piece in chunks:
        if piece:
            yield piece


def _hash_into(sink: IO[bytes], sha256: str, chunks: Iterable[bytes] | bytes,
               size: int | None, checked: bool = False) -> int:
    """Write `chunks` to `sink` while hashing them; HashMismatch unless they match the address
    (only their size is checked when the caller has `checked` the hash of these bytes)."""
    digest = None if checked else hashlib.sha256()
    total = 0
    for piece in _pieces(chunks):
        if digest is not None:
            digest.update(piece)
        sink.write(piece)
        total += len(piece)
    actual = sha256 if digest is None else digest.hexdigest()
    if size is not None and total != size:
        raise HashMismatch(sha256, actual, f"blob is {total} bytes, {size} were announced")
    if actual != sha256:
        raise HashMismatch(sha256, actual)
    return total


class _Discard:  # a sink that keeps nothing (hashing bytes already in memory)
    def write(self, piece: bytes) -> int:
        return len(piece)


@runtime_checkable
class BlobStore(Protocol):
    """Content-addressed blob storage: what the central's storage layer needs of it."""

    def put(self, sha256: str, chunks: Iterable[bytes] | bytes, size: int | None = None,
            *, durable: bool = True, flush: bool = True, checked: bool = False) -> bool:
        """Store the blob; True if newly stored, False if it was already there. Durable on
        return, unless `durable` is False: then only after `sync` of its address. With
        `flush` False (a batch) the store may skip every flush and keep the blob off its
        address until this thread's `sync` of it (a file store does; an S3 PUT is durable
        when acknowledged anyway). `checked`: the caller has just hashed these very bytes
        (in memory) against `sha256`, so the store need not hash them again."""
        ...

    def sync(self, shas: list[str]) -> None:
        """Make blobs `put` with `durable=False` or `flush=False` (by this thread) durable,
        once for all of them; every one of `shas` is at its address on return."""
        ...

    def discard(self, shas: list[str]) -> None:
        """Drop what this thread `put` with `flush=False` of these blobs and will not `sync`
        (a batch that failed half way): it never reaches its address."""
        ...

    def get(self, sha256: str) -> bytes:
        """The whole blob (BlobNotFound if absent)."""
        ...

    def open(self, sha256: str) -> IO[bytes]:
        """A binary stream of the blob, to be closed by the caller (BlobNotFound if absent)."""
        ...

    def exists_many(self, shas: list[str]) -> set[str]:
        """The subset of `shas` that is stored, in as few calls as the backend allows."""
        ...

    def delete(self, sha256: str) -> bool:
        """Remove the blob (tests, the amnesia test); True if it was there."""
        ...

    def close(self) -> None:
        """Release connections and threads."""
        ...


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
                _flush_files(Path(self._staging_dir()),
                             [n for names in staged.values() for n in names])
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


def open_blob_store(url: str, **options: Any) -> BlobStore:
    """The store a `--blob-store` URL names: `file:///PATH` or `s3://BUCKET[/PREFIX]`.

    `options` go to `S3BlobStore` (`endpoint_url`, `region`, `exists_workers`,
    `conditional_put`); a file store takes none. Anything else is a ValueError whose message
    says what is accepted (never echoing credentials someone put in the URL).
    """
    parts = urlsplit(url)
    if parts.username is not None or parts.password is not None:
        raise ValueError("a blob store URL must not carry credentials: give them in the "
                         "environment (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY) or an AWS "
                         "profile")
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost") or not parts.path or parts.query:
            raise ValueError(f"a file blob store is file:///ABSOLUTE/PATH, not {url!r}")
        if options:
            raise ValueError(f"a file blob store takes no options (got {sorted(options)})")
        return FileBlobStore(Path(unquote(parts.path)))
    if parts.scheme == "s3":
        if not parts.netloc or parts.query or parts.fragment:
            raise ValueError(f"an S3 blob store is s3://BUCKET or s3://BUCKET/PREFIX, "
                             f"not {url!r}")
        from central.blobstore_s3 import S3BlobStore

        return S3BlobStore(parts.netloc, unquote(parts.path).strip("/"), **options)
    raise ValueError(f"unsupported blob store URL {url!r}: use file:///PATH or "
                     f"s3://BUCKET[/PREFIX]")


__all__ = [
    "BlobNotFound", "BlobStore", "BlobStoreError", "BlobStoreUnavailable", "FileBlobStore",
    "HashMismatch", "check_sha256", "open_blob_store",
]

