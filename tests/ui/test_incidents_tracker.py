"""The incident tracker the recording steps report to: what counts as a device's fault, an
incident left open by a stopped station, and a store that cannot take the row."""

from __future__ import annotations

import logging

import pytest

from kiosk.app.incidents import QUALITY_FAILURES, DeviceIncidents, is_device_fault
from kiosk.devices.base import CaptureTimeout, DeviceUnavailable
from kiosk.devices.sbi import error_for
from kiosk.settings import Settings
from kiosk.store.station import Store


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "data", Settings())
    yield s
    s.close()


def test_only_the_devices_own_faults_are_incidents():
    assert is_device_fault(DeviceUnavailable("camera", "cannot open source"))
    assert is_device_fault(CaptureTimeout("finger", "RCAPTURE took longer than 4.0 s"))
    assert is_device_fault(error_for(102))  # the scanner could not process the image
    assert not is_device_fault(error_for(101))  # no finger on the glass: the applicant's
    assert not is_device_fault(error_for(105))
    assert not is_device_fault(TypeError("a bug is logged, not blamed on the camera"))


def test_a_placement_error_or_a_bug_opens_no_incident(store):
    incidents = DeviceIncidents(store)
    assert incidents.failed("fingerprint", error_for(101)) is None
    assert incidents.failed("camera", ValueError("JPEG encoding failed")) is None
    assert store.incidents() == []


def test_an_incident_left_open_by_a_stopped_station_ends_at_the_next_success(store):
    left = store.add_incident("DeviceUnavailable", "camera", "camera is not open")
    low = store.add_incident(QUALITY_FAILURES, "fingerprint", "Empat jari kiri: 3 kali")
    store.add_incident("server_unreachable", "server", "timeout")
    incidents = DeviceIncidents(store, resume=("camera", "fingerprint"))
    assert incidents.failed("camera", DeviceUnavailable("camera")) == left  # no second row
    incidents.recovered("camera")
    incidents.quality("fingerprint", 0, "Empat jari kiri")
    ended = {r["id"]: r["ended_at"] for r in store.incidents()}
    assert ended[left] is not None and ended[low] is not None
    assert [r["ended_at"] for r in store.incidents() if r["device"] == "server"] == [None]


def test_quality_runs_and_device_failures_of_one_scanner_are_separate_incidents(store):
    incidents = DeviceIncidents(store, quality_limit=2)
    incidents.quality("fingerprint", 1, "Kedua ibu jari")
    assert store.incidents() == []
    incidents.quality("fingerprint", 2, "Kedua ibu jari")
    incidents.quality("fingerprint", 3, "Kedua ibu jari")
    incidents.failed("fingerprint", DeviceUnavailable("finger", "STREAM interrupted"))
    assert sorted(r["kind"] for r in store.incidents()) == ["DeviceUnavailable",
                                                            QUALITY_FAILURES]
    incidents.recovered("fingerprint")  # the scanner answers, the fingers are still poor
    rows = {r["kind"]: r["ended_at"] for r in store.incidents()}
    assert rows["DeviceUnavailable"] is not None and rows[QUALITY_FAILURES] is None


def test_a_store_that_cannot_take_the_row_does_not_stop_the_capture(store, caplog):
    incidents = DeviceIncidents(store)
    store.db.conn.close()  # the database is gone from under the station
    assert incidents.failed("camera", DeviceUnavailable("camera")) is None
    assert [r for r in caplog.records if r.levelno == logging.ERROR and r.exc_info]
