"""The sync engine: delivers saved records oldest first, reconciles, purges after retention.

Progress lives only in the station database (state, outbox, receipts), never in memory: a
process killed at any moment resumes from what was committed, and the server's idempotent
PUTs make every resend harmless. A record is `received` only on a receipt signed by the pinned
server key that names our manifest hash, and `verified` only when a later reconciliation finds
it still held.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

import ektp_protocol as protocol
from kiosk.store import audit
from kiosk.store.db import iso, write_transaction
from kiosk.store.station import SERVER_CLOCK_SKEW, Store
from kiosk.sync.client import (
    AuthRejected,
    CentralClient,
    Conflict,
    MissingOnServer,
    Refused,
    ServerBusy,
    SyncError,
    Unreachable,
)
from kiosk.sync.manifest import Payload, build_payload
from kiosk.sync.pacing import Window, full_jitter

ONLINE, OFFLINE, BUSY, AUTH = "online", "offline", "busy", "auth"
IDLE_POLL = 5.0  # seconds between looks at the outbox when there is nothing to do
DRAIN_LIMIT = 500


@dataclass(frozen=True)
class SyncState:
    """What the GUI shows: the link, the backlog by delivery state, the last delivery."""

    link: str
    backlog: dict[str, int] = field(default_factory=dict)
    last_success: str | None = None
    detail: str = ""

    @property
    def idle(self) -> bool:
        """Every saved record is received and verified."""
        return not any(self.backlog.get(s, 0) for s in ("saved", "uploading", "received"))


class SyncEngine:
    """One station's delivery loop; call `step()` repeatedly from one thread."""

    def __init__(
        self,
        store: Store,
        client: CentralClient,
        *,
        server_key: str,
        signing_key: str,
        on_state: Callable[[SyncState], None] | None = None,
        stop: threading.Event | None = None,
        rng: random.Random | None = None,
    ) -> None:
        s = store.settings
        self.store = store
        self.client = client
        self.server_key = server_key
        self.signing_key = signing_key
        self.on_state = on_state
        self.stop = stop or threading.Event()
        self.rng = rng or random.Random()
        self.base = float(s["sync.backoff_base"])
        self.cap = float(s["sync.backoff_cap"])
        self.reconcile_every = float(s["sync.reconcile_minutes"]) * 60.0
        self.batch = int(s["sync.reconcile_batch"])
        self.retention = dt.timedelta(days=int(s["sync.retention_days"]))
        ceiling = int(s["sync.max_parallel"])
        # Start wide: a fresh link is assumed fine until a 429/503 or a timeout says otherwise.
        self.window = Window(ceiling, start=ceiling)
        self.link = OFFLINE
        self.detail = "starting"
        self.failures = 0
        self.last_success: str | None = None
        self.next_full_reconcile = 0.0  # due at once: reconcile when the worker starts
        self._incident: int | None = None
        self._reported: SyncState | None = None
        self._pool = ThreadPoolExecutor(self.window.ceiling, thread_name_prefix="sync-send")

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        self.client.close()

    # --- the loop ---------------------------------------------------------------------

    def step(self) -> float:
        """One round (find the server, reconcile if due, send, verify, purge); returns the
        seconds until the next round is due."""
        try:
            if self.link != ONLINE:
                self._health()
                self._online()
            if time.monotonic() >= self.next_full_reconcile:
                if self.link == ONLINE and self.next_full_reconcile > 0:
                    self._health()  # keeps the clock comparison fresh between reconnects
                self.reconcile(full=True)
                self.next_full_reconcile = time.monotonic() + self.reconcile_every
            self._drain()
            if not self.stop.is_set() and self._count("SELECT COUNT(*) FROM outbox") == 0:
                self.reconcile(full=False)  # receipts just earned: ask again to verify
            self.purge()
            delay = self._idle_delay()
        except (SyncError, protocol.ProtocolError) as exc:
            delay = self._link_failure(exc)
        self._report()
        return delay

    def state(self) -> SyncState:
        return SyncState(self.link, self.store.backlog(), self.last_success, self.detail)

    def _report(self) -> None:
        st = self.state()
        if st != self._reported:
            self._reported = st
            if self.on_state is not None:
                self.on_state(st)

    def _health(self) -> None:
        """Ask the server's health, and note how far our clock is from its (freeze gate)."""
        sent = self.store.clock()
        doc = self.client.health()
        back = self.store.clock()
        try:
            server = dt.datetime.fromisoformat(str(doc.get("server_time")))
        except ValueError:
            return  # an old server without a time: nothing to compare
        if server.tzinfo is None:
            return
        ours = sent + (back - sent) / 2
        skew = (ours - server).total_seconds()
        self.store.set_meta(SERVER_CLOCK_SKEW, f"{skew:.1f}")

    def _online(self) -> None:
        if self.link == OFFLINE:
            self.next_full_reconcile = 0.0  # after every reconnect
        if self._incident is not None:
            self.store.end_incident(self._incident)
            self._incident = None
        self.link, self.detail, self.failures = ONLINE, "", 0

    def _link_failure(self, exc: Exception) -> float:
        self.failures += 1
        delay = full_jitter(self.failures, self.base, self.cap, self.rng)
        self.detail = str(exc)[:300]
        if isinstance(exc, ServerBusy):
            self.link = BUSY
            self.window.congestion()
            delay = max(delay, exc.retry_after or 0.0)
        elif isinstance(exc, AuthRejected):
            self.link = AUTH
        else:
            self.link = OFFLINE
            if isinstance(exc, Unreachable):
                self.window.congestion()
            if self._incident is None:
                kind = "server_unreachable" if isinstance(exc, Unreachable) else "server_bad_answer"
                self._incident = self.store.add_incident(kind, "server", self.detail)
        return delay

    def _idle_delay(self) -> float:
        now = iso(self.store.clock())
        if self._count(
            "SELECT COUNT(*) FROM outbox WHERE next_attempt_at IS NULL OR next_attempt_at <= ?", now
        ):
            return 0.0
        until_reconcile = max(0.0, self.next_full_reconcile - time.monotonic())
        row = self.store.db.execute("SELECT MIN(next_attempt_at) FROM outbox").fetchone()
        if row[0]:
            wait_s = (dt.datetime.fromisoformat(row[0]) - self.store.clock()).total_seconds()
            return max(0.0, min(wait_s, IDLE_POLL, until_reconcile))
        return min(IDLE_POLL, until_reconcile)

    def _count(self, sql: str, *args: object) -> int:
        return int(self.store.db.execute(sql, list(args)).fetchone()[0])

    # --- delivery ---------------------------------------------------------------------

    def _due(self) -> list[str]:
        rows = self.store.db.execute(
            "SELECT o.record_id FROM outbox o JOIN records r ON r.id = o.record_id "
            "WHERE o.next_attempt_at IS NULL OR o.next_attempt_at <= ? "
            "ORDER BY r.created_at, r.id LIMIT ?",
            [iso(self.store.clock()), DRAIN_LIMIT],
        )
        return [r[0] for r in rows]

    def _drain(self) -> None:
        """Send the due records, oldest first, keeping `window.slots` in flight."""
        pending = deque(self._due())
        inflight: dict[Future[dict], Payload] = {}
        halt: Exception | None = None
        while inflight or (pending and halt is None and not self.stop.is_set()):
            while pending and halt is None and not self.stop.is_set() \
                    and len(inflight) < self.window.slots:
                payload = self._start(pending.popleft())
                inflight[self._pool.submit(self._deliver, payload)] = payload
            done, _ = wait(list(inflight), return_when=FIRST_COMPLETED)
            for fut in done:
                payload = inflight.pop(fut)
                try:
                    receipt = protocol.check_receipt(
                        fut.result(), self.server_key, payload.record_id, payload.manifest_sha256
                    )
                except (Conflict, Refused, MissingOnServer) as exc:
                    self._failed(payload, exc, retry_later=True)
                except (SyncError, protocol.ProtocolError) as exc:
                    self._failed(payload, exc, retry_later=False)
                    if isinstance(exc, ServerBusy | Unreachable):
                        self.window.congestion()
                    halt = halt or exc
                else:
                    self._received(payload, receipt)
                    self.window.success()
        if halt is not None:
            raise halt

    def _deliver(self, p: Payload) -> dict:
        """On a sender thread, no database: missing blobs, then the manifest."""
        for sha in self.client.missing_blobs(sorted(p.blobs)):
            self.client.put_blob(sha, p.blobs[sha])
        try:
            return self.client.put_record(p.record_id, p.manifest, p.signature)
        except MissingOnServer as exc:
            # The server lost a blob between our question and the manifest: resume per blob.
            for sha in exc.missing:
                if sha in p.blobs:
                    self.client.put_blob(sha, p.blobs[sha])
            return self.client.put_record(p.record_id, p.manifest, p.signature)

    def _start(self, record_id: str) -> Payload:
        with write_transaction(self.store.db):
            self.store.db.execute(
                "UPDATE outbox SET attempts = attempts + 1 WHERE record_id = ?", [record_id]
            )
            self.store.db.execute(
                "UPDATE records SET state = 'uploading' WHERE id = ? AND state = 'saved'",
                [record_id],
            )
        return build_payload(self.store, record_id, self.signing_key)

    def _failed(self, p: Payload, exc: Exception, *, retry_later: bool) -> None:
        now = self.store.clock()
        next_at = None
        if retry_later:
            attempts = self._count("SELECT attempts FROM outbox WHERE record_id = ?", p.record_id)
            next_at = iso(now + dt.timedelta(seconds=full_jitter(attempts, self.base, self.cap,
                                                                 self.rng)))
        with write_transaction(self.store.db):
            self.store.db.execute(
                "UPDATE outbox SET last_error = ?, next_attempt_at = ? WHERE record_id = ?",
                [f"{type(exc).__name__}: {exc}"[:500], next_at, p.record_id],
            )
            self.store.db.execute(
                "UPDATE records SET state = 'saved' WHERE id = ? AND state = 'uploading'",
                [p.record_id],
            )

    def _received(self, p: Payload, receipt: protocol.Receipt) -> None:
        with write_transaction(self.store.db):
            self.store.db.execute(
                "UPDATE records SET state = 'received', manifest_sha256 = ?, receipt = ?, "
                "received_at = ?, verified_at = NULL, processing_status = 'received', "
                "reject_reason = NULL WHERE id = ?",
                [p.manifest_sha256, json.dumps(receipt.to_json(), sort_keys=True),
                 receipt.received_at, p.record_id],
            )
            self.store.db.execute("DELETE FROM outbox WHERE record_id = ?", [p.record_id])
            audit.append(self.store.db, "sync", "record.received", {
                "record_id": p.record_id, "server_seq": receipt.server_seq,
                "manifest_sha256": p.manifest_sha256,
            })
        self.last_success = iso(self.store.clock())

    # --- reconciliation ---------------------------------------------------------------

    def reconcile(self, *, full: bool) -> None:
        """Ask the server, in batches, about records we hold as delivered (blobs not purged):
        verify the present, re-queue the missing (an incident each), pull processing status."""
        states = "('received', 'verified')" if full else "('received')"
        rows = list(self.store.db.execute(
            f"SELECT id, manifest_sha256, state, processing_status FROM records "
            f"WHERE state IN {states} AND purged_at IS NULL ORDER BY created_at, id"
        ))
        for i in range(0, len(rows), self.batch):
            if self.stop.is_set():
                return
            self._reconcile_batch(rows[i : i + self.batch])

    def _reconcile_batch(self, rows: list[tuple]) -> None:
        ans = self.client.reconcile([r[0] for r in rows])
        for rid, sha, _, _ in rows:  # check every receipt before changing anything
            if rid in ans["present"]:
                protocol.check_receipt(ans["present"][rid], self.server_key, rid, sha)
        statuses = ans.get("status") or {}
        now = iso(self.store.clock())
        requeued = []
        db = self.store.db
        with write_transaction(db):
            for rid, _, state, pstatus in rows:
                if rid not in ans["present"]:
                    db.execute("UPDATE records SET state = 'saved', verified_at = NULL "
                               "WHERE id = ?", [rid])
                    db.execute("INSERT OR REPLACE INTO outbox (record_id, enqueued_at, attempts) "
                               "VALUES (?, ?, 0)", [rid, now])
                    audit.append(db, "sync", "record.requeued", {"record_id": rid})
                    requeued.append(rid)
                    continue
                if state == "received":
                    db.execute("UPDATE records SET state = 'verified', verified_at = ? "
                               "WHERE id = ?", [now, rid])
                    audit.append(db, "sync", "record.verified", {"record_id": rid})
                st = statuses.get(rid) if isinstance(statuses.get(rid), dict) else None
                if st and st.get("status") in ("accepted", "rejected") and st["status"] != pstatus:
                    reason = str(st.get("reason") or "")[:500] or None
                    db.execute("UPDATE records SET processing_status = ?, reject_reason = ? "
                               "WHERE id = ?", [st["status"], reason, rid])
                    audit.append(db, "sync", f"record.{st['status']}",
                                 {"record_id": rid, "reason": reason})
        for rid in requeued:
            self.store.add_incident(
                "record_missing_on_server", "server",
                f"record {rid} was missing on the server, re-sent / rekaman {rid} tidak ada di "
                "server, dikirim ulang",
            )

    # --- retention --------------------------------------------------------------------

    def purge(self) -> int:
        """Drop the biometric blobs of records verified more than `retention` ago."""
        cutoff = iso(self.store.clock() - self.retention)
        ids = [r[0] for r in self.store.db.execute(
            "SELECT id FROM records WHERE state = 'verified' AND purged_at IS NULL "
            "AND verified_at <= ?", [cutoff])]
        if not ids:
            return 0
        now = iso(self.store.clock())
        with write_transaction(self.store.db):
            for rid in ids:
                self.store.db.execute("UPDATE blobs SET sealed = NULL WHERE record_id = ?", [rid])
                self.store.db.execute("UPDATE records SET purged_at = ? WHERE id = ?", [now, rid])
                audit.append(self.store.db, "sync", "record.purged", {"record_id": rid})
        return len(ids)


def run_until_idle(engine: SyncEngine, timeout: float) -> bool:
    """Step until every saved record is received and verified (True) or `timeout` runs out."""
    deadline = time.monotonic() + timeout
    while True:
        delay = engine.step()
        if engine.state().idle:
            return True
        remaining = deadline - time.monotonic()
        if remaining <= 0 or engine.stop.is_set():
            return False
        engine.stop.wait(min(delay, remaining))
