"""Backups of the station database and their restore.

`backup` copies the database with SQLite's online backup API from a read-only connection (the
station may be recording meanwhile: the copy is one consistent moment and takes no write
lock), into a temporary file beside the target, checks the copy (`PRAGMA integrity_check`),
makes it durable and renames it into place: a backup is either whole or not there. Sealed
data stays sealed: the copy holds no key; the data key is backed up apart (the README's
key-backup procedure).

`restore` refuses while a station process holds the data folder's lock, checks the file (a
whole SQLite file, a station's schema, its data key in the keyring), keeps the current
database aside (`station.db.before-restore-<time>`), replaces it atomically and re-anchors
(kiosk.store.anchors) to the restored database.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import sqlite3
import stat
from dataclasses import dataclass
from pathlib import Path

from kiosk.domain.messages import Msg
from kiosk.domain.sealing import SealContext
from kiosk.settings import Settings
from kiosk.store import anchors, datadir
from kiosk.store.crypto import DecryptionFailed, Sealer
from kiosk.store.db import DB_NAME, MIGRATIONS, latest_version, read_only_uri
from kiosk.store.errors import SchemaTooNew, StorageConnection, StorageError, storage_errors
from kiosk.store.keys import DataKeyMismatch, load_or_create_data_key
from kiosk.store.lock import held_lock
from kiosk.store.station import KEY_CHECK, Store


class BackupRefused(StorageError):
    """A backup or restore that must not be done as asked."""

    todo = Msg("Periksa nama berkasnya lalu ulangi.", "Check the file name and run it again.")

    def __init__(self, why: Msg, todo: Msg | None = None) -> None:
        super().__init__(cause=why, todo=todo)


@dataclass(frozen=True)
class Copied:
    """What a backup wrote, or a restore put in place."""

    path: Path
    station_id: str
    records: int
    size: int
    aside: Path | None = None  # restore: where the database it replaced was kept


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _check_target(output: Path) -> None:
    """Only a regular file is ever replaced; no folders are made for it."""
    if output.exists() or output.is_symlink():
        try:
            mode = os.stat(output).st_mode
        except OSError:
            mode = 0
        if not stat.S_ISREG(mode):
            raise BackupRefused(Msg(f"{output} sudah ada dan bukan berkas biasa; tidak diganti",
                                    f"{output} exists and is not an ordinary file; it is not "
                                    "replaced"), Msg("Pilih nama berkas lain.",
                                                     "Choose another file name."))
    if not output.parent.is_dir():
        raise BackupRefused(Msg(f"folder {output.parent} tidak ada",
                                f"the folder {output.parent} does not exist"),
                            Msg("Buat foldernya dulu atau pilih folder lain.",
                                "Make the folder first or choose another one."))


def _copy_into(src: sqlite3.Connection, tmp: Path) -> tuple[str, int]:
    """The online backup of `src` into a new file `tmp`, as one self-contained file; the
    copy's station id and record count."""
    tmp.unlink(missing_ok=True)
    dst = sqlite3.connect(str(tmp), isolation_level=None, factory=StorageConnection)
    try:
        src.backup(dst)  # one step: one consistent read of the source
        dst.execute("PRAGMA journal_mode=DELETE")  # no -wal beside the copy
        result = [r[0] for r in dst.execute("PRAGMA integrity_check").fetchall()]
        facts = _facts(dst)
    finally:
        dst.close()
    if result != ["ok"]:
        raise BackupRefused(Msg(f"salinan tidak utuh ({result[0]})",
                                f"the copy is not whole ({result[0]})"))
    os.chmod(tmp, 0o600)
    _fsync(tmp)
    return facts


def _facts(conn: sqlite3.Connection) -> tuple[str, int]:
    sid = conn.execute("SELECT value FROM meta WHERE key = 'station_id'").fetchone()
    n = conn.execute("SELECT COUNT(*) FROM records").fetchone()[0]
    return (sid[0] if sid else ""), int(n)


