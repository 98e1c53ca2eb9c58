"""Making files durable on a local file system (the centre's blob folder, the station's drive
export): a folder's fsync, and a whole batch of files at once with syncfs(2) where Linux has
it (an fsync of each file elsewhere)."""

from __future__ import annotations

import ctypes
import os
import sys
from pathlib import Path
from typing import Any

try:  # libc's syncfs(2): Linux only
    SYNCFS: Any = ctypes.CDLL(None, use_errno=True).syncfs if sys.platform == "linux" else None
except (OSError, AttributeError):
    SYNCFS = None


def fsync_dir(path: Path | str) -> None:
    """Make the folder's entries (files created, linked or removed in it) durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def flush_files(folder: Path | str, names: list[str]) -> None:
    """Make the files `names` (in `folder`) durable: one syncfs(2) of the filesystem holding
    `folder` where there is one (Linux; it reports a write-back error since 5.8), else an
    fsync of each file. OSError on a failure."""
    if SYNCFS is not None:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            if SYNCFS(fd) != 0:
                err = ctypes.get_errno()
                raise OSError(err, os.strerror(err))
        finally:
            os.close(fd)
        return
    for name in names:
        fd = os.open(name, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
