"""Every kecamatan of Indonesia ships (resources/regions/indonesia.csv.gz, from idn-area-data):
NIKs from anywhere are named and their kecamatan checked, the station's kecamatan setting
knows every one, and the table loads in well under a second in a fresh process."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest

from kiosk.domain.nik import InvalidNik, parse_nik
from kiosk.domain.regions import NATIONAL, SHIPPED, RegionTable, kecamatan_problem
from kiosk.settings import Settings, SettingsError

TODAY = dt.date(2026, 11, 29)


@pytest.fixture(scope="module")
def national() -> RegionTable:
    return RegionTable.load()


def _regencies(table: RegionTable) -> list:
    return [r for p in table.provinces() for r in table.children(p.code)]


def test_the_national_table_holds_every_level_with_its_licence_beside_it(national):
    regencies = _regencies(national)
    kecamatan = [k for r in regencies for k in national.children(r.code)]
    desa = sum(len(national.children(k.code)) for k in kecamatan)
    assert (len(national.provinces()), len(regencies), len(kecamatan), desa) == (
        38, 514, 7285, 83762)
    assert NATIONAL.stat().st_size < 2_000_000
    assert "Open Database License" in (SHIPPED / "LICENSE-ODbL.md").read_text(encoding="utf-8")
    notice = (SHIPPED / "NOTICE").read_text(encoding="utf-8")
    assert "idn-area-data 4.0.1" in notice and "ODbL" in notice


def test_a_nik_issued_in_aceh_is_accepted_with_its_region_named(national):
    # 11.01.01 is Bakongan, Kabupaten Aceh Selatan: no Aceh table shipped before
    info = parse_nik("1101014101900001", regions=national, today=TODAY)
    assert info.region_code == "110101"
    assert info.issued_in == "BAKONGAN, KABUPATEN ACEH SELATAN, ACEH"
    assert parse_nik("1101014101900001", today=TODAY).issued_in == info.issued_in


def test_a_nik_from_a_province_newer_than_stdnums_register_is_accepted(national):
    # Kalimantan Utara (65, 2012) and Papua Pegunungan (95, 2022): python-stdnum knows neither
    assert "KALIMANTAN UTARA" in parse_nik("6501014101900001", today=TODAY).issued_in
    kec = national.children(national.children("95")[0].code)[0]
    nik = kec.compact + "0101900001"
    assert parse_nik(nik, regions=national, today=TODAY).issued_in.startswith(kec.name)


def test_an_unknown_kecamatan_is_refused_inside_every_regency(national):
    refused = []
    for regency in _regencies(national):
        held = {k.compact[4:] for k in national.children(regency.code)}
        unused = next(f"{n:02d}" for n in range(1, 100) if f"{n:02d}" not in held)
        with pytest.raises(InvalidNik) as exc:
            parse_nik(f"{regency.compact}{unused}0101900001", regions=national, today=TODAY)
        assert exc.value.reason == "kecamatan"
        assert regency.name in exc.value.msg.id and regency.name in exc.value.msg.en
        refused.append(regency.code)
    assert len(refused) == 514


def test_the_station_kecamatan_setting_knows_every_kecamatan(national):
    kecamatan = [k for r in _regencies(national) for k in national.children(r.code)]
    assert [k.code for k in kecamatan if kecamatan_problem(k.compact) is not None] == []
    for code in ("110101", "650101", "317101"):
        assert Settings().set("station.kecamatan", code) is None
    with pytest.raises(SettingsError, match="KABUPATEN ACEH SELATAN"):
        Settings().set("station.kecamatan", "110199")


def test_the_national_table_loads_in_well_under_a_second_in_a_fresh_process():
    code = ("import json, time; t = time.perf_counter(); "
            "from kiosk.domain.regions import RegionTable; "
            "table = RegionTable.load(); n = len(table.children('11.01')); "
            "print(json.dumps([time.perf_counter() - t, n]))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=60)
    seconds, regency_kecamatan = json.loads(done.stdout)
    assert regency_kecamatan == 18  # Aceh Selatan's kecamatan
    assert seconds < 1.0
