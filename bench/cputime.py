"""CPU seconds spent by each kind of process on this machine between two snapshots, read from
/proc (Linux): which part of a benchmark used the cores (the stations, the servers, PostgreSQL,
SeaweedFS, HAProxy). A process that ends between the snapshots is counted up to the last one
it was seen in; `snapshot()` is cheap enough to call every fraction of a second."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")
KINDS = (("kiosk-central", "central servers"), ("postgres", "postgresql"), ("weed", "seaweedfs"),
         ("haproxy", "haproxy"))


def _kind(pid: int, cmdline: str) -> str:
    if pid == os.getpid():
        return "stations (this process)"
    for needle, kind in KINDS:
        if needle in cmdline:
            return kind
    return "other"


def snapshot(part: str = "both") -> dict[int, tuple[str, float]]:
    """pid -> (kind, CPU seconds so far) for every process now: user + system time, or only
    `part` "user" / "system"."""
    out: dict[int, tuple[str, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat.rpartition(")")[2].split()
        user, system = int(fields[11]), int(fields[12])
        ticks = {"user": user, "system": system}.get(part, user + system)
        out[int(entry.name)] = (_kind(int(entry.name), cmd), ticks / TICK)
    return out


def spent(before: dict[int, tuple[str, float]], after: dict[int, tuple[str, float]]
          ) -> dict[str, float]:
    """CPU seconds by kind between two snapshots (processes new since `before` count whole)."""
    total: Counter[str] = Counter()
    for pid, (kind, secs) in after.items():
        total[kind] += secs - (before[pid][1] if pid in before else 0.0)
    return {k: round(v, 2) for k, v in sorted(total.items()) if v >= 0.005}
