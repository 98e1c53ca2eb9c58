"""The applicant's receipt (tanda bukti perekaman) outside the recording flow: what its QR code
holds, and a supervisor's reprint of a lost one from the stored record (audited).

The GUI builds the receipt of a fresh save from its draft (`StationService.receipt`); a
reprint builds the same `ReceiptView` from what the station stored: the record row, its
summary (what was captured or excused) and the sealed applicant (name, NIK, masked here).
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.parse
from collections.abc import Callable
from typing import Any

from kiosk.app import accounts
from kiosk.app.accounts import User
from kiosk.app.station import ReceiptView
from kiosk.domain.messages import DomainError, Msg
from kiosk.domain.nik import mask_nik
from kiosk.domain.recording import FINGER_ITEMS, PHOTO, SIGNATURE_PNG, is_record_id, is_regno
from kiosk.store.station import Store

REPRINT_ACTION = "receipt_reprint"  # the role permission (kiosk.domain.roles)
AUDIT_ACTION = "receipt.reprinted"


def qr_content(regno: str, status_page_url: str = "") -> str:
    """What the receipt's QR code holds: what the status check needs to find the recording.

    With the central status page's address (the station setting `receipt.status_url`, sent
    by the server at set-up) the code holds that page for this number, `<url>/<regno>`,
    which a phone opens with the number filled in (central/web/status.py serves
    `GET /cek/<regno>`). Without one it holds the bare number, which the station's "Cek
    status" and `kiosk status` look up. Every receipt (screen, PDF, paper, reprint) takes its
    QR text from here."""
    base = status_page_url.strip()
    if not base:
        return regno
    return f"{base.rstrip('/')}/{urllib.parse.quote(regno, safe='')}"


def short_url(url: str) -> str:
    """The status page's address as a person types it from paper: no scheme, no trailing
    slash ("cek.example.go.id/cek" for "https://cek.example.go.id/cek/")."""
    text = url.strip()
    for scheme in ("https://", "http://"):
        if text.lower().startswith(scheme):
            text = text[len(scheme):]
            break
    return text.rstrip("/")


class ReceiptRecordNotFound(DomainError):
    """No recording of this station has that registration number or record id."""

    def __init__(self, query: str) -> None:
        super().__init__(Msg(
            f"Tidak ada rekaman dengan nomor registrasi atau ID '{query}' di stasiun ini. "
            "Periksa nomornya (contoh 627104-01-20261128-017); bila hanya NIK yang diketahui, "
            "cari nomornya dengan `kiosk status NIK`.",
            f"No recording with the registration number or id '{query}' at this station. "
            "Check the number (e.g. 627104-01-20261128-017); if only the NIK is known, find the "
            "number with `kiosk status NIK`.",
        ))
        self.query = query


def find_record(store: Store, query: str) -> dict[str, Any]:
    """The stored record whose registration number or record id is `query`, else
    ReceiptRecordNotFound (a NIK is refused too: one NIK may have several recordings)."""
    q = query.strip()
    if not (is_regno(q) or is_record_id(q)):
        raise ReceiptRecordNotFound(q)
    rows = store.find(q)
    if not rows:
        raise ReceiptRecordNotFound(q)
    return rows[0]


def stored_receipt(store: Store, row: dict[str, Any]) -> ReceiptView:
    """The receipt of the stored record `row` (from `find_record`), as it was printed after
    the save: its time in the station's zone, what was captured, the masked NIK. Opens the
    sealed applicant, so the keyring must work (KeyringUnavailable otherwise)."""
    applicant, _exceptions = store.applicant(row["id"])
    summary = json.loads(row["summary"])
    items = set(summary.get("items", ()))
    excused = set(summary.get("exceptions", {}))
    created = dt.datetime.fromisoformat(row["created_at"]).astimezone(store.settings.timezone)
    regno = row["regno"]
    return ReceiptView(
        regno=regno,
        record_id=row["id"],
        saved_at=created,
        station_name=store.settings["station.name"],
        station_code="-".join(regno.split("-")[:2]),  # the station that recorded it
        applicant_name=applicant.nama,
        nik_masked=mask_nik(applicant.nik),
        photo=PHOTO in items,
        fingers_captured=sum(1 for k in FINGER_ITEMS if k in items),
        fingers_excepted=sum(1 for k in FINGER_ITEMS if k in excused),
        signature=SIGNATURE_PNG in items and SIGNATURE_PNG not in excused,
    )


def reprint(
    store: Store, user: User, query: str, deliver: Callable[[ReceiptView], dict[str, Any]]
) -> ReceiptView:
    """Reprint the receipt of `query` (registration number or record id) as `user`, who must
    still be an active account allowed `receipt_reprint` (checked again here, as every
    privileged action is). `deliver(view)` writes or prints it and returns what to audit
    about where it went; only a delivered reprint is audited ('receipt.reprinted': the
    record, its registration number and where it went), a failed one changes nothing."""
    current = accounts.require(store, user.username, REPRINT_ACTION)
    row = find_record(store, query)
    view = stored_receipt(store, row)
    where = deliver(view)
    store.audit(current.username, AUDIT_ACTION,
                {"record_id": view.record_id, "regno": view.regno, **where})
    return view
