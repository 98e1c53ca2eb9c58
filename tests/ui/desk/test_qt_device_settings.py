"""The device settings screen's scanner CA section: the certificates the station trusts, and in
words (both languages) what is missing or unreadable. The rest of the screen is tested in
test_qt_supervisor_screens.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel

from kiosk.app import accounts
from kiosk.app.desk import DeskService
from kiosk.devices.sim.pki import FTM_CA, PROVIDER_CA, DemoPki
from kiosk.store.station import Store
from kiosk.ui.desk.qt_device_settings import QtDeviceSettingsScreen


@pytest.fixture
def screen(qtbot, station: Store, tmp_path: Path):
    """The screen for a technician; the trust store is tmp_path/trust (not yet made)."""
    accounts.create_user(station, "pengawas", "teknisi", "Teknisi", "technician", "222222",
                         demo=True)
    station.settings.set("sbi.trust_store", str(tmp_path / "trust"))
    svc = DeskService(station, tmp_path / "settings.toml", accounts.get_user(station, "teknisi"))
    w = QtDeviceSettingsScreen(svc)
    qtbot.addWidget(w)
    return w


def texts(w: QtDeviceSettingsScreen) -> list[str]:
    """The visible texts of the scanner CA section, top to bottom."""
    return [lab.text() for lab in w.trust_box.findChildren(QLabel) if not lab.isHidden()]


def test_the_section_lists_each_trusted_ca_with_its_date_and_state(
    screen: QtDeviceSettingsScreen, tmp_path: Path
):
    demo = DemoPki.load_or_create(tmp_path / "pki")
    demo.write_trust_folder(tmp_path / "trust")
    screen.load()  # "Batalkan perubahan" reads the folder again
    shown = texts(screen)
    assert screen.trust_box.title() == "Sertifikat CA pemindai"
    assert f"Folder: {tmp_path / 'trust'}" in shown
    assert PROVIDER_CA in shown and FTM_CA in shown
    until = demo.provider_ca.cert.not_valid_after_utc.year
    assert sum(t.startswith("berlaku s.d. ") and str(until) in t for t in shown) == 2
    assert shown.count("berlaku") == 2  # the state of each
    assert not any("Belum ada sertifikat" in t for t in shown)
    assert any(t.startswith("SHA-256 ") for t in shown)


def test_an_empty_folder_says_what_to_do_in_both_languages_then_lists_what_was_copied(
    qtbot, screen: QtDeviceSettingsScreen, tmp_path: Path
):
    from kiosk.ui.desk.qt_desk import QtDeskTranslations
    from kiosk.ui.qt_i18n import QtLanguage

    folder = tmp_path / "trust"
    assert f"Belum ada sertifikat CA di {folder}: salin sertifikat dari penyedia pemindai ke " \
           "folder itu." in texts(screen)  # the folder does not exist yet
    folder.mkdir()
    language = QtLanguage()
    QtDeskTranslations(language)
    try:
        language.set_language("en")
        qtbot.waitUntil(lambda: screen.trust_box.title() == "Scanner CA certificates")
        assert any(t.startswith(f"No CA certificate in {folder} yet") for t in texts(screen))
    finally:
        language.set_language("id")
    qtbot.waitUntil(lambda: screen.trust_box.title() == "Sertifikat CA pemindai")
    DemoPki.load_or_create(tmp_path / "pki").write_trust_folder(folder)
    screen.hide()
    screen.show()  # coming back to the screen reads the folder again
    qtbot.waitUntil(lambda: FTM_CA in texts(screen))  # new labels are shown by the event loop
    assert not any("Belum ada sertifikat" in t for t in texts(screen))


def test_an_unreadable_file_is_named_beside_the_certificates_that_were_read(
    screen: QtDeviceSettingsScreen, tmp_path: Path
):
    folder = tmp_path / "trust"
    DemoPki.load_or_create(tmp_path / "pki").write_trust_folder(folder)
    shutil.copy(folder / "demo-ftm-ca.pem", folder / "potong.pem")
    (folder / "potong.pem").write_text("-----BEGIN CERTIFICATE-----\nMIIB\n")
    screen.load()
    shown = texts(screen)
    assert "Berkas sertifikat tidak terbaca, dilewati: potong.pem" in shown
    assert PROVIDER_CA in shown and FTM_CA in shown
