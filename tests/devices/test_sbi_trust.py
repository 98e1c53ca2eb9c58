"""Whom the station believes: SBI tokens are trusted only through an x5c chain to its store.

MOSIP SBI 0.9.5: "header in signature - The header in the signature means the attribute with
"alg" set to RS256 and x5c set to base64encoded certificate"; deviceInfo and digitalId are
signed by the FTM chip key, the biometrics `data` by the device key.
"""

from __future__ import annotations

import json

import pytest

from kiosk.devices.sbi import SbiClient
from kiosk.devices.sbi_errors import DeviceUntrusted
from kiosk.devices.sbi_protocol import unb64url
from kiosk.devices.sim.pki import DemoPki
from kiosk.devices.sim.sbi import SbiSimulator
from kiosk.settings import Settings

THUMBS = [1, 6]


def _header(token: str) -> dict:
    return json.loads(unb64url(token.split(".")[0]))


def test_info_and_captures_are_rs256_with_x5c_and_two_different_keys(sim, client):
    dev = client.find()
    trusted = client.trusted(dev)
    info_header = _header(trusted.token)
    assert info_header["alg"] == "RS256" and info_header["typ"] == "JWT"
    assert "jwk" not in info_header and len(info_header["x5c"]) >= 1
    finger = client.capture(dev, 3, THUMBS).fingers[0]
    data_header = _header(finger.token)
    assert data_header["alg"] == "RS256" and "jwk" not in data_header
    # the FTM chip signs the info, the device key the capture: different certificates
    assert data_header["x5c"][0] != info_header["x5c"][0]
    assert "FTM chip" in trusted.signer
    assert trusted.chain[-1] == sim.pki.ftm_ca.cert.subject.rfc4514_string()


def test_a_token_with_a_jwk_header_and_no_x5c_is_refused(sim, client):
    sim.control(signer="jwk")
    with pytest.raises(DeviceUntrusted) as err:
        client.capture(client.find(), 3, THUMBS)
    assert err.value.reason == "no_chain" and "x5c" in err.value.msg.en


def test_an_untrusted_chain_is_refused_and_named(sim, client):
    sim.control(signer="rogue")  # same subject names as the real CA, another key
    with pytest.raises(DeviceUntrusted) as err:
        client.capture(client.find(), 3, THUMBS)
    assert err.value.reason == "untrusted"
    assert "Demo e-KTP device SIM-0001" in err.value.subject
    assert err.value.subject in err.value.msg.id and err.value.subject in err.value.msg.en


def test_an_expired_device_certificate_is_refused(sim, client):
    sim.control(signer="expired")
    with pytest.raises(DeviceUntrusted) as err:
        client.capture(client.find(), 3, THUMBS)
    assert err.value.reason == "expired" and "kedaluwarsa" in err.value.msg.id


def test_a_station_trusting_other_cas_refuses_the_device_info(sim, tmp_path):
    other = DemoPki.load_or_create(tmp_path / "other", "SIM-0001")
    client = SbiClient(port_first=sim.port, port_last=sim.port, trust=other.trust_store())
    with pytest.raises(DeviceUntrusted) as err:
        client.device_info(client.find())
    assert err.value.reason == "untrusted" and "FTM chip" in err.value.subject


def test_a_station_with_an_empty_trust_store_refuses_every_device(sim):
    client = SbiClient(port_first=sim.port, port_last=sim.port)
    with pytest.raises(DeviceUntrusted):
        client.capture(client.find(), 3, THUMBS)


def test_an_es256_device_key_is_accepted(tmp_path):
    pki = DemoPki.load_or_create(tmp_path / "pki", "SIM-0001", algorithm="ES256")
    with SbiSimulator(pki=pki) as sim:
        client = SbiClient(port_first=sim.port, port_last=sim.port, trust=sim.trust())
        fingers = client.capture(client.find(), 3, THUMBS).fingers
        assert _header(fingers[0].token)["alg"] == "ES256"
        assert [f.position for f in fingers] == THUMBS


