"""Settings: declared once, read from one TOML file, checked with messages that name the key."""

from __future__ import annotations

import pytest

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
