"""`kiosk export` audits the exporter it is told: a named --actor must be one who may export, and
give their PIN."""

from __future__ import annotations

import json

import pytest

from kiosk.store import audit
from tests.cli.conftest import PINS, Station

DAY = ["--date", "2026-03-02", "--format", "csv"]


def _exports(st: Station) -> list[tuple[str, str]]:
    """(actor, format) of every export in the audit log, oldest first."""
    with st.open() as store:
        return [(r["actor"], json.loads(r["detail"])["format"])
                for r in reversed(audit.rows(store.db, 1000)) if r["action"] == "export"]


def test_a_masked_export_needs_no_actor_and_is_audited_as_cli(station, tmp_path):
    out = tmp_path / "log.csv"
    r = station.kiosk("export", *DAY, "--output", str(out))
    assert r.returncode == 0, r.stderr
    assert "0 baris / rows" in r.stdout and out.exists()
    assert _exports(station) == [("cli", "csv")]


def test_a_supervisor_named_as_actor_is_audited_as_the_exporter(station, tmp_path):
    r = station.kiosk("export", *DAY, "--output", str(tmp_path / "log.csv"), "--actor", "rina",
                      pin=PINS["rina"])
    assert r.returncode == 0, r.stderr
    assert _exports(station) == [("rina", "csv")]


REFUSALS = {  # actor -> what they are told, though each gives their own right PIN
    "budi": "'budi' tidak berwenang untuk tindakan ini (export).",
    "siapa": "Nama pengguna atau PIN salah.",
    "lama": "Akun 'lama' dinonaktifkan.",
}


@pytest.mark.parametrize("actor", list(REFUSALS),
                         ids=["operator", "unknown", "disabled-supervisor"])
@pytest.mark.parametrize("full_nik", [False, True], ids=["masked", "full-nik"])
def test_an_actor_who_may_not_export_is_refused_and_nothing_is_written(station, tmp_path,
                                                                      actor, full_nik):
    out = tmp_path / "log.csv"
    flags = ["--full-nik"] if full_nik else []
    r = station.kiosk("export", *DAY, "--output", str(out), *flags, "--actor", actor,
                      pin=PINS.get(actor, "123456"))
    assert r.returncode == 1, r.stdout + r.stderr
    assert REFUSALS[actor] in r.stderr
    assert "Traceback" not in r.stderr
    assert not out.exists() and _exports(station) == []


def test_a_full_nik_export_needs_the_supervisors_right_pin(station, tmp_path):
    out = tmp_path / "log.csv"
    wrong = station.kiosk("export", *DAY, "--output", str(out), "--full-nik", "--actor", "rina",
                          pin="000000")
    assert wrong.returncode == 1 and "Nama pengguna atau PIN salah." in wrong.stderr
    assert not out.exists() and _exports(station) == []
    right = station.kiosk("export", *DAY, "--output", str(out), "--full-nik", "--actor", "rina",
                          pin=PINS["rina"])
    assert right.returncode == 0, right.stderr
    assert _exports(station) == [("rina", "csv")]
