"""The sync engine: delivers saved records oldest first, reconciles, purges after retention.

Progress lives only in the station database (state, outbox, receipts), never in memory: a
process killed at any moment resumes from what was committed, and the server's idempotent
PUTs make every resend harmless. A record is `received` only on a receipt signed by the pinned
server key that names our manifest hash, and `verified` only when a later reconciliation finds
it still held.

Nothing stops delivery: a record that cannot be read is a *fault* (its own error, backoff and
incident; the others go on), and any other failure of a round is logged with its traceback,
reported as the state `stopped` with the reason, and retried with backoff.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

import ektp_protocol as protocol
from kiosk.domain.messages import DomainError, Msg
from kiosk.store.db import iso
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
from kiosk.sync.faults import fault_incident
from kiosk.sync.manifest import Payload, build_payload
from kiosk.sync.pacing import Window, full_jitter
from kiosk.sync.reconcile import ServerRecords
from kiosk.sync.report import StationReports
from kiosk.sync.state import AUTH, BUSY, OFFLINE, ONLINE, STOPPED, SyncState, stopped_words

__all__ = ["AUTH", "BUSY", "OFFLINE", "ONLINE", "STOPPED", "SyncEngine", "SyncState",
           "run_until_idle"]

log = logging.getLogger(__name__)

LINK_INCIDENTS = ("server_unreachable", "server_bad_answer")
IDLE_POLL = 5.0  # default of sync.link_check_seconds: rounds apart while nothing is due
DRAIN_LIMIT = 500


class SyncEngine(ServerRecords, StationReports):
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
        self.idle_poll = float(s["sync.link_check_seconds"])
        self.quiet = False  # online with nothing due: questions get the short health timeout
        self.batch = int(s["sync.reconcile_batch"])
        self.retention = dt.timedelta(days=int(s["sync.retention_days"]))
        ceiling = int(s["sync.max_parallel"])
        # Start wide: a fresh link is assumed fine until a 429/503 or a timeout says otherwise.
        self.window = Window(ceiling, start=ceiling)
        self.link = OFFLINE
        self.detail = "starting"
        self.problem: Msg | None = None
        self.failures = 0
        self.last_success: str | None = self.outbox.last_success()
        self.next_full_reconcile = 0.0  # due at once: reconcile when the worker starts
        self.reconciled = False
        self.delivered = 0  # receipts since the server last said what it holds of ours
        # negotiated calls: a server answering 404 does not offer them (asked again once
        # the link was lost: the server may come back upgraded)
        self.offers = {"status-changes": True, "station": True, "report": True}
        self.report_every = float(s["sync.report_minutes"]) * 60.0
        # the link's, ended once online; delivery stopped, ended by a whole round (one left
        # open by an earlier process is this one's: its cause ends here too)
        self._incident: int | None = self._still_open(*LINK_INCIDENTS)
        self._stopped_incident: int | None = self._still_open("sync_stopped")
        self._reported: SyncState | None = None
        self.last_state = SyncState(self.link, {}, self.last_success, self.detail)
        self._pool = ThreadPoolExecutor(self.window.ceiling, thread_name_prefix="sync-send")

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        self.client.close()

    # --- the loop ---------------------------------------------------------------------

    def step(self) -> float:
        """One round (find the server, reconcile if due, pull decisions, send, verify,
        purge); returns the seconds until the next round is due. Never raises: whatever
        fails is logged, reported in the state and retried after a backoff."""
        try:
            delay = self._round()
            if self._stopped_incident is not None:  # a whole round again: it is over
                for incident_id in self._open_ids("sync_stopped"):
                    self.store.end_incident(incident_id)
                self._stopped_incident = None
        except (SyncError, protocol.ProtocolError) as exc:
            delay = self._link_failure(exc)
        except Exception as exc:  # noqa: BLE001  (the loop must outlive any failure)
            delay = self._unexpected(exc)
        try:
            st = self.state()
        except Exception as exc:  # noqa: BLE001  (the store itself failed: say so)
            delay = self._unexpected(exc)
            st = SyncState(STOPPED, {}, self.last_success, self.detail, self.reconciled,
                           stopped=self.problem)
        self.last_state = st
        if st != self._reported:
            self._reported = st
            if self.on_state is not None:
                self.on_state(st)
        return delay

    def _round(self) -> float:
        self.quiet = False
        if self.link != ONLINE:
            self._health()
            self._online()
        elif self.outbox.due_count(self.store.clock()) == 0:
            # Idle: one light GET /v1/health a round keeps the link state fresh (a server gone
            # silent is offline within link_check_seconds + health_timeout), and the round's
            # other questions wait no longer than it either.
            self.quiet = True
            self.client.health()
            self._report()
        if time.monotonic() >= self.next_full_reconcile:
            if self.link == ONLINE and self.next_full_reconcile > 0:
                self._health()  # keeps the clock comparison fresh between reconnects
            if self.reconcile(full=True):
                self.reconciled = True
                self.next_full_reconcile = time.monotonic() + self.reconcile_every
        self._status_changes()
        self._drain()
        if self.delivered:
            self._server_holds()  # it holds more of ours now
            self.next_report = 0.0  # and our backlog shrank: tell the console now
            self._report()
        if not self.stop.is_set() and self.outbox.due_count(self.store.clock()) == 0:
            # receipts just earned: ask again to verify (records waiting for a later retry,
            # a fault among them, do not hold the others back)
            self.reconcile(full=False)
        self.purge()
        return self._idle_delay()

    def state(self) -> SyncState:
        faulted = tuple(f.regno for f in self.outbox.faults())
        return SyncState(self.link, self.store.backlog(), self.last_success, self.detail,
                         self.reconciled, faulted, self.problem if self.link == STOPPED else None)

    def _health(self) -> None:
        """Ask the server's health, and note how far our clock is from its (freeze gate)
        and the newest record it holds from us (the database-replaced check)."""
        sent = self.store.clock()
        doc = self.client.health()
        back = self.store.clock()
        try:
            server = dt.datetime.fromisoformat(str(doc.get("server_time")))
        except ValueError:
            server = None  # an old server without a time: nothing to compare
        if server is not None and server.tzinfo is not None:
            skew = ((sent + (back - sent) / 2) - server).total_seconds()
            self.store.set_meta(SERVER_CLOCK_SKEW, f"{skew:.1f}")
        self._server_holds()
        self._report()

    def _online(self) -> None:
        if self.link == OFFLINE:
            self.next_full_reconcile = 0.0  # after every reconnect
            self.next_report = 0.0
        if self._incident is not None:
            for incident_id in self._open_ids(*LINK_INCIDENTS):  # earlier processes' too
                self.store.end_incident(incident_id)
            self._incident = None
        self.link, self.detail, self.problem, self.failures = ONLINE, "", None, 0

    def _open_ids(self, *kinds: str) -> list[int]:
        marks = ", ".join("?" * len(kinds))
        return [int(r[0]) for r in self.store.db.execute(
            f"SELECT id FROM incidents WHERE ended_at IS NULL AND kind IN ({marks}) "
            "ORDER BY id DESC", list(kinds))]

    def _still_open(self, *kinds: str) -> int | None:
        """The newest open incident of `kinds` (a station restarted while it lasted)."""
        try:
            return next(iter(self._open_ids(*kinds)), None)
        except Exception:  # noqa: BLE001  (a store that cannot be read: the round will say)
            log.warning("open incidents could not be read", exc_info=True)
            return None

    def _unexpected(self, exc: Exception) -> float:
        """A round failed other than on the link (the store, the data key, a bug): log it (an
        unnamed error with its traceback), say so in the state, back off."""
        if isinstance(exc, DomainError):
            log.warning("sync stopped: %s", exc.msg.en)
        else:
            log.error("sync round failed: %s: %s", type(exc).__name__, exc, exc_info=exc)
        self.failures += 1
        self.link = STOPPED
        self.detail = f"{type(exc).__name__}: {exc}"[:300]
        self.problem = stopped_words(exc)
        if self._stopped_incident is None:
            self._stopped_incident = self._open_incident("sync_stopped")
        return full_jitter(self.failures, self.base, self.cap, self.rng) + self.base

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
            self.offers = dict.fromkeys(self.offers, True)  # it may be upgraded when back
            self.client.offers_bundle = None
            if isinstance(exc, Unreachable):
                self.window.congestion()
            if self._incident is None:
                self._incident = self._open_incident(
                    "server_unreachable" if isinstance(exc, Unreachable) else "server_bad_answer")
        return delay

    def _open_incident(self, kind: str) -> int | None:
        try:
            return self.store.add_incident(kind, "server", self.detail)
        except Exception:  # noqa: BLE001  (the store may be what failed)
            log.warning("the incident could not be written", exc_info=True)
            return None

    def _idle_delay(self) -> float:
        if self.outbox.due_count(self.store.clock()):
            return 0.0
        until_reconcile = max(0.0, self.next_full_reconcile - time.monotonic())
        next_at = self.outbox.next_attempt_at()
        if next_at is not None:
            wait_s = (next_at - self.store.clock()).total_seconds()
            return max(0.0, min(wait_s, self.idle_poll, until_reconcile))
        return min(self.idle_poll, until_reconcile)

    # --- delivery ---------------------------------------------------------------------

    def _drain(self) -> None:
        """Send the due records, oldest first, keeping `window.slots` in flight."""
        pending = deque(self.outbox.due(self.store.clock(), DRAIN_LIMIT))
        if pending:
            self.store.sealer()  # no data key, no record can be read: the round stops here
        inflight: dict[Future[dict], Payload] = {}
        halt: Exception | None = None
        while inflight or (pending and halt is None and not self.stop.is_set()):
            while pending and halt is None and not self.stop.is_set() \
                    and len(inflight) < self.window.slots:
                payload = self._start(pending.popleft())
                if payload is not None:  # None: a fault, kept with its error; on to the next
                    inflight[self._pool.submit(self._deliver, payload)] = payload
            if not inflight:
                continue
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
                except Exception as exc:  # noqa: BLE001  (this record's, not the round's)
                    log.error("record %s: send failed", payload.record_id, exc_info=exc)
                    self._failed(payload, exc, retry_later=True)
                else:
                    self._received(payload, receipt)
                    self.window.success()
        if halt is not None:
            raise halt

    def _deliver(self, p: Payload) -> dict:
        """On a sender thread, no database: missing blobs (one bundle when the server takes
        it, else one PUT each), then the manifest. A fresh record's blobs are all missing:
        with bundles it costs 2 requests, without asking first."""
        shas = sorted(p.blobs)
        if not (p.fresh and self.client.bundle_offered()):
            shas = self.client.missing_blobs(shas)
        self.client.send_blobs(p.blobs, shas)
        try:
            return self.client.put_record(p.record_id, p.manifest, p.signature)
        except MissingOnServer as exc:
            # The server lost a blob between our question and the manifest: send those again.
            self.client.send_blobs(p.blobs, [sha for sha in exc.missing if sha in p.blobs])
            return self.client.put_record(p.record_id, p.manifest, p.signature)

    def _start(self, record_id: str) -> Payload | None:
        """Mark the record uploading and build its payload; None when it cannot be read."""
        fresh = self.outbox.start(record_id)
        try:
            return build_payload(self.store, record_id, self.signing_key, fresh=fresh)
        except Exception as exc:  # noqa: BLE001  (whatever the rot, it is this record's)
            self._fault(record_id, exc)
            return None

    def _fault(self, record_id: str, exc: Exception) -> None:
        error = f"{type(exc).__name__}: {exc}"
        now = self.store.clock()
        retry_at = now + dt.timedelta(seconds=self._retry_delay(record_id))
        regno = self.outbox.regno(record_id) or "?"
        if self.outbox.fault(record_id, error, retry_at, now,
                             fault_incident(regno, record_id, error)):
            log.error("record %s (%s) cannot be read to be sent", regno, record_id,
                      exc_info=exc)
        else:
            log.warning("record %s (%s) still cannot be read: %s", regno, record_id, error)

    def _retry_delay(self, record_id: str) -> float:
        attempts = self.outbox.attempts(record_id)
        return full_jitter(attempts, self.base, self.cap, self.rng)

    def _failed(self, p: Payload, exc: Exception, *, retry_later: bool) -> None:
        now = self.store.clock()
        retry_at = now + dt.timedelta(seconds=self._retry_delay(p.record_id)) \
            if retry_later else None
        self.outbox.failed(p.record_id, f"{type(exc).__name__}: {exc}", retry_at, now)

    def _received(self, p: Payload, receipt: protocol.Receipt) -> None:
        now = self.store.clock()
        self.outbox.received(p.record_id, p.manifest_sha256,
                             json.dumps(receipt.to_json(), sort_keys=True),
                             receipt.received_at, receipt.server_seq, now)
        self.last_success = iso(now)
        self.delivered += 1

    # --- retention --------------------------------------------------------------------

    def purge(self) -> int:
        """Drop the biometric blobs of records verified more than `retention` ago."""
        now = self.store.clock()
        return self.outbox.purge(now - self.retention, now)


def run_until_idle(engine: SyncEngine, timeout: float) -> bool:
    """Step until idle (True: nothing queued or unverified, a full reconciliation done), or
    False when `timeout` runs out or all that is left are records that cannot be read
    (`engine.last_state.why_not_idle()` says what is missing)."""
    deadline = time.monotonic() + timeout
    while True:
        delay = engine.step()
        st = engine.last_state
        if st.idle:
            return True
        remaining = deadline - time.monotonic()
        if remaining <= 0 or engine.stop.is_set() or st.only_faults_left:
            return False
        engine.stop.wait(min(delay, remaining))
