"""The outbox: the only code that changes a record's delivery state or processing status.

Every transition of a record's life after the save is a method here, in its own write
transaction, with its audit row:

    saved --start--> uploading --received--> received --verified--> verified --purge
      ^                  |                       |                      |
      +--failed/fault----+        requeue (the server lost it) ---------+
    processing status (received | accepted | rejected + reason): from a reconciliation or
    the server's status changes

A *fault* is a record that could not be read to be sent (a rotten blob): back to saved with
its error and a later retry, one incident naming it while it lasts. The last delivery's time
and the status-change cursor are kept in `meta`. A receipt may come back on a drive too.

The save itself enqueues (the records_enqueue trigger of schema v2 writes the outbox row of
every new record). Other modules read states only through the names in
kiosk.domain.delivery and the queries here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlite_utils

from kiosk.domain.delivery import DELIVERED, UNSENT, DeliveryState, ProcessingStatus
from kiosk.store import audit
from kiosk.store.db import iso, utcnow, write_transaction

SAVED, UPLOADING = DeliveryState.SAVED, DeliveryState.UPLOADING
RECEIVED, VERIFIED = DeliveryState.RECEIVED, DeliveryState.VERIFIED
# meta keys: when a record was last received by the server (home's "Terakhir berhasil"),
# and how far the server's status changes have been applied
LAST_SUCCESS = "sync.last_success"
STATUS_CURSOR = "sync.status_cursor"
FAULT_PREFIX = "fault: "  # outbox.last_error of a record that could not be read
FAULT_INCIDENT = "record_fault"


def sql_text(value: str) -> str:
    """`value` as an SQL string literal (for SQL built from the enums, never from input)."""
    return "'" + value.replace("'", "''") + "'"


def sql_list(values: Iterable[str]) -> str:
    return "(" + ", ".join(sql_text(v) for v in values) + ")"


# How the daily log counts a record (kiosk.domain.delivery.delivery_bucket, as SQL over the
# (local_date, state, processing_status) index): 0 synced, 1 waiting, 2 rejected.
BUCKET_SQL = (
    f"CASE WHEN processing_status IS {sql_text(ProcessingStatus.REJECTED)} THEN 2 "
    f"WHEN state IN {sql_list(DELIVERED)} THEN 0 ELSE 1 END"
)
IS_REJECTED_SQL = f"processing_status = {sql_text(ProcessingStatus.REJECTED)}"


@dataclass(frozen=True)
class Held:
    """A record the station holds as delivered, to be checked against the server."""

    record_id: str
    manifest_sha256: str
    state: DeliveryState
    status: str | None


@dataclass(frozen=True)
class ServerAnswer:
    """One record in a reconciliation answer: held or not, and the centre's decision."""

    present: bool
    status: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Fault:
    """A queued record that could not be read to be sent."""

    record_id: str
    regno: str
    since: dt.datetime | None  # when the fault was first seen (its incident's start)
    error: str  # technical: "DecryptionFailed: ..."
    attempts: int
    next_attempt_at: dt.datetime | None


@dataclass(frozen=True)
class StatusChange:
    """One decision of the centre from its change log."""

    record_id: str
    status: str
    reason: str | None


