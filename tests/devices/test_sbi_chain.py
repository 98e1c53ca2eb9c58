"""One applicant's captures as one SBI hash chain, and the device's proof kept with them.

MOSIP SBI 0.9.5, bio.previousHash: "For the first capture the previousHash is the SHA256 hash
of an empty UTF-8 string. From the second capture the previous capture's "hash" is used as
input." The rule is recomputed here from the records on the wire, not taken from the client.
"""

from __future__ import annotations

import hashlib
import json

import pytest

from ektp_protocol import sbi_evidence
from kiosk.devices.fingerprint import FingerprintCapture
from kiosk.devices.sbi_protocol import unb64url
from kiosk.settings import Settings

EMPTY = hashlib.sha256(b"").hexdigest().upper()


@pytest.fixture
def capture(client):
    return FingerprintCapture(client, client.find(), Settings())


def _spec_hash(previous_hex: str, record: bytes) -> str:
    """The spec's rule, written out again: SHA-256(previous hash bytes + SHA-256(record))."""
    return hashlib.sha256(bytes.fromhex(previous_hex) + hashlib.sha256(record).digest()
                          ).hexdigest().upper()


def test_three_slaps_and_a_retry_form_one_chain_from_the_empty_hash(sim, capture):
    answers: list[list[str]] = []
    original = sim.capture

    def recording_capture(req):
        out = original(req)
        answers.append([b["hash"] for b in out["biometrics"]])
        return out

    sim.capture = recording_capture  # type: ignore[method-assign]
    sim.control(quality=[0.1, 1.0, 1.0, 1.0])  # the right slap needs a second attempt
    capture.run_all()
    sent = [r["bio"][0]["previousHash"] for r in sim.state.requests]
    assert len(sent) == 4
    assert sent[0] == EMPTY  # the first capture: SHA-256 of the empty string, not ""
    for n in range(1, 4):  # each later capture: the last hash the device returned before it
        assert sent[n] == answers[n - 1][-1]
    # and every hash follows the rule from the records the device signed
    running = EMPTY
    for entry in capture.log:
        assert entry["previousHash"] == running
        for bio in entry["biometrics"]:
            running = hashlib.sha256(bytes.fromhex(running) + bytes.fromhex(
                bio["bioValueSha256"])).hexdigest().upper()
            assert bio["hash"] == running
    for result in capture.results().values():
        claims = json.loads(unb64url(result.token.split(".")[1]))
        assert unb64url(claims["bioValue"]) == result.record


def test_the_chain_hash_is_the_specs_rule_over_the_signed_record(sim, capture):
    capture.attempt("thumbs")
    result = capture.results()[1]
    entry = capture.log[0]
    assert entry["biometrics"][0]["hash"] == _spec_hash(EMPTY, result.record)


def test_evidence_of_a_full_capture_verifies_against_the_trust_store(sim, capture):
    capture.run_all()
    blobs = {b.kind: b.data for b in capture.blobs()}
    records = {int(k.split(".")[1]): v for k, v in blobs.items() if k.startswith("finger.")}
    report = sbi_evidence.verify(blobs["sbi.evidence"], records, sim.trust())
    assert report.ok, report.problems
    assert report.fingers_verified == list(range(1, 11))
    assert report.captures == 3
    # the FTM chip signs the device info, the device key the captures: two signers
    assert len(report.signers) == 2


def test_evidence_names_a_finger_whose_stored_record_changed(sim, capture):
    capture.run_all()
    blobs = {b.kind: b.data for b in capture.blobs()}
    records = {int(k.split(".")[1]): v for k, v in blobs.items() if k.startswith("finger.")}
    rotten = bytearray(records[7])
    rotten[-3] ^= 0x01
    records[7] = bytes(rotten)
    report = sbi_evidence.verify(blobs["sbi.evidence"], records, sim.trust())
    assert not report.ok
    assert any(p.startswith("finger 7:") for p in report.problems)
    assert 7 not in report.fingers_verified and 2 in report.fingers_verified


def test_evidence_against_a_trust_store_without_the_devices_ca_fails(sim, capture, tmp_path):
    from ektp_protocol import x5c

    capture.attempt("thumbs")
    blobs = {b.kind: b.data for b in capture.blobs()}
    records = {int(k.split(".")[1]): v for k, v in blobs.items() if k.startswith("finger.")}
    report = sbi_evidence.verify(blobs["sbi.evidence"], records, x5c.TrustStore.from_certs([]))
    assert not report.ok and report.problems[0].startswith("device info:")


def test_evidence_is_small_beside_the_records(sim, capture):
    capture.run_all()
    blobs = {b.kind: b.data for b in capture.blobs()}
    fingers = sum(len(v) for k, v in blobs.items() if k.startswith("finger."))
    assert len(blobs["sbi.evidence"]) < 0.05 * fingers
