"""Freeze gates: each one blocks new recordings and lifts once its condition clears."""

from __future__ import annotations

import datetime as dt
from collections import namedtuple

import pytest

from kiosk.app import gates
from kiosk.store.db import iso
from tests.store.records import quick_recording

Usage = namedtuple("Usage", "total used free")
MB = 1024 * 1024
NOW = dt.datetime(2026, 11, 29, 5, 0, tzinfo=dt.UTC)  # 12:00 WIB


def plenty(_path):
    return Usage(10**12, 0, 10**12)


def test_a_healthy_station_has_no_freeze_reasons(store):
    assert gates.freeze_reasons(store, NOW, disk_usage=plenty) == []


def test_disk_gate_blocks_below_one_more_day_and_follows_the_cap(store):
    # default cap 30 x 0.5 MB + 200 MB margin = 215 MB
    assert gates.disk_reason(store, NOW, lambda p: Usage(0, 0, 216 * MB)) is None
    reason = gates.disk_reason(store, NOW, lambda p: Usage(0, 0, 214 * MB))
    assert reason is not None and "214 MB" in reason.id and "215 MB" in reason.en
    store.override_cap(10, "listrik padam", "pengawas", now=NOW)  # 10 x 0.5 + 200 = 205 MB
    assert gates.freeze_reasons(store, NOW, disk_usage=lambda p: Usage(0, 0, 214 * MB)) == []


def test_disk_gate_measures_the_data_dir(store):
    seen = []

    def usage(path):
        seen.append(path)
        return Usage(10**12, 0, 10**12)

    gates.freeze_reasons(store, NOW, disk_usage=usage)
    assert seen == [store.data_dir]


def test_unsent_gate_blocks_after_max_days_and_lifts_when_received(store):
    saved = store.save_recording(quick_recording(1), "budi", now=NOW)
    assert gates.unsent_reason(store, NOW + dt.timedelta(days=7)) is None
    later = NOW + dt.timedelta(days=7, minutes=1)
    reason = gates.unsent_reason(store, later)
    assert reason is not None and "7 hari" in reason.id
    store.db.execute("UPDATE records SET state = 'uploading' WHERE id = ?", [saved.record_id])
    assert gates.unsent_reason(store, later) is not None  # still not delivered
    store.db.execute(
        "UPDATE records SET state = 'received', received_at = ? WHERE id = ?",
        [iso(later), saved.record_id],
    )
    assert gates.freeze_reasons(store, later, disk_usage=plenty) == []


def test_unsent_gate_follows_the_setting(store):
    store.save_recording(quick_recording(2), "budi", now=NOW)
    store.settings.set("freeze.max_unsent_days", 2)
    assert gates.unsent_reason(store, NOW + dt.timedelta(days=3)) is not None


@pytest.mark.parametrize("skew, blocked", [(600.0, False), (-600.0, False), (601.0, True),
                                           (-3600.0, True)])
def test_clock_gate_uses_the_skew_measured_at_the_last_contact(store, skew, blocked):
    store.set_meta(gates.CLOCK_SKEW_META, str(skew))
    reason = gates.clock_reason(store)
    assert (reason is not None) is blocked
    if blocked:
        assert ("lebih cepat" if skew > 0 else "lebih lambat") in reason.id


def test_clock_gate_is_open_without_a_measurement_and_lifts_when_corrected(store):
    assert gates.clock_reason(store) is None
    store.set_meta(gates.CLOCK_SKEW_META, "900.5")
    assert len(gates.freeze_reasons(store, NOW, disk_usage=plenty)) == 1
    store.set_meta(gates.CLOCK_SKEW_META, "0.4")
    assert gates.freeze_reasons(store, NOW, disk_usage=plenty) == []


def test_selftest_gate_blocks_on_a_needed_device_and_lifts_after_a_pass(store):
    store.save_selftest(False, [{"name": "server", "passed": False},
                                {"name": "camera", "passed": True}])
    assert gates.selftest_reason(store) is None  # the server link is not a recording device
    store.save_selftest(False, [{"name": "fingerprint.capture", "passed": False},
                                {"name": "signature", "passed": False},
                                {"name": "camera", "passed": True}])
    reason = gates.selftest_reason(store)
    assert reason is not None
    assert "pemindai sidik jari" in reason.id and "alat tanda tangan" in reason.id
    assert "kamera" not in reason.id
    store.save_selftest(True, [{"name": "fingerprint.capture", "passed": True},
                               {"name": "signature", "passed": True}])
    assert gates.freeze_reasons(store, NOW, disk_usage=plenty) == []


def test_all_gates_report_together(store):
    store.save_recording(quick_recording(3), "budi", now=NOW)
    store.set_meta(gates.CLOCK_SKEW_META, "-7200")
    store.save_selftest(False, [{"name": "camera", "passed": False}])
    reasons = gates.freeze_reasons(store, NOW + dt.timedelta(days=30),
                                   disk_usage=lambda p: Usage(0, 0, MB))
    assert len(reasons) == 4
