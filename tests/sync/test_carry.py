"""Records carried on a drive (issue 16): a station with no link at all exports its records
to a folder, the centre (PostgreSQL + S3, two processes) imports them and writes receipts back,
the station reads them: every record received with a valid receipt, the freeze gate lifts,
and when the link returns, reconciliation verifies them all without sending anything again.
Then the drive's failures, each on the embedded server: a pulled drive, an altered packet,
another station's packet, a drive imported twice, a record that arrived online meanwhile:
nothing lost, nothing doubled, every refusal named."""

from __future__ import annotations

import datetime as dt
import getpass
import json
import shutil
import socket
import subprocess
from pathlib import Path

import psycopg
import pytest
from faultproxy import FaultProxy
from harness import CENTRAL, assert_delivered, link, make_station

from ektp_protocol import carry
from kiosk.app.gates import unsent_reason
from kiosk.store.keys import get_secret
from kiosk.sync.carry import apply_receipts, export
from kiosk.sync.engine import run_until_idle
from kiosk.sync.link import CARRY_KEY_META, open_engine, signing_key_name


def _closed_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def _offline(store) -> str:
    """Point the station at a port where nothing listens; the real URL, to come back."""
    real = store.settings["sync.server_url"]
    store.settings.set("sync.server_url", _closed_url())
    store.settings.save()
    return real


def _online(store, url: str) -> None:
    store.settings.set("sync.server_url", url)
    store.settings.save()


def _drain(store, timeout: float = 120) -> bool:
    engine = open_engine(store)
    try:
        return run_until_idle(engine, timeout)
    finally:
        engine.close()


def _key(store) -> str:
    return get_secret(signing_key_name(store.station_id))


def _drive_bytes(drive: Path) -> list[bytes]:
    return [p.read_bytes() for p in drive.rglob("*") if p.is_file()]


def _personal(store) -> list[bytes]:
    """The applicants' NIK, name and address, and the first 24 bytes of every blob (a photo's
    JPEG header, a finger record's, a signature's PNG): none may be on the drive in clear.
    (Whole markers, not 3-byte magics: 36 MB of ciphertext holds those by chance.)"""
    out = []
    for (rid,) in store.db.execute("SELECT id FROM records"):
        applicant, _ = store.applicant(rid)
        out += [applicant.nik.encode(), applicant.nama.encode(), applicant.alamat.encode()]
        out += [store.blob(rid, b["kind"])[:24] for b in store.blob_rows(rid)]
    return [o for o in out if len(o) >= 8]


def test_fifty_records_go_by_drive_and_come_back_received_then_verified_online(
        cluster_central, tmp_path):
    server = cluster_central
    store = make_station(tmp_path / "station", 50)
    try:
        link(store, server.url, server.add_station("kec-tanpa-sinyal"))
        assert store.meta(CARRY_KEY_META)
        real = _offline(store)
        assert not _drain(store, 3)  # no link at all
        late = store.clock() + dt.timedelta(days=8)
        assert unsent_reason(store, late) is not None  # a week without the link: frozen
        drive = tmp_path / "flashdisk"
        drive.mkdir()
        result = export(store, drive, _key(store))
        assert len(result.written) == 50 and not result.unreadable
        blob_bytes = store.db.execute("SELECT SUM(size) FROM blobs").fetchone()[0]
        assert result.bytes < blob_bytes * 1.05
        secrets = _personal(store)
        for path in drive.rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                assert not [s for s in secrets if s in data], (path.name,
                                                               [s for s in secrets if s in data])
        out = subprocess.run([CENTRAL, "carry", "import", str(drive), "--json"],
                             env=server.cluster.env, capture_output=True, text=True)
        assert out.returncode == 0, out.stdout + out.stderr
        (folder,) = json.loads(out.stdout)
        assert [o["outcome"] for o in folder["outcomes"]] == ["imported"] * 50
        with psycopg.connect(server.cluster.dsn) as conn:  # in the console's list of imports
            assert conn.execute("SELECT station, imported, refused, officer FROM "
                                "carry_imports").fetchall() == [
                (folder["station"], 50, 0, f"{getpass.getuser()} (kiosk-central carry import)")]
        got = apply_receipts(store, drive)
        assert len(got.received) == 50 and not got.refused
        states = dict(store.db.execute("SELECT state, COUNT(*) FROM records GROUP BY state"))
        assert states == {"received": 50}
        assert store.db.execute("SELECT COUNT(*) FROM records WHERE carry_receipt_at IS NOT "
                                "NULL").fetchone()[0] == 50
        assert unsent_reason(store, late) is None  # carried and received counts as delivered
        with FaultProxy(server.port) as proxy:  # the link comes back
            _online(store, proxy.url)
            assert _drain(store)
            sent = [p for _, m, p in proxy.stats.requests  # blobs or records, not its report
                    if (m == "PUT" and p != "/v1/station/report") or p.startswith("/v1/blobs:")]
        assert sent == [], sent  # nothing sent again: reconciliation found it all
        _online(store, real)
        assert_delivered(store, server)
    finally:
        store.close()


