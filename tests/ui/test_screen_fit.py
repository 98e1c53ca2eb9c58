"""Every screen, for every role and in the states that make texts long, fits the office
monitors (1366x768 and 1280x720) in both languages: the window never grows past the screen,
every enabled button and every error is on screen (or reachable by scrolling a list), and the
flow's Lanjut/Simpan/Batalkan and the top bar's buttons are always in sight.

The offscreen platform has no real monitor: the window is set to the size under test and each
screen must keep it there (a page asking for more makes Qt grow the window past it).
`FIT_SHOTS=DIR` saves a PNG of every screen of the walk into DIR, to look at; `-s` prints the
window's size on each screen."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPoint, QRect, QSize, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QApplication,
    QLabel,
    QMessageBox,
    QScrollArea,
    QWidget,
)

from kiosk.app import accounts
from kiosk.app.gates import CLOCK_SKEW_META
from kiosk.demo.records import demo_recording
from kiosk.domain.messages import Msg
from kiosk.store.station import Store
from kiosk.ui.desk.qt_desk_nav import QtDeskPage
from kiosk.ui.qt_home import SyncView
from kiosk.ui.qt_main import QtMainWindow
from tests.ui.conftest import OPERATOR, SUPERVISOR, applicant, login, sign

TECHNICIAN = ("teknisi", "222222")
SIZES = [QSize(1366, 768), QSize(1280, 720)]
LONG_REASON = ("Antrean pemohon dari tiga kelurahan yang digabung karena petugas kelurahan "
               "Kereng Bangkirai sedang cuti, disetujui camat melalui telepon pukul 07.30 "
               "dan dicatat di buku agenda kecamatan nomor 1207")
ERROR_LABELS = ("error", "warning", "flowError", "accountsMessage", "ok")


def _rect(widget: QWidget, win: QWidget) -> QRect:
    return QRect(widget.mapTo(win, QPoint(0, 0)), widget.size())


def _seen(widget: QWidget, win: QWidget) -> QRect:
    """The part of `widget` on screen now (cut by every parent, scroll areas' viewports too)."""
    r = _rect(widget, win)
    p = widget.parentWidget()
    while p is not None and p is not win:
        r = r.intersected(_rect(p, win))
        p = p.parentWidget()
    return r


def _viewport_of(widget: QWidget) -> QAbstractScrollArea | None:
    parent = widget.parentWidget()
    if isinstance(parent, QAbstractScrollArea) and parent.viewport() is widget:
        return parent
    return None


def _name(w: QWidget) -> str:
    text = w.text() if isinstance(w, (QAbstractButton, QLabel)) else ""
    return f"{type(w).__name__}#{w.objectName()} {text[:50]!r}"


def misplaced(win: QWidget, widget: QWidget, direct: bool, message: bool = False) -> str | None:
    """Why `widget` is not where a user sees it (None: it is). Inside a scrolled list or page
    it counts as reachable when the scroll area itself is on screen; `direct` ones must be in
    sight as they stand; a `message` may be scrolled with its form, never below a page's
    fold (the window's and desk pages' own scroll areas, "pageScroll")."""
    r = _rect(widget, win)
    p = widget.parentWidget()
    while p is not None and p is not win:
        pr = _rect(p, win)
        area = _viewport_of(p)
        if area is not None and not direct and not (message and
                                                    area.objectName() == "pageScroll"):
            r = pr  # reachable by scrolling: the scroll area must be on screen
        elif not pr.contains(r):
            return f"{_name(widget)} at {r.getRect()} is cut by {_name(p)} at {pr.getRect()}"
        p = p.parentWidget()
    if not win.rect().contains(r):
        return f"{_name(widget)} at {r.getRect()} is outside the window {win.rect().getRect()}"
    return None


def fit_problems(win: QWidget, screen: QSize, where: str,
                 direct: Iterable[QWidget] = ()) -> list[str]:
    """Everything wrong with the window as it stands, named by `where`."""
    for _ in range(3):
        QApplication.processEvents()
    problems = []
    size = win.frameGeometry().size()
    if size.width() > screen.width() or size.height() > screen.height():
        problems.append(f"{where}: window is {size.width()}x{size.height()}, screen "
                        f"{screen.width()}x{screen.height()}")
    direct = [w for w in direct if w.isVisible()]
    buttons = [b for b in win.findChildren(QAbstractButton) if b.isVisible()]
    for i, a in enumerate(buttons):
        for b in buttons[i + 1:]:
            if _seen(a, win).intersects(_seen(b, win)) and not (
                    a.isAncestorOf(b) or b.isAncestorOf(a)):
                problems.append(f"{where}: {_name(a)} and {_name(b)} are drawn over each other")
    for w in win.findChildren(QWidget):
        if not w.isVisible() or any(w is d for d in direct):
            continue
        message = isinstance(w, QLabel) and w.objectName() in ERROR_LABELS and bool(w.text())
        if message or isinstance(w, QAbstractButton) and w.isEnabled():
            why = misplaced(win, w, False, message)
            if why:
                problems.append(f"{where}: {why}")
        if isinstance(w, QScrollArea) and w.horizontalScrollBar().maximum() > 0:
            problems.append(f"{where}: {_name(w)} scrolls sideways by "
                            f"{w.horizontalScrollBar().maximum()} px")
    for w in direct:
        why = misplaced(win, w, True)
        if why:
            problems.append(f"{where}: {why}")
    return problems


class Walk:
    """One walk through the station at one screen size; collects what does not fit and the
    window's largest size on each screen."""

    def __init__(self, qtbot, win: QtMainWindow, screen: QSize, lang: str) -> None:
        self.qtbot, self.win, self.screen, self.lang = qtbot, win, screen, lang
        self.problems: list[str] = []
        self.sizes: dict[str, QSize] = {}
        self.fill(win)

    def fill(self, top: QWidget) -> None:
        """Size `top` so that its frame covers the screen (a maximised window)."""
        QApplication.processEvents()
        frame, inner = top.frameGeometry().size(), top.geometry().size()
        top.resize(self.screen - (frame - inner))
        QApplication.processEvents()

    def check(self, where: str, *direct: QWidget, top: QWidget | None = None) -> None:
        top = top or self.win
        bar = self.win.bar
        found = fit_problems(top, self.screen, where, [
            *direct, bar.logout_button, bar.lang_button, bar.lock_button] if top is self.win
            else direct)
        self.problems += found
        self.sizes[where] = top.frameGeometry().size()
        if os.environ.get("FIT_SHOTS"):
            top.grab().save(f"{os.environ['FIT_SHOTS']}/{self.screen.width()}-{self.lang}-"
                            f"{where.replace(' ', '_').replace(',', '')}.png")
        if top is self.win and found:  # go on from the size under test, as a user would
            self.fill(self.win)

    def flow(self, where: str) -> None:
        f = self.win.flow
        self.check(where, f.next_button, f.back_button, f.cancel_button)

    def desk(self, name: str) -> QtDeskPage:
        page = self.win.open_desk(name)
        assert page is not None, name
        self.qtbot.wait(50)
        self.check(f"desk {name}", page.back_button)
        return page


def _seed(store: Store, regions) -> None:
    """A rejected record, a faulted one, and today's cap raised with a long reason."""
    kec = store.settings["station.kecamatan"]
    rejected = store.save_recording(demo_recording(4, kec, regions, store.today()), "operator")
    store.db.execute("UPDATE records SET processing_status = 'rejected', reject_reason = "
                     "'foto buram, wajah tertutup rambut dan pantulan cahaya pada kacamata' "
                     "WHERE id = ?", [rejected.record_id])
    faulted = store.save_recording(demo_recording(5, kec, regions, store.today()), "operator")
    now = dt.datetime.now(dt.UTC)
    store.outbox.fault(faulted.record_id, "blob photo: InvalidTag: authentication failed for "
                       "sealed item " + faulted.record_id, now + dt.timedelta(minutes=5), now,
                       f"record {faulted.record_id}")
    store.override_cap(40, LONG_REASON, SUPERVISOR[0])


def _answer_dialogs(qtbot, yes: bool = True) -> None:
    """Close the next message box (a confirmation or a refusal) as soon as it is up."""
    def close() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            roles = (QMessageBox.ButtonRole.YesRole, QMessageBox.ButtonRole.AcceptRole)
            wanted = [b for b in box.buttons() if box.buttonRole(b) in roles]
            (wanted[0] if yes and wanted else box.buttons()[-1]).click()
    for delay in (50, 300, 800):
        QTimer.singleShot(delay, close)


def record_one(walk: Walk, store: Store) -> str:
    """The operator's screens: every step of one recording, its receipt, the status lookup."""
    qtbot, win = walk.qtbot, walk.win
    qtbot.mouseClick(win.home.new_button, Qt.MouseButton.LeftButton)
    flow = win.flow
    flow.next_button.click()  # an empty form: every field's error shows
    walk.flow("data step with errors")
    flow.steps["data"].fill(applicant(store))
    walk.flow("data step filled")
    flow.next_button.click()
    photo = flow.steps["photo"]
    qtbot.waitUntil(photo.capture_button.isEnabled, timeout=15000)
    walk.flow("photo step")
    photo.capture_button.click()
    qtbot.waitUntil(lambda: flow.draft.photo is not None, timeout=10000)
    walk.flow("photo step captured")
    flow.next_button.click()
    fingers = flow.steps["fingers"]
    walk.flow("fingers step")
    for name in ("right", "left", "thumbs"):
        qtbot.waitUntil(fingers.slap_buttons[name].isEnabled, timeout=10000)
        fingers.slap_buttons[name].click()
        qtbot.waitUntil(lambda: not fingers.busy, timeout=10000)
    walk.flow("fingers step done")
    flow.next_button.click()
    walk.flow("signature step")
    sign(flow.steps["signature"].pad)
    walk.flow("signature step signed")
    flow.next_button.click()
    walk.flow("review step")
    flow.next_button.click()
    assert win.page() is win.receipt
    walk.check("receipt", win.receipt.done_button)
    regno = win.receipt.regno.text()
    win.receipt.done_button.click()
    win.open_status()
    win.status.query.setText(regno)
    win.status.search()
    walk.check("status lookup", win.status.back_button)
    win.status.query.setText("6271019999999999")
    win.status.search()
    walk.check("status lookup, nothing found", win.status.back_button)
    win.go_home()
    return regno


def cap_dialog(walk: Walk) -> None:
    from kiosk.ui.qt_supervisor import QtCapOverrideDialog

    dialog = QtCapOverrideDialog(walk.win.service, walk.win.user, walk.win)
    dialog.reason.setText(LONG_REASON)
    dialog.submit()  # no PIN: the refusal shows
    dialog.show()
    walk.check("cap override dialog", top=dialog)
    dialog.reject()
    dialog.deleteLater()


def selftest(walk: Walk, store: Store, sbi, tmp_path: Path) -> None:
    """The self-test with the scanner stopped and the camera gone: the longest hints."""
    sbi.stop()
    store.settings.set("camera.source", str(tmp_path / "no-such-camera.avi"))
    page = walk.desk("selftest")
    screen = page.screen
    screen.run_all()
    walk.qtbot.waitUntil(lambda: not screen.running, timeout=60000)
    walk.check("desk selftest after a failed run", page.back_button)
    page.back_button.click()


def accounts_refusal(walk: Walk) -> None:
    page = walk.desk("accounts")
    screen = page.screen
    screen.select(SUPERVISOR[0])
    _answer_dialogs(walk.qtbot)
    screen.disable_button.click()
    walk.qtbot.wait(900)
    assert screen.message.text(), "the last supervisor's refusal is shown"
    walk.check("desk accounts, last supervisor refused", page.back_button)
    page.back_button.click()


def walk_station(walk: Walk, store: Store, sbi, tmp_path: Path) -> None:
    qtbot, win = walk.qtbot, walk.win
    walk.check("login", win.login.login_button)
    win.login.username.setText("nobody")
    win.login.pin.setText("000000")
    win.login.submit()
    walk.check("login refused", win.login.login_button)
    win.show_page(win.setup)
    walk.check("first-run setup")
    win.login.reset()
    win.show_page(win.login)
    login(qtbot, win, OPERATOR)
    walk.check("home operator", win.home.new_button)
    record_one(walk, store)
    win.lock()
    walk.check("lock screen")
    win.lock_screen.pin.setText(OPERATOR[1])
    win.lock_screen.submit()
    store.set_meta(CLOCK_SKEW_META, "5400")
    store.settings.set("freeze.max_unsent_days", 0)
    store.override_cap(store.cap_status().count, LONG_REASON, SUPERVISOR[0])
    win.go_home()
    walk.check("home operator, cap reached and frozen")
    win.logout()

    login(qtbot, win, TECHNICIAN)
    walk.check("home technician")
    selftest(walk, store, sbi, tmp_path)
    win.go_home()
    walk.check("home technician after the self-test")
    for name in ("history", "device_settings", "faults"):
        walk.desk(name).back_button.click()
    win.logout()

    login(qtbot, win, SUPERVISOR)
    walk.check("home supervisor", *win.home.desk_buttons.values())
    assert win.home.desk_buttons["rerecord"].isVisible()
    cap_dialog(walk)
    for name in ("selftest", "history", "faults", "device_settings", "dashboard", "export",
                 "cap", "rerecord"):
        walk.desk(name).back_button.click()
    accounts_refusal(walk)
    win.go_home()
    walk.check("home supervisor at the end", *win.home.desk_buttons.values())
    win.logout()
    walk.check("login at the end", win.login.login_button)


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("screen", SIZES, ids=lambda s: f"{s.width()}x{s.height()}")
def test_every_screen_fits_the_office_monitor(qtbot, window, station, sbi, tmp_path, screen,
                                              lang):
    accounts.create_user(station, SUPERVISOR[0], TECHNICIAN[0], "Teknisi Demo", "technician",
                         TECHNICIAN[1], demo=True)
    _seed(station, window.service.regions)
    window.set_sync(SyncView("stopped", 40, dt.datetime.now(dt.UTC), faulted=1, stopped=Msg(
        "Kunci data stasiun tidak dapat dibaca dari gantungan kunci; teknisi: jalankan "
        "`kiosk keyring check` lalu pulihkan kunci dari cadangan.",
        "The station's data key cannot be read from the keyring; technician: run `kiosk "
        "keyring check`, then restore the key from its backup.")))
    window.language.set_language(lang)
    walk = Walk(qtbot, window, screen, lang)
    walk_station(walk, station, sbi, tmp_path)
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)  # closed desk pages
    window.language.set_language("id")
    for where, size in walk.sizes.items():  # the figures of the note (pytest -s)
        print(f"{screen.width()}x{screen.height()} {lang} | {where} | "
              f"{size.width()}x{size.height()}")
    assert not walk.problems, "\n".join(walk.problems)


