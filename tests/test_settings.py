"""Settings: declared once, read from one TOML file, checked with messages that name the key."""

from __future__ import annotations

import pytest
import tomli_w

from kiosk.settings import BY_KEY, SETTINGS, Settings, SettingsError


def test_every_setting_is_declared_once_with_type_default_and_help():
    assert len(BY_KEY) == len(SETTINGS)
    for s in SETTINGS:
        assert s.help and "." in s.key
        assert s.coerce(s.default) == s.default


def test_a_file_holds_only_changes_and_round_trips(tmp_path):
    path = tmp_path / "settings.toml"
    s = Settings({"cap.daily": 45, "station.timezone": "Asia/Makassar"})
    s.save(path)
    text = path.read_text()
    assert "[cap]" in text and "daily = 45" in text and "ui" not in text
    again = Settings.load(path)
    assert again["cap.daily"] == 45 and again["ui.language"] == "id"
    assert str(again.timezone) == "Asia/Makassar"


@pytest.mark.parametrize(
    "content,message",
    [
        ("[cap]\ndaily = 'banyak'\n", "cap.daily"),
        ("[cap]\ndaily = 0\n", "below the minimum"),
        ("[ui]\nlanguage = 'fr'\n", "ui.language"),
        ("[nope]\nx = 1\n", "nope.x: unknown setting"),
        ("not toml [", "not a valid TOML"),
    ],
)
def test_bad_files_are_refused_with_the_key_named(tmp_path, content, message):
    path = tmp_path / "settings.toml"
    path.write_text(content)
    with pytest.raises(SettingsError, match=message):
        Settings.load(path)


def test_an_unknown_time_zone_is_reported():
    with pytest.raises(SettingsError, match="time zone"):
        _ = Settings({"station.timezone": "Mars/Olympus"}).timezone


@pytest.mark.parametrize("value, said", [
    ("627104'; DROP TABLE records;--", "must be 6 digits"),
    ("62710", "must be 6 digits"),
    ("627109", "Kecamatan code 09 does not exist in KOTA PALANGKA RAYA"),
    ("997104", "province/regency code 99.71 is unknown"),
], ids=["sql", "five-digits", "not-in-the-shipped-table", "unknown-province"])
def test_the_station_kecamatan_is_checked_when_set_and_when_loaded(tmp_path, value, said):
    with pytest.raises(SettingsError, match="station.kecamatan") as refused:
        Settings().set("station.kecamatan", value)
    assert said in str(refused.value)
    path = tmp_path / "settings.toml"
    path.write_text(tomli_w.dumps({"station": {"kecamatan": value}}))
    with pytest.raises(SettingsError, match="station.kecamatan") as refused_on_load:
        Settings.load(path)
    assert said in str(refused_on_load.value)


def test_a_kecamatan_of_a_regency_not_shipped_needs_a_known_regency_code():
    s = Settings({"station.kecamatan": "317101"})  # Jakarta Pusat: python-stdnum knows it
    assert s["station.kecamatan"] == "317101"


@pytest.mark.parametrize("value, kept", [("3", "03"), (7, "07"), ("12", "12")])
def test_the_station_number_is_one_or_two_digits_kept_as_two(value, kept):
    assert Settings({"station.number": value})["station.number"] == kept


@pytest.mark.parametrize("value", ["123", "", "1a", "-1", "01;"])
def test_any_other_station_number_is_refused(value):
    with pytest.raises(SettingsError, match="station.number"):
        Settings({"station.number": value})
