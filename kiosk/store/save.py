"""Saving a recording: sealed in memory first, then one `BEGIN IMMEDIATE` transaction counts
today's recordings against the cap, takes the next sequence number and writes the record row,
its blobs, its outbox row (trigger) and its audit row. "Tersimpan" is true only once that
commits. Also how the save's small sealed `ident` is read back (the daily log, db check).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kiosk.domain.logfacts import log_facts
from kiosk.domain.messages import DomainError, Msg
from kiosk.domain.recording import Blob, Recording, format_regno
from kiosk.domain.sealing import SealContext
from kiosk.store import anchors, audit
from kiosk.store.cap import day_status, refuse_if_reached
from kiosk.store.crypto import Sealer
from kiosk.store.db import DB_NAME, iso, read_only_uri, rollback, write_transaction
from kiosk.store.errors import (
    BUSY_TIMEOUT_S,
    SAVING,
    DiskFull,
    SaveOutcomeUnknown,
    StorageError,
    storage_errors,
)

if TYPE_CHECKING:
    from kiosk.store.station import Store

IDENT_SEP = "\x1f"  # between NIK and name in a record's sealed `ident`
EXISTING_SQL = "SELECT regno, local_date, created_at, nik_hash FROM records WHERE id = ?"
log = logging.getLogger(__name__)


class IncompleteRecording(DomainError):
    """A recording missing items that were neither captured nor excused."""

    def __init__(self, missing: list[str]) -> None:
        names = ", ".join(missing)
        super().__init__(
            Msg(
                f"Perekaman belum lengkap, belum ada: {names}. Rekam atau catat pengecualiannya.",
                f"The recording is incomplete, still missing: {names}. Capture them or record "
                "an exception.",
            )
        )
        self.missing = missing


@dataclass(frozen=True)
class SavedRecord:
    """What the operator learns once the save committed."""

    record_id: str
    regno: str
    local_date: dt.date
    created_at: str


def log_time(t: dt.datetime, tz: dt.tzinfo) -> str:
    """'YYYY-MM-DD HH:MM:SS' in the station's zone: how the daily log shows a time."""
    t = t.astimezone(tz)
    return (
        f"{t.year:04d}-{t.month:02d}-{t.day:02d} {t.hour:02d}:{t.minute:02d}:{t.second:02d}"
    )


def open_ident(
    sealer: Sealer, record_id: str, ident: bytes | None, biodata: bytes
) -> tuple[str, str]:
    """(NIK, name) of a record: from its small sealed `ident`, or from its biodata for a
    record saved before schema v003 had one."""
    if ident is not None:
        plain = sealer.open(ident, SealContext.ident(record_id)).decode()
        nik, _, name = plain.partition(IDENT_SEP)
        return nik, name
    applicant = json.loads(sealer.open(biodata, SealContext.biodata(record_id)))["applicant"]
    return applicant.get("nik", ""), applicant.get("nama", "")


def seal_items(sealer: Sealer, record_id: str, blobs: Iterable[Blob],
               into: dict[str, bytes]) -> None:
    """Seal captured items for `record_id` into `into` (context -> ciphertext), skipping
    those already there."""
    for b in blobs:
        context = SealContext.blob(record_id, b.kind, b.sha256)
        if context not in into:
            into[context] = bytes(sealer.seal(b.data, context))


@dataclass(frozen=True)
class _Sealed:
    """One recording, sealed and rendered, ready for the save transaction."""

    biodata: bytes
    ident: bytes
    nik_hash: str
    blob_rows: list[tuple]
    summary: str
    log_tail: str


def _seal(sealer: Sealer, rec: Recording, operator: str) -> _Sealed:
    rid = rec.record_id
    biodata = {"applicant": rec.applicant.to_dict(), "exceptions": rec.exceptions}
    # Each Blob was hashed when it was captured, and the flow seals each item as it is
    # accepted (seal_items); what is not sealed yet is sealed here.
    blob_rows = []
    for b in rec.blobs:
        context = SealContext.blob(rid, b.kind, b.sha256)
        sealed = rec.sealed.get(context)
        if sealed is None:
            sealed = sealer.seal(b.data, context)
        blob_rows.append((rid, b.kind, b.sha256, len(b.data), b.content_type, sealed))
    summary = {
        "items": sorted(b.kind for b in rec.blobs),
        "exceptions": {k: v.split(":", 1)[0] for k, v in rec.exceptions.items()},
        "quality": rec.quality,
    }
    return _Sealed(
        biodata=sealer.seal(json.dumps(biodata).encode(), SealContext.biodata(rid)),
        ident=sealer.seal(f"{rec.applicant.nik}{IDENT_SEP}{rec.applicant.nama}".encode(),
                          SealContext.ident(rid)),
        nik_hash=sealer.nik_hash(rec.applicant.nik),
        blob_rows=blob_rows,
        summary=json.dumps(summary, sort_keys=True),
        # What the daily log shows of this record, ready for it (see schema v003).
        log_tail=log_facts(summary["items"], summary["exceptions"], rec.quality).csv_tail(
            operator),
    )