class Outbox:
    """The delivery state of one station's records (`records.state`, the `outbox` table)."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    # --- reading ---------------------------------------------------------------------

    def backlog(self) -> dict[str, int]:
        """Record count per delivery state (every state listed, zeros included)."""
        counts: dict[str, int] = {s: 0 for s in DeliveryState}
        for state, n in self.db.execute("SELECT state, COUNT(*) FROM records GROUP BY state"):
            counts[DeliveryState(state)] = n
        return counts

    def queued(self) -> int:
        """Records in the outbox (saved, or being sent)."""
        return self._count("SELECT COUNT(*) FROM outbox")

    def due_count(self, now: dt.datetime) -> int:
        return self._count(
            "SELECT COUNT(*) FROM outbox WHERE next_attempt_at IS NULL OR next_attempt_at <= ?",
            iso(now),
        )

    def due(self, now: dt.datetime, limit: int) -> list[str]:
        """Queued records whose retry time has come, oldest recording first."""
        rows = self.db.execute(
            "SELECT o.record_id FROM outbox o JOIN records r ON r.id = o.record_id "
            "WHERE o.next_attempt_at IS NULL OR o.next_attempt_at <= ? "
            "ORDER BY r.created_at, r.id LIMIT ?",
            [iso(now), limit],
        )
        return [r[0] for r in rows]

    def next_attempt_at(self) -> dt.datetime | None:
        row = self.db.execute("SELECT MIN(next_attempt_at) FROM outbox").fetchone()
        return dt.datetime.fromisoformat(row[0]) if row and row[0] else None

    def regno(self, record_id: str) -> str | None:
        return self._one("SELECT regno FROM records WHERE id = ?", record_id)
    def attempts(self, record_id: str) -> int:
        return self._count("SELECT attempts FROM outbox WHERE record_id = ?", record_id)
    def oldest_unsent(self) -> dt.datetime | None:
        """When the oldest record the server does not hold yet was saved."""
        row = self.db.execute(
            f"SELECT MIN(created_at) FROM records WHERE state IN {sql_list(UNSENT)}"
        ).fetchone()
        return dt.datetime.fromisoformat(row[0]) if row and row[0] else None

    def held(self, *, include_verified: bool) -> list[Held]:
        """Records held as delivered (blobs not purged), oldest first: what a reconciliation
        asks about (`include_verified`: a full one; else only those awaiting verification)."""
        states = DELIVERED if include_verified else (RECEIVED,)
        rows = self.db.execute(
            "SELECT id, manifest_sha256, state, processing_status FROM records "
            f"WHERE state IN {sql_list(states)} AND purged_at IS NULL ORDER BY created_at, id"
        )
        return [Held(r[0], r[1], DeliveryState(r[2]), r[3]) for r in rows]

    def faults(self) -> list[Fault]:
        """Queued records whose last try could not read them, oldest recording first."""
        rows = self.db.execute(
            "SELECT o.record_id, r.regno, o.last_error, o.attempts, o.next_attempt_at, "
            "(SELECT MIN(i.started_at) FROM incidents i WHERE i.kind = ? AND i.ended_at IS NULL "
            " AND i.detail LIKE '%' || o.record_id || '%') "
            "FROM outbox o JOIN records r ON r.id = o.record_id "
            "WHERE o.last_error LIKE ? ORDER BY r.created_at, r.id",
            [FAULT_INCIDENT, FAULT_PREFIX + "%"],
        )
        return [Fault(rid, regno, _ts(since), err[len(FAULT_PREFIX):], int(n), _ts(nxt))
                for rid, regno, err, n, nxt, since in rows]

    def last_success(self) -> str | None:  # ISO, UTC; kept across restarts
        return self._meta(LAST_SUCCESS)

    def status_cursor(self) -> int:  # where the server's status changes are read from next
        value = self._meta(STATUS_CURSOR)
        return int(value) if value and value.isdigit() else 0

    def _meta(self, key: str) -> str | None:
        return self._one("SELECT value FROM meta WHERE key = ?", key)

    def rejected_counts(self) -> tuple[int, int]:
        """(records the centre rejected, of those whose applicant is not yet informed)."""
        total, waiting = self.db.execute(
            "SELECT COUNT(*), COUNT(*) - COUNT(contacted_at) FROM records "
            f"WHERE {IS_REJECTED_SQL}"
        ).fetchone()
        return int(total), int(waiting or 0)

    def is_rejected(self, record_id: str) -> bool | None:
        """Whether the centre rejected `record_id` (None: no such record)."""
        row = self.db.execute(
            "SELECT processing_status FROM records WHERE id = ?", [record_id]
        ).fetchone()
        return None if row is None else row[0] == ProcessingStatus.REJECTED

    def delivery_counts(self, first: dt.date, last: dt.date) -> tuple[int, int, int, int]:
        """(recordings, synced, waiting, rejected) over the local days first..last."""
        row = self.db.execute(
            "SELECT COUNT(*), COALESCE(SUM(b = 0), 0), COALESCE(SUM(b = 1), 0), "
            f"COALESCE(SUM(b = 2), 0) FROM (SELECT {BUCKET_SQL} AS b FROM records "
            "WHERE local_date >= ? AND local_date <= ?)",
            [first.isoformat(), last.isoformat()],
        ).fetchone()
        return int(row[0]), int(row[1]), int(row[2]), int(row[3])

    def _one(self, sql: str, *args: object) -> str | None:
        row = self.db.execute(sql, list(args)).fetchone()
        return row[0] if row else None

    def _count(self, sql: str, *args: object) -> int:
        row = self.db.execute(sql, list(args)).fetchone()
        return int(row[0]) if row and row[0] is not None else 0

    def _faulted(self, record_id: str) -> bool:
        return (self._one("SELECT last_error FROM outbox WHERE record_id = ?", record_id)
                or "").startswith(FAULT_PREFIX)

    def _end_fault(self, record_id: str, at: str) -> None:
        """Inside a transaction: the record was read whole, so its fault (if any) is over."""
        if self._faulted(record_id):
            self.db.execute(
                "UPDATE incidents SET ended_at = ? WHERE kind = ? AND ended_at IS NULL "
                "AND detail LIKE ?", [at, FAULT_INCIDENT, f"%{record_id}%"])

    # --- transitions -----------------------------------------------------------------

    def start(self, record_id: str) -> bool:
        """A send begins: one more attempt; saved -> uploading. True on the first attempt at
        a record the server never acknowledged (none of its blobs can be there yet)."""
        with write_transaction(self.db):
            self.db.execute("UPDATE outbox SET attempts = attempts + 1 WHERE record_id = ?",
                            [record_id])
            self.db.execute("UPDATE records SET state = ? WHERE id = ? AND state = ?",
                            [UPLOADING, record_id, SAVED])
            row = self.db.execute(
                "SELECT o.attempts, r.received_at FROM outbox o JOIN records r "
                "ON r.id = o.record_id WHERE o.record_id = ?", [record_id]).fetchone()
        return row is not None and row[0] == 1 and row[1] is None

    def failed(self, record_id: str, error: str, retry_at: dt.datetime | None,
               now: dt.datetime | None = None) -> None:
        """A send failed: uploading -> saved, the error kept, retried at `retry_at` (None:
        as soon as the link allows)."""
        with write_transaction(self.db):
            if now is not None:
                self._end_fault(record_id, iso(now))
            self.db.execute(
                "UPDATE outbox SET last_error = ?, next_attempt_at = ? WHERE record_id = ?",
                [error[:500], iso(retry_at) if retry_at else None, record_id],
            )
            self.db.execute(
                "UPDATE records SET state = ? WHERE id = ? AND state = ?",
                [SAVED, record_id, UPLOADING],
            )

    def fault(self, record_id: str, error: str, retry_at: dt.datetime, now: dt.datetime,
              detail: str) -> bool:
        """The record could not be read to be sent: uploading -> saved, the error kept, tried
        again at `retry_at`. The first time, an incident with `detail` (which must name the
        record id) is opened; True then."""
        with write_transaction(self.db):
            new = not self._faulted(record_id)
            self.db.execute(
                "UPDATE outbox SET last_error = ?, next_attempt_at = ? WHERE record_id = ?",
                [(FAULT_PREFIX + error)[:500], iso(retry_at), record_id],
            )
            self.db.execute("UPDATE records SET state = ? WHERE id = ? AND state = ?",
                            [SAVED, record_id, UPLOADING])
            if new:
                self.db.execute(
                    "INSERT INTO incidents (started_at, kind, device, detail) "
                    "VALUES (?, ?, 'record', ?)", [iso(now), FAULT_INCIDENT, detail])
                audit.append(self.db, "sync", "record.fault",
                             {"record_id": record_id, "error": error[:200]})
        return new

    def received(self, record_id: str, manifest_sha256: str, receipt_json: str,
                 received_at: str, server_seq: int, now: dt.datetime | None = None,
                 carried: bool = False) -> None:
        """The server's signed receipt for our manifest: -> received, out of the outbox; the
        time is kept as the last delivery (`carried`: it came back on a drive)."""
        with write_transaction(self.db):
            if now is not None:
                self._end_fault(record_id, iso(now))
                self._set_meta(LAST_SUCCESS, iso(now))
            if carried:
                self.db.execute("UPDATE records SET carry_receipt_at = ? WHERE id = ?",
                                [iso(now or utcnow()), record_id])
            self.db.execute(
                "UPDATE records SET state = ?, manifest_sha256 = ?, receipt = ?, "
                "received_at = ?, verified_at = NULL, processing_status = ?, "
                "reject_reason = NULL WHERE id = ?",
                [RECEIVED, manifest_sha256, receipt_json, received_at,
                 ProcessingStatus.RECEIVED, record_id],
            )
            self.db.execute("DELETE FROM outbox WHERE record_id = ?", [record_id])
            audit.append(self.db, "sync", "record.received", {
                "record_id": record_id, "server_seq": server_seq,
                "manifest_sha256": manifest_sha256,
            })

    def reconciled(self, held: Sequence[Held], answers: dict[str, ServerAnswer],
                   now: dt.datetime) -> list[str]:
        """Apply one reconciliation batch in one transaction: a record the server lacks is
        re-queued, one it holds is verified, a new decision of the centre is kept. Returns
        the ids re-queued (each deserves an incident)."""
        at = iso(now)
        requeued = []
        with write_transaction(self.db):
            for h in held:
                answer = answers.get(h.record_id) or ServerAnswer(False)
                if not answer.present:
                    self._requeue(h.record_id, at)
                    requeued.append(h.record_id)
                    continue
                if h.state == RECEIVED:
                    self.db.execute("UPDATE records SET state = ?, verified_at = ? WHERE id = ?",
                                    [VERIFIED, at, h.record_id])
                    audit.append(self.db, "sync", "record.verified", {"record_id": h.record_id})
                if answer.status in (ProcessingStatus.ACCEPTED, ProcessingStatus.REJECTED) \
                        and answer.status != h.status:
                    self._set_status(h.record_id, ProcessingStatus(answer.status), answer.reason)
        return requeued

    def status_changed(self, changes: Sequence[StatusChange], cursor: int) -> int:
        """Apply the centre's decisions from its change log, in order, and move the cursor,
        in one transaction; records not held here are skipped. Returns how many changed."""
        applied = 0
        with write_transaction(self.db):
            for c in changes:
                try:
                    status = ProcessingStatus(c.status)
                except ValueError:
                    continue  # a word this station does not know yet
                row = self.db.execute(
                    "SELECT processing_status, reject_reason FROM records WHERE id = ?",
                    [c.record_id]).fetchone()
                reason = (c.reason or "")[:500] or None
                if row is None or (row[0], row[1]) == (status, reason):
                    continue
                self._set_status(c.record_id, status, reason)
                applied += 1
            self._set_meta(STATUS_CURSOR, str(int(cursor)))
        return applied

    def _set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT INTO meta (key, value) VALUES (?, ?) "
                        "ON CONFLICT(key) DO UPDATE SET value = excluded.value", [key, value])

    def _requeue(self, record_id: str, at: str) -> None:
        self.db.execute("UPDATE records SET state = ?, verified_at = NULL WHERE id = ?",
                        [SAVED, record_id])
        self.db.execute("INSERT OR REPLACE INTO outbox (record_id, enqueued_at, attempts) "
                        "VALUES (?, ?, 0)", [record_id, at])
        audit.append(self.db, "sync", "record.requeued", {"record_id": record_id})

    def _set_status(self, record_id: str, status: ProcessingStatus, reason: str | None) -> None:
        reason = (reason or "")[:500] or None
        self.db.execute("UPDATE records SET processing_status = ?, reject_reason = ? "
                        "WHERE id = ?", [status, reason, record_id])
        audit.append(self.db, "sync", f"record.{status}", {"record_id": record_id,
                                                           "reason": reason})

    def purge(self, verified_before: dt.datetime, now: dt.datetime) -> int:
        """Drop the biometric blobs of records verified before `verified_before`; the row, its
        receipt and its manifest hash stay. Returns how many records were purged."""
        ids = [r[0] for r in self.db.execute(
            "SELECT id FROM records WHERE state = ? AND purged_at IS NULL "
            "AND verified_at <= ?", [VERIFIED, iso(verified_before)])]
        if not ids:
            return 0
        at = iso(now)
        with write_transaction(self.db):
            for rid in ids:
                self.db.execute("UPDATE blobs SET sealed = NULL WHERE record_id = ?", [rid])
                self.db.execute("UPDATE records SET purged_at = ? WHERE id = ?", [at, rid])
                audit.append(self.db, "sync", "record.purged", {"record_id": rid})
        return len(ids)

    # --- history written at once (the demo's month of a station's life) ------------------

    def settle(self, record_id: str, received_at: dt.datetime, status: ProcessingStatus,
               reason: str | None = None) -> None:
        """Mark a record as delivered and decided without a server (demo history only):
        received at `received_at` and since verified, with the centre's `status`."""
        with write_transaction(self.db):
            self.db.execute(
                "UPDATE records SET state = ?, received_at = ?, processing_status = ?, "
                "reject_reason = ? WHERE id = ?",
                [VERIFIED, iso(received_at), status, reason, record_id],
            )
            self.db.execute("DELETE FROM outbox WHERE record_id = ?", [record_id])


def _ts(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None
