"""What every export format shares: progress and cancel, write-then-rename, the audit row."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kiosk.domain.messages import DomainError, Msg
from kiosk.export.rows import DailyLog, gather_log
from kiosk.store.station import Store

# progress(done, total) is called as rows are written; returning False cancels the export.
Progress = Callable[[int, int], bool | None]
# A format's writer: put the whole log into the given (temporary) path.
Writer = Callable[[DailyLog, Path, "ProgressGate"], None]
FORMATS = ("csv", "xlsx", "pdf")


class ExportCancelled(DomainError):
    """The user cancelled; no file was left behind."""

    def __init__(self) -> None:
        super().__init__(Msg("Ekspor dibatalkan; tidak ada berkas yang dibuat.",
                             "Export cancelled; no file was written."))


@dataclass(frozen=True)
class ExportResult:
    """A finished export: where, what, and the SHA-256 recorded in the audit log."""

    path: Path
    format: str
    sha256: str
    rows: int
    full_nik: bool


class ProgressGate:
    """Calls `progress` at most every `every` rows (and at the end); raises ExportCancelled."""

    def __init__(self, progress: Progress | None, total: int, every: int = 200) -> None:
        self.progress = progress
        self.total = total
        self.every = every

    def __call__(self, done: int) -> None:
        if self.progress is None:
            return
        if (done % self.every == 0 or done >= self.total) and self.progress(
            done, self.total
        ) is False:
            raise ExportCancelled()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def run_export(
    store: Store,
    fmt: str,
    writer: Writer,
    first: dt.date,
    output: Path,
    *,
    last: dt.date | None = None,
    full_nik: bool = False,
    actor: str = "system",
    progress: Progress | None = None,
    now: dt.datetime | None = None,
    with_rows: bool = True,
) -> ExportResult:
    """Gather the log, write it to a temporary file beside `output`, rename it into place and
    audit ('export': date, format, sha256, rows, full_nik, actor). A cancel or an error leaves
    no file at `output` (an existing file there stays untouched)."""
    output = Path(output)
    log = gather_log(
        store, first, last, full_nik=full_nik, actor=actor, now=now, with_rows=with_rows
    )
    assert log.summary is not None
    rows = log.summary.recordings
    gate = ProgressGate(progress, rows)
    gate(0)
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(f".{output.name}.{os.getpid()}.part")
    try:
        writer(log, tmp, gate)
        rows = log.summary.recordings  # a streaming writer counts what it wrote
        digest = sha256_file(tmp)
        os.replace(tmp, output)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    detail = {
        "date": log.first.isoformat(),
        "format": fmt,
        "sha256": digest,
        "rows": rows,
        "full_nik": full_nik,
        "actor": actor,
    }
    if log.last != log.first:
        detail["until"] = log.last.isoformat()
    store.audit(actor, "export", detail)
    return ExportResult(output, fmt, digest, rows, full_nik)
