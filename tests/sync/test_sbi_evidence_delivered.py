"""A recording's fingerprints keep the scanner's proof through the store and the wire.

The fingers are captured from the SBI simulator (RS256 + x5c, FTM and device keys apart,
2011/JPEG 2000 records), saved in the station's encrypted store, delivered to a real
kiosk-central, and then checked again, from the stored bytes alone, at the station and at the
centre: every finger's device signature, its certificate chain to the trust store and the
hash chain over the applicant's captures (ektp_protocol.sbi_evidence).
"""

from __future__ import annotations

from harness import quick_recording, server_view

from ektp_protocol import sbi_evidence
from kiosk.devices.fingerprint import FingerprintCapture
from kiosk.devices.sbi import SbiClient
from kiosk.devices.sim.sbi import running
from kiosk.domain.recording import Recording
from kiosk.settings import Settings
from kiosk.sync.engine import run_until_idle
from kiosk.sync.link import open_engine


def _captured_recording(sim) -> Recording:
    client = SbiClient(port_first=sim.port, port_last=sim.port, trust=sim.trust())
    capture = FingerprintCapture(client, client.find(), Settings())
    capture.run_all()
    base = quick_recording(7)
    others = [b for b in base.blobs if not b.kind.startswith("finger.")]
    return Recording(applicant=base.applicant, blobs=others + capture.blobs(),
                     quality={**base.quality, **capture.quality()})


def _records(blobs: dict[str, bytes]) -> dict[int, bytes]:
    return {int(k.split(".")[1]): v for k, v in blobs.items() if k.startswith("finger.")}


def test_device_signatures_verify_again_from_the_store_and_at_the_centre(
        new_station, central):
    store = new_station(0)
    with running() as sim:
        recording = _captured_recording(sim)
        trust = sim.trust()
    store.save_recording(recording, "tester")
    rid = recording.record_id
    # at the station: decrypted back from the store
    stored = {row["kind"]: store.blob(rid, row["kind"]) for row in store.blob_rows(rid)}
    report = sbi_evidence.verify(stored[sbi_evidence.KIND], _records(stored), trust)
    assert report.ok, report.problems
    assert report.fingers_verified == list(range(1, 11))
    # at the centre: the bytes it holds after a real sync
    engine = open_engine(store)
    try:
        assert run_until_idle(engine, 60)
    finally:
        engine.close()
    held = server_view(central.data_dir)[rid]
    by_kind = {b["kind"]: held["blobs"][b["sha256"]] for b in held["manifest"]["blobs"]}
    assert by_kind[sbi_evidence.KIND] == stored[sbi_evidence.KIND]
    report = sbi_evidence.verify(by_kind[sbi_evidence.KIND], _records(by_kind), trust)
    assert report.ok, report.problems
    # a finger rotten on the server's disk is named
    rotten = dict(_records(by_kind))
    rotten[4] = rotten[4][:-1] + bytes([rotten[4][-1] ^ 1])
    report = sbi_evidence.verify(by_kind[sbi_evidence.KIND], rotten, trust)
    assert not report.ok and any(p.startswith("finger 4:") for p in report.problems)


def test_the_centre_checks_a_records_fingers_from_its_command_line(new_station, central,
                                                                   tmp_path):
    import json
    import subprocess
    import sys

    store = new_station(0)
    with running() as sim:
        recording = _captured_recording(sim)
        sim.write_trust(tmp_path / "trust")
    store.save_recording(recording, "tester")
    engine = open_engine(store)
    try:
        assert run_until_idle(engine, 60)
    finally:
        engine.close()

    def check(rid: str, trust) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-c", "from central.cli import main; main()", "verify-fingers",
             "--data-dir",
             str(central.data_dir), rid, "--trust-store", str(trust)],
            capture_output=True, text=True, timeout=60)

    done = check(recording.record_id, tmp_path / "trust")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["ok"] and report["fingers_verified"] == list(range(1, 11))
    (tmp_path / "empty").mkdir()
    refused = check(recording.record_id, tmp_path / "empty")
    assert refused.returncode == 1 and "device info" in json.loads(refused.stdout)["problems"][0]
    unknown = check("00000000-0000-0000-0000-000000000000", tmp_path / "trust")
    assert unknown.returncode == 2 and "no record" in unknown.stderr
