"""Region tables: the shipped national table (and Palangka Raya's own), any CSV of the same
shape on top, and how fast the national table loads."""

from __future__ import annotations

import pytest

from kiosk.domain.regions import RegionTable, RegionTableError, kecamatan_problem


def test_palangka_raya_is_shipped_with_its_five_kecamatan(regions):
    names = [r.name for r in regions.children("6271")]
    assert names == ["PAHANDUT", "BUKIT BATU", "JEKAN RAYA", "SABANGAU", "RAKUMPIT"]
    assert regions.get("6271041001").name == "BERENG BENGKEL"
    assert regions.get("62.71.04.1006").name == "SABARU"


def test_a_csv_of_the_same_shape_corrects_and_adds_on_top_of_the_national_table(tmp_path):
    # Before every regency shipped, a CSV was how another regency got its table; now the
    # national table holds Jakarta Pusat, and a CSV corrects a name or adds a new desa.
    csv = tmp_path / "3171.csv"
    csv.write_text(
        "code,name\n31.71.01.1001,GAMBIR (BARU)\n31.71.01.1099,KELURAHAN PEMEKARAN\n",
        encoding="utf-8",
    )
    table = RegionTable.load([csv])
    assert table.holds_regency("3171") and table.holds_regency("6271")
    names = [r.name for r in table.children("317101")]
    assert names[0] == "GAMBIR (BARU)" and names[-1] == "KELURAHAN PEMEKARAN"
    assert len(names) == len(RegionTable.load().children("317101")) + 1
    assert RegionTable.load().get("31.71.01.1001").name == "GAMBIR"  # the shipped one untouched


def test_a_malformed_csv_is_refused_with_its_line(tmp_path):
    csv = tmp_path / "bad.csv"
    csv.write_text("code,name\n31.7,X\n", encoding="utf-8")
    with pytest.raises(RegionTableError, match="bad.csv:2"):
        RegionTable.load([csv])


def test_a_missing_table_is_a_sentence_naming_the_file(tmp_path):
    missing = tmp_path / "tidak-ada.csv"
    with pytest.raises(RegionTableError) as exc:
        RegionTable.load([missing])
    assert exc.value.msg.id.startswith(f"Tabel wilayah {missing} tidak bisa dipakai: berkasnya")
    assert "does not exist" in exc.value.msg.en and "station.region_tables" in exc.value.msg.en


def test_a_table_that_is_not_utf8_is_a_sentence(tmp_path):
    latin = tmp_path / "latin.csv"
    latin.write_bytes("code,name\n62,KALIMANTAN TENGAH\n62.71,PALANGKA \xc4\n".encode("latin-1"))
    with pytest.raises(RegionTableError, match="not UTF-8 text"):
        RegionTable.load([latin])


@pytest.mark.parametrize("code, ok", [
    ("627104", True), ("317101", True), ("627109", False), ("997104", False),
    ("62710", False), ("62710a", False),
])
def test_a_station_kecamatan_code(code, ok):
    assert (kecamatan_problem(code) is None) is ok
