"""Which folder a station may keep its data in, and which file it may open as its database.

Refused, with a sentence (DataDirRefused): a path that is not a folder (a file, a device, a
link to one), a path under a folder that is a file, a folder on a special filesystem (/dev,
/proc, /sys and the like: they hold devices and kernel state, never data), and a `station.db`
that exists but is not an ordinary file. The database file is only ever created where there
is nothing yet.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from kiosk.domain.messages import Msg
from kiosk.store.errors import DataDirRefused, storage_errors

SPECIAL_ROOTS = (Path("/dev"), Path("/proc"), Path("/sys"))
SPECIAL_FS = frozenset({
    "devtmpfs", "devpts", "proc", "sysfs", "cgroup", "cgroup2", "securityfs", "debugfs",
    "tracefs", "configfs", "pstore", "bpf", "mqueue", "hugetlbfs", "fusectl", "efivarfs",
    "binfmt_misc", "autofs", "rpc_pipefs", "nsfs",
})
NOT_A_FOLDER = Msg("itu bukan folder", "it is not a folder")


def _kind(mode: int) -> Msg:
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return Msg("itu perangkat (device), bukan folder", "it is a device, not a folder")
    if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):
        return Msg("itu pipa atau soket, bukan folder", "it is a pipe or a socket, not a folder")
    return Msg("itu berkas, bukan folder", "it is a file, not a folder")


def filesystem_type(path: Path) -> str | None:
    """The type of the filesystem `path` is on (Linux: /proc/self/mountinfo), or None."""
    try:
        lines = Path("/proc/self/mountinfo").read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    best, best_type = -1, None
    text = str(path)
    for line in lines:
        left, _, right = line.partition(" - ")
        fields = left.split()
        if len(fields) < 5 or not right:
            continue
        point = fields[4].replace("\\040", " ")
        if (text == point or text.startswith(point.rstrip("/") + "/")) and len(point) > best:
            best, best_type = len(point), right.split()[0]
    return best_type


def special_reason(path: Path) -> Msg | None:
    """Why `path` (resolved) is on a filesystem that never holds data, or None."""
    for root in SPECIAL_ROOTS:
        if path == root or root in path.parents:
            return Msg(f"{root} menyimpan perangkat dan keadaan sistem, bukan data",
                       f"{root} holds devices and system state, not data")
    fs = filesystem_type(path)
    if fs in SPECIAL_FS:
        return Msg(f"folder itu di sistem berkas khusus ({fs}), bukan disk data",
                   f"it is on a special filesystem ({fs}), not a data disk")
    return None


def _first_existing(path: Path) -> Path:
    for part in [path, *path.parents]:
        if part.exists() or part.is_symlink():
            return part
    return Path(path.anchor or "/")


def prepare(data_dir: Path, db_name: str, *, create: bool) -> Path:
    """The database path in `data_dir`, after the checks above; the folder (and its parents)
    created when `create`. DataDirRefused when it may not be used."""
    path = Path(data_dir).absolute()
    existing = _first_existing(path)
    resolved = existing.resolve()
    if existing != path or not existing.exists():
        # something below it is missing: what exists must be a folder to make it in
        if existing.is_symlink() and not existing.exists():
            raise DataDirRefused(path, Msg(f"{existing} adalah tautan yang putus",
                                           f"{existing} is a broken link"))
        if not existing.is_dir():
            raise DataDirRefused(path, Msg(f"{existing} bukan folder",
                                           f"{existing} is not a folder"))
    elif not path.is_dir():
        raise DataDirRefused(path, _kind(os.stat(path).st_mode))
    special = special_reason(resolved / path.relative_to(existing))
    if special is not None:
        raise DataDirRefused(path, special)
    if create and existing != path:
        with storage_errors(existing):
            path.mkdir(parents=True, exist_ok=True)
    db = path / db_name
    if db.is_symlink() and not db.exists():
        raise DataDirRefused(path, Msg(f"{db_name} adalah tautan yang putus",
                                       f"{db_name} is a broken link"))
    if db.exists() and not stat.S_ISREG(os.stat(db).st_mode):
        raise DataDirRefused(path, Msg(f"{db_name} di sana bukan berkas biasa",
                                       f"the {db_name} there is not an ordinary file"))
    return db
