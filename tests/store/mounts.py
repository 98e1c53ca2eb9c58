"""A small real filesystem for storage-fault tests: a tmpfs of a few MB mounted on a folder
(needs root, as on the CI machine; the tests skip elsewhere), filled to the last block or
remounted read-only, as a station's disk can be."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


class SmallDisk:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.filler = path / "filler.bin"

    def fill(self) -> None:
        """Write until the filesystem says ENOSPC."""
        for name, block in ((self.filler, 4096), (self.path / "filler.tail", 1)):
            fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            try:
                with contextlib.suppress(OSError):
                    while True:
                        os.write(fd, b"\0" * block)
            finally:
                os.close(fd)

    def free(self) -> None:
        self.filler.unlink(missing_ok=True)
        (self.path / "filler.tail").unlink(missing_ok=True)

    def remount(self, mode: str) -> None:
        subprocess.run(["mount", "-o", f"remount,{mode}", str(self.path)], check=True,
                       capture_output=True)


@contextlib.contextmanager
def small_disk(path: Path, size: str = "8m") -> Iterator[SmallDisk]:
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield SmallDisk(path)
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)
