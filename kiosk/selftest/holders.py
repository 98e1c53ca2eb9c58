"""Which other processes hold a device open (Linux /proc), so that a self-test can tell a
device in use by another program (the station window holding the camera) from a broken one.

Plain standard library; on other systems, or where /proc cannot be read, nobody is found and
the check reports what it measured as before.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")


@dataclass(frozen=True)
class Holder:
    pid: int
    name: str  # the process's command name, e.g. "kiosk" or "python3"


def device_path(source: str | int) -> Path | None:
    """The file a camera source opens: /dev/videoN for an index, the path itself for an
    existing file; None for a URL or a missing path."""
    text = str(source).strip()
    if text.isdigit():
        return Path(f"/dev/video{int(text)}")
    path = Path(text)
    return path if path.exists() else None


def holders(path: Path, proc: Path = PROC) -> list[Holder]:
    """Processes other than this one with `path` open, by pid."""
    if not proc.is_dir():
        return []
    target = os.path.realpath(path)
    me = os.getpid()
    found: list[Holder] = []
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == me:
            continue
        try:
            with os.scandir(entry / "fd") as fds:
                held = any(_points_to(fd.path, target) for fd in fds)
        except OSError:  # gone meanwhile, or another user's: not ours to see
            continue
        if held:
            found.append(Holder(int(entry.name), _name(entry)))
    return found


def _points_to(link: str, target: str) -> bool:
    try:
        return os.readlink(link) == target
    except OSError:
        return False


def _name(entry: Path) -> str:
    try:
        return (entry / "comm").read_text(encoding="utf-8").strip()
    except OSError:
        return "?"


def describe(found: list[Holder]) -> str:
    """'kiosk (PID 1234)', comma-separated."""
    return ", ".join(f"{h.name} (PID {h.pid})" for h in found)
