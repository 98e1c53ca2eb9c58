"""Damaged bytes out of their address: the scrubber (central/scrub.py) moves them under
QUARANTINE, beside the shards of a folder store or under the prefix of an S3 store, where they
stay as evidence (0600). The blob stores write an address only once (a hard link, or
If-None-Match), so the station's upload of the good bytes needs the address free."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from central.blobstore import BlobStore, BlobStoreError
from central.blobstore_file import FileBlobStore

QUARANTINE = ".quarantine"  # not two hex digits: never taken for a shard


class AsideFailed(BlobStoreError):
    """Damaged bytes could not be moved (or deleted): the store refused or failed."""


def aside_target(blobs: BlobStore, sha: str, at: str) -> tuple[str, str | None]:
    """Where damaged bytes go (a path or key under QUARANTINE: stamped, never reused) and
    how a finding names it (None: a store that can only delete them)."""
    name = f"{sha}-{at.replace('-', '').replace(':', '').replace('+0000', 'Z')}"
    if isinstance(blobs, FileBlobStore):
        target = str(blobs.root / QUARANTINE / name)
        return target, target
    from central.blobstore_s3 import S3BlobStore

    if isinstance(blobs, S3BlobStore):
        key = f"{blobs.prefix}{QUARANTINE}/{name}"
        return key, f"s3://{blobs.bucket}/{key}"
    return "", None


def put_aside(blobs: BlobStore, sha: str, target: str) -> None:
    """Move damaged bytes out of their address to `target` (kept as evidence, 0600) so the
    station's upload can be written there again: the stores write an address only once."""
    try:
        if isinstance(blobs, FileBlobStore):
            _put_aside_file(blobs, sha, Path(target))
        elif target:
            _put_aside_s3(blobs, sha, target)
        else:
            blobs.delete(sha)
    except (OSError, BlobStoreError) as exc:
        raise AsideFailed(f"damaged blob {sha[:16]} could not be put aside ({exc}); "
                          "the scrub stopped, the next one tries again") from None


def _put_aside_file(blobs: FileBlobStore, sha: str, target: Path) -> None:
    target.parent.mkdir(mode=0o700, exist_ok=True)
    try:
        os.rename(blobs.path(sha), target)
    except FileNotFoundError:  # gone already (a scrub stopped after moving it)
        return
    os.chmod(target, 0o600)
    for path in (blobs.path(sha).parent, target.parent):  # else a crash could undo the move
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _put_aside_s3(blobs: Any, sha: str, key: str) -> None:
    """Copy the object to `key`, then delete it (the store refuses to write an address that
    exists: If-None-Match)."""
    if blobs.copy_to(sha, key):  # False: gone already
        blobs.delete(sha)
