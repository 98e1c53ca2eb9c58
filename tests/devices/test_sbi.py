"""The SBI client against the simulator over real HTTP: discovery, info, capture, errors."""

from __future__ import annotations

import threading
import time

import pytest
import requests

from ektp_protocol import x5c
from kiosk.devices import iso19794
from kiosk.devices.base import (
    BUSY,
    NOT_READY,
    READY,
    CaptureFailed,
    CaptureTimeout,
    DeviceBusy,
    DeviceUnavailable,
)
from kiosk.devices.sbi import SbiClient, error_for
from kiosk.devices.sbi_errors import DeviceUntrusted
from kiosk.devices.sbi_protocol import (
    EMPTY_HASH,
    ERROR_INFO,
    capture_request,
    chain_hash,
    unb64url,
)
from kiosk.devices.sim.sbi import SbiSimulator

RIGHT = [2, 3, 4, 5]


def test_discovery_scans_the_range_and_finds_the_simulator(sim, client):
    devices = client.discover()
    assert [d.port for d in devices] == [sim.port]
    d = devices[0]
    assert (d.status, d.sub_ids, d.serial, d.make) == (READY, (1, 2, 3), "SIM-0001", "KioskSim")
    assert d.info().kind == "finger"
    assert client.discover("Iris") == []


def test_discovery_of_a_full_range_of_closed_ports_is_quick():
    start = time.monotonic()
    assert SbiClient(port_first=1, port_last=100, scan_timeout=0.3).discover() == []
    assert time.monotonic() - start < 3.0


def test_device_info_is_signed_by_the_device(sim, client):
    info = client.device_info(client.find())
    assert info["deviceId"] == sim.device_id()
    assert info["specVersion"] == ["0.9.5"]


def test_capture_returns_the_devices_2011_jpeg2000_records_byte_for_byte(sim, client):
    fingers = client.capture(client.find(), 2, RIGHT, requested_score=30).fingers
    assert [f.position for f in fingers] == RIGHT
    for f in fingers:
        rec = iso19794.decode(f.record)
        assert rec.position == f.position and rec.quality == f.quality
        assert (rec.edition, rec.compression) == ("2011", "jpeg2000_lossless")
        assert f.quality >= 90
        # exactly the bytes the device signed: the bioValue inside its token
        assert unb64url(x5c.peek(f.token)[1]["bioValue"]) == f.record


def test_exceptions_are_sent_and_the_finger_left_out(sim, client):
    fingers = client.capture(client.find(), 1, [7, 8, 9, 10], [8]).fingers
    assert [f.position for f in fingers] == [7, 9, 10]
    assert sim.state.requests[-1]["bio"][0]["exception"] == ["Left MiddleFinger"]


def test_hash_chain_is_checked_from_the_empty_hash(sim, client):
    assert chain_hash(EMPTY_HASH, b"") != EMPTY_HASH
    assert EMPTY_HASH == "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"
    client.capture(client.find(), 3, [1, 6])
    sim.control(tamper_hash=True)
    with pytest.raises(CaptureFailed, match="hash chain"):
        client.capture(client.find(), 3, [1, 6])


def test_tampered_signature_is_refused(sim, client):
    sim.control(tamper_signature=True)
    with pytest.raises(DeviceUntrusted) as err:
        client.capture(client.find(), 3, [1, 6])
    assert err.value.reason == "signature" and "Hubungi teknisi" in err.value.msg.id


def test_capture_from_another_device_with_the_same_id_is_refused(sim, client):
    dev = client.find()
    client.device_info(dev)
    sim.stop()
    impostor = SbiSimulator(port=sim.port, serial="SIM-0002", pki=sim.pki)
    impostor.device_id = sim.device_id  # type: ignore[method-assign]  # answers for that id
    with impostor:  # same port, id and trusted CA; another device behind it
        with pytest.raises(DeviceUntrusted) as err:
            client.capture(dev, 3, [1, 6])
        assert err.value.reason == "mismatch"
        assert impostor.state.captures == 1


@pytest.mark.parametrize("code", sorted(c for c in ERROR_INFO if c) + [501, 599])
def test_every_sbi_error_code_maps_to_a_named_error_over_http(sim, client, code):
    sim.control(error_code=code)
    with pytest.raises((DeviceUnavailable, DeviceBusy, CaptureFailed)) as err:
        client.capture(client.find(), 2, RIGHT)
    assert err.value.code == code
    assert type(err.value) is type(error_for(code))
    assert f"{code}" in err.value.msg.id and f"{code}" in err.value.detail


