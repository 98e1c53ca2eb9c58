"""The MockMDS fake checked against the Java it mirrors (mosip-mock-services MockMDS, f88d19e).

Each test names the Java method whose answer it pins down; the requests are made with plain
`requests`, so the fake, not the station's client, is what is under test here.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.serialization import pkcs12

from tests.devices.mockmds import MockMds
from tests.devices.mockmds_wire import DATA

RIGHT = ["Right IndexFinger", "Right MiddleFinger", "Right RingFinger", "Right LittleFinger"]


def _b64d(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def _cert(stem: str) -> x509.Certificate:
    data = (DATA / "keys" / f"{stem}.p12").read_bytes()
    return pkcs12.load_key_and_certificates(data, stem.encode())[1]


def _verify(token: str, stem: str) -> dict:
    """Check a compact JWS as a relying party would: header, x5c = the .p12 cert, signature."""
    head, payload, sig = token.split(".")
    header = json.loads(_b64d(head))
    assert list(header) == ["x5c", "alg", "typ"]  # jose4j's order in JwtUtility.getJwt
    assert header["alg"] == "RS256" and header["typ"] == "JWT"
    cert = x509.load_der_x509_certificate(base64.b64decode(header["x5c"][0]))
    assert cert == _cert(stem)
    cert.public_key().verify(_b64d(sig), f"{head}.{payload}".encode(), padding.PKCS1v15(),
                             hashes.SHA256())
    return json.loads(_b64d(payload))


def _capture_body(**over) -> dict:
    bio = {"type": "Finger", "count": "4", "requestedScore": "40", "deviceId": "2",
           "deviceSubId": "2", "previousHash": ""}
    bio.update(over.pop("bio", {}))
    body = {"env": "Staging", "purpose": "Registration", "specVersion": "0.9.5",
            "timeout": "10000", "captureTime": "2024-05-01T10:00:00Z",
            "transactionId": "txn-0001", "bio": [bio]}
    body.update(over)
    return body


@pytest.fixture
def mds():
    with MockMds() as m:
        yield m


def _call(mds: MockMds, verb: str, path: str, body: dict | None = None) -> requests.Response:
    return requests.request(verb, mds.url + path, json=body, timeout=15)


def test_rcapture_success_mirrors_getBiometricData(mds):
    """processRCaptureInfo + getBioMetricsDtoList + getBiometricData: 4 right-slap fingers, in
    MockMDS's order, each hash = upper hex SHA-256(previous || SHA-256(ISO bytes))."""
    r = _call(mds, "RCAPTURE", "/capture", _capture_body())
    assert r.status_code == 200 and r.headers["Connection"] == "close"
    bios = r.json()["biometrics"]
    assert [list(b) for b in bios] == [["specVersion", "data", "hash", "error"]] * 4
    prev = hashlib.sha256(b"").digest()
    for b, name in zip(bios, RIGHT, strict=True):
        assert b["error"] == {"errorCode": "0", "errorInfo": "Success"}
        data = _verify(b["data"], "mosipfingerslap")
        assert list(data) == ["digitalId", "deviceCode", "deviceServiceVersion", "bioType",
                              "bioSubType", "purpose", "env", "bioValue", "transactionId",
                              "timestamp", "requestedScore", "qualityScore"]
        assert data["bioSubType"] == name and data["bioType"] == "Finger"
        assert (data["requestedScore"], data["qualityScore"]) == ("40.0", "44.0")
        iso = (DATA / "iso" / (name.replace("Finger", "").replace(" ", "_") + ".iso")).read_bytes()
        assert "=" not in data["bioValue"] and _b64d(data["bioValue"]) == iso
        digest = hashlib.sha256(prev + hashlib.sha256(iso).digest()).digest()
        assert b["hash"] == digest.hex().upper()
        prev = digest
        assert _verify(data["digitalId"], "mosipfingerslap")["deviceSubType"] == "Slap"