def backup(data_dir: Path, settings: Settings, output: Path) -> Copied:
    """Back the station database up into `output` (see the module's doc)."""
    output = Path(output).absolute()
    _check_target(output)
    tmp = output.with_name(f".{output.name}.tmp-{os.getpid()}")
    with Store(data_dir, settings, read_only=True) as store, storage_errors(output.parent):
        try:
            sid, n = _copy_into(store.db.conn, tmp)
            os.replace(tmp, output)
        finally:
            tmp.unlink(missing_ok=True)
        _fsync(output.parent)
    return Copied(output, sid, n, output.stat().st_size)


def _open_source(source: Path) -> sqlite3.Connection:
    """The file to restore, read-only, checked: whole, a station's, of a known schema."""
    if not source.is_file():
        raise BackupRefused(Msg(f"{source} bukan berkas cadangan yang ada",
                                f"{source} is not an existing backup file"))
    damaged = BackupRefused(Msg(f"{source} bukan cadangan basis data stasiun yang utuh",
                                f"{source} is not a whole station database backup"),
                            Msg("Pakai cadangan lain.", "Use another backup."))
    conn = sqlite3.connect(read_only_uri(source), uri=True, isolation_level=None,
                           factory=StorageConnection)
    try:
        if [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()] != ["ok"]:
            raise damaged
        versions = {r[0] for r in conn.execute("SELECT version FROM _migrations")}
        if not _facts(conn)[0]:
            raise damaged
    except (StorageError, sqlite3.DatabaseError):
        conn.close()
        raise damaged from None
    latest = latest_version()  # registers the migrations
    if versions - {v for v, _, _ in MIGRATIONS}:
        conn.close()
        raise SchemaTooNew(f"v{max(versions)} > v{latest}")
    return conn


def _check_key(conn: sqlite3.Connection, station_id: str) -> None:
    """The restored database's data key must be in the keyring (DataKeyMismatch / Invalid /
    KeyringUnavailable otherwise): restoring what cannot be opened helps no one."""
    row = conn.execute("SELECT value FROM meta WHERE key = 'key_check'").fetchone()
    if row is None:
        return
    sealer = Sealer(load_or_create_data_key(station_id, create=False))
    try:
        if sealer.open(bytes.fromhex(row[0]), SealContext.KEY_CHECK) != KEY_CHECK:
            raise DataKeyMismatch()
    except DecryptionFailed:
        raise DataKeyMismatch() from None


def _set_aside(db: Path, now: dt.datetime) -> Path | None:
    """Keep the current database (and its WAL) as station.db.before-restore-<time>."""
    if not db.exists():
        return None
    with contextlib.suppress(sqlite3.Error, StorageError):  # a damaged one is kept as it is
        conn = sqlite3.connect(str(db), isolation_level=None, timeout=5)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
    aside = db.with_name(f"{db.name}.before-restore-{now.strftime('%Y%m%dT%H%M%S')}")
    try:
        os.link(db, aside)
    except OSError:
        shutil.copy2(db, aside)
    for suffix in ("-wal", "-journal"):
        extra = db.with_name(db.name + suffix)
        if extra.exists():
            if extra.stat().st_size:
                os.replace(extra, aside.with_name(aside.name + suffix))
            else:
                extra.unlink()
    db.with_name(db.name + "-shm").unlink(missing_ok=True)
    return aside


def restore(data_dir: Path, settings: Settings, source: Path,
            now: dt.datetime | None = None) -> Copied:
    """Put the backup `source` in place of the station database (see the module's doc)."""
    source = Path(source).absolute()
    db = datadir.prepare(Path(data_dir), DB_NAME, create=True)
    now = now or dt.datetime.now(dt.UTC)
    with held_lock(db.parent), storage_errors(db.parent):
        conn = _open_source(source)
        tmp = db.with_name(f".{DB_NAME}.restore-{os.getpid()}")
        try:
            _check_key(conn, _facts(conn)[0])
            sid, n = _copy_into(conn, tmp)
            conn.close()
            aside = _set_aside(db, now)
            os.replace(tmp, db)
            _fsync(db.parent)
        finally:
            conn.close()
            tmp.unlink(missing_ok=True)
        with Store(db.parent, settings) as store:
            anchors.reanchor(store)
            store.audit("system", "db.restored", {"source": str(source), "records": n,
                                                  "aside": aside.name if aside else None})
    return Copied(db, sid, n, db.stat().st_size, aside)
