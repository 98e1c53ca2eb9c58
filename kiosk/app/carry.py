"""Records carried on a drive, as the supervisor's screen sees it (no Qt, no widgets).

`kiosk.sync.carry` does the work (sealed packets, the signed index, receipts checked); this
service adds what a person at the desk needs around it: which drives are plugged in and how
much room each has, whether one holds a receipts file of this station not read yet (the
window polls this every few seconds and reads it at once), the acting supervisor's
permission and an audit row for each export and each receipts file read, the figures
(records waiting, carried, last export, last receipts) and every result in words
(`kiosk.app.carry_words`). Calls marked *worker* may take minutes on a slow drive: screens
run them through a task runner, on a Store of their own (`in_worker`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import shutil
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from ektp_protocol import carry as protocol_carry
from kiosk.app import accounts
from kiosk.app.accounts import User
from kiosk.app.carry_words import NOT_LINKED, NOTHING_WAITS, no_folder, receipts_words
from kiosk.app.desk import check_allowed
from kiosk.app.workers import WorkerStores
from kiosk.domain.days import parse_ts
from kiosk.domain.delivery import UNSENT
from kiosk.domain.messages import Msg
from kiosk.settings import Settings
from kiosk.store.keys import get_secret
from kiosk.store.station import Store
from kiosk.sync.carry import (
    CarryFailed,
    ExportResult,
    ReceiptsResult,
    apply_receipts,
    export,
    receipts_read,
)
from kiosk.sync.carry import unsent as unsent_ids
from kiosk.sync.link import signing_key_name

log = logging.getLogger(__name__)
T = TypeVar("T")

_UNSENT_SQL = "(" + ", ".join(f"'{s}'" for s in UNSENT) + ")"
_CHUNK = 500  # ids per IN (...) query, well under SQLite's variable limit
AUTOMATIC = "stasiun"  # the audit's actor when the station reads receipts on its own


def drive_roots(settings: Settings) -> tuple[Path, ...]:
    """Where removable drives appear (setting carry.drive_roots: /media/<user>/<label> on
    Debian and Ubuntu, /run/media/<user>/<label> on Fedora; udisks2 removes the folder on
    unmount, so a folder found there is a drive plugged in now)."""
    return tuple(Path(p) for p in str(settings["carry.drive_roots"]).split(os.pathsep) if p)


@dataclass(frozen=True)
class Drive:
    """A place an export can go: a removable drive found mounted, or a folder picked."""

    path: Path
    label: str
    free: int  # bytes
    total: int  # bytes
    writable: bool


def drive_at(path: Path) -> Drive | None:
    """The folder at `path` as a Drive (its file system's room), or None if it cannot be read."""
    path = Path(path)
    try:
        if not path.is_dir():
            return None
        usage = shutil.disk_usage(path)
    except OSError:
        return None
    return Drive(path, path.name or str(path), usage.free, usage.total,
                 os.access(path, os.W_OK))


def drives(roots: Sequence[Path]) -> list[Drive]:
    """The removable drives mounted now: every folder two levels under each root (its user's
    folder, then the drive's label), in name order; a folder that cannot be read is skipped."""
    found: list[Drive] = []
    for root in roots:
        for owner in _folders(Path(root)):
            for mount in _folders(owner):
                drive = drive_at(mount)
                if drive is not None:
                    found.append(drive)
    return found


def _folders(path: Path) -> list[Path]:
    try:
        return sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith("."))
    except OSError:
        return []


def station_receipts(drive: Path, station_id: str) -> list[Path]:
    """The receipts files in this station's export folders on `drive` (at its top, or one
    folder down), without opening any other file: cheap enough to poll."""
    name = f"{protocol_carry.FOLDER_PREFIX}{station_id[:8]}-*/{protocol_carry.RECEIPTS}"
    with contextlib.suppress(OSError):
        return sorted({*Path(drive).glob(name), *Path(drive).glob(f"*/{name}")})
    return []


@dataclass(frozen=True)
class PendingReceipts:
    """A receipts file of this station on a drive that the station has not read yet."""

    path: Path
    records: int  # of ours it names that are still waiting here
    damaged: bool = False  # unreadable or badly signed: reading it says why


@dataclass(frozen=True)
class CarryFigures:
    """What the screen shows before anything is done. Times are in the station's zone."""

    unsent: int  # records the centre does not hold yet (as far as the station knows)
    carried: int  # of them, on a drive and waiting for receipts
    unsent_bytes: int  # their blobs' size: about what an export writes
    last_export: dt.datetime | None
    last_export_folder: str | None
    last_receipts: dt.datetime | None
    received_by_drive: int  # records whose receipt came back on a drive, ever


