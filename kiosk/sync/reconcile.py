"""What the server tells the station about the records it sent: reconciliation (held or lost,
with the centre's decisions), the centre's status changes since a cursor, and the newest
record it holds of this station. A part of SyncEngine, kept apart to be read on its own."""

from __future__ import annotations

import threading

import ektp_protocol as protocol
from kiosk.store.outbox import Held, Outbox, ServerAnswer, StatusChange
from kiosk.store.station import SERVER_LAST_REGNO, Store
from kiosk.sync.client import CentralClient

CHANGE_PAGES = 10  # pages of status changes read in one round at most
MISSING_INCIDENT = "record_missing_on_server"  # its detail names the record id


class ServerRecords:
    """SyncEngine's questions about delivered records (a mixin: the engine holds the state)."""

    store: Store
    outbox: Outbox
    client: CentralClient
    server_key: str
    batch: int
    stop: threading.Event
    offers: dict[str, bool]  # negotiated calls the server answers (False after a 404)
    delivered: int
    quiet: bool  # idle round: answers are awaited only as long as a health check's

    def reconcile(self, *, full: bool) -> bool:
        """Ask the server, in batches, about records we hold as delivered (blobs not purged):
        verify the present, re-queue the missing (an incident each), pull processing status.
        True when every batch was answered (False: stopped half-way)."""
        held = self.outbox.held(include_verified=full)
        for i in range(0, len(held), self.batch):
            if self.stop.is_set():
                return False
            self._reconcile_batch(held[i : i + self.batch])
        return True

    def _status_changes(self) -> None:
        """The centre's decisions since our cursor (cheap, every round): a rejection reaches
        the station within one round instead of at the next full reconciliation."""
        for _ in range(CHANGE_PAGES):
            if not self.offers["status-changes"] or self.stop.is_set():
                return
            since = self.outbox.status_cursor()
            doc = self.client.status_changes(
                since, self.client.health_timeout if self.quiet else None)
            if doc is None:
                self.offers["status-changes"] = False  # an older server: reconcile does it
                return
            changes = [StatusChange(c["record_id"], c["status"], c["reason"])
                       for c in doc["changes"]]
            if changes or doc["cursor"] != since:
                self.outbox.status_changed(changes, doc["cursor"])
            if not doc.get("more"):
                return

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
        self._missing_over(set(answers))
        for rid in requeued:
            self.store.add_incident(
                MISSING_INCIDENT, "server",
                f"record {rid} was missing on the server, re-sent / rekaman {rid} tidak ada di "
                "server, dikirim ulang",
            )

    def _missing_over(self, present: set[str]) -> None:
        """The server holds these records again (verified, or still held): their "missing on
        the server" incidents are over. Usually none is open: one read, nothing written."""
        rows = self.store.db.execute(
            "SELECT id, detail FROM incidents WHERE kind = ? AND ended_at IS NULL",
            [MISSING_INCIDENT]).fetchall()
        for incident_id, detail in rows:
            if any(word in present for word in str(detail or "").split()):
                self.store.end_incident(int(incident_id))

    def _server_holds(self) -> None:
        """Keep the newest registration number the server holds from us (meta)."""
        self.delivered = 0
        if not self.offers["station"]:
            return
        info = self.client.station()
        if info is None:
            self.offers["station"] = False
        elif info["last_regno"] and info["last_regno"] != self.store.meta(SERVER_LAST_REGNO):
            self.store.set_meta(SERVER_LAST_REGNO, info["last_regno"])
