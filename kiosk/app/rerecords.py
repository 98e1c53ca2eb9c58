"""Re-recordings (perlu rekam ulang): records the centre rejected, who to call and why, and the
supervisor's "sudah dihubungi" (informed) mark."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from kiosk.app import accounts
from kiosk.domain.days import parse_ts
from kiosk.domain.messages import DomainError, Msg
from kiosk.domain.nik import mask_nik
from kiosk.domain.sealing import SealContext
from kiosk.store import audit
from kiosk.store.db import iso, write_transaction
from kiosk.store.outbox import IS_REJECTED_SQL
from kiosk.store.station import Store


class NotRejected(DomainError):
    def __init__(self, record_id: str) -> None:
        super().__init__(Msg(
            f"Rekaman {record_id} tidak ditolak server; tidak perlu rekam ulang.",
            f"Record {record_id} was not rejected by the server; no re-recording needed.",
        ))


@dataclass(frozen=True)
class Rerecord:
    """A record the server rejected: who to call and why."""

    record_id: str
    regno: str
    local_date: dt.date
    name: str
    nik_masked: str
    phone: str  # empty when the applicant gave none
    reject_reason: str
    contacted_at: dt.datetime | None


def rerecord_list(store: Store) -> list[Rerecord]:
    """Rejected records, not yet contacted first, oldest first within each group."""
    sealer = store.sealer()
    out = []
    for rid, regno, day, biodata, reason, contacted in store.db.execute(
        "SELECT id, regno, local_date, biodata, reject_reason, contacted_at FROM records "
        f"WHERE {IS_REJECTED_SQL} "
        "ORDER BY contacted_at IS NOT NULL, created_at"
    ):
        applicant = json.loads(sealer.open(biodata, SealContext.biodata(rid)))["applicant"]
        out.append(Rerecord(
            record_id=rid, regno=regno, local_date=dt.date.fromisoformat(day),
            name=applicant.get("nama", ""), nik_masked=mask_nik(applicant.get("nik", "")),
            phone=applicant.get("telepon", ""), reject_reason=reason or "",
            contacted_at=parse_ts(contacted),
        ))
    return out


def mark_contacted(
    store: Store, record_id: str, actor: str, now: dt.datetime | None = None
) -> dt.datetime:
    """The applicant was informed ("sudah dihubungi"); audited. Returns the time recorded."""
    accounts.require(store, actor, "rerecord")
    when = now or store.clock()
    with write_transaction(store.db):
        rejected = store.outbox.is_rejected(record_id)
        if rejected is None:
            raise KeyError(record_id)
        if not rejected:
            raise NotRejected(record_id)
        store.db.execute("UPDATE records SET contacted_at = ? WHERE id = ?",
                         [iso(when), record_id])
        audit.append(store.db, actor, "rerecord.contacted", {"record_id": record_id})
    return when