def test_rcapture_numeric_timeout_is_123_as_IntegerDeserializer(mds):
    """IntegerDeserializer refuses a JSON number; getRequestJson gives null; 123 with the
    sessionKey/thumbprint shape (getCaptureErrorJson isRCapture=false); no text for 123."""
    r = _call(mds, "RCAPTURE", "/capture", _capture_body(timeout=10000))
    assert r.json() == {"biometrics": [{"specVersion": "", "data": "", "hash": "", "sessionKey": "",
                                        "thumbprint": "", "error": {
                                            "errorCode": "123",
                                            "errorInfo": "No Description available."}}]}


def test_stream_numeric_subid_is_610_from_processLiveStreamInfo(mds):
    """processLiveStreamInfo: the null request object's NPE lands in the outer catch as 610,
    written by getStreamErrorJson as a bare ErrorInfo (not a list, not wrapped)."""
    r = _call(mds, "STREAM", "/stream", {"deviceId": "2", "deviceSubId": 1})
    assert r.json()["errorCode"] == "610"
    assert r.json()["errorInfo"].startswith("Live streaming unknown error Cannot invoke")


def test_stream_frames_as_writeFrame(mds):
    """createMainHeader / createHeader: multipart with --BoundaryString, the slap JPEG, then 609
    (Live Stream timeout) when the request's timeout passes."""
    conn = http.client.HTTPConnection("127.0.0.1", mds.port, timeout=10)
    conn.request("STREAM", "/stream", json.dumps({"deviceId": "2", "deviceSubId": "1",
                                                  "timeout": "300"}))
    resp = conn.getresponse()
    assert resp.getheader("Content-Type") == "multipart/x-mixed-replace; boundary=--BoundaryString"
    rest = resp.read()
    jpeg = (DATA / "stream" / "1.jpeg").read_bytes()
    assert rest.startswith(b"--BoundaryString\r\n") and jpeg in rest
    assert rest.rstrip().endswith(b'{"errorCode":"609","errorInfo":"Live Stream timeout"}')


def test_deviceinfo_digitalid_verifies_as_getDeviceInfo(mds):
    """getDeviceInfoDto signs deviceInfo, getDeviceInfo signs digitalId, both with the slap's
    device key for purpose Registration."""
    [dto] = _call(mds, "MOSIPDINFO", "/info").json()
    assert dto["error"] == {"errorCode": "0", "errorInfo": "Success"}
    info = _verify(dto["deviceInfo"], "mosipfingerslap")
    assert info["deviceStatus"] == "Ready" and info["purpose"] == "Registration"
    assert _verify(info["digitalId"], "mosipfingerslap")["type"] == "Finger"


def test_deviceinfo_ftm_option_signs_with_ftm_key():
    """ftm=True: deviceInfo and digitalId signed with mosipfingerslapftm.p12, data still not."""
    with MockMds(ftm=True) as m:
        info = _verify(_call(m, "MOSIPDINFO", "/info").json()[0]["deviceInfo"],
                       "mosipfingerslapftm")
        _verify(info["digitalId"], "mosipfingerslapftm")
        data = _call(m, "RCAPTURE", "/capture", _capture_body()).json()["biometrics"][0]["data"]
        _verify(data, "mosipfingerslap")


def test_admin_busy_as_processSetStatus(mds):
    """processSetStatus answers a bare ErrorInfo 0; then discovery and info carry 111
    (getDiscoverInfo / getDeviceInfoDto) and RCAPTURE is 703 (no capture info while Busy)."""
    r = requests.post(mds.url + "/admin/status", json={"type": "Finger", "deviceStatus": "Busy"})
    assert r.json() == {"errorCode": "0", "errorInfo": "Success"}
    disc = _call(mds, "MOSIPDISC", "/device", {"type": "Finger"}).json()[0]
    assert disc["deviceStatus"] == "Busy" and disc["error"]["errorCode"] == "111"
    assert disc["deviceSubId"] == ["1", "2", "3"]
    assert _call(mds, "MOSIPDINFO", "/info").json()[0]["error"]["errorCode"] == "111"
    err = _call(mds, "RCAPTURE", "/capture", _capture_body()).json()["biometrics"][0]["error"]
    assert err["errorCode"] == "703"


