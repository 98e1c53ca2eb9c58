"""Named storage faults: what a person reads when the disk, the data folder or the database
file fails, instead of sqlite3's English traceback.

`translate` maps an sqlite3 exception by its result code (`sqlite_errorcode`, Python 3.11),
never by its message text, and an OSError by its errno, to one `StorageError` subclass. A few
codes need one fact about the folder to be named right (SQLite reports a full disk while
growing its shared-memory file as an I/O error): free space and the read-only flag of the data
folder are asked then. Errors that are not storage faults (a constraint, a bug in SQL) are not
translated: they stay what they are and are logged as unexpected.

`StorageConnection` (the sqlite3 connection every Store uses) translates at the source: every
statement and every row fetched, so the GUI's and the CLI's reads and writes all fail with a
sentence.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kiosk.domain.messages import DomainError, Msg

BUSY_TIMEOUT_S = 30
LOW_FREE_BYTES = 1024 * 1024  # an I/O error with less free than this is a full disk
SAVING = Msg("Rekaman belum tersimpan", "The recording was not saved")
RETRY_SAVE = Msg("Data di layar tetap ada: tekan Simpan lagi setelah itu.",
                 "What is on screen is kept: press Save again afterwards.")


class StorageError(DomainError):
    """A fault of the disk, the data folder or the database file, in a sentence."""

    cause = Msg("penyimpanan gagal", "storage failed")
    todo = Msg("Coba lagi; jika terulang, hubungi teknisi.",
               "Try again; if it happens again, call the technician.")

    def __init__(self, detail: str = "", *, doing: Msg | None = None,
                 cause: Msg | None = None, todo: Msg | None = None, quiet: bool = False
                 ) -> None:
        """`detail` is shown in brackets, unless `quiet` (SQLite's code name: kept for the
        log and the technician, not for the operator's sentence)."""
        self.detail = detail
        self.doing = doing
        c, t = cause or self.cause, todo or self.todo
        tail_id = f" ({detail})" if detail and not quiet else ""
        if doing is not None:
            text_id = f"{doing.id}: {c.id}{tail_id}. {t.id}"
            text_en = f"{doing.en}: {c.en}{tail_id}. {t.en}"
            if doing is SAVING:
                text_id, text_en = f"{text_id} {RETRY_SAVE.id}", f"{text_en} {RETRY_SAVE.en}"
        else:
            text_id = f"{c.id[:1].upper()}{c.id[1:]}{tail_id}. {t.id}"
            text_en = f"{c.en[:1].upper()}{c.en[1:]}{tail_id}. {t.en}"
        super().__init__(Msg(text_id, text_en))


class DiskFull(StorageError):
    cause = Msg("disk stasiun penuh", "the station's disk is full")
    todo = Msg("Kosongkan ruang disk (hubungi teknisi), lalu coba lagi.",
               "Free some disk space (call the technician), then try again.")


class StorageIOError(StorageError):
    cause = Msg("disk stasiun gagal membaca atau menulis", "the station's disk failed to read "
                "or write")
    todo = Msg("Coba lagi; jika terulang, hentikan perekaman dan minta teknisi memeriksa disk.",
               "Try again; if it happens again, stop recording and have the technician check "
               "the disk.")


class DataDirReadOnly(StorageError):
    cause = Msg("folder data hanya bisa dibaca (read-only)", "the data folder is read-only")
    todo = Msg("Teknisi perlu memasang disk dengan izin tulis, lalu coba lagi.",
               "The technician must mount the disk writable, then try again.")


class DatabaseBusy(StorageError):
    cause = Msg(f"basis data dikunci proses lain lebih dari {BUSY_TIMEOUT_S} detik",
                f"the database was locked by another process for over {BUSY_TIMEOUT_S} seconds")
    todo = Msg("Tunggu sebentar lalu coba lagi; jika terulang, tutup perintah kiosk lain yang "
               "sedang berjalan atau hubungi teknisi.",
               "Wait a moment and try again; if it happens again, close any other kiosk "
               "command that is running or call the technician.")


class DatabaseMalformed(StorageError):
    cause = Msg("berkas basis data rusak", "the database file is damaged")
    todo = Msg("Jangan merekam dulu: jalankan `kiosk db check`, lalu pulihkan cadangan "
               "(`kiosk restore`) bersama teknisi.",
               "Do not record for now: run `kiosk db check`, then restore the backup "
               "(`kiosk restore`) with the technician.")


class DatabaseCannotOpen(StorageError):
    cause = Msg("berkas basis data tidak bisa dibuka", "the database file cannot be opened")
    todo = Msg("Periksa folder data dan izinnya (hubungi teknisi).",
               "Check the data folder and its permissions (call the technician).")


class DatabaseMissing(StorageError):
    cause = Msg("belum ada basis data stasiun di folder ini",
                "there is no station database in this folder")
    todo = Msg("Periksa --data-dir; jika basis data hilang, pulihkan cadangan (`kiosk restore`).",
               "Check --data-dir; if the database was lost, restore the backup "
               "(`kiosk restore`).")


class SchemaTooOld(StorageError):
    cause = Msg("basis data memakai versi skema lama", "the database has an old schema version")
    todo = Msg("Buka stasiun sekali (atau jalankan perintah yang menulis) agar diperbarui, lalu "
               "ulangi.", "Open the station once (or run a command that writes) so it is "
               "updated, then run this again.")


class SchemaTooNew(StorageError):
    cause = Msg("basis data dibuat oleh versi program yang lebih baru",
                "the database was made by a newer version of the program")
    todo = Msg("Pasang versi program stasiun yang sama atau lebih baru.",
               "Install the same or a newer version of the station program.")


class DataDirRefused(StorageError):
    """--data-dir (or the platform's) is not a folder the station may keep its data in."""

    todo = Msg("Periksa --data-dir: pilih folder biasa di disk stasiun.",
               "Check --data-dir: choose an ordinary folder on the station's disk.")

    def __init__(self, path: Path, why: Msg) -> None:
        super().__init__(cause=Msg(f"folder data {path} tidak bisa dipakai: {why.id}",
                                   f"the data folder {path} cannot be used: {why.en}"))
        self.path = path


class SaveOutcomeUnknown(StorageError):
    """The commit failed in a way that leaves it open whether the record is on disk."""

    todo = Msg("Jangan merekam ulang pemohon ini: tekan Simpan lagi setelah penyebabnya "
               "diatasi (rekaman yang sudah tersimpan tidak akan tergandakan), atau periksa "
               "statusnya dengan NIK-nya sebelum merekam lagi.",
               "Do not record this applicant again: press Save again once the cause is fixed "
               "(a recording already saved is not duplicated), or check its status by NIK "
               "before recording again.")

    def __init__(self, cause: StorageError) -> None:
        super().__init__(cause=Msg(
            f"rekaman mungkin sudah tersimpan, mungkin belum ({cause.cause.id})",
            f"the recording may have been saved, or not ({cause.cause.en})"))
        self.first = cause


class OpenedReadOnly(StorageError):
    """A write through a Store opened with read_only=True: a bug of the command."""

    cause = Msg("perintah ini membuka basis data hanya untuk dibaca, jadi tidak bisa menulis",
                "this command opened the database read-only, so it cannot write")
    todo = Msg("Laporkan ke teknisi; data tidak berubah.",
               "Report it to the technician; no data was changed.")


class DatabaseReplaced(StorageError):
    """The database is younger than what is anchored outside it (the keyring, the anchor
    file beside it, the server): it was lost, emptied or swapped for an older copy."""

    base = Msg("database hilang atau diganti: pulihkan cadangan",
               "the database is missing or was replaced: restore the backup")
    todo = Msg("Perekaman ditolak agar tidak ada nomor registrasi yang terpakai dua kali. "
               "Teknisi: pulihkan cadangan terakhir dengan `kiosk restore BERKAS` (lihat "
               "README), lalu buka stasiun lagi.",
               "Recording is refused so that no registration number is used twice. "
               "Technician: restore the latest backup with `kiosk restore FILE` (see the "
               "README), then open the station again.")

    def __init__(self, why: Msg) -> None:
        super().__init__(cause=Msg(f"{self.base.id} ({why.id})", f"{self.base.en} ({why.en})"))
        self.why = why


_PRIMARY: dict[int, type[StorageError]] = {
    sqlite3.SQLITE_FULL: DiskFull,
    sqlite3.SQLITE_IOERR: StorageIOError,
    sqlite3.SQLITE_READONLY: DataDirReadOnly,
    sqlite3.SQLITE_PERM: DataDirReadOnly,
    sqlite3.SQLITE_BUSY: DatabaseBusy,
    sqlite3.SQLITE_LOCKED: DatabaseBusy,
    sqlite3.SQLITE_CORRUPT: DatabaseMalformed,
    sqlite3.SQLITE_NOTADB: DatabaseMalformed,
    sqlite3.SQLITE_CANTOPEN: DatabaseCannotOpen,
}
_ERRNO: dict[int, type[StorageError]] = {
    errno.ENOSPC: DiskFull, errno.EDQUOT: DiskFull, errno.EIO: StorageIOError,
    errno.EROFS: DataDirReadOnly, errno.EACCES: DataDirReadOnly, errno.EPERM: DataDirReadOnly,
}


def folder_read_only(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def folder_full(folder: Path) -> bool:
    try:
        return shutil.disk_usage(folder).free < LOW_FREE_BYTES
    except OSError:
        return False


def translate(exc: BaseException, folder: Path | None, doing: Msg | None = None
              ) -> StorageError | None:
    """The named fault for `exc`, or None when it is no storage fault."""
    if isinstance(exc, StorageError):
        return exc
    if isinstance(exc, sqlite3.Error):
        code = getattr(exc, "sqlite_errorcode", None)
        if code is None:
            return None
        kind = _PRIMARY.get(code & 0xFF)
        detail = getattr(exc, "sqlite_errorname", "") or ""
    elif isinstance(exc, OSError) and exc.errno in _ERRNO:
        kind, detail = _ERRNO[exc.errno], errno.errorcode.get(exc.errno or 0, "")
    else:
        return None
    if kind is None:
        return None
    if folder is not None and kind in (StorageIOError, DatabaseCannotOpen, DataDirReadOnly):
        # SQLite names a full disk met while growing its shared-memory file an I/O error, and
        # a read-only mount "cannot open": the folder itself says which it is
        if folder_read_only(folder):
            kind = DataDirReadOnly
        elif folder_full(folder):
            kind = DiskFull
    return kind(detail, doing=doing, quiet=True)


@contextmanager
def storage_errors(folder: Path | None, doing: Msg | None = None) -> Iterator[None]:
    """Raise the named fault for any sqlite3 / OSError storage fault inside."""
    try:
        yield
    except (sqlite3.Error, OSError) as exc:
        named = translate(exc, folder, doing)
        if named is None or named is exc:
            raise
        raise named from exc


def _named(exc: sqlite3.Error, folder: Path | None, read_only: bool = False) -> BaseException:
    """What to raise for `exc`: its named fault (chained to it), else `exc` itself."""
    code = getattr(exc, "sqlite_errorcode", None)
    if read_only and code is not None and code & 0xFF == sqlite3.SQLITE_READONLY:
        named: StorageError | None = OpenedReadOnly(getattr(exc, "sqlite_errorname", ""),
                                                    quiet=True)
    else:
        named = translate(exc, folder)
    if named is None:
        return exc
    named.__cause__ = exc
    return named


class StorageCursor(sqlite3.Cursor):
    """A cursor whose statements and fetched rows fail with named storage faults."""

    def _fault(self, exc: sqlite3.Error) -> BaseException:
        conn = self.connection
        return _named(exc, getattr(conn, "folder", None), getattr(conn, "read_only", False))

    def execute(self, sql: str, parameters: Any = ()) -> StorageCursor:  # type: ignore[override]
        try:
            return super().execute(sql, parameters)  # type: ignore[return-value]
        except sqlite3.Error as exc:
            raise self._fault(exc)  # noqa: B904 (_named chains it)

    def executemany(self, sql: str, seq: Iterable[Any]) -> StorageCursor:  # type: ignore[override]
        try:
            return super().executemany(sql, seq)  # type: ignore[return-value]
        except sqlite3.Error as exc:
            raise self._fault(exc)  # noqa: B904 (_named chains it)

    def __next__(self) -> Any:
        try:
            return super().__next__()
        except sqlite3.Error as exc:
            raise self._fault(exc)  # noqa: B904 (_named chains it)

    def fetchone(self) -> Any:
        try:
            return super().fetchone()
        except sqlite3.Error as exc:
            raise self._fault(exc)  # noqa: B904 (_named chains it)

    def fetchall(self) -> list[Any]:
        try:
            return super().fetchall()
        except sqlite3.Error as exc:
            raise self._fault(exc)  # noqa: B904 (_named chains it)

    def fetchmany(self, size: int | None = None) -> list[Any]:
        try:
            return super().fetchmany(size if size is not None else self.arraysize)
        except sqlite3.Error as exc:
            raise self._fault(exc)  # noqa: B904 (_named chains it)


class StorageConnection(sqlite3.Connection):
    """The station's sqlite3 connection: `folder` names the data folder in its faults."""

    folder: Path | None = None
    read_only = False

    def cursor(self, factory: Any = StorageCursor) -> Any:  # type: ignore[override]
        return super().cursor(factory)

    def execute(self, sql: str, parameters: Any = ()) -> Any:  # type: ignore[override]
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql: str, seq: Iterable[Any]) -> Any:  # type: ignore[override]
        return self.cursor().executemany(sql, seq)

    def executescript(self, script: str) -> Any:  # type: ignore[override]
        try:
            return super().executescript(script)
        except sqlite3.Error as exc:
            raise _named(exc, self.folder, self.read_only)  # noqa: B904 (_named chains it)
