"""The supervisor's "Bawa dengan flashdisk" screen driven as a supervisor would: the drives
under a media root, a folder chosen by hand, the PIN asked (a wrong one refused), the export
on the worker thread with its progress bar, Batal mid-export, a pulled drive, and the result
in Indonesian; then the receipts watcher telling the operator when the drive comes back."""

from __future__ import annotations

import errno
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from kiosk.app import accounts
from kiosk.app.accounts import PermissionDenied
from kiosk.app.carry import CarryService
from kiosk.app.desk import DeskService
from kiosk.sync import carry as sync_carry
from kiosk.sync import carry_drive
from kiosk.ui.desk.qt_carry import QtCarryScreen
from kiosk.ui.qt_carry_watch import QtCarryWatch
from kiosk.ui.qt_tasks import QtInlineRunner, QtTaskRunner
from tests.app.carry_centre import (
    OPERATOR,
    SUPERVISOR,
    carried_ids,
    carry_station,
    import_folder,
    index_ids,
)


@pytest.fixture
def carry_desk(tmp_path):
    store, server = carry_station(tmp_path / "data", 6)
    media = tmp_path / "media"
    (media / "pengawas" / "FLASHDISK").mkdir(parents=True)
    runner = QtTaskRunner("carry-test")
    yield store, server, media, runner
    runner.stop()
    store.close()


def _screen(qtbot, store, media, runner, username=SUPERVISOR[0]) -> QtCarryScreen:
    user = accounts.get_user(store, username)
    desk = DeskService(store, store.data_dir / "settings.toml", user)
    screen = QtCarryScreen(desk, runner, CarryService(store, user, roots=[media]))
    qtbot.addWidget(screen)
    screen.resize(1300, 700)
    screen.show()
    qtbot.waitUntil(lambda: screen.drive_list.count() > 0)
    return screen


def _pin(qtbot, screen: QtCarryScreen, pin: str) -> None:
    qtbot.mouseClick(screen.export_button, Qt.MouseButton.LeftButton)
    dialog = screen.dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.username.text() == SUPERVISOR[0]  # the logged-in supervisor, pre-filled
    dialog.pin.setText(pin)
    dialog.submit()


def test_the_supervisor_chooses_a_folder_gives_the_pin_and_the_packets_are_written(
        qtbot, carry_desk, tmp_path):
    store, _, media, runner = carry_desk
    screen = _screen(qtbot, store, media, runner)
    assert screen.title.text() == "Bawa dengan flashdisk"
    assert "FLASHDISK" in screen.drive_list.item(0).text()
    assert "Belum diterima server pusat: 6 rekaman" in screen.figures.text()
    other = tmp_path / "lain"
    other.mkdir()
    screen.choose(other)
    assert screen.chosen() == other and "Akan ditulis: 6 rekaman" in screen.plan.text()
    _pin(qtbot, screen, "000000")  # wrong: refused in the dialog, nothing written
    assert screen.dialog.error.text() and screen.dialog.isVisible()
    assert not screen.busy and list(other.iterdir()) == []
    with qtbot.waitSignal(screen.exported, timeout=30000) as done:
        screen.dialog.pin.setText(SUPERVISOR[1])
        screen.dialog.submit()
    result = done.args[0]
    assert len(result.written) == 6 and result.folder.parent == other
    assert screen.status.text().startswith("Selesai: 6 paket rekaman ditulis dan diperiksa")
    assert "bawa ke Disdukcapil" in screen.status.text()
    assert screen.progress.value() == screen.progress.maximum() == 6
    assert "6 sudah dibawa dengan flashdisk" in screen.figures.text()
    assert set(carried_ids(store)) == set(index_ids(result.folder))


def test_batal_stops_after_the_packet_being_written(qtbot, carry_desk, monkeypatch, request):
    """The worker is held after the third packet; Batal, then it goes on: it stops there,
    the index lists exactly the three whole packets, three records carried, three not."""
    store, _, media, runner = carry_desk
    reached, release = threading.Event(), threading.Event()
    real, calls = sync_carry._export_one, []

    def held(*args, **kw):
        written = real(*args, **kw)
        calls.append(written)
        if len(calls) == 3:
            reached.set()
            release.wait(20)
        return written

    monkeypatch.setattr(sync_carry, "_export_one", held)
    request.addfinalizer(release.set)  # a failing test must not leave the worker held
    screen = _screen(qtbot, store, media, runner)
    _pin(qtbot, screen, SUPERVISOR[1])
    qtbot.waitUntil(reached.is_set, timeout=20000)
    qtbot.waitUntil(lambda: screen.progress.value() == 2)  # the third is written, not counted
    assert screen.busy and not screen.export_button.isEnabled()
    with qtbot.waitSignal(screen.exported, timeout=20000) as done:
        qtbot.mouseClick(screen.cancel_button, Qt.MouseButton.LeftButton)
        assert screen.status.text().startswith("Membatalkan")
        release.set()
    result = done.args[0]
    assert result.cancelled and len(result.written) == 3
    assert index_ids(result.folder) == result.written
    assert len(list((result.folder / "packets").iterdir())) == 3
    assert screen.status.text().startswith("Dibatalkan: 3 dari 6 rekaman ditulis utuh")
    assert set(carried_ids(store)) == set(result.written)
    assert screen.export_button.isEnabled() and not screen.busy


