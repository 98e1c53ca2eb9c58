"""Screenshots of every station screen into docs/screenshots/ (run by `make screenshots`).

Runs the real window on a throw-away data dir with the demo devices (fake camera, simulated
SBI scanner) and a local central server, walks one recording from set-up to receipt, and
saves a PNG at each screen, the window sized as a maximised window on a monitor of `--size`
(1366x768 by default, the usual office monitor). At the end it prints, per screen, the size
the window had there: a screen that asks for more room than the monitor has shows up as a
window larger than `--size`. Needs a display: `xvfb-run -a -s "-screen 0 1366x768x24"`.
"""
# The repository goes on sys.path before the station's modules are imported:
# ruff: noqa: E402

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import keyring
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QEvent, QPointF, QSize, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QWidget

from kiosk.app.devices import StationDevices
from kiosk.app.draft import Draft
from kiosk.app.station import StationService
from kiosk.demo.environment import DEMO_ACCOUNTS, DemoEnvironment, ensure_demo_accounts, start_demo
from kiosk.demo.records import demo_applicant, demo_recording
from kiosk.domain.regions import RegionTable
from kiosk.settings import Settings
from kiosk.store.keys import FileKeyring
from kiosk.store.station import Store
from kiosk.ui.qt_app import sync_view
from kiosk.ui.qt_i18n import QtLanguage
from kiosk.ui.qt_main import QtContext, QtMainWindow
from kiosk.ui.qt_sync import QtSyncWorker
from kiosk.ui.qt_tasks import QtTaskRunner


@dataclass
class Shots:
    """The station being photographed, and where its pictures go."""

    app: QApplication
    out: Path
    tmp: Path
    store: Store
    env: DemoEnvironment
    regions: RegionTable
    language: QtLanguage
    runner: QtTaskRunner
    devices: StationDevices
    win: QtMainWindow
    sync: QtSyncWorker
    sizes: dict[str, QSize]

    def pump(self, seconds: float) -> None:
        """Run the event loop; sleeping in Python lets the in-process simulator's threads
        have the GIL (QTest.qWait would hold it while it waits)."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.app.processEvents()
            time.sleep(0.01)

    def wait(self, cond: Callable[[], bool], timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while not cond():
            if time.monotonic() > deadline:
                raise TimeoutError("screen did not get ready")
            self.pump(0.05)

    def save(self, widget: QWidget, name: str) -> None:
        path = self.out / f"{name}.png"
        widget.grab().save(str(path))
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)

    def shot(self, name: str) -> None:
        self.pump(0.2)
        self.sizes[name] = self.win.frameGeometry().size()
        self.save(self.win, name)

    def close(self) -> None:
        self.sync.stop()
        self.runner.stop()
        self.devices.close()
        self.env.stop()
        self.store.close()
        self.win.close()


def open_station(app: QApplication, tmp: Path, out: Path, size: QSize) -> Shots:
    """A demo station with a dozen recordings of today, its window shown and syncing; no
    accounts yet, so the window opens on the first-run set-up."""
    data = tmp / "data"
    settings_path = data / "settings.toml"
    data.mkdir()
    settings = Settings.load(settings_path)
    store = Store(data, settings)
    env = start_demo(store, settings_path, cache_dir=tmp / "cache")
    regions = RegionTable.load()
    for seed in range(12):
        store.save_recording(demo_recording(100 + seed, settings["station.kecamatan"], regions,
                                            store.today()), "demo")
    runner = QtTaskRunner("devices")
    devices = StationDevices(settings)
    language = QtLanguage()
    ctx = QtContext(StationService(store, regions), devices, runner, settings_path,
                    data / "receipts", list(DEMO_ACCOUNTS), language=language)
    win = QtMainWindow(ctx)
    win.resize(size)
    win.show()
    sync = QtSyncWorker(lambda: Store(data, settings))
    sync.state_changed.connect(lambda st: win.set_sync(sync_view(st)))
    sync.start()
    return Shots(app, out, tmp, store, env, regions, language, runner, devices, win, sync, {})


def draw_signature(pad: QWidget) -> None:
    """Three wavy strokes across the pad, as mouse events."""
    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    for s in range(3):
        y0 = pad.height() * (0.35 + 0.15 * s)
        points = [(pad.width() * (0.1 + 0.6 * i / 40), y0 + np.sin(i / 3) * 20)
                  for i in range(41)]
        for i, (x, y) in enumerate(points):
            kind = (QEvent.Type.MouseButtonPress if i == 0 else QEvent.Type.MouseButtonRelease
                    if i == len(points) - 1 else QEvent.Type.MouseMove)
            QApplication.sendEvent(pad, QMouseEvent(
                kind, QPointF(x, y), QPointF(x, y), left if kind != QEvent.Type.MouseMove
                else none, left if kind != QEvent.Type.MouseButtonRelease else none,
                Qt.KeyboardModifier.NoModifier))


def record_one(s: Shots) -> str:
    """01-10: set-up, login, home, then one recording from the data step to its receipt;
    the receipt's registration number."""
    win, store = s.win, s.store
    s.shot("01-setup")
    ensure_demo_accounts(store)
    win.show_page(win.login)
    win.login.username.setText("operator")
    s.shot("02-login")
    win.login.pin.setText("111111")
    win.login.submit()
    s.wait(lambda: win.home.sync is not None and win.home.sync.status == "online")
    s.shot("03-home")
    win.home.new_button.click()
    data_step = win.flow.steps["data"]
    data_step.fields["nik"].setText("6271013202900001")
    data_step.fields["nama"].setText("budi")
    win.flow.next_button.click()
    s.shot("04-data-validation")
    rng = np.random.default_rng(5)
    data_step.fill(demo_applicant(rng, store.settings["station.kecamatan"], s.regions,
                                  store.today(), 5))
    win.flow.next_button.click()
    photo = win.flow.steps["photo"]
    s.wait(photo.capture_button.isEnabled)
    s.shot("05-photo-preview")
    photo.capture_button.click()
    s.wait(lambda: win.flow.draft.photo is not None)
    win.flow.next_button.click()
    capture_fingers(s)
    win.flow.next_button.click()
    draw_signature(win.flow.steps["signature"].pad)
    s.shot("08-signature")
    win.flow.next_button.click()
    s.shot("09-review")
    win.flow.next_button.click()
    s.wait(lambda: win.page() is win.receipt)
    regno = win.receipt.regno.text()
    s.shot("10-receipt")
    return regno


