"""Region tables: the shipped Palangka Raya table, and any CSV of the same shape."""

from __future__ import annotations

import pytest

from kiosk.domain.regions import RegionTable, RegionTableError


def test_palangka_raya_is_shipped_with_its_five_kecamatan(regions):
    names = [r.name for r in regions.children("6271")]
    assert names == ["PAHANDUT", "BUKIT BATU", "JEKAN RAYA", "SABANGAU", "RAKUMPIT"]
    assert regions.get("6271041001").name == "BERENG BENGKEL"
    assert regions.get("62.71.04.1006").name == "SABARU"


def test_another_regency_loads_from_a_csv_of_the_same_shape(tmp_path):
    csv = tmp_path / "3171.csv"
    csv.write_text(
        "code,name\n31,DKI JAKARTA\n31.71,KOTA JAKARTA PUSAT\n31.71.01,GAMBIR\n"
        "31.71.01.1001,GAMBIR\n",
        encoding="utf-8",
    )
    table = RegionTable.load([csv])
    assert table.holds_regency("3171") and table.holds_regency("6271")
    assert [r.name for r in table.children("317101")] == ["GAMBIR"]


def test_a_malformed_csv_is_refused_with_its_line(tmp_path):
    csv = tmp_path / "bad.csv"
    csv.write_text("code,name\n31.7,X\n", encoding="utf-8")
    with pytest.raises(RegionTableError, match="bad.csv:2"):
        RegionTable.load([csv])
