"""The technician's faulted-records screen, on a real fault: a rotten blob met by the real
engine against a real central server."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from kiosk.app import accounts
from kiosk.app.desk import DeskService
from kiosk.sync.engine import run_until_idle
from kiosk.sync.link import open_engine
from kiosk.ui.qt_app import sync_view

sys.path.insert(0, str(Path(__file__).parents[1] / "sync"))
from harness import CentralProcess, link, make_station, record_ids, rot_blob  # noqa: E402

TECH, SUP = ("teknisi", "222222"), ("pengawas", "333333")


@pytest.fixture(scope="module")
def central(tmp_path_factory):
    server = CentralProcess(tmp_path_factory.mktemp("central"))
    yield server
    server.stop()


@pytest.fixture
def faulted(tmp_path, central):
    """A station with three records, the second rotten, after one delivery run."""
    store = make_station(tmp_path / "st", 3)
    accounts.create_first_supervisor(store, SUP[0], "Pengawas", SUP[1], demo=True)
    accounts.create_user(store, SUP[0], TECH[0], "Teknisi", "technician", TECH[1], demo=True)
    accounts.create_user(store, SUP[0], "operator", "Operator", "operator", "111111",
                         demo=True)
    link(store, central.url, central.add_station(tmp_path.name))
    rotten = record_ids(store)[1]
    rot_blob(store, rotten)
    engine = open_engine(store)
    try:
        assert not run_until_idle(engine, 60)
        state = engine.last_state
    finally:
        engine.close()
    yield store, rotten, state
    store.close()


def test_a_technician_sees_the_faulted_record_in_words(qtbot, faulted, tmp_path):
    from kiosk.ui.desk.qt_faults import QtFaultsScreen

    store, rotten, _ = faulted
    tech = accounts.get_user(store, TECH[0])
    screen = QtFaultsScreen(DeskService(store, tmp_path / "settings.toml", tech))
    qtbot.addWidget(screen)
    assert screen.table.rowCount() == 1
    cells = [screen.table.item(0, c).text() for c in range(5)]
    assert cells[0] == store.outbox.regno(rotten)
    assert cells[1] != "-"  # since when
    assert "rusak" in cells[2] and "kiosk db check" in cells[2] and "DecryptionFailed" in cells[2]
    assert int(cells[3]) >= 1
    assert "1 rekaman" in screen.message.text()


def test_the_screen_is_the_technicians_and_supervisors_not_the_operators(faulted, tmp_path):
    store, _, _ = faulted
    for name, allowed in ((TECH[0], True), (SUP[0], True), ("operator", False)):
        desk = DeskService(store, tmp_path / "settings.toml", accounts.get_user(store, name))
        if allowed:
            assert len(desk.faults()) == 1
        else:
            with pytest.raises(accounts.PermissionDenied):
                desk.faults()


def test_home_leads_the_technician_to_the_faulted_records(qtbot, faulted, tmp_path):
    from kiosk.app.station import StationService
    from kiosk.domain.regions import RegionTable
    from kiosk.ui.qt_home import QtHomeScreen

    store, rotten, state = faulted
    home = QtHomeScreen(StationService(store, RegionTable.load()))
    qtbot.addWidget(home)
    home.set_user(accounts.get_user(store, TECH[0]))
    home.refresh()
    home.set_sync(sync_view(state))
    home.show()
    assert home.desk_buttons["faults"].isVisible()
    assert "(1)" in home.desk_buttons["faults"].text()
    with qtbot.waitSignal(home.open_desk) as opened:
        home.desk_buttons["faults"].click()
    assert opened.args == ["faults"]