def capture_fingers(s: Shots) -> None:
    """06-07: a poor first press (fingers below the threshold), then every slap done."""
    fingers = s.win.flow.steps["fingers"]
    s.wait(lambda: not fingers.busy)
    s.env.sbi.control(quality=0.1)
    fingers.capture("right")
    s.wait(lambda: not fingers.busy)
    s.shot("06-fingers-partial")
    s.env.sbi.control(quality=1.0)
    for slap in ("right", "left", "thumbs"):
        fingers.capture(slap)
        s.wait(lambda: not fingers.busy)
    s.shot("07-fingers-done")


def after_recording(s: Shots, regno: str) -> None:
    """11-17: the status lookup once delivered, the lock screen, home at the cap and in
    English, the empty form in English, and a supervisor's home and cap page."""
    win, store = s.win, s.store
    win.receipt.done_button.click()
    s.wait(lambda: win.home.sync is not None and win.home.sync.backlog == 0, 30)
    win.open_status()
    win.status.query.setText(regno)
    win.status.search()
    s.shot("11-status")
    win.go_home()
    win.lock()
    s.shot("12-lock")
    win.lock_screen.pin.setText("111111")
    win.lock_screen.submit()
    store.override_cap(store.cap_status().count, "contoh batas tercapai", "pengawas")
    win.go_home()
    s.shot("13-home-cap-reached")
    s.language.set_language("en")
    s.pump(0.1)
    win.go_home()
    s.shot("14-home-english")
    win.flow.start(Draft(), "operator")  # the cap is reached: show the empty form directly
    win.show_page(win.flow)
    s.shot("15-data-english")
    win.flow.discard()
    s.language.set_language("id")
    win.logout()
    win.login.username.setText("pengawas")
    win.login.pin.setText("333333")
    win.login.submit()
    s.shot("16-home-supervisor")
    page = win.open_desk("cap")
    s.shot("17-desk-page-cap")
    if page is not None:
        page.back_button.click()
    # the self-test of this station (its demo camera, scanner and linked server), as run
    # from home: the desk demo below has a month of history but no server
    page = win.open_desk("selftest")
    if page is not None:
        selftest = page.screen
        selftest.run_all()
        s.wait(lambda: not selftest.running, 60)
        s.pump(0.3)
        s.shot("20-selftest")
        page.back_button.click()


