"""The station's lock on its data folder, `kiosk.lock`, as the GUI takes it (Qt's QLockFile,
kiosk.ui.qt_app.single_instance), read and taken here without Qt.

QLockFile on Unix writes its process id, application and host name into the file and holds
an flock(2) on it for as long as the station runs; a lock left by a crashed process has no
flock and is taken over. So: the lock is held exactly while someone holds the flock, and
`held_lock` takes it the same way, so that a station started meanwhile sees it held and
stays closed.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
from collections.abc import Iterator
from pathlib import Path

from kiosk.domain.messages import Msg
from kiosk.store.errors import StorageError

LOCK_NAME = "kiosk.lock"


class StationRunning(StorageError):
    """A station process holds the data folder's lock."""

    todo = Msg("Tutup stasiun (jendela kiosk dan perintah kiosk yang berjalan) lalu ulangi.",
               "Close the station (the kiosk window and any kiosk command running), then run "
               "this again.")

    def __init__(self, folder: Path, holder: str) -> None:
        super().__init__(cause=Msg(
            f"stasiun sedang berjalan pada folder data {folder} ({holder})",
            f"a station is running on the data folder {folder} ({holder})"))


def _holder(path: Path) -> str:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return "?"
    return f"pid {lines[0]}" if lines and lines[0].strip().isdigit() else "?"


def is_held(data_dir: Path) -> bool:
    """Whether a station process holds the data folder's lock now."""
    path = Path(data_dir) / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing drops the flock taken to ask
    return False


@contextlib.contextmanager
def held_lock(data_dir: Path) -> Iterator[None]:
    """Hold the data folder's lock (StationRunning when a station holds it)."""
    path = Path(data_dir) / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StationRunning(Path(data_dir), _holder(path)) from None
        app = "kiosk"
        with contextlib.suppress(OSError):
            app = os.path.basename(os.readlink("/proc/self/exe"))
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n{app}\n{socket.gethostname()}\n".encode(), 0)
        try:
            yield
        finally:
            with contextlib.suppress(OSError):
                path.unlink()
    finally:
        os.close(fd)