def test_not_registered_is_unsigned_and_705(mds):
    """getDeviceInfoDto Not Registered: base64url JSON with blank ids; the capture then finds no
    device with that id (getDeviceHelperForDeviceId) and answers 705."""
    requests.post(mds.url + "/admin/status", json={"type": "Finger",
                                                   "deviceStatus": "Not Registered"})
    dto = _call(mds, "MOSIPDINFO", "/info").json()[0]
    info = json.loads(_b64d(dto["deviceInfo"]))
    assert dto["error"]["errorCode"] == "100" and info["deviceId"] == ""
    err = _call(mds, "RCAPTURE", "/capture", _capture_body()).json()["biometrics"][0]["error"]
    assert err["errorCode"] == "705"


def test_exceptions_reduce_biometrics_as_getBioMetricsDtoList(mds):
    """Excepted fingers are CHECKED and left out; count + exceptions must be 4 (else 109)."""
    body = _capture_body(bio={"count": "3", "exception": ["Right RingFinger", "Right Thumb"]})
    bad = _call(mds, "RCAPTURE", "/capture", body).json()["biometrics"][0]["error"]["errorCode"]
    assert bad == "109"  # Right Thumb is not on the right slap but counts toward the total
    body = _capture_body(bio={"count": "3", "exception": ["Right RingFinger"]})
    bios = _call(mds, "RCAPTURE", "/capture", body).json()["biometrics"]
    names = [json.loads(_b64d(b["data"].split(".")[1]))["bioSubType"] for b in bios]
    assert names == ["Right IndexFinger", "Right MiddleFinger", "Right LittleFinger"]
    wrong = _capture_body(bio={"count": "3", "exception": ["Right Ring"]})
    code = _call(mds, "RCAPTURE", "/capture", wrong).json()["biometrics"][0]["error"]["errorCode"]
    assert code == "122"


def test_rcapture_transaction_id_is_112(mds):
    """StringHelper.isAlphaNumericHyphenWithMinMaxLength: ^[a-zA-Z0-9-]{4,50}$ else 112."""
    r = _call(mds, "RCAPTURE", "/capture", _capture_body(transactionId="tx_1"))
    assert r.json()["biometrics"][0]["error"]["errorCode"] == "112"


def test_admin_score_and_delay(mds):
    """processSetQualityScore changes qualityScore; processSetDelay with RCAPTURE beyond the
    timeout makes the capture time out (701)."""
    assert requests.post(mds.url + "/admin/score", json={"type": "Finger", "qualityScore": "80.5"}
                         ).json()["errorCode"] == "0"
    data = _call(mds, "RCAPTURE", "/capture", _capture_body()).json()["biometrics"][0]["data"]
    assert json.loads(_b64d(data.split(".")[1]))["qualityScore"] == "80.5"
    assert requests.post(mds.url + "/admin/delay", json={"type": "Finger", "delay": "400",
                                                         "method": ["RCAPTURE"]}).json() == {
        "errorCode": "0", "errorInfo": "Success"}
    r = _call(mds, "RCAPTURE", "/capture", _capture_body(timeout="100"))
    assert r.json()["biometrics"][0]["error"]["errorCode"] == "701"
    assert mds.requests[-1].json["timeout"] == "100" and mds.requests[-1].method == "RCAPTURE"


def test_discovery_bad_type_is_502(mds):
    """processDeviceDicoveryInfo: a type outside the four names answers [{"error": 502}]."""
    r = _call(mds, "MOSIPDISC", "/device", {"type": "Fingerprint"})
    assert r.json() == [{"error": {"errorCode": "502", "errorInfo": "Biometric Type values "
                                   "Mismatch('Biometric Device', 'Finger', 'Face', 'Iris')"}}]