def desk_screens(s: Shots) -> None:
    """21-27: every other technician and supervisor screen on a month of demo history, each
    as a page of the window (below its back button), as the station shows it."""
    from kiosk.ui.desk.qt_desk_demo import build_desk_demo
    from kiosk.ui.desk.qt_desk_nav import QtDeskPage

    desk = build_desk_demo(s.tmp / "desk")
    pages = {name: QtDeskPage(screen) for name, screen in desk.screens.items()}
    for page in pages.values():
        page.setObjectName("page")
        s.win.stack.add(page)
    shown = [(name, page) for name, page in pages.items() if name != "selftest"]
    for n, (name, page) in enumerate(shown, start=21):
        s.win.show_page(page)
        s.pump(0.3)
        s.shot(f"{n}-{name.replace('_', '-')}")
    s.win.show_page(s.win.home)
    desk.close()


def carry_screens(s: Shots) -> None:
    """28-30: the link down for good, eight recordings wait; the supervisor's "Bawa dengan
    flashdisk" screen with a drive plugged in, then after the export; the centre imports the
    drive (kiosk-central carry import, on the demo server's data), and the window, finding
    the receipts on the drive, says what came back (its notice drawn where it stands)."""
    import subprocess

    from PySide6.QtGui import QPainter

    from kiosk.app.carry import CarryService
    from kiosk.ui.qt_carry_watch import QtCarryWatch

    win, store = s.win, s.store
    s.env.stop_central()
    store.override_cap(store.cap_status().count + 8, "contoh: jaringan putus", "pengawas")
    for seed in range(8):
        store.save_recording(demo_recording(300 + seed, store.settings["station.kecamatan"],
                                            s.regions, store.today()), "operator")
    media = s.tmp / "media"
    drive = media / "pengawas" / "FLASHDISK"
    drive.mkdir(parents=True)
    store.settings.set("carry.drive_roots", str(media))
    page = win.open_desk("carry")
    assert page is not None
    screen = page.screen
    s.wait(lambda: screen.drive_list.count() > 0)
    s.shot("28-carry")
    screen.ask_pin()
    screen.dialog.pin.setText("333333")
    screen.dialog.submit()
    s.wait(lambda: screen.result is not None, 120)
    s.shot("29-carry-exported")
    assert s.env.central_dir is not None
    subprocess.run([str(Path(sys.executable).with_name("kiosk-central")), "carry", "import",
                    str(drive), "--data-dir", str(s.env.central_dir)], check=True,
                   capture_output=True)
    watch = QtCarryWatch(CarryService(store, None), win, seconds=0)
    watch.read.connect(lambda _r: screen.refresh())
    watch.poll()
    s.wait(lambda: watch.notice is not None and watch.notice.isVisible(), 60)
    s.pump(0.5)
    shot = win.grab()
    notice = watch.notice
    painter = QPainter(shot)
    painter.drawPixmap(notice.mapTo(win, notice.rect().topLeft())
                       if notice.parentWidget() is None else
                       win.mapFromGlobal(notice.mapToGlobal(notice.rect().topLeft())),
                       notice.grab())
    painter.end()
    s.sizes["30-carry-receipts"] = win.frameGeometry().size()
    shot.save(str(s.out / "30-carry-receipts.png"))
    print(s.out / "30-carry-receipts.png")
    notice.close()
    watch.stop()
    page.back_button.click()


def print_sizes(s: Shots, size: QSize) -> None:
    """The window's size on each screen, as a Markdown table; '(larger than the screen)'
    marks a screen that made the window grow."""
    print(f"\n| screen | window at {size.width()}x{size.height()} |\n| --- | --- |")
    for name, got in s.sizes.items():
        over = got.width() > size.width() or got.height() > size.height()
        print(f"| {name} | {got.width()}x{got.height()}"
              f"{' (larger than the screen)' if over else ''} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--size", default="1366x768",
                        help="the monitor, WIDTHxHEIGHT (default 1366x768)")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.lower().split("x"))
    size = QSize(width, height)
    tmp = Path(tempfile.mkdtemp(prefix="ektp-shots-"))
    os.environ["KIOSK_KEYRING_FILE"] = str(tmp / "keyring.json")
    keyring.set_keyring(FileKeyring(tmp / "keyring.json"))
    app = QApplication(sys.argv[:1])
    args.out.mkdir(parents=True, exist_ok=True)
    shots = open_station(app, tmp, args.out.resolve(), size)
    regno = record_one(shots)
    after_recording(shots, regno)
    desk_screens(shots)
    carry_screens(shots)
    print_sizes(shots, size)
    shots.close()
    app.quit()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
