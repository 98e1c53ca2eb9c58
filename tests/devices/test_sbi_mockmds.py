"""The station's SBI client against MOSIP's reference mock device service (MockMDS), not
against our own simulator: tests/devices/mockmds.py re-implements MockMDS's answers from its
Java, signed with MockMDS's own keys and carrying its own 2011/JPEG 2000 finger records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests
from cryptography import x509

from ektp_protocol import sbi_evidence, x5c
from kiosk.devices import iso19794
from kiosk.devices.base import NOT_REGISTERED, DeviceBusy, DeviceUnavailable
from kiosk.devices.fingerprint import FingerprintCapture
from kiosk.devices.sbi import SbiClient
from kiosk.devices.sbi_errors import DeviceUntrusted
from kiosk.devices.sbi_protocol import EMPTY_HASH
from kiosk.settings import Settings
from tests.devices.mockmds import MockMds

DATA = Path(__file__).parent / "data" / "mockmds"
FILES = {2: "Right_Index", 3: "Right_Middle", 4: "Right_Ring", 5: "Right_Little",
         7: "Left_Index", 8: "Left_Middle", 9: "Left_Ring", 10: "Left_Little",
         1: "Right_Thumb", 6: "Left_Thumb"}


def _cert(name: str) -> x509.Certificate:
    """MockMDS ships its root certificates as PEM text in .cer files."""
    return x509.load_pem_x509_certificate((DATA / "keys" / name).read_bytes())


@pytest.fixture
def mds():
    with MockMds() as m:
        yield m


@pytest.fixture
def trust() -> x5c.TrustStore:
    """A station trusting MockMDS's device-provider root (rootca.cer) only."""
    return x5c.TrustStore.from_certs([_cert("rootca.cer")])


def _client(mds, trust) -> SbiClient:
    return SbiClient(port_first=mds.port, port_last=mds.port, trust=trust)


def _bodies(mds, method: str) -> list[dict]:
    return [r.json for r in mds.requests if r.method == method]


def test_discovery_and_device_info_are_understood_and_trusted(mds, trust):
    client = _client(mds, trust)
    dev = client.find()
    assert (dev.device_id, dev.status, dev.sub_ids) == ("2", "Ready", (1, 2, 3))
    assert (dev.serial, dev.make, dev.model) == ("1234567890", "MOSIP", "SLAP01")
    trusted = client.trusted(dev)
    assert "CN=mosipfingerslap" in trusted.signer  # an L0 registration device: device key
    assert trusted.digital_id["deviceSubType"] == "Slap"


def test_a_slap_comes_back_as_mockmds_records_byte_for_byte(mds, trust):
    client = _client(mds, trust)
    capture = client.capture(client.find(), 2, [2, 3, 4, 5], requested_score=40)
    assert [f.position for f in capture.fingers] == [2, 3, 4, 5]
    for f in capture.fingers:
        assert f.record == (DATA / "iso" / f"{FILES[f.position]}.iso").read_bytes()
        image = iso19794.decode(f.record)
        assert (image.edition, image.compression) == ("2011", "jpeg2000_lossless")
        assert f.quality == 44  # MockMDS's default "44.0"


def test_what_the_client_sends_is_what_mockmds_accepts(mds, trust):
    client = _client(mds, trust)
    client.capture(client.find(), 3, [1, 6], requested_score=30, timeout_ms=8000)
    body = _bodies(mds, "RCAPTURE")[-1]
    bio = body["bio"][0]
    for value in (body["timeout"], bio["count"], bio["requestedScore"], bio["deviceSubId"]):
        assert isinstance(value, str)
    assert bio["previousHash"] == EMPTY_HASH


def test_a_full_capture_chains_across_the_slaps_and_its_evidence_verifies(mds, trust):
    client = _client(mds, trust)
    capture = FingerprintCapture(client, client.find(), Settings())
    capture.run_all()
    assert capture.missing() == []
    sent = [b["bio"][0]["previousHash"] for b in _bodies(mds, "RCAPTURE")]
    hashes = [[b["hash"] for b in entry["biometrics"]] for entry in capture.log]
    assert sent == [EMPTY_HASH, hashes[0][-1], hashes[1][-1]]
    blobs = {b.kind: b.data for b in capture.blobs()}
    records = {int(k.split(".")[1]): v for k, v in blobs.items() if k.startswith("finger.")}
    report = sbi_evidence.verify(blobs[sbi_evidence.KIND], records, trust)
    assert report.ok, report.problems
    assert report.fingers_verified == list(range(1, 11))


def test_an_l1_device_whose_ftm_root_expired_is_refused_by_name(trust):
    """MockMDS's FTM root (RootCAFTM) really expired on 2022-06-10."""
    both = x5c.TrustStore.from_certs([_cert("rootca.cer"), _cert("rootcaftm.cer")])
    with MockMds(ftm=True) as mds:
        client = _client(mds, both)
        with pytest.raises(DeviceUntrusted) as err:
            client.device_info(client.find())
    assert err.value.reason == "expired"
    assert "RootCAFTM" in err.value.subject and "2022-06-10" in err.value.msg.en


def test_a_station_that_trusts_only_the_ftm_root_refuses_captures(mds):
    client = _client(mds, x5c.TrustStore.from_certs([_cert("rootcaftm.cer")]))
    with pytest.raises(DeviceUntrusted) as err:
        client.device_info(client.find())
    assert err.value.reason == "untrusted" and "mosipfingerslap" in err.value.subject


def test_busy_and_not_registered_as_mockmds_reports_them(mds, trust):
    client = _client(mds, trust)
    requests.post(mds.url + "/admin/status", json={"type": "Finger", "deviceStatus": "Busy"},
                  timeout=5)
    with pytest.raises(DeviceBusy):
        client.capture(client.find(), 2, [2, 3, 4, 5])
    requests.post(mds.url + "/admin/status",
                  json={"type": "Finger", "deviceStatus": "Not Registered"}, timeout=5)
    fresh = _client(mds, trust)
    dev = fresh.find()
    assert dev.status == NOT_REGISTERED
    with pytest.raises(DeviceUnavailable) as err:
        fresh.device_info(dev)
    assert err.value.code == 100 and "belum terdaftar" in err.value.msg.id


def test_the_preview_stream_gives_mockmds_frames(mds, trust):
    client = _client(mds, trust)
    frames = list(client.stream(client.find(), 2, timeout=2, max_frames=2))
    assert len(frames) == 2 and all(f[:2] == b"\xff\xd8" for f in frames)
    assert json.loads(mds.requests[-1].body)["deviceSubId"] == "2"
