"""The blob half of the central's storage: content-addressed bytes, by SHA-256 hex.

Two backends behind one `BlobStore` protocol, chosen by URL (`open_blob_store`):

- `file:///PATH` -> `FileBlobStore` (central/blobstore_file.py): today's layout
  `PATH/ab/abcd...` (files 0600, folders 0700). A blob is streamed into a temporary file in
  its shard folder while it is hashed, then fsynced, linked into place (a hard link never
  overwrites, so a blob is written once) and the folder fsynced: `put` returns only when the
  bytes survive a power cut. A batch (the drive import) puts with `flush=False`: unflushed,
  in `PATH/.incoming/<pid>-<thread>/`, off its address until `sync` makes the batch durable
  at once (Linux: one syncfs(2); else an fsync per file), links it into place and fsyncs
  each shard folder once: no address ever holds bytes not on disk.
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

import hashlib
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any, Protocol, runtime_checkable
from urllib.parse import unquote, urlsplit

CHUNK = 1 << 20  # bytes handed to hash/write at once when a blob comes as one bytes object
_SHA256 = re.compile(r"[0-9a-f]{64}")


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
        from central.blobstore_file import FileBlobStore

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
    "BlobNotFound", "BlobStore", "BlobStoreError", "BlobStoreUnavailable", "HashMismatch",
    "check_sha256", "open_blob_store",
]

