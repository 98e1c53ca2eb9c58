"""What every export format shares: progress and cancel, where a file may be written,
write-then-rename, the audit row."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kiosk.domain.messages import DomainError, Msg
from kiosk.export.rows import DailyLog, check_range, gather_log
from kiosk.store.station import Store

# progress(done, total) is called as rows are written; returning False cancels the export.
Progress = Callable[[int, int], bool | None]
# A format's writer: put the whole log into the given (temporary) path.
Writer = Callable[[DailyLog, Path, "ProgressGate"], None]
FORMATS = ("csv", "xlsx", "pdf")
__all__ = ["FORMATS", "ExportCancelled", "ExportResult", "ExportTargetRefused",
           "ExportWriteFailed", "Progress", "ProgressGate", "Writer", "check_range",
           "check_target", "replace_into", "run_export", "sha256_file"]
_KINDS = (  # (test, Indonesian, English) for what may stand where a file is to be written
    (stat.S_ISDIR, "sebuah folder", "a folder"),
    (stat.S_ISCHR, "perangkat (device)", "a device"),
    (stat.S_ISBLK, "perangkat (device)", "a device"),
    (stat.S_ISFIFO, "pipa (FIFO)", "a pipe (FIFO)"),
    (stat.S_ISSOCK, "soket", "a socket"),
)


class ExportCancelled(DomainError):
    """The user cancelled; no file was left behind."""

    def __init__(self) -> None:
        super().__init__(Msg("Ekspor dibatalkan; tidak ada berkas yang dibuat.",
                             "Export cancelled; no file was written."))


class ExportTargetRefused(DomainError):
    """The station writes exports only as regular files in folders that already exist."""

    def __init__(self, path: Path, problem_id: str, problem_en: str) -> None:
        super().__init__(Msg(
            f"Tidak menulis ke {path}: {problem_id}. Pilih nama berkas biasa di folder yang ada; "
            "tidak ada yang diubah.",
            f"Not writing to {path}: {problem_en}. Choose a plain file name in an existing "
            "folder; nothing was changed.",
        ))
        self.path = path


class ExportWriteFailed(DomainError):
    """Writing the file failed (disk full, removed stick, no permission); nothing replaced."""

    def __init__(self, path: Path, exc: OSError) -> None:
        why = exc.strerror or type(exc).__name__
        super().__init__(Msg(
            f"Berkas {path} gagal ditulis ({why}); berkas lama, bila ada, tetap utuh. Periksa "
            "ruang kosong dan izin tulis pada folder itu, lalu ulangi.",
            f"Writing {path} failed ({why}); any old file there is untouched. Check the free "
            "space and write permission of that folder, then try again.",
        ))
        self.path = path


def check_target(output: Path) -> Path:
    """The path a file for `output` is really written to (a link to a regular file is
    followed); ExportTargetRefused when its folder is missing or something other than a
    regular file (folder, device, pipe, socket, or a link to one) is there."""
    output = Path(output)
    try:
        st = os.stat(output)  # follows a symlink: what matters is what it leads to
    except FileNotFoundError:
        if output.is_symlink():
            raise ExportTargetRefused(output, "tautan (symlink) itu menunjuk ke yang tidak ada",
                                      "it is a symlink to nothing") from None
        parent = output.parent
        if not parent.is_dir():
            raise ExportTargetRefused(output, f"folder {parent} tidak ada",
                                      f"the folder {parent} does not exist") from None
        return output
    except NotADirectoryError:
        raise ExportTargetRefused(output, f"{output.parent} bukan folder",
                                  f"{output.parent} is not a folder") from None
    except OSError as exc:
        raise ExportWriteFailed(output, exc) from None
    if stat.S_ISREG(st.st_mode):
        return output.resolve() if output.is_symlink() else output
    kind_id, kind_en = next(((i, e) for test, i, e in _KINDS if test(st.st_mode)),
                            ("bukan berkas biasa", "not a regular file"))
    raise ExportTargetRefused(output, f"di situ sudah ada {kind_id}, bukan berkas biasa",
                              f"{kind_en} is there, not a regular file")


def replace_into(output: Path, write: Callable[[Path], None]) -> Path:
    """Write a file for `output` through `write(tmp)` to a temporary file beside it, then
    rename it into place; only a regular file is ever replaced (check_target, before and again
    just before the rename). An error or a cancel leaves no temporary file behind and whatever
    was at `output` untouched. Returns the path written."""
    target = check_target(output)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.part")
    try:
        write(tmp)
        if check_target(output) != target:  # swapped for a link meanwhile: start again
            raise ExportTargetRefused(output, "berubah selama ekspor", "it changed meanwhile")
        os.replace(tmp, target)
    except OSError as exc:
        raise ExportWriteFailed(output, exc) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return target


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
    no file at `output` (an existing file there stays untouched). Only a regular file in an
    existing folder is written: anything else is refused (ExportTargetRefused) before the log
    is gathered.

    One missing folder level is still made here, for the GUI's own export folder
    (kiosk.app.desk.DeskService.export_dir) on a station's first export; the command line
    refuses any missing folder before it calls this (check_target), and nothing makes a chain
    of folders any more."""
    output = Path(output)
    if not output.parent.exists() and output.parent.parent.is_dir():
        with contextlib.suppress(FileExistsError):
            output.parent.mkdir()
    check_target(output)
    log = gather_log(
        store, first, last, full_nik=full_nik, actor=actor, now=now, with_rows=with_rows
    )
    assert log.summary is not None
    rows = log.summary.recordings
    gate = ProgressGate(progress, rows)
    gate(0)
    digests: list[str] = []

    def write(tmp: Path) -> None:
        writer(log, tmp, gate)
        digests.append(sha256_file(tmp))

    replace_into(output, write)
    rows = log.summary.recordings  # a streaming writer counts what it wrote
    digest = digests[0]
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
