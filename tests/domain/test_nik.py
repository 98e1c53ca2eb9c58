"""NIK parsing: domain.md's examples, the women's +40 day, regions, the century rule, the form."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.domain.nik import FEMALE, MALE, InvalidNik, NikInfo, make_nik, parse_nik

TODAY = dt.date(2026, 11, 29)


def test_domain_example_woman_born_1990_in_palangka_raya(regions):
    info = parse_nik("6271014101900001", regions=regions, today=TODAY)
    assert info == NikInfo("6271014101900001", "627101", dt.date(1990, 1, 1), FEMALE, "0001")


def test_domain_example_day_32_is_invalid(regions):
    with pytest.raises(InvalidNik) as exc:
        parse_nik("6271013202900001", regions=regions, today=TODAY)
    assert exc.value.reason == "date"


def test_women_have_40_added_to_the_day():
    woman = parse_nik("6271044808850003", today=TODAY)
    man = parse_nik("6271040808850003", today=TODAY)
    assert (woman.sex, woman.birth_date) == (FEMALE, dt.date(1985, 8, 8))
    assert (man.sex, man.birth_date) == (MALE, dt.date(1985, 8, 8))


@pytest.mark.parametrize("nik", ["6271047208850003", "6271040013850003", "6271044000850003"])
def test_impossible_days_and_months_are_rejected(nik):
    with pytest.raises(InvalidNik) as exc:
        parse_nik(nik, today=TODAY)
    assert exc.value.reason == "date"


def test_unknown_kecamatan_in_a_regency_we_hold_is_invalid(regions):
    with pytest.raises(InvalidNik) as exc:
        parse_nik("6271094101900001", regions=regions, today=TODAY)
    assert exc.value.reason == "kecamatan"
    assert "KOTA PALANGKA RAYA" in exc.value.msg.id


def test_nik_issued_elsewhere_is_valid_people_move(regions):
    # Jakarta Pusat (31.71.01 Gambir): issued far from this office, and accepted here.
    info = parse_nik("3171011708450001", regions=regions, today=TODAY)
    assert info.region_code == "317101"


def test_unknown_province_is_invalid(regions):
    with pytest.raises(InvalidNik) as exc:
        parse_nik("9971011708450001", regions=regions, today=TODAY)
    assert exc.value.reason == "region"


def test_century_is_the_latest_that_is_not_in_the_future():
    assert parse_nik("6271040501050001", today=TODAY).birth_date == dt.date(2005, 1, 5)
    assert parse_nik("6271040512300001", today=TODAY).birth_date == dt.date(1930, 12, 5)


def test_typed_birth_date_settles_the_century():
    info = parse_nik("6271040501050001", today=TODAY, birth_date=dt.date(1905, 1, 5))
    assert info.birth_date == dt.date(1905, 1, 5)


def test_form_birth_date_mismatch_names_both_values():
    with pytest.raises(InvalidNik) as exc:
        parse_nik("6271014101900001", today=TODAY, birth_date=dt.date(1990, 1, 2))
    assert exc.value.reason == "birth_date"
    assert "02-01-1990" in exc.value.msg.id and "01-01-90" in exc.value.msg.id
    assert "02-01-1990" in exc.value.msg.en and "01-01-90" in exc.value.msg.en


def test_form_sex_mismatch_names_both_values():
    with pytest.raises(InvalidNik) as exc:
        parse_nik("6271014101900001", today=TODAY, sex=MALE)
    assert exc.value.reason == "sex"
    assert MALE in exc.value.msg.id and FEMALE in exc.value.msg.id


@pytest.mark.parametrize(
    "text,reason",
    [
        ("", "format"),
        ("62710141019000", "length"),
        ("62710141O1900001", "format"),
        ("62710141019000011", "length"),
    ],
)
def test_malformed_input_gets_a_reason(text, reason):
    with pytest.raises(InvalidNik) as exc:
        parse_nik(text, today=TODAY)
    assert exc.value.reason == reason


def test_make_nik_round_trips(regions):
    born = dt.date(1999, 2, 28)
    nik = make_nik("627104", born, FEMALE, 17)
    info = parse_nik(nik, regions=regions, today=TODAY, birth_date=born, sex=FEMALE)
    assert (info.birth_date, info.sex, info.serial) == (born, FEMALE, "0017")
    assert info.masked == "627104********17"


@given(
    st.one_of(
        st.text(max_size=20),
        st.from_regex(r"\A[0-9]{16}\Z"),
        st.from_regex(r"\A(62|31|99)(71|01)0[0-9][0-7][0-9][01][0-9]{5}[0-9]\Z"),
    )
)
def test_any_string_parses_consistently_or_raises_invalid_nik(text):
    try:
        info = parse_nik(text, today=TODAY)
    except InvalidNik as exc:
        assert exc.reason and exc.msg.id and exc.msg.en
        return
    assert info.nik == text.strip()
    assert info.birth_date <= TODAY
    day = int(text[6:8])
    assert info.sex == (FEMALE if day > 40 else MALE)
    assert info.birth_date.day == day % 40
    assert info.birth_date.month == int(text[8:10])
    assert info.birth_date.year % 100 == int(text[10:12])
    assert info.region_code == text[:6] and info.serial == text[12:]
    assert make_nik(info.region_code, info.birth_date, info.sex, int(info.serial)) == info.nik


def test_without_a_table_the_shipped_region_tables_still_check_the_kecamatan():
    """parse_nik(text) alone applies resources/regions: 62.71.09 is no kecamatan of Palangka
    Raya, while a NIK from a real kecamatan of another regency is accepted."""
    with pytest.raises(InvalidNik) as exc:
        parse_nik("6271094101900001", today=TODAY)
    assert exc.value.reason == "kecamatan" and "KOTA PALANGKA RAYA" in exc.value.msg.en
    assert parse_nik("3171011708450001", today=TODAY).region_code == "317101"