def save_recording(store: Store, rec: Recording, operator: str,
                   now: dt.datetime | None = None) -> SavedRecord:
    """Seal and save a complete recording in one transaction; DailyCapReached past the cap.

    A record id saved before (the operator pressed Simpan again) gives the record already
    saved. A storage fault is answered only once it is known whether the record is on disk
    (see _after_fault): saved after all, or a named fault that says it was not saved, or
    SaveOutcomeUnknown when that cannot be known."""
    missing = rec.missing_items()
    if missing:
        raise IncompleteRecording(missing)
    sealed = _seal(store.sealer(), rec, operator)
    now = now or store.clock()
    try:
        saved, fresh = _write(store, rec, operator, sealed, now)
    except _Failed as failed:
        return _after_fault(store, rec, operator, failed)
    if fresh:
        anchors.write_anchor_file(store, saved.record_id, saved.regno, saved.created_at)
    return saved


class _Failed(Exception):
    """A storage fault in the save transaction, and whether COMMIT had been sent."""

    def __init__(self, fault: StorageError, at_commit: bool) -> None:
        super().__init__(str(fault))
        self.fault, self.at_commit = fault, at_commit


def _saved(rid: str, row: Sequence[Any]) -> SavedRecord:
    return SavedRecord(rid, row[0], dt.date.fromisoformat(row[1]), row[2])


def _write(store: Store, rec: Recording, operator: str, sealed: _Sealed, now: dt.datetime
           ) -> tuple[SavedRecord, bool]:
    """BEGIN IMMEDIATE .. COMMIT; (the record, whether this call wrote it)."""
    day = store.today(now)
    s = store.settings
    created = iso(now)
    conn = store.db.conn
    at_commit = False
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            row = conn.execute(EXISTING_SQL, [rec.record_id]).fetchone()
            if row is not None:  # saved before: the same record, never a second one
                if row[3] != sealed.nik_hash:
                    raise RuntimeError(f"record id {rec.record_id} reused for another applicant")
                rollback(conn)
                return _saved(rec.record_id, row), False
            # Today's count, the next sequence number and the cap in force, in one query
            # under the write lock.
            status = day_status(conn, day, int(s["cap.daily"]), s.timezone)
            refuse_if_reached(status)
            regno = format_regno(s["station.kecamatan"], s["station.number"], day,
                                 status.last_seq + 1)
            # Plain SQL on this hot path: sqlite-utils' per-insert introspection cost more
            # than the encryption (bench/save.py). The state is the column's default, 'saved'.
            conn.execute(
                "INSERT INTO records (id, regno, local_date, seq, created_at, operator, "
                "nik_hash, biodata, summary, ident, log_head, log_tail) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [rec.record_id, regno, day.isoformat(), status.last_seq + 1, created, operator,
                 sealed.nik_hash, sealed.biodata, sealed.summary, sealed.ident,
                 f"{log_time(now, s.timezone)},{regno}", sealed.log_tail],
            )
            conn.executemany(
                "INSERT INTO blobs (record_id, kind, sha256, size, content_type, sealed) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                sealed.blob_rows,
            )
            # The outbox row is written by the records_enqueue trigger (schema v002).
            audit.append(store.db, operator, "record.saved",
                         {"record_id": rec.record_id, "regno": regno})
            at_commit = True
            conn.execute("COMMIT")
        except BaseException:
            rollback(conn)
            raise
    except StorageError as fault:
        raise _Failed(fault, at_commit) from fault
    return SavedRecord(rec.record_id, regno, day, created), True


def read_back(store: Store, record_id: str) -> SavedRecord | None:
    """The record as a fresh connection sees it (what a restart would find), or None."""
    with storage_errors(store.data_dir):
        conn = sqlite3.connect(read_only_uri(store.data_dir / DB_NAME), uri=True,
                               timeout=float(BUSY_TIMEOUT_S))
        try:
            row = conn.execute(EXISTING_SQL, [record_id]).fetchone()
        finally:
            conn.close()
    return None if row is None else _saved(record_id, row)


def _after_fault(store: Store, rec: Recording, operator: str, failed: _Failed) -> SavedRecord:
    """The answer to a save whose transaction failed: never a plain "gagal".

    A fault before COMMIT, or a full disk at it (the commit frame was never written), wrote
    nothing. A fault at COMMIT (an fsync that failed) may have left the record's frames in
    the WAL, where the next opening would find them: the record is read back; if absent, a
    small transaction (the audit row `record.save_failed`) is committed over those frames,
    which ends them, and the record is read back again. Only when that cannot be done is the
    answer SaveOutcomeUnknown."""
    fault, rid = failed.fault, rec.record_id
    log.warning("save of %s failed (%s, at commit: %s)", rid, fault.detail, failed.at_commit)
    try:
        found = read_back(store, rid)
        if found is None and failed.at_commit and not isinstance(fault, DiskFull):
            with write_transaction(store.db):
                audit.append(store.db, operator, "record.save_failed",
                             {"record_id": rid, "error": fault.detail})
            found = read_back(store, rid)
    except StorageError as second:
        if not failed.at_commit:
            raise type(fault)(fault.detail, doing=SAVING, quiet=True) from fault
        log.error("save of %s: outcome unknown (%s, then %s)", rid, fault.detail, second.detail)
        raise SaveOutcomeUnknown(fault) from fault
    if found is not None:
        log.warning("save of %s reported %s, but the record is there: saved as %s", rid,
                    fault.detail, found.regno)
        anchors.write_anchor_file(store, found.record_id, found.regno, found.created_at)
        return found
    raise type(fault)(fault.detail, doing=SAVING, quiet=True) from fault
