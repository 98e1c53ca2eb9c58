"""A reprinted receipt says what the first one said: rebuilt from the stored record (what was
captured or excused, the masked NIK, the time in the station's zone), only for a supervisor,
and audited only once it was delivered."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from kiosk.app import accounts, receipts
from kiosk.demo.records import demo_recording
from kiosk.domain.nik import mask_nik
from kiosk.domain.roles import PermissionDenied
from kiosk.store import audit

NOON_UTC = dt.datetime(2026, 3, 2, 5, 0, tzinfo=dt.UTC)  # 12.00 WIB


@pytest.fixture
def saved(store, regions):
    accounts.create_first_supervisor(store, "rina", "Rina Pengawas", "135790")
    accounts.create_user(store, "rina", "budi", "Budi Operator", "operator", "480362")
    rec = demo_recording(2, "627104", regions, dt.date(2026, 3, 2))
    rec = replace(rec, blobs=[b for b in rec.blobs if b.kind not in ("finger.3", "finger.4")
                              and not b.kind.startswith("signature")],
                  exceptions={"finger.3": "amputated: sejak lahir",
                              "finger.4": "bandaged: luka",
                              "signature.png": "unable: tidak dapat menulis"})
    return rec, store.save_recording(rec, "budi", now=NOON_UTC)


def test_the_stored_receipt_is_the_one_printed_after_the_save(store, saved):
    rec, done = saved
    view = receipts.stored_receipt(store, receipts.find_record(store, done.regno))
    assert (view.regno, view.record_id) == (done.regno, done.record_id)
    assert view.saved_at == NOON_UTC and view.saved_at.utcoffset() == dt.timedelta(hours=7)
    assert view.station_code == "627104-01" and view.station_name == "Kecamatan Sabangau"
    assert (view.applicant_name, view.nik_masked) == (rec.applicant.nama,
                                                      mask_nik(rec.applicant.nik))
    assert (view.photo, view.fingers_captured, view.fingers_excepted, view.signature) == (
        True, 8, 2, False)


def test_only_a_supervisor_reprints_and_only_a_delivered_reprint_is_audited(store, saved):
    _, done = saved
    budi = accounts.get_user(store, "budi")
    with pytest.raises(PermissionDenied):
        receipts.reprint(store, budi, done.regno, lambda view: {"output": "x.pdf"})
    rina = accounts.get_user(store, "rina")

    def fails(view):
        raise OSError("disk full")

    with pytest.raises(OSError):
        receipts.reprint(store, rina, done.regno, fails)
    assert [r["action"] for r in audit.rows(store.db, 100)].count("receipt.reprinted") == 0
    view = receipts.reprint(store, rina, done.record_id, lambda view: {"output": "x.pdf"})
    assert view.regno == done.regno
    row = audit.rows(store.db, 1)[0]
    assert (row["actor"], row["action"]) == ("rina", "receipt.reprinted")
    assert done.record_id in row["detail"] and done.regno in row["detail"]


@pytest.mark.parametrize("query", ["", "627104-01-20260302-999", "6271041101900017"])
def test_a_number_that_is_no_record_here_is_named(store, saved, query):
    with pytest.raises(receipts.ReceiptRecordNotFound) as err:
        receipts.find_record(store, query)
    assert f"'{query}'" in err.value.msg.id and "kiosk status NIK" in err.value.msg.en
