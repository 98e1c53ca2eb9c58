"""The self-test screen shows a device in use by another program as SIBUK (busy), with the
hint to wait, and the next check of the freed device as LULUS again."""

from __future__ import annotations

from pathlib import Path

from kiosk.app import accounts
from kiosk.app.desk import DeskService
from kiosk.devices.sim.sbi import SbiSimulator
from kiosk.store.station import Store
from kiosk.ui.desk.qt_selftest import QtSelfTestScreen
from kiosk.ui.qt_tasks import QtTaskRunner


def test_a_busy_scanner_reads_sibuk_and_then_lulus_once_free(
        qtbot, station: Store, sbi: SbiSimulator, tmp_path: Path):
    accounts.create_user(station, "pengawas", "teknisi", "Teknisi", "technician", "250817")
    user = accounts.get_user(station, "teknisi")
    runner = QtTaskRunner("selftest-busy")
    screen = QtSelfTestScreen(DeskService(station, tmp_path / "settings.toml", user), runner)
    qtbot.addWidget(screen)
    try:
        row = screen.rows["fingerprint"]
        sbi.control(status="Busy")
        row.run.click()
        qtbot.waitUntil(lambda: row.passed is False, timeout=20000)
        assert row.state_text == "SIBUK" and row.busy
        assert "sedang dipakai" in row.hint
        sbi.control(status="Ready")
        row.run.click()
        qtbot.waitUntil(lambda: row.passed is True, timeout=20000)
        assert row.state_text == "LULUS" and not row.busy
    finally:
        screen.previewing = False
        screen.camera.close()
        runner.stop()
