"""A station day with 30 demo recordings, built once per session and copied per test.

Day 2026-03-02 (WIB): 30 records at 08:00 + 10 min each; record 3 has a finger exception and
record 5 a signature exception; records 1-10 received, 11-15 verified, 16-17 rejected by the
server, the rest waiting. Today's cap was raised to 35 with a reason. The server was
unreachable 23:30 (the day before) to 00:20 and 09:00-09:45; a camera incident at 10:00;
two self-tests (one failed) that day.
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass, replace
from pathlib import Path

import keyring
import pytest

from kiosk.app import accounts
from kiosk.demo.records import demo_recording
from kiosk.domain.regions import RegionTable
from kiosk.settings import Settings
from kiosk.store.db import iso
from kiosk.store.keys import MemoryKeyring
from kiosk.store.station import Store

DAY = dt.date(2026, 3, 2)
WIB = dt.timezone(dt.timedelta(hours=7))
N = 30


def local(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=WIB)


@dataclass
class Seed:
    data_dir: Path
    secrets: dict
    niks: dict[str, str]  # regno -> full NIK
    names: dict[str, str]  # regno -> name


def _build(root: Path) -> Seed:
    regions = RegionTable.load()
    clock = {"now": local(7, 30)}
    store = Store(root / "data", Settings(), clock=lambda: clock["now"])
    accounts.create_first_supervisor(store, "pengawas", "Rina Pengawas", "135790")
    accounts.create_user(store, "pengawas", "budi", "Budi Operator", "operator", "111111",
                         demo=True)
    store.override_cap(35, "antrean panjang hari Senin", "pengawas", now=local(7, 45))
    niks, names = {}, {}
    for i in range(1, N + 1):
        rec = demo_recording(i, "627104", regions, DAY)
        if i == 3:
            rec = replace(rec, blobs=[b for b in rec.blobs if b.kind != "finger.3"],
                          exceptions={"finger.3": "amputated: sejak lahir"})
        if i == 5:
            rec = replace(rec, blobs=[b for b in rec.blobs if not b.kind.startswith("signature")],
                          exceptions={"signature.png": "unable: tidak dapat menulis"})
        saved = store.save_recording(rec, "budi", now=local(8) + dt.timedelta(minutes=10 * i))
        niks[saved.regno] = rec.applicant.nik
        names[saved.regno] = rec.applicant.nama
    with store.db.conn:
        for seq in range(1, 18):
            state = "received" if seq <= 10 else "verified"
            store.db.execute(
                "UPDATE records SET state = ?, received_at = ? WHERE local_date = ? AND seq = ?",
                [state, iso(local(15) + dt.timedelta(minutes=seq)), DAY.isoformat(), seq],
            )
        store.db.execute(
            "UPDATE records SET processing_status = 'rejected', reject_reason = 'foto buram' "
            "WHERE local_date = ? AND seq IN (16, 17)", [DAY.isoformat()],
        )
    store.add_incident("server_unreachable", "server", "timeout",
                       started=local(23, 30, DAY - dt.timedelta(days=1)), ended=local(0, 20))
    store.add_incident("server_unreachable", "server", "timeout",
                       started=local(9), ended=local(9, 45))
    store.add_incident("device_lost", "camera", "camera unplugged", started=local(10))
    clock["now"] = local(7, 40)
    store.save_selftest(False, [{"name": "camera", "passed": False}])
    clock["now"] = local(7, 50)
    store.save_selftest(True, [{"name": "camera", "passed": True}])
    store.close()
    return Seed(root / "data", {}, niks, names)


@pytest.fixture(scope="session")
def seed(tmp_path_factory) -> Seed:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        built = _build(tmp_path_factory.mktemp("export-seed"))
    finally:
        keyring.set_keyring(previous)
    built.secrets = dict(backend.items)
    return built


@pytest.fixture
def day_store(seed: Seed, tmp_path: Path, memory_keyring):
    """A fresh copy of the seeded station; its clock is the evening of DAY."""
    memory_keyring.items.update(seed.secrets)
    shutil.copytree(seed.data_dir, tmp_path / "data")
    store = Store(tmp_path / "data", Settings(), clock=lambda: local(18))
    yield store
    store.close()
