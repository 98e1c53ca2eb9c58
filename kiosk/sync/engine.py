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
from kiosk.domain.delivery import UNSENT, DeliveryState
from kiosk.store.db import iso
from kiosk.store.outbox import Held, ServerAnswer
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
        return not any(self.backlog.get(s, 0) for s in (*UNSENT, DeliveryState.RECEIVED))


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
        self.outbox = store.outbox
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
            if not self.stop.is_set() and self.outbox.queued() == 0:
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
        if self.outbox.due_count(self.store.clock()):
            return 0.0
        until_reconcile = max(0.0, self.next_full_reconcile - time.monotonic())
        next_at = self.outbox.next_attempt_at()
        if next_at is not None:
            wait_s = (next_at - self.store.clock()).total_seconds()
            return max(0.0, min(wait_s, IDLE_POLL, until_reconcile))
        return min(IDLE_POLL, until_reconcile)

    # --- delivery ---------------------------------------------------------------------

    def _drain(self) -> None:
        """Send the due records, oldest first, keeping `window.slots` in flight."""
        pending = deque(self.outbox.due(self.store.clock(), DRAIN_LIMIT))
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
        self.outbox.start(record_id)
        return build_payload(self.store, record_id, self.signing_key)

    def _failed(self, p: Payload, exc: Exception, *, retry_later: bool) -> None:
        retry_at = None
        if retry_later:
            attempts = self.outbox.attempts(p.record_id)
            retry_at = self.store.clock() + dt.timedelta(
                seconds=full_jitter(attempts, self.base, self.cap, self.rng))
        self.outbox.failed(p.record_id, f"{type(exc).__name__}: {exc}", retry_at)

    def _received(self, p: Payload, receipt: protocol.Receipt) -> None:
        self.outbox.received(p.record_id, p.manifest_sha256,
                             json.dumps(receipt.to_json(), sort_keys=True),
                             receipt.received_at, receipt.server_seq)
        self.last_success = iso(self.store.clock())

    # --- reconciliation ---------------------------------------------------------------

    def reconcile(self, *, full: bool) -> None:
        """Ask the server, in batches, about records we hold as delivered (blobs not purged):
        verify the present, re-queue the missing (an incident each), pull processing status."""
        held = self.outbox.held(include_verified=full)
        for i in range(0, len(held), self.batch):
            if self.stop.is_set():
                return
            self._reconcile_batch(held[i : i + self.batch])

    def _reconcile_batch(self, held: list[Held]) -> None:
        ans = self.client.reconcile([h.record_id for h in held])
        present, statuses = ans["present"], ans.get("status") or {}
        answers: dict[str, ServerAnswer] = {}
        for h in held:  # check every receipt before changing anything
            if h.record_id not in present:
                continue
            protocol.check_receipt(present[h.record_id], self.server_key, h.record_id,
                                   h.manifest_sha256)
            st = statuses.get(h.record_id)
            st = st if isinstance(st, dict) else {}
            answers[h.record_id] = ServerAnswer(
                True, str(st.get("status") or "") or None, str(st.get("reason") or "") or None)
        requeued = self.outbox.reconciled(held, answers, self.store.clock())
        for rid in requeued:
            self.store.add_incident(
                "record_missing_on_server", "server",
                f"record {rid} was missing on the server, re-sent / rekaman {rid} tidak ada di "
                "server, dikirim ulang",
            )

    # --- retention --------------------------------------------------------------------

    def purge(self) -> int:
        """Drop the biometric blobs of records verified more than `retention` ago."""
        now = self.store.clock()
        return self.outbox.purge(now - self.retention, now)


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