def test_a_page_asking_for_more_than_the_screen_scrolls_and_the_window_keeps_its_size(
        qtbot, window):
    """What made the window grow for good (a page's minimum size) now only makes the page
    scroll: the window keeps the monitor's size there and back home."""
    walk = Walk(qtbot, window, SIZES[0], "id")
    before = window.frameGeometry().size()
    huge = QLabel("x")
    huge.setMinimumSize(3000, 2000)
    window.stack.add(huge)
    window.show_page(huge)
    QApplication.processEvents()
    assert window.frameGeometry().size() == before == walk.screen
    window.show_page(window.login)
    window.stack.remove(huge)
    QApplication.processEvents()
    assert window.frameGeometry().size() == before
    assert not fit_problems(window, walk.screen, "login", [window.login.login_button])


def test_on_a_screen_no_larger_than_the_usual_monitor_the_window_opens_maximised(qtbot):
    from kiosk.settings import Settings

    win = QtMainWindow(settings=Settings())
    qtbot.addWidget(win)
    room = win.screen().availableGeometry().size()
    assert room.width() <= 1366  # the offscreen platform's screen is 800x600
    win.show_on_screen()
    assert win.isMaximized()


def test_kiosk_mode_stays_full_screen_whatever_the_page_asks(qtbot, window):
    """`kiosk --kiosk` shows the window full screen (kiosk.ui.qt_app.run_gui): a page asking
    for more than the monitor scrolls, and the window stays full screen at the screen's size."""
    window.showFullScreen()
    qtbot.waitUntil(window.isFullScreen)
    screen = window.screen().geometry().size()
    huge = QLabel("x")
    huge.setMinimumSize(3000, 2000)
    window.stack.add(huge)
    window.show_page(huge)
    QApplication.processEvents()
    assert window.isFullScreen() and window.frameGeometry().size() == screen
    window.show_page(window.login)
    window.stack.remove(huge)
    QApplication.processEvents()
    assert window.isFullScreen() and window.frameGeometry().size() == screen