def carry_figures(store: Store) -> CarryFigures:
    """The figures of the screen, read in a few aggregate queries."""
    tz = store.settings.timezone
    unsent, carried = store.db.execute(
        "SELECT COUNT(*), COALESCE(SUM(carried_at IS NOT NULL AND carry_receipt_at IS NULL), 0) "
        f"FROM records WHERE state IN {_UNSENT_SQL}").fetchone()
    size = store.db.execute(
        "SELECT COALESCE(SUM(b.size), 0) FROM blobs b JOIN records r ON r.id = b.record_id "
        f"WHERE r.state IN {_UNSENT_SQL}").fetchone()[0]
    last = store.db.execute(
        "SELECT carried_at, carry_folder FROM records WHERE carried_at IS NOT NULL "
        "ORDER BY carried_at DESC LIMIT 1").fetchone()
    back, n_back = store.db.execute(
        "SELECT MAX(carry_receipt_at), COUNT(carry_receipt_at) FROM records").fetchone()

    def local(text: str | None) -> dt.datetime | None:
        t = parse_ts(text)
        return t.astimezone(tz) if t else None
    return CarryFigures(int(unsent), int(carried), int(size), local(last[0]) if last else None,
                        last[1] if last else None, local(back), int(n_back))


def _by_ids(store: Store, sql: str, ids: Sequence[str]) -> list[tuple[Any, ...]]:
    """`sql` (ending in "IN") for `ids`, a chunk at a time."""
    ids, out = list(ids), []
    for i in range(0, len(ids), _CHUNK):
        part = ids[i:i + _CHUNK]
        out += store.db.execute(f"{sql} ({', '.join('?' * len(part))})", part).fetchall()
    return out


@dataclass(frozen=True)
class ReceiptsRead:
    """Receipts read from a drive: what changed, and that in words (`failed`: nothing was
    read, and `words` say why)."""

    result: ReceiptsResult
    words: Msg
    failed: bool = False


