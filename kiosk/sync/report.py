"""The station's report of itself to the centre (`PUT /v1/station/report`, negotiated): what
the Disdukcapil console shows per station. Built from the store alone (no secret, no
applicant): the clock, the software, the office and its zone, today's count against the cap,
what still waits to be delivered and since when, and how many incidents are open."""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Any

from kiosk import __version__
from kiosk.store.station import Store
from kiosk.sync.client import BadAnswer, CentralClient, Refused

log = logging.getLogger(__name__)


def build_report(store: Store, now: dt.datetime | None = None) -> dict[str, Any]:
    """The report as the server takes it (every time with its UTC offset)."""
    now = now or store.clock()
    s = store.settings
    cap = store.cap_status(now)
    waiting, oldest = store.db.execute(
        "SELECT COUNT(*), MIN(r.created_at) FROM outbox o JOIN records r ON r.id = o.record_id"
    ).fetchone()
    (incidents,) = store.db.execute(
        "SELECT COUNT(*) FROM incidents WHERE ended_at IS NULL").fetchone()
    return {
        "station_time": now.astimezone(dt.UTC).isoformat(timespec="seconds"),
        "software": f"ektp-kiosk {__version__}",
        "office": s["station.name"],
        "kecamatan": s["station.kecamatan"],
        "timezone": s["station.timezone"],
        "cap": cap.cap,
        "recorded_today": cap.count,
        "waiting": int(waiting),
        "oldest_unsent": _aware(oldest),
        "incidents_open": int(incidents),
    }


def _aware(iso: str | None) -> str | None:
    """A stored time with its offset (stored times are UTC; an old row may lack the +00:00)."""
    if not iso:
        return None
    moment = dt.datetime.fromisoformat(iso)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.isoformat(timespec="seconds")


class StationReports:
    """SyncEngine's report to the centre at its health contacts (a mixin: the engine holds
    the store, the client and the negotiated offers)."""

    store: Store
    client: CentralClient
    offers: dict[str, bool]
    report_every: float  # seconds between reports while online
    next_report: float = 0.0  # time.monotonic() when the next is due (0: at once)

    def _report(self) -> None:
        """Send the report when due. A server that takes none is asked again only after the
        link was lost; one that refuses this report (or garbles its answer) does not take
        the link down: the station goes on delivering, and says so in its log."""
        if not self.offers.get("report", True) or time.monotonic() < self.next_report:
            return
        try:
            answer = self.client.report(build_report(self.store))
        except (Refused, BadAnswer) as exc:
            log.warning("the server did not take the station report: %s", exc)
            self.offers["report"] = False
            return
        self.next_report = time.monotonic() + self.report_every
        if answer is None:
            self.offers["report"] = False
            return
        self._keep_status_url(answer.get("status_url") or "")

    def _keep_status_url(self, url: str) -> None:
        """The status page the centre names now goes on the next receipts (set-up kept the
        one it named then; empty when it names none)."""
        from kiosk.settings import Settings
        from kiosk.sync.link import STATUS_URL_SETTING

        if self.store.settings[STATUS_URL_SETTING] == url:
            return
        fresh = Settings.load(self.store.settings.path)
        fresh.set(STATUS_URL_SETTING, url)
        fresh.save()
        self.store.settings.set(STATUS_URL_SETTING, url)
        log.info("the centre's status page for receipts is now %r", url)