def test_error_code_classes():
    assert isinstance(error_for(111), DeviceBusy)
    assert isinstance(error_for(110), DeviceUnavailable)
    assert isinstance(error_for(106), DeviceUnavailable)
    assert isinstance(error_for(101), CaptureFailed)
    assert isinstance(error_for(550), CaptureFailed)
    assert "Jari tidak terdeteksi" in error_for(101).msg.id


@pytest.mark.parametrize(("status", "error"), [
    (BUSY, DeviceBusy), (NOT_READY, DeviceUnavailable), ("Not Registered", DeviceUnavailable)])
def test_device_status_is_reported_and_capture_refused(sim, client, status, error):
    sim.control(status=status)
    dev = client.find()
    assert dev.status == status
    with pytest.raises(error):
        client.capture(dev, 2, RIGHT)
    sim.control(status=READY)
    assert len(client.capture(dev, 2, RIGHT).fingers) == 4


def test_invalid_transaction_id_is_refused_by_the_device(sim):
    body = capture_request(device_id=sim.device_id(), sub_id=2, wanted=RIGHT, excused=[],
                           requested_score=40, timeout_ms=1000,
                           transaction_id="no spaces allowed", previous_hash=EMPTY_HASH)
    answer = requests.request("RCAPTURE", sim.url + "/capture", json=body, timeout=5).json()
    assert answer["biometrics"][0]["error"]["errorCode"] == "112"


def test_slow_device_beyond_the_capture_timeout_raises_capture_timeout(sim, client):
    dev = client.find()
    client.device_info(dev)
    sim.control(delay_s=3.5)
    start = time.monotonic()
    with pytest.raises(CaptureTimeout):
        client.capture(dev, 3, [1, 6], timeout_ms=200)  # waits timeout + 2 s margin
    assert time.monotonic() - start < 3.4


def test_slow_device_within_the_timeout_still_captures(sim, client):
    sim.control(delay_s=0.3)
    assert len(client.capture(client.find(), 3, [1, 6], timeout_ms=3000).fingers) == 2


def test_device_unplugged_mid_capture_raises_then_works_when_back(sim, client):
    dev = client.find()
    client.device_info(dev)
    sim.control(delay_s=5.0)
    errors: list[BaseException] = []

    def capture() -> None:
        try:
            client.capture(dev, 2, RIGHT, timeout_ms=10000)
        except BaseException as exc:  # noqa: BLE001 (collected for the assertion)
            errors.append(exc)

    t = threading.Thread(target=capture)
    start = time.monotonic()
    t.start()
    while not sim.state.requests and time.monotonic() - start < 5:
        time.sleep(0.02)  # wait until the request is inside the device
    sim.stop()
    t.join(timeout=5)
    assert not t.is_alive()
    assert time.monotonic() - start < 4  # not the 5 s delay, nor the 12 s timeout
    assert len(errors) == 1 and isinstance(errors[0], DeviceUnavailable)
    with pytest.raises(DeviceUnavailable):
        client.find()
    # plugged back in (same port): found again and usable with the same client
    back = SbiSimulator(port=sim.port).start()
    try:
        dev2 = client.find()
        client.device_info(dev2)
        assert len(client.capture(dev2, 2, RIGHT).fingers) == 4
    finally:
        back.stop()


def test_stream_gives_jpeg_preview_frames(sim, client):
    frames = list(client.stream(client.find(), 2, timeout=3, max_frames=3))
    assert len(frames) == 3 and all(f[:2] == b"\xff\xd8" for f in frames)
    assert frames[0] != frames[1]


def test_stream_from_busy_device_raises_busy(sim, client):
    dev = client.find()
    sim.control(status=BUSY)
    with pytest.raises(DeviceBusy):
        list(client.stream(dev, 2, timeout=1))


def test_control_endpoint_changes_behaviour_over_http(sim, client):
    r = requests.post(sim.url + "/control", json={"status": "Busy"}, timeout=5)
    assert r.json()["status"] == "Busy"
    assert client.find().status == BUSY
    assert requests.post(sim.url + "/control", json={"bogus": 1}, timeout=5).status_code == 400
