"""Re-recordings, dashboard series and the technician's incident history."""

from __future__ import annotations

import csv
import datetime as dt
import json

import pytest

from kiosk.app import accounts, dashboard, history, rerecords
from kiosk.app.accounts import PermissionDenied
from kiosk.store.db import iso
from tests.store.records import quick_recording

WIB = dt.timezone(dt.timedelta(hours=7))
DAY = dt.date(2026, 11, 29)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=WIB)


@pytest.fixture
def desk(store):
    accounts.create_first_supervisor(store, "pengawas", "Rina", "135790")
    accounts.create_user(store, "pengawas", "budi", "Budi", "operator", "111111", demo=True)
    return store


def _save(store, i: int, when: dt.datetime, phone: str = "") -> str:
    rec = quick_recording(i, when.date())
    rec.applicant.telepon = phone
    return store.save_recording(rec, "budi", now=when).record_id


def _reject(store, rid: str, reason: str) -> None:
    store.db.execute(
        "UPDATE records SET state = 'verified', received_at = created_at, "
        "processing_status = 'rejected', reject_reason = ? WHERE id = ?", [reason, rid],
    )


def test_rerecord_list_shows_rejected_records_with_phone_and_reason(desk):
    a = _save(desk, 1, at(DAY, 9), phone="081234567890")
    _save(desk, 2, at(DAY, 10))
    c = _save(desk, 3, at(DAY, 11))
    _reject(desk, a, "sidik jari tidak terbaca")
    _reject(desk, c, "foto buram")
    items = rerecords.rerecord_list(desk)
    assert [i.record_id for i in items] == [a, c]
    first = items[0]
    name, _ = desk.applicant(a)
    assert first.name == name.nama and first.phone == "081234567890"
    assert first.reject_reason == "sidik jari tidak terbaca"
    assert first.nik_masked == name.nik[:6] + "*" * 8 + name.nik[-2:]
    assert first.contacted_at is None and items[1].phone == ""


def test_mark_contacted_records_the_time_audited_and_sorts_it_last(desk):
    a = _save(desk, 1, at(DAY, 9))
    b = _save(desk, 2, at(DAY, 10))
    _reject(desk, a, "foto buram")
    _reject(desk, b, "foto buram")
    when = at(DAY, 15, 30)
    rerecords.mark_contacted(desk, a, "pengawas", now=when)
    items = rerecords.rerecord_list(desk)
    assert [i.record_id for i in items] == [b, a]
    assert items[1].contacted_at == when
    row = desk.db.execute(
        "SELECT actor, detail FROM audit WHERE action = 'rerecord.contacted'"
    ).fetchone()
    assert row[0] == "pengawas" and json.loads(row[1]) == {"record_id": a}


def test_only_a_supervisor_marks_contacted_and_only_rejected_records(desk):
    a = _save(desk, 1, at(DAY, 9))
    with pytest.raises(rerecords.NotRejected):
        rerecords.mark_contacted(desk, a, "pengawas")
    _reject(desk, a, "foto buram")
    with pytest.raises(PermissionDenied):
        rerecords.mark_contacted(desk, a, "budi")
    with pytest.raises(KeyError):
        rerecords.mark_contacted(desk, "no-such-id", "pengawas")


def test_dashboard_series_counts_recordings_cap_backlog_rejections_offline(desk):
    d1, d2, d3 = DAY - dt.timedelta(days=2), DAY - dt.timedelta(days=1), DAY
    r1 = _save(desk, 1, at(d1, 9))
    r2 = _save(desk, 2, at(d1, 10))
    r3 = _save(desk, 3, at(d2, 9))
    _save(desk, 4, at(d3, 9))
    # r1 received on d1, r2 on d3 (so it is backlog at the end of d1 and d2), r3 rejected
    desk.db.execute("UPDATE records SET state='received', received_at=? WHERE id=?",
                    [iso(at(d1, 12)), r1])
    desk.db.execute("UPDATE records SET state='received', received_at=? WHERE id=?",
                    [iso(at(d3, 8)), r2])
    _reject(desk, r3, "foto buram")
    desk.override_cap(40, "pelayanan keliling", "pengawas", now=at(d2, 7))
    desk.add_incident("server_unreachable", "server", "x", started=at(d1, 23, 0),
                      ended=at(d2, 1, 0))
    series = dashboard.dashboard_series(desk, days=3, today=d3, now=at(d3, 18))
    assert [p.day for p in series] == [d1, d2, d3]
    assert [p.recordings for p in series] == [2, 1, 1]
    assert [p.cap for p in series] == [30, 40, 30]
    assert [p.backlog for p in series] == [1, 1, 1]  # r2; r2 (r3 received with created_at); r4
    assert [p.rejections for p in series] == [0, 1, 0]
    assert [p.offline_minutes for p in series] == [60.0, 60.0, 0.0]


def test_dashboard_series_has_every_day_even_empty_ones(desk):
    series = dashboard.dashboard_series(desk, days=30, today=DAY, now=at(DAY, 12))
    assert len(series) == 30 and series[-1].day == DAY
    assert all(p.recordings == 0 and p.backlog == 0 for p in series)


def test_incident_history_filters_by_day_and_device_and_exports_csv(desk, tmp_path):
    desk.add_incident("device_lost", "camera", "kabel lepas", started=at(DAY, 9),
                      ended=at(DAY, 9, 12))
    desk.add_incident("quality_failures", "fingerprint", "3x gagal", started=at(DAY, 10))
    desk.add_incident("server_unreachable", "server", "timeout",
                      started=at(DAY - dt.timedelta(days=1), 9), ended=at(DAY, 8))
    assert [i.device for i in history.incident_history(desk)] == [
        "fingerprint", "camera", "server"]
    today = history.incident_history(desk, day=DAY)
    assert [i.device for i in today] == ["fingerprint", "camera"]
    cam = history.incident_history(desk, device="camera")
    assert len(cam) == 1 and cam[0].duration_minutes == 12.0
    assert cam[0].started_at.strftime("%H:%M") == "09:00"
    assert history.incident_devices(desk) == ["camera", "fingerprint", "server"]
    out = history.write_incidents_csv(today, tmp_path / "insiden.csv")
    with out.open(encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0] == list(history.INCIDENT_HEADERS)
    assert rows[1][1:3] == ["", ""]  # the open fingerprint incident
    assert rows[2] == ["2026-11-29 09:00:00", "2026-11-29 09:12:00", "12.0", "device_lost",
                       "camera", "kabel lepas"]


def test_selftest_history_by_day(desk):
    clock = {"now": at(DAY, 7)}
    desk.clock = lambda: clock["now"]
    desk.save_selftest(True, [{"name": "camera", "passed": True}])
    clock["now"] = at(DAY - dt.timedelta(days=1), 7)
    desk.save_selftest(False, [{"name": "camera", "passed": False}])
    assert [r.passed for r in history.selftest_history(desk)] == [False, True]
    today = history.selftest_history(desk, day=DAY)
    assert len(today) == 1 and today[0].results == [{"name": "camera", "passed": True}]