@pytest.fixture
def offline_station(central, tmp_path):
    store = make_station(tmp_path / "station", 6)
    link(store, central.url, central.add_station(f"carry-{tmp_path.name}"))
    real = _offline(store)
    drive = tmp_path / "flashdisk"
    drive.mkdir()
    yield store, drive, real
    store.close()


def _import(central, drive: Path) -> tuple[int, list[dict]]:
    out = subprocess.run([CENTRAL, "carry", "import", str(drive), "--json", "--data-dir",
                          str(central.data_dir)], capture_output=True, text=True)
    assert out.returncode in (0, 1), out.stderr
    return out.returncode, [o for f in json.loads(out.stdout) for o in f["outcomes"]]


def test_a_drive_pulled_mid_export_keeps_what_it_holds_whole(central, offline_station):
    store, drive, real = offline_station
    result = export(store, drive, _key(store))
    packets = result.folder / carry.PACKETS
    index = json.loads((result.folder / carry.INDEX).read_bytes())["index"]["packets"]
    # the drive was pulled while the 4th packet was written: the index lists three, the 4th
    # is cut on the drive, the rest never came
    for entry in index[3:]:
        (packets / entry["name"]).unlink()
    cut = packets / index[3]["name"]
    cut.write_bytes(b"")
    (packets / (index[3]["name"] + ".part")).write_bytes(b"EKTPCAR1" + b"\0" * 40)
    doc = json.loads((result.folder / carry.INDEX).read_bytes())
    doc["index"]["packets"] = index[:3]
    from ektp_protocol.canonical import canonical

    doc["signature"] = __import__("ektp_protocol").sign(_key(store), canonical(doc["index"]))
    (result.folder / carry.INDEX).write_bytes(canonical(doc))
    code, outcomes = _import(central, drive)
    taken = [o for o in outcomes if o["outcome"] == "imported"]
    refused = {o["name"]: o["reason"] for o in outcomes if o["outcome"] == "refused"}
    assert len(taken) == 3 and refused == {index[3]["name"]: "not_listed"} and code == 1
    got = apply_receipts(store, drive)
    assert len(got.received) == 3
    _online(store, real)
    assert _drain(store)  # the other three went by the link when it came back
    assert_delivered(store, central)


def test_altered_foreign_and_twice_imported_packets_are_named_and_nothing_doubles(
        central, offline_station, tmp_path):
    store, drive, real = offline_station
    result = export(store, drive, _key(store))
    packets = sorted((result.folder / carry.PACKETS).glob("*" + carry.SUFFIX))
    altered = bytearray(packets[0].read_bytes())
    altered[200] ^= 0x01
    packets[0].write_bytes(bytes(altered))
    other = make_station(tmp_path / "other", 1, first=900)  # another station's packet
    try:
        link(other, central.url, central.add_station(f"other-{tmp_path.name}"))
        _offline(other)
        theirs = export(other, tmp_path / "their-drive", _key(other))
        foreign = next((theirs.folder / carry.PACKETS).glob("*" + carry.SUFFIX))
        shutil.copy(foreign, result.folder / carry.PACKETS / foreign.name)
    finally:
        other.close()
    code, outcomes = _import(central, drive)
    refused = {o["name"]: o["reason"] for o in outcomes if o["outcome"] == "refused"}
    assert refused == {packets[0].name: "altered", foreign.name: "not_listed"} and code == 1
    assert sum(o["outcome"] == "imported" for o in outcomes) == 5
    code, again = _import(central, drive)  # the same drive imported twice
    assert sum(o["outcome"] == "already" for o in again) == 5 and code == 1
    assert {o["receipt"]["receipt"]["server_seq"] for o in again if o.get("receipt")} == \
        {o["receipt"]["receipt"]["server_seq"] for o in outcomes if o.get("receipt")}
    got = apply_receipts(store, drive)
    assert len(got.received) == 5 and [r for r, _ in got.refused] == \
        [packets[0].name.removesuffix(carry.SUFFIX)]
    _online(store, real)
    assert _drain(store)
    assert_delivered(store, central)  # each record once, the altered one by the link


def test_a_record_that_arrived_online_meanwhile_is_answered_not_doubled(central,
                                                                         offline_station):
    store, drive, real = offline_station
    result = export(store, drive, _key(store))
    _online(store, real)
    assert _drain(store)  # the link came back before the drive reached the centre
    code, outcomes = _import(central, drive)
    assert code == 0 and [o["outcome"] for o in outcomes] == ["already"] * len(result.written)
    got = apply_receipts(store, drive)
    assert got.received == [] and len(got.already) == len(result.written)
    assert_delivered(store, central)