def test_a_drive_pulled_mid_export_is_a_sentence(qtbot, carry_desk, monkeypatch):
    store, _, media, runner = carry_desk
    real, calls = carry_drive.write_part, []

    def pulled(path: Path, data: bytes) -> None:
        calls.append(path)
        if len(calls) == 2:  # the second packet
            raise OSError(errno.EIO, "Input/output error")
        real(path, data)

    monkeypatch.setattr(carry_drive, "write_part", pulled)
    screen = _screen(qtbot, store, media, runner)
    with qtbot.waitSignal(screen.failed, timeout=30000):
        _pin(qtbot, screen, SUPERVISOR[1])
    assert "gagal dibaca/ditulis" in screen.status.text()
    assert "Traceback" not in screen.status.text() and "OSError" not in screen.status.text()
    assert len(carried_ids(store)) == 1 and store.backlog()["saved"] == 6


def test_an_operator_cannot_open_the_screen(qtbot, carry_desk):
    store, _, media, runner = carry_desk
    user = accounts.get_user(store, OPERATOR[0])
    with pytest.raises(PermissionDenied):
        QtCarryScreen(DeskService(store, store.data_dir / "s.toml", user), runner)


def test_the_watcher_reads_receipts_when_the_drive_is_inserted_and_tells_the_operator(
        qtbot, carry_desk):
    store, server, media, _ = carry_desk
    drive = media / "pengawas" / "FLASHDISK"
    supervisor = accounts.get_user(store, SUPERVISOR[0])
    result = CarryService(store, supervisor, roots=[media]).export(supervisor, drive)
    window = QWidget()
    qtbot.addWidget(window)
    watch = QtCarryWatch(CarryService(store, None, roots=[media]), window, seconds=0,
                         runner=QtInlineRunner())
    watch.poll()  # the centre has not imported it yet
    assert watch.notice is None
    import_folder(result.folder, server)
    with qtbot.waitSignal(watch.read):
        watch.poll()
    assert watch.notice.isVisible()
    assert watch.notice.windowModality() == Qt.WindowModality.NonModal
    assert "6 rekaman kini diterima server pusat (lewat flashdisk)" in watch.notice.text()
    assert store.backlog()["received"] == 6
    watch.notice.close()
    with qtbot.assertNotEmitted(watch.read):
        watch.poll()  # the drive is still in: not read twice
    assert not watch.notice.isVisible()


def test_the_dashboard_shows_what_left_by_drive_and_what_came_back(qtbot, carry_desk):
    from kiosk.ui.desk.qt_dashboard import QtDashboardScreen

    store, server, media, _ = carry_desk
    drive = media / "pengawas" / "FLASHDISK"
    supervisor = accounts.get_user(store, SUPERVISOR[0])
    service = CarryService(store, supervisor, roots=[media])
    result = service.export(supervisor, drive)
    import_folder(result.folder, server, refuse={result.written[0]: "diubah"})
    service.apply_receipts(drive)
    screen = QtDashboardScreen(DeskService(store, store.data_dir / "s.toml", supervisor))
    qtbot.addWidget(screen)
    last = screen.carried_set.count() - 1
    assert screen.carried_set.at(last) == 6 and screen.carry_back_set.at(last) == 5
    assert screen.figures["carried"][1].text() == "1"  # the refused one still waits


def test_the_status_screen_says_dibawa(qtbot, carry_desk):
    from kiosk.app.station import StationService
    from kiosk.domain.regions import RegionTable
    from kiosk.ui.qt_status import QtStatusScreen

    store, _, media, _ = carry_desk
    supervisor = accounts.get_user(store, SUPERVISOR[0])
    result = CarryService(store, supervisor).export(supervisor, media / "pengawas" / "FLASHDISK")
    regno = store.db.execute("SELECT regno FROM records WHERE id = ?",
                             [result.written[0]]).fetchone()[0]
    screen = QtStatusScreen(StationService(store, RegionTable.load()))
    qtbot.addWidget(screen)
    screen.query.setText(regno)
    screen.search()
    assert "Dibawa (menunggu tanda terima): ditulis ke flashdisk pada" in screen.results.text()


def test_an_open_page_shows_receipts_the_watcher_read(qtbot, carry_desk):
    """The page is open when the drive comes back: what the watcher read shows on it."""
    store, server, media, runner = carry_desk
    screen = _screen(qtbot, store, media, runner)
    supervisor = accounts.get_user(store, SUPERVISOR[0])
    result = CarryService(store, supervisor, roots=[media]).export(
        supervisor, media / "pengawas" / "FLASHDISK")
    screen.receipts_read_elsewhere()
    assert "6 sudah dibawa dengan flashdisk" in screen.figures.text()
    import_folder(result.folder, server)
    CarryService(store, None, roots=[media]).read_new_receipts(store)
    screen.receipts_read_elsewhere()
    assert "Belum diterima server pusat: 0 rekaman" in screen.figures.text()
    assert "sudah dibawa" not in screen.figures.text()