def test_the_trust_store_setting_is_a_folder_beside_the_settings_file(sim, tmp_path):
    settings = Settings(path=tmp_path / "settings.toml")
    settings.set("sbi.port_first", sim.port)
    settings.set("sbi.port_last", sim.port)
    assert len(SbiClient.from_settings(settings).trust) == 0  # no folder yet: trusts nobody
    sim.write_trust(tmp_path / "sbi-trust")  # the default "sbi-trust", relative
    client = SbiClient.from_settings(settings)
    assert len(client.trust) == 2
    assert len(client.capture(client.find(), 3, THUMBS).fingers) == 2


def test_requests_carry_strings_where_the_spec_has_strings(sim, client):
    client.capture(client.find(), 1, [7, 8, 9, 10], [9], requested_score=35, timeout_ms=7000)
    req = sim.state.requests[-1]
    bio = req["bio"][0]
    assert (req["timeout"], bio["count"], bio["requestedScore"], bio["deviceSubId"]) == (
        "7000", "3", "35", "1")
    assert req["purpose"] == "Registration" and req["specVersion"] == "0.9.5"
    assert req["captureTime"].endswith("Z") and bio["previousHash"] != ""
    assert set(req) == {"env", "purpose", "specVersion", "timeout", "captureTime",
                        "transactionId", "bio", "customOpts"}
    list(client.stream(client.find(), 2, timeout=1, max_frames=1))


def test_the_simulator_refuses_numbers_as_mockmds_does(sim):
    import requests

    from kiosk.devices.sbi_protocol import EMPTY_HASH, capture_request

    body = capture_request(device_id=sim.device_id(), sub_id=3, wanted=THUMBS, excused=[],
                           requested_score=40, timeout_ms=1000, transaction_id="T-0001",
                           previous_hash=EMPTY_HASH)
    body["timeout"] = 1000
    answer = requests.request("RCAPTURE", sim.url + "/capture", json=body, timeout=5).json()
    assert answer["biometrics"][0]["error"]["errorCode"] == "123"
    stream = requests.request("STREAM", sim.url + "/stream", timeout=5,
                              json={"deviceId": sim.device_id(), "deviceSubId": 2})
    assert stream.json()["error"]["errorCode"] == "610"


@pytest.mark.parametrize(("answer", "found"), [
    (None, None), ({"error": None}, None), ({"error": {}}, None),
    ({"error": {"errorCode": "0", "errorInfo": "Success"}}, None),
    ({"error": {"errorCode": 0}}, None), ({"error": {"errorCode": ""}}, None),
    ({"error": {"errorCode": "111", "errorInfo": "Device is busy"}}, (111, "Device is busy")),
    ({"error": {"errorCode": 110}}, (110, "Device not ready")),  # a number, no info
    ([{"deviceInfo": "x", "error": {"errorCode": "100"}}], (100, "Device not registered")),
    ({"errorCode": "610", "errorInfo": "Live streaming unknown error"},  # MockMDS's STREAM
     (610, "Live streaming unknown error")),
    ([{"error": {"errorCode": "0"}}, {"error": {"errorCode": "701"}}], (701, "Unknown error")),
])
def test_errors_are_read_in_every_shape_in_use(answer, found):
    from kiosk.devices.sbi_protocol import find_error

    assert find_error(answer) == found


def test_an_error_code_that_is_not_a_number_is_a_clear_failure():
    from kiosk.devices.base import CaptureFailed
    from kiosk.devices.sbi import SbiClient

    with pytest.raises(CaptureFailed, match="not a number"):
        SbiClient._raise_for({"error": {"errorCode": "BUSY"}})


@pytest.mark.parametrize(("fmt", "edition", "compression"), [
    ("2005-wsq", "2005", "wsq"), ("2011-raw", "2011", "raw"),
    ("2011-jpeg2000", "2011", "jpeg2000_lossless")])
def test_every_record_format_a_device_may_send_is_kept_byte_for_byte(sim, client, fmt, edition,
                                                                     compression):
    from ektp_protocol import x5c
    from kiosk.devices import iso19794

    sim.control(record_format=fmt)
    for finger in client.capture(client.find(), 3, THUMBS).fingers:
        image = iso19794.decode(finger.record)
        assert (image.edition, image.compression, image.position) == (
            edition, compression, finger.position)
        assert unb64url(x5c.peek(finger.token)[1]["bioValue"]) == finger.record
