"""Start-up: single instance, rotating log, excepthook, the window, devices, sync, demo."""

from __future__ import annotations

import logging
import logging.handlers
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs
from PySide6.QtCore import QLockFile, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from kiosk.paths import APP_NAME
from kiosk.settings import Settings
from kiosk.ui.qt_i18n import QtLanguage
from kiosk.ui.qt_main import QtMainWindow
from kiosk.ui.qt_runtime import StationRuntime

if TYPE_CHECKING:  # loaded after the login screen shows (start-up time, bench/startup.py)
    from kiosk.sync.engine import SyncState
    from kiosk.ui.qt_home import SyncView

log = logging.getLogger("kiosk")


def setup_logging(log_dir: Path | None = None) -> Path:
    """kiosk.log in the platform log dir, rotated at 2 MB x 5. Never NIKs or names: the code
    logs registration numbers, record ids, user names of staff and technical errors only."""
    folder = log_dir or Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "kiosk.log"
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=5,
                                                   encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return path


def install_excepthook(log_path: Path) -> None:
    """An unexpected error is logged and shown in words; the station keeps running."""

    def hook(kind, value, tb) -> None:  # type: ignore[no-untyped-def]
        log.error("unhandled error:\n%s", "".join(traceback.format_exception(kind, value, tb)))
        if QApplication.instance() is None:
            return
        from kiosk.ui.qt_tasks import failure_msg

        words = failure_msg(value)
        box = QMessageBox(QMessageBox.Icon.Critical, "Terjadi kesalahan / An error occurred",
                          f"{words.id}\nPerekaman yang sudah tersimpan aman.\n\n{words.en}\n"
                          f"Saved recordings are safe.\n\nLog: {log_path}")
        box.exec()

    sys.excepthook = hook


def sync_view(state: SyncState) -> SyncView:
    """The sync worker's state as the home screen shows it."""
    import datetime as dt

    from kiosk.domain import delivery
    from kiosk.ui.qt_home import SyncView

    status = {"online": "online", "offline": "offline", "busy": "busy",
              "unconfigured": "unconfigured", "paused": "paused",
              "stopped": "stopped"}.get(state.link, "offline")
    waiting = delivery.waiting(state.backlog)
    last = dt.datetime.fromisoformat(state.last_success) if state.last_success else None
    return SyncView(status, waiting, last, state.detail, len(state.faulted), state.stopped)


def single_instance(data_dir: Path) -> QLockFile | None:
    """The station's lock on its data dir, or None when another station process holds it (a
    lock left by a crashed process is taken over)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    lock = QLockFile(str(data_dir / "kiosk.lock"))
    lock.setStaleLockTime(0)
    return lock if lock.tryLock(200) else None


def run_gui(data_dir: Path, settings_path: Path, *, demo: bool = False,
            kiosk_mode: bool = False, argv: list[str] | None = None,
            on_ready: Callable[[QtMainWindow], None] | None = None,
            on_shown: Callable[[QtMainWindow], None] | None = None,
            demo_central: bool = True) -> int:
    """Open the station window and run until it closes; the exit status.

    The login screen shows first; the store, devices, sync worker and the other screens are
    built right after its first paint, then `on_ready(window)` runs (`on_shown` runs as soon
    as the login screen is on screen)."""
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setApplicationName(APP_NAME)
    log_path = setup_logging()
    install_excepthook(log_path)
    lock = single_instance(data_dir)
    if lock is None:
        QMessageBox(QMessageBox.Icon.Warning, "Stasiun sudah berjalan / Already running",
                    "Stasiun perekaman sudah terbuka di jendela lain.\n"
                    "The recording station is already open in another window.").exec()
        return 1
    settings = Settings.load(settings_path)
    language = QtLanguage()
    if settings["ui.language"] != "id":
        language.set_language(settings["ui.language"])
    runtime = StationRuntime(data_dir, settings_path, settings, language, demo=demo,
                             demo_central=demo_central, kiosk_mode=kiosk_mode)
    window = QtMainWindow(settings=settings, language=language,
                          demo_accounts=runtime.demo_accounts, kiosk_mode=kiosk_mode)
    if kiosk_mode:
        window.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, True)
        window.showFullScreen()
    else:
        window.show_on_screen()
    if on_shown is not None:
        on_shown(window)
    exit_code = 0

    def attach() -> None:
        """Everything but the login screen, once it is on screen."""
        nonlocal exit_code
        try:
            _attach(window, runtime)
        except Exception:
            log.exception("station could not start")
            QMessageBox(QMessageBox.Icon.Critical, "Stasiun tidak dapat mulai / Cannot start",
                        "Stasiun tidak dapat mulai; rinciannya ada di log.\n"
                        f"The station could not start; the details are in the log.\n{log_path}"
                        ).exec()
            exit_code = 1
            app.quit()
            return
        log.info("station started (demo=%s, kiosk=%s)", demo, kiosk_mode)
        if on_ready is not None:
            on_ready(window)

    QTimer.singleShot(0, attach)  # queued after the window's first paint
    try:
        code = app.exec()
        return exit_code or code
    finally:
        runtime.close()
        lock.unlock()


def _attach(window: QtMainWindow, runtime: StationRuntime) -> None:
    """Open the runtime and complete the window on it: the screens, the sync worker wired to
    the window both ways, and the demo's server switch."""
    runtime.open()
    window.attach(runtime.context())
    sync = runtime.sync_worker()
    sync.state_changed.connect(lambda st: window.set_sync(sync_view(st)))
    window.recording_stored.connect(sync.wake)
    window.sync_pause_requested.connect(sync.set_paused)
    sync.start()
    from kiosk.app.carry import CarryService
    from kiosk.ui.desk.qt_carry import QtCarryScreen
    from kiosk.ui.qt_carry_watch import QtCarryWatch

    # receipts on a drive plugged in are read at once (kiosk carry, docs/carry.md)
    watch = QtCarryWatch(CarryService(window.service.store, None), window)
    watch.read.connect(lambda _r: (window.home.refresh(), sync.wake(), *(
        page.receipts_read_elsewhere() for page in window.findChildren(QtCarryScreen))))
    env = runtime.demo_env
    if env is not None and env.central_running:
        from kiosk.ui.qt_demo import QtDemoServerButton

        server_switch = QtDemoServerButton(env, runtime.runner)
        server_switch.switched.connect(sync.wake)
        window.add_to_bar(server_switch)
    window.warm_up()
