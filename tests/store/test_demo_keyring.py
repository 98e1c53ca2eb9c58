"""The demo's keyring marker and the keyring's sentence: a demo data dir names the file keyring
beside it and nothing else; a keyring failure says what it stopped (recording only when
recording)."""

from __future__ import annotations

import keyring
import keyring.backends.fail
import pytest

from kiosk.store.keys import (
    DEMO_KEYRING_MARKER,
    KeyringUnavailable,
    demo_keyring_file,
    get_secret,
    mark_demo_keyring,
    marked_demo_keyring,
)
from kiosk.store.station import Store


def test_the_marker_names_the_key_file_beside_the_demo_folder(tmp_path):
    demo = tmp_path / "share" / "demo"
    demo.mkdir(parents=True)
    assert marked_demo_keyring(demo) is None  # no marker: the system's keyring
    key_file = mark_demo_keyring(demo)
    assert key_file == tmp_path / "share" / "demo-keyring.json"
    assert key_file.parent == demo.parent and not key_file.is_relative_to(demo)
    assert marked_demo_keyring(demo) == key_file == demo_keyring_file(demo)


@pytest.mark.parametrize("named", ["/tmp/elsewhere.json", "../other-keyring.json",
                                   "data-keyring.json.bak", ""])
def test_a_marker_naming_any_other_file_is_not_honoured(tmp_path, named):
    station = tmp_path / "data"
    station.mkdir()
    (station / DEMO_KEYRING_MARKER).write_text(named + "\n", encoding="utf-8")
    assert marked_demo_keyring(station) is None


def test_without_a_keyring_a_lookup_is_not_told_recording_is_refused(tmp_path, settings):
    keyring.set_keyring(keyring.backends.fail.Keyring())
    with pytest.raises(KeyringUnavailable) as plain:
        get_secret("data-key:x")
    assert "perekaman ditolak" not in plain.value.msg.id
    assert "tidak bisa dibuka atau disimpan" in plain.value.msg.id
    assert "can be neither opened nor saved" in plain.value.msg.en
    store = Store(tmp_path / "d", settings)
    try:
        with pytest.raises(KeyringUnavailable) as gate:
            store.check_can_start()
        assert "perekaman ditolak" in gate.value.msg.id
        assert "recording is refused" in gate.value.msg.en
        with pytest.raises(KeyringUnavailable) as lookup:
            store.find("6271014101900001")
        assert "perekaman ditolak" not in lookup.value.msg.id
    finally:
        store.close()
