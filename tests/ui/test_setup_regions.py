"""First-run set-up picks the station's province, regency and kecamatan from the national
region table: three dependent dropdowns, each with typed search (spaces, any case), and the
kecamatan chosen is the one written to the settings file."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from kiosk.app.station import StationService
from kiosk.domain.regions import RegionTable
from kiosk.settings import Settings
from kiosk.store.station import Store
from kiosk.ui.qt_setup import QtSetupScreen


@pytest.fixture
def setup_screen(qtbot, tmp_path: Path, memory_keyring):
    store = Store(tmp_path / "data", Settings())
    screen = QtSetupScreen(StationService(store, RegionTable.load()), tmp_path / "settings.toml")
    qtbot.addWidget(screen)
    screen.show()
    yield screen
    store.close()


def _type(qtbot, box, text: str) -> None:
    box.lineEdit().selectAll()
    qtbot.keyClicks(box.lineEdit(), text)
    box.lineEdit().editingFinished.emit()  # what leaving the field does


def test_the_default_kecamatan_shows_with_its_province_and_regency(setup_screen):
    assert setup_screen.province.currentData() == "62"
    assert setup_screen.regency.currentData() == "6271"
    assert setup_screen.kecamatan.currentData() == "627104"
    assert setup_screen.province.count() == 38
    assert setup_screen.kecamatan.currentText() == "SABANGAU (62.71.04)"


def test_typing_picks_province_then_regency_then_kecamatan_in_aceh(qtbot, setup_screen,
                                                                   tmp_path):
    _type(qtbot, setup_screen.province, "aceh")
    assert setup_screen.province.currentData() == "11"
    regencies = [setup_screen.regency.itemData(i) for i in range(setup_screen.regency.count())]
    assert len(regencies) == 23 and all(code.startswith("11") for code in regencies)
    _type(qtbot, setup_screen.regency, "aceh selatan")
    assert setup_screen.regency.currentData() == "1101"
    assert setup_screen.kecamatan.count() == 18
    _type(qtbot, setup_screen.kecamatan, "kluet utara")
    assert setup_screen.kecamatan.currentData() == "110102"
    qtbot.keyClicks(setup_screen.username, "kepala")
    qtbot.keyClicks(setup_screen.display_name, "Kepala Seksi")
    qtbot.keyClicks(setup_screen.pin, "582047")
    qtbot.keyClicks(setup_screen.pin2, "582047")
    with qtbot.waitSignal(setup_screen.done, timeout=5000):
        qtbot.mouseClick(setup_screen.save_button, Qt.MouseButton.LeftButton)
    assert Settings.load(tmp_path / "settings.toml")["station.kecamatan"] == "110102"
    assert setup_screen.service.settings["station.kecamatan"] == "110102"


def test_a_typed_name_that_names_nothing_keeps_the_choice(qtbot, setup_screen):
    _type(qtbot, setup_screen.regency, "tidak ada kabupaten begini")
    assert setup_screen.regency.currentData() == "6271"
    assert setup_screen.regency.currentText() == "KOTA PALANGKA RAYA (62.71)"
    assert setup_screen.kecamatan.currentData() == "627104"


def test_a_station_in_aceh_gets_its_own_kecamatan_and_desa_on_the_data_form(qtbot, tmp_path,
                                                                           memory_keyring):
    from kiosk.ui.recording.qt_step_data import QtDataStep

    settings = Settings()
    settings.set("station.kecamatan", "110101")
    store = Store(tmp_path / "aceh", settings)
    try:
        step = QtDataStep(StationService(store, RegionTable.load()))
        qtbot.addWidget(step)
        kecamatan, kelurahan = step.fields["kecamatan"], step.fields["kelurahan"]
        codes = [kecamatan.itemData(i) for i in range(kecamatan.count())]
        assert "110101" in codes and all(c.startswith("1101") for c in codes if c)
        assert kecamatan.currentData() == "110101"
        desa = [kelurahan.itemText(i) for i in range(kelurahan.count())]
        assert "KEUDE BAKONGAN" in desa and "UJONG MANGKI" in desa
    finally:
        store.close()
