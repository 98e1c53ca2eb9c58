"""Saving a recording: sealed in memory first, then one `BEGIN IMMEDIATE` transaction counts
today's recordings against the cap, takes the next sequence number and writes the record row,
its blobs, its outbox row (trigger) and its audit row. "Tersimpan" is true only once that
commits. Also how the save's small sealed `ident` is read back (the daily log, db check).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kiosk.domain.logfacts import log_facts
from kiosk.domain.messages import DomainError, Msg
from kiosk.domain.recording import Blob, Recording, format_regno
from kiosk.domain.sealing import SealContext
from kiosk.store import audit
from kiosk.store.cap import day_status, refuse_if_reached
from kiosk.store.crypto import Sealer
from kiosk.store.db import iso, write_transaction

if TYPE_CHECKING:
    from kiosk.store.station import Store

IDENT_SEP = "\x1f"  # between NIK and name in a record's sealed `ident`


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
    """Seal and save a complete recording in one transaction; DailyCapReached past the cap."""
    missing = rec.missing_items()
    if missing:
        raise IncompleteRecording(missing)
    sealed = _seal(store.sealer(), rec, operator)
    now = now or store.clock()
    day = store.today(now)
    s = store.settings
    local_time = log_time(now, s.timezone)
    created = iso(now)
    conn = store.db.conn
    with write_transaction(store.db):
        # Today's count, the next sequence number and the cap in force, in one query under
        # the write lock.
        status = day_status(conn, day, int(s["cap.daily"]), s.timezone)
        refuse_if_reached(status)
        regno = format_regno(s["station.kecamatan"], s["station.number"], day,
                             status.last_seq + 1)
        # Plain SQL on this hot path: sqlite-utils' per-insert introspection cost more than
        # the encryption (bench/save.py). The state is the column's default, 'saved'.
        conn.execute(
            "INSERT INTO records (id, regno, local_date, seq, created_at, operator, nik_hash, "
            "biodata, summary, ident, log_head, log_tail) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [rec.record_id, regno, day.isoformat(), status.last_seq + 1, created, operator,
             sealed.nik_hash, sealed.biodata, sealed.summary, sealed.ident,
             f"{local_time},{regno}", sealed.log_tail],
        )
        conn.executemany(
            "INSERT INTO blobs (record_id, kind, sha256, size, content_type, sealed) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            sealed.blob_rows,
        )
        # The outbox row is written by the records_enqueue trigger (schema v002).
        audit.append(store.db, operator, "record.saved",
                     {"record_id": rec.record_id, "regno": regno})
    return SavedRecord(rec.record_id, regno, day, created)
