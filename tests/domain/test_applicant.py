"""Applicant validation returns every problem at once, each in Indonesian and English."""

from __future__ import annotations

import datetime as dt

import pytest

from kiosk.domain.applicant import Applicant, ApplicantInvalid, check_applicant, validate_applicant
from kiosk.domain.nik import FEMALE, MALE, make_nik

TODAY = dt.date(2026, 11, 29)


def good(**changes) -> Applicant:
    born = dt.date(1990, 1, 1)
    a = Applicant(
        nik=make_nik("627104", born, FEMALE, 12),
        nama="SITI RAHMAWATI",
        tempat_lahir="PALANGKA RAYA",
        tanggal_lahir=born,
        jenis_kelamin=FEMALE,
        golongan_darah="O",
        alamat="JL. G. OBOS NO. 12",
        rt="003",
        rw="001",
        kecamatan="627104",
        kelurahan="6271041002",
        agama="ISLAM",
        status_perkawinan="KAWIN",
        pekerjaan="WIRASWASTA",
        telepon="081234567890",
    )
    for k, v in changes.items():
        setattr(a, k, v)
    return a


def fields_of(problems) -> set[str]:
    return {p.field for p in problems}


def test_a_complete_applicant_has_no_problems(regions):
    assert validate_applicant(good(), regions, TODAY) == []


def test_every_problem_is_reported_at_once(regions):
    a = good(nama="", agama="JEDI", rt="12345", kelurahan="6271011001", telepon="12")
    problems = validate_applicant(a, regions, TODAY)
    assert fields_of(problems) == {"nama", "agama", "rt", "kelurahan", "telepon"}
    for p in problems:
        assert p.msg.id and p.msg.en and p.msg.id != p.msg.en


def test_nik_disagreeing_with_the_form_is_reported_on_the_form_field(regions):
    problems = validate_applicant(good(jenis_kelamin=MALE), regions, TODAY)
    assert [(p.field, p.code) for p in problems] == [("jenis_kelamin", "nik_mismatch")]
    problems = validate_applicant(good(tanggal_lahir=dt.date(1990, 1, 2)), regions, TODAY)
    assert [(p.field, p.code) for p in problems] == [("tanggal_lahir", "nik_mismatch")]


def test_under_17_and_never_married_is_not_eligible(regions):
    born = dt.date(2010, 5, 5)
    a = good(
        nik=make_nik("627104", born, FEMALE, 3), tanggal_lahir=born, status_perkawinan="BELUM KAWIN"
    )
    problems = validate_applicant(a, regions, TODAY)
    assert [p.code for p in problems] == ["not_eligible"]
    assert "17" in problems[0].msg.id


def test_under_17_but_married_is_eligible(regions):
    born = dt.date(2010, 5, 5)
    a = good(nik=make_nik("627104", born, FEMALE, 3), tanggal_lahir=born, status_perkawinan="KAWIN")
    assert validate_applicant(a, regions, TODAY) == []


def test_turning_17_today_is_eligible(regions):
    born = dt.date(2009, 11, 29)
    a = good(
        nik=make_nik("627104", born, FEMALE, 3), tanggal_lahir=born, status_perkawinan="BELUM KAWIN"
    )
    assert validate_applicant(a, regions, TODAY) == []


def test_citizen_card_is_valid_for_life_and_foreigner_needs_a_date(regions):
    assert fields_of(validate_applicant(good(berlaku_hingga="2030-01-01"), regions, TODAY)) == {
        "berlaku_hingga"
    }
    wna = good(kewarganegaraan="WNA", berlaku_hingga="2030-01-01")
    assert validate_applicant(wna, regions, TODAY) == []
    assert fields_of(validate_applicant(good(kewarganegaraan="WNA"), regions, TODAY)) == {
        "berlaku_hingga"
    }


def test_check_applicant_raises_with_all_problems(regions):
    with pytest.raises(ApplicantInvalid) as exc:
        check_applicant(good(nama="", alamat=""), regions, TODAY)
    assert fields_of(exc.value.problems) == {"nama", "alamat"}


def test_applicant_round_trips_through_a_dict():
    a = good()
    assert Applicant.from_dict(a.to_dict()) == a
