"""kiosk.devices.sim.pki: the simulator's demo PKI is made once, kept across restarts, signs
deviceInfo with the FTM chip and captures with the device key, and its tokens verify only
against its own roots (not MockMDS's, and MockMDS's not against it)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12

from ektp_protocol import x5c
from ektp_protocol.x5c import TokenRefused, TrustStore
from kiosk.devices.sim.pki import DemoPki

KEYS = Path(__file__).parent / "data" / "mockmds" / "keys"


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("pki") / "demo"


@pytest.fixture(scope="module")
def pki(folder) -> DemoPki:
    return DemoPki.load_or_create(folder, serial="SIM-0001")


def _refused(token: str, trust: TrustStore) -> TokenRefused:
    with pytest.raises(TokenRefused) as info:
        x5c.verify(token, trust)
    return info.value


def test_the_folder_is_private_and_a_restart_keeps_the_same_cas_and_keys(pki, folder):
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    keys = sorted(folder.glob("*.key.pem"))
    assert len(keys) == 4 and all(stat.S_IMODE(k.stat().st_mode) == 0o600 for k in keys)
    again = DemoPki.load_or_create(folder, serial="SIM-0001")
    assert [x5c.fingerprint(c) for c in again.ca_certs()] == [
        x5c.fingerprint(c) for c in pki.ca_certs()]
    assert again.chip.cert == pki.chip.cert and again.device.cert == pki.device.cert
    other = DemoPki.load_or_create(folder, serial="SIM-0002")  # same CAs, its own leaves
    assert other.ca_certs() == pki.ca_certs() and other.device.cert != pki.device.cert


def test_info_is_signed_by_the_ftm_chip_and_captures_by_the_device(pki, tmp_path):
    written = pki.write_trust_folder(tmp_path / "trust")
    assert sorted(p.name for p in written) == ["demo-device-provider-ca.pem", "demo-ftm-ca.pem"]
    assert not any(b"PRIVATE KEY" in p.read_bytes() for p in written)
    trust = TrustStore.from_folder(tmp_path / "trust")
    info = x5c.verify(pki.sign_info({"serialNo": "SIM-0001", "deviceStatus": "Ready"}), trust)
    capture = x5c.verify(pki.sign_capture(b'{"bioValue":"abc"}'), trust)
    assert info.chain[-1] == pki.ftm_ca.cert and capture.chain[-1] == pki.provider_ca.cert
    assert "SIM-0001" in info.signer and "FTM" in info.signer
    assert "SIM-0001" in capture.signer and capture.payload == b'{"bioValue":"abc"}'
    assert len(info.header["x5c"]) == 1 and info.header["alg"] == "RS256"
    # trusting only the provider root: the chip's deviceInfo has no path
    assert _refused(pki.sign_info({"a": 1}),
                    TrustStore.from_certs([pki.provider_ca.cert])).reason == "untrusted"


def test_es256_makes_the_device_key_p256_and_leaves_the_chip_rsa(folder, pki):
    es = DemoPki.load_or_create(folder, serial="SIM-0001", algorithm="ES256")
    assert isinstance(es.device.key, ec.EllipticCurvePrivateKey)
    assert es.ca_certs() == pki.ca_certs() and es.chip.cert == pki.chip.cert
    got = x5c.verify(es.sign_capture({"bioValue": "x"}), es.trust_store())
    assert got.header["alg"] == "ES256" and got.claims == {"bioValue": "x"}
    assert x5c.verify(es.sign_info({"a": 1}), es.trust_store()).header["alg"] == "RS256"
    with pytest.raises(ValueError):
        DemoPki.load_or_create(folder, algorithm="EdDSA")


def test_a_rogue_look_alike_is_untrusted_and_an_expired_device_is_named(pki):
    rogue_ca, rogue_leaf = pki.rogue()
    assert rogue_ca.subject == pki.provider_ca.cert.subject and rogue_ca != pki.provider_ca.cert
    assert rogue_leaf.cert.subject == pki.device.cert.subject
    refusal = _refused(rogue_leaf.sign({"bioValue": "x"}), pki.trust_store())
    assert refusal.reason == "untrusted"
    lapsed = _refused(pki.expired_device().sign({"bioValue": "x"}), pki.trust_store())
    assert lapsed.reason == "expired" and lapsed.subject == pki.device.cert.subject.rfc4514_string()
    assert lapsed.words()[1].startswith(f"Certificate '{lapsed.subject}' expired on ")


def test_demo_and_mockmds_trust_are_kept_apart(pki):
    key, cert, _ = pkcs12.load_key_and_certificates((KEYS / "mosipfingerslap.p12").read_bytes(),
                                                    b"mosipfingerslap")
    mosip = TrustStore.from_folder(KEYS)
    assert _refused(pki.sign_capture({"a": 1}), mosip).reason == "untrusted"
    assert _refused(x5c.sign({"a": 1}, key, [cert]), pki.trust_store()).reason == "untrusted"


def test_a_corrupted_leaf_is_reissued_under_the_same_ca(tmp_path):
    first = DemoPki.load_or_create(tmp_path / "p", serial="X")
    (tmp_path / "p" / "device-X-RS256.pem").write_text("garbage")
    second = DemoPki.load_or_create(tmp_path / "p", serial="X")
    assert second.ca_certs() == first.ca_certs() and second.device.cert != first.device.cert
    assert x5c.verify(second.sign_capture({"a": 1}), first.trust_store()).claims == {"a": 1}