class CarryService(WorkerStores):
    """The carry screen's and the receipts watcher's access to the core: `user` is the
    logged-in supervisor (None for the watcher, which acts as the station)."""

    def __init__(self, store: Store, user: User | None,
                 roots: Sequence[Path] | None = None) -> None:
        self.store = store
        self.user = user
        self.roots = tuple(roots) if roots is not None else drive_roots(store.settings)
        # receipts file -> ((mtime, size), sha256, our record ids, damaged)
        self._seen: dict[Path, tuple[tuple[int, int], str, list[str], bool]] = {}
        self._refused: set[str] = set()  # files that could not be read: said once
        self._lock = threading.Lock()  # the caches are used from a worker thread

    def require(self, user: User | None = None) -> User:
        """The account (the logged-in one by default) if it may carry; PermissionDenied."""
        who = user or self.user
        if who is None:
            raise accounts.PermissionDenied("-", "carry")
        return check_allowed(self.store, who, "carry")

    def authenticate_role(self, username: str, pin: str, action: str) -> User:
        """The PIN check of the supervisor dialog (kiosk.ui.qt_supervisor): active account,
        its PIN (a wrong one counts towards the lockout) and its role, audited as always."""
        return accounts.act_as(self.store, username, pin, action)

    # --- what there is ------------------------------------------------------------------

    def figures(self) -> CarryFigures:
        return carry_figures(self.store)

    def drives_job(self) -> Callable[[], list[Drive]]:
        """The drives plugged in now, as a job (a hung drive must not hang the screen)."""
        roots = self.roots
        return lambda: drives(roots)

    def pending_receipts(self, drive: Path, store: Store | None = None) -> list[PendingReceipts]:
        """This station's receipts files on `drive` it has not read yet; each file is read
        once per change (size, mtime), so polling costs a few directory listings. *worker*"""
        store = store or self.store
        done = set(receipts_read(store))
        out = []
        for path in station_receipts(drive, store.station_id):
            sha, ids, damaged = self._look(store, path)
            if not sha or sha in done or sha in self._refused:
                continue
            out.append(PendingReceipts(path, self._still_unsent(store, ids), damaged))
        return out

    def _look(self, store: Store, path: Path) -> tuple[str, list[str], bool]:
        try:
            st = path.stat()
            stamp = (st.st_mtime_ns, st.st_size)
            with self._lock:
                cached = self._seen.get(path)
            if cached is not None and cached[0] == stamp:
                return cached[1], cached[2], cached[3]
            data = path.read_bytes()
        except OSError:
            return "", [], False  # pulled out meanwhile
        ids, damaged = [], False
        try:
            content = protocol_carry.read_signed(data, "receipts")
            ids = [e["record_id"] for e in content.get("results", [])
                   if isinstance(e, dict) and isinstance(e.get("record_id"), str)]
        except protocol_carry.CarryError as exc:
            log.info("receipts file %s cannot be read: %s", path, exc)
            damaged = True
        sha = protocol_carry.file_sha256(data)
        with self._lock:
            self._seen[path] = (stamp, sha, ids, damaged)
        return sha, ids, damaged

    @staticmethod
    def _still_unsent(store: Store, ids: list[str]) -> int:
        return sum(r[0] for r in _by_ids(
            store, f"SELECT COUNT(*) FROM records WHERE state IN {_UNSENT_SQL} AND id IN", ids))

    def read_new_receipts(self, store: Store | None = None) -> list[ReceiptsRead]:
        """Read every receipts file of this station, on any drive plugged in, that it has
        not read yet: what the window says when such a drive is inserted. A file that cannot
        be read is said once (until it changes). *worker*"""
        store = store or self.store
        out = []
        for drive in drives(self.roots):
            for pending in self.pending_receipts(drive.path, store):
                try:
                    out.append(self.apply_receipts(pending.path.parent, store))
                except CarryFailed as exc:
                    sha = self._look(store, pending.path)[0]
                    with self._lock:
                        self._refused.add(sha)
                    out.append(ReceiptsRead(ReceiptsResult(), exc.msg, failed=True))
        return out

    def read_new_job(self) -> Callable[[], list[ReceiptsRead]]:
        return self.in_worker(self.read_new_receipts)

    # --- export (a supervisor, with PIN) ---------------------------------------------------

    def export(self, user: User, drive: Path, progress: Callable[[int, int], None] | None = None,
               cancel: threading.Event | None = None, since: dt.date | None = None,
               store: Store | None = None) -> ExportResult:
        """Every record the centre does not hold yet onto `drive`, as `user` (who must be
        allowed "carry"; the screen has checked their PIN); audited with the outcome."""
        store = store or self.store
        check_allowed(store, user, "carry")
        drive = Path(drive)
        if not drive.is_dir():
            raise CarryFailed(no_folder(drive))
        key = get_secret(signing_key_name(store.station_id))
        if not key:
            raise CarryFailed(NOT_LINKED)
        if not unsent_ids(store, since):
            raise CarryFailed(NOTHING_WAITS)
        try:
            result = export(store, drive, key, since=since, progress=progress, cancel=cancel)
        except CarryFailed as exc:
            store.audit(user.username, "carry.export_failed",
                        {"drive": str(drive), "error": exc.msg.en})
            raise
        store.audit(user.username, "carry.exported", {
            "folder": result.folder.name, "drive": str(drive), "written": len(result.written),
            "unreadable": len(result.unreadable), "total": result.total,
            "bytes": result.bytes, "cancelled": result.cancelled})
        return result

    def export_job(self, user: User, drive: Path, progress: Callable[[int, int], None],
                   cancel: threading.Event) -> Callable[[], ExportResult]:
        """`export` as a job; the permission is checked at once, and again in the job."""
        check_allowed(self.store, user, "carry")
        return self.in_worker(lambda store: self.export(user, drive, progress, cancel,
                                                        store=store))

    # --- receipts back --------------------------------------------------------------------

    def apply_receipts(self, drive: Path, store: Store | None = None) -> ReceiptsRead:
        """Read every receipts file on `drive` (or in one export folder): the records they
        name become received. The result and its words; audited."""
        store = store or self.store
        result = apply_receipts(store, Path(drive))
        store.audit(self.user.username if self.user else AUTOMATIC, "carry.receipts", {
            "drive": str(drive), "folders": result.folders, "received": len(result.received),
            "already": len(result.already), "refused": len(result.refused)})
        regnos = dict(_by_ids(store, "SELECT id, regno FROM records WHERE id IN",
                              [r for r, _ in result.refused]))
        return ReceiptsRead(result, receipts_words(result, regnos))

    def apply_job(self, drive: Path) -> Callable[[], ReceiptsRead]:
        """`apply_receipts` as a job. *worker*"""
        return self.in_worker(lambda store: self.apply_receipts(drive, store))
