"""The main window: a top bar, and one page at a time (login, home, recording, receipt...)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QSize, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QApplication, QMainWindow, QVBoxLayout, QWidget

from kiosk.domain.messages import DomainError
from kiosk.ui.qt_common import STYLE, QtPageStack, confirm, inform
from kiosk.ui.qt_i18n import QtLanguage, msg_text
from kiosk.ui.qt_idle import QtIdleWatcher
from kiosk.ui.qt_login import QtLoginScreen
from kiosk.ui.qt_runtime import QtContext
from kiosk.ui.qt_topbar import QtTopBar

if TYPE_CHECKING:  # the rest loads in attach(), after the login screen is on screen
    from kiosk.app.accounts import User
    from kiosk.app.station import StationService
    from kiosk.settings import Settings
    from kiosk.ui.desk.qt_desk_nav import QtDeskPage
    from kiosk.ui.qt_home import SyncView
    from kiosk.ui.recording.qt_flow import QtRecordingFlow

log = logging.getLogger(__name__)

DEFAULT_SIZE = QSize(1366, 768)  # the most common office monitor


class QtMainWindow(QMainWindow):
    """The station window."""

    recording_stored = Signal()  # a recording was saved (the sync worker is woken by it)
    sync_pause_requested = Signal(bool)  # a supervisor holds (True) or resumes delivery

    def __init__(
        self,
        ctx: QtContext | None = None,
        *,
        settings: Settings | None = None,
        language: QtLanguage | None = None,
        demo_accounts: list[tuple[str, str, str]] | None = None,
        kiosk_mode: bool = False,
    ) -> None:
        """With `ctx` the window is complete at once. Without, it shows the login screen
        straight away (from `settings` alone) and `attach(ctx)` completes it: start-up builds
        the store, devices and the other screens after the first paint (qt_app.run_gui)."""
        super().__init__()
        if ctx is not None:
            settings, language = ctx.service.settings, ctx.language
            demo_accounts, kiosk_mode = ctx.demo_accounts, ctx.kiosk_mode
        if settings is None:
            raise ValueError("QtMainWindow needs a context or the settings")
        self.settings = settings
        self.ctx: QtContext | None = None
        self.service: StationService | None = None
        self.language = language or QtLanguage(self)
        self.user: User | None = None
        self.before_lock: QWidget | None = None
        self.may_close = not kiosk_mode
        self._flow: QtRecordingFlow | None = None  # built on first use, see `flow`
        self.setStyleSheet(STYLE)
        self.resize(DEFAULT_SIZE)

        self.bar = bar = QtTopBar()
        self.lang_button, self.lock_button = bar.lang_button, bar.lock_button
        self.logout_button = bar.logout_button
        self.lang_button.clicked.connect(self.language.toggle)
        self.lock_button.clicked.connect(self.lock)
        self.logout_button.clicked.connect(self.logout)

        self.login = QtLoginScreen(None, list(demo_accounts or []))
        self.login.setObjectName("page")
        self.stack = QtPageStack()
        self.stack.add(self.login)
        central = QWidget()
        lay = QVBoxLayout(central)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(bar)
        lay.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.login.logged_in.connect(self.logged_in)
        self.language.changed.connect(lambda _l: self.retranslate())
        self.retranslate()
        self.show_page(self.login)
        if ctx is not None:
            self.attach(ctx)

    def attach(self, ctx: QtContext) -> None:
        """Build every screen but login on the station's service and devices."""
        from kiosk.ui.desk.qt_desk import QtDeskTranslations
        from kiosk.ui.qt_home import QtHomeScreen
        from kiosk.ui.qt_login import QtLockScreen
        from kiosk.ui.qt_setup import QtSetupScreen
        from kiosk.ui.qt_status import QtStatusScreen
        from kiosk.ui.recording.qt_receipt import QtReceiptScreen

        self.ctx = ctx
        self.service = svc = ctx.service
        self.settings = svc.settings
        self.setup = QtSetupScreen(svc, ctx.settings_path)
        self.lock_screen = QtLockScreen(svc)
        self.home = QtHomeScreen(svc)
        self.status = QtStatusScreen(svc)
        self.receipt = QtReceiptScreen()
        for page in (self.setup, self.lock_screen, self.home, self.status, self.receipt):
            page.setObjectName("page")
            self.stack.add(page)

        self.setup.done.connect(self._setup_done)
        self.lock_screen.unlocked.connect(self.unlocked)
        self.lock_screen.switch_user.connect(self.logout)
        self.home.new_recording.connect(self.new_recording)
        self.home.status_lookup.connect(self.open_status)
        self.home.raise_cap.connect(self.raise_cap)
        self.home.open_desk.connect(self.open_desk)
        self.home.pause_sync.connect(self._pause_sync)
        self.desk_translations = QtDeskTranslations(self.language)
        self.status.back.connect(self.go_home)
        self.receipt.done.connect(self.go_home)

        self.idle = QtIdleWatcher(svc.settings["ui.idle_lock_minutes"], self)
        self.idle.idle.connect(self.lock)
        QApplication.instance().installEventFilter(self.idle)
        self.login.attach(svc)
        self.retranslate()
        if not svc.has_accounts():
            self.show_page(self.setup)

    def add_to_bar(self, widget: QWidget) -> None:
        """Put a widget in the top bar, left of the user's name (the demo's server switch)."""
        self.bar.add(widget)

    @property
    def ready(self) -> bool:
        """True once attach() has built the station's screens."""
        return self.ctx is not None

    # --- pages ------------------------------------------------------------------------

    @property
    def flow(self) -> QtRecordingFlow:
        """The recording flow, built on first use: its steps bring in OpenCV and the scanner
        client, which the login screen does not need (start-up time, bench/startup.py)."""
        if self._flow is None:
            from kiosk.ui.recording.qt_flow import QtRecordingFlow
            from kiosk.ui.recording.qt_step_data import QtDataStep
            from kiosk.ui.recording.qt_step_fingers import QtFingerStep
            from kiosk.ui.recording.qt_step_photo import QtPhotoStep
            from kiosk.ui.recording.qt_step_review import QtReviewStep
            from kiosk.ui.recording.qt_step_signature import QtSignatureStep

            svc, ctx = self.service, self.ctx
            flow = QtRecordingFlow(svc, {
                "data": QtDataStep(svc),
                "photo": QtPhotoStep(ctx.devices, ctx.device_runner),
                "fingers": QtFingerStep(ctx.devices, ctx.device_runner),
                "signature": QtSignatureStep(svc.settings),
                "review": QtReviewStep(svc.regions),
            })
            flow.setObjectName("page")
            flow.saved.connect(self.recording_saved)
            flow.cancelled.connect(self.cancel_recording)
            self.stack.add(flow)
            self._flow = flow
        return self._flow

    def warm_up(self) -> None:
        """Build what the first recording needs, once the login screen is on screen."""
        _ = self.flow

    def _recording_in_progress(self) -> bool:
        return self._flow is not None and self._flow.in_progress

    def _discard_recording(self) -> None:
        if self._flow is not None:
            self._flow.discard()

    def show_page(self, page: QWidget) -> None:
        self.stack.show_page(page)
        self.retranslate()

    def page(self) -> QWidget | None:
        return self.stack.current()

    def show_on_screen(self) -> None:
        """Show the window at its usual size, or maximised on a screen smaller than that."""
        room = self.screen().availableGeometry().size()
        if room.width() <= DEFAULT_SIZE.width() or room.height() <= DEFAULT_SIZE.height():
            self.showMaximized()
        else:
            self.show()

    def _setup_done(self, _user: User) -> None:
        self.show_page(self.login)
        self.login.reset()

    def logged_in(self, user: User) -> None:
        self.user = user
        log.info("login: %s (%s)", user.username, user.role)
        self.home.set_user(user)
        self.go_home()
        self.idle.timer.start()

    def go_home(self) -> None:
        self.home.refresh()
        self.show_page(self.home)
        self.home.new_button.setFocus()

    def open_status(self) -> None:
        self.status.reset()
        self.show_page(self.status)

    def set_sync(self, sync: SyncView) -> None:
        self.home.set_sync(sync)

    # --- technician and supervisor screens ----------------------------------------------

    def open_desk(self, name: str) -> QtDeskPage | None:
        """Open one desk screen as a page; refused (with the reason) for a role that may not."""
        from kiosk.app.desk import DeskService
        from kiosk.ui.desk.qt_desk_nav import BY_NAME, QtDeskPage

        assert self.user is not None
        desk = DeskService(self.service.store, self.ctx.settings_path, self.user)
        try:
            screen = BY_NAME[name].build(desk, self.ctx.device_runner)
        except DomainError as exc:
            inform(self, self.tr("Tidak diizinkan"), msg_text(exc.msg), error=True)
            return None
        page = QtDeskPage(screen)
        page.setObjectName("page")
        page.back.connect(lambda: self._close_desk(page))
        screen.changed.connect(self.home.refresh)
        screen.devices_changed.connect(self._devices_changed)
        self.stack.add(page)
        self.show_page(page)
        return page

    def _pause_sync(self, paused: bool) -> bool:
        """Hold or resume delivery if the logged-in user may (checked and audited by the
        service); a refusal is shown and nothing changes."""
        assert self.user is not None and self.service is not None
        try:
            self.service.set_sync_paused(self.user, paused)
        except DomainError as exc:
            inform(self, self.tr("Tidak diizinkan"), msg_text(exc.msg), error=True)
            return False
        self.sync_pause_requested.emit(paused)
        return True

    def _close_desk(self, page: QtDeskPage) -> None:
        self.go_home()
        self.stack.remove(page)

    def _devices_changed(self, _values: dict) -> None:
        """New device settings take effect without a restart: reopen on next use."""
        devices = self.ctx.devices
        devices.close()
        devices.camera_source = self.service.settings["camera.source"]

    # --- recording --------------------------------------------------------------------

    def new_recording(self) -> None:
        assert self.user is not None
        try:
            draft = self.service.start_recording()
        except DomainError as exc:
            inform(self, self.tr("Tidak dapat mulai"), msg_text(exc.msg), error=True)
            self.home.refresh()
            return
        self.flow.start(draft, self.user.username)
        self.show_page(self.flow)

    def cancel_recording(self) -> None:
        if self.confirm_discard():
            self.flow.discard()
            self.go_home()

    def confirm_discard(self) -> bool:
        """Leaving a recording half-way asks first (the draft is never saved)."""
        if not self._recording_in_progress():
            return True
        return confirm(self, self.tr("Tinggalkan perekaman?"),
                       self.tr("Perekaman ini belum disimpan. Bila ditinggalkan, semua yang "
                               "sudah direkam untuk pemohon ini hilang."),
                       self.tr("Ya, tinggalkan"), self.tr("Tidak, lanjutkan perekaman"))

    def recording_saved(self, saved, draft) -> None:  # SavedRecord, Draft
        from kiosk.ui.recording.qt_receipt import write_pdf

        view = self.service.receipt(saved, draft)
        status_url = self.service.settings["receipt.status_url"]
        pdf = None
        try:
            pdf = write_pdf(view, self.ctx.receipts_dir / f"{saved.regno}.pdf",
                            status_url=status_url)
        except OSError as exc:
            log.warning("receipt PDF not written: %s", exc)
        self.recording_stored.emit()
        self.receipt.show_receipt(view, pdf, status_url)
        self.show_page(self.receipt)
        self.home.refresh()

    def raise_cap(self) -> None:
        from kiosk.ui.qt_supervisor import QtCapOverrideDialog

        dialog = QtCapOverrideDialog(self.service, self.user, self)
        if dialog.exec() and dialog.user is not None:
            self.service.override_cap(dialog.cap.value(), dialog.reason.text(),
                                      dialog.user.username)
            self.home.refresh()

    # --- locking and leaving ----------------------------------------------------------

    def lock(self) -> None:
        if self.user is None or self.page() is self.lock_screen:
            return
        self.before_lock = self.page()
        self.idle.timer.stop()
        self.lock_screen.lock(self.user)
        self.show_page(self.lock_screen)

    def unlocked(self) -> None:
        self.show_page(self.before_lock or self.home)
        self.before_lock = None
        self.idle.timer.start()

    def logout(self) -> None:
        if self.user is None or not self.confirm_discard():
            return
        from kiosk.ui.desk.qt_desk_nav import QtDeskPage

        self._discard_recording()
        for page in self.stack.pages():
            if isinstance(page, QtDeskPage):
                self.stack.remove(page)
        log.info("logout: %s", self.user.username)
        self.user = None
        self.before_lock = None
        self.idle.timer.stop()
        self.home.set_user(None)
        self.login.reset()
        self.show_page(self.login)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if not self.may_close:
            if self.service is None:  # still starting: kiosk mode stays up
                event.ignore()
                return
            from kiosk.ui.qt_supervisor import QtSupervisorDialog

            dialog = QtSupervisorDialog(
                self.service, "accounts", self.tr("Keluar dari mode kiosk"),
                self.tr("Hanya pengawas yang dapat menutup stasiun."), self.user, self)
            dialog.finish_layout()
            if not dialog.exec():
                event.ignore()
                return
            self.may_close = True
        if self._recording_in_progress() and not self.confirm_discard():
            event.ignore()
            return
        self._discard_recording()
        event.accept()

    # --- text -------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        s = self.settings
        self.setWindowTitle(self.tr("Stasiun Perekaman KTP-el"))
        self.bar.station_label.setText(self.tr("Perekaman KTP-el · {office} · stasiun {no}").format(
            office=s["station.name"], no=s["station.number"]))
        logged = self.user is not None
        self.bar.user_label.setText(self.user.display_name if self.user else "")
        self.lang_button.setText("English" if self.language.lang == "id" else "Bahasa Indonesia")
        self.lock_button.setText(self.tr("Kunci layar"))
        self.logout_button.setText(self.tr("Keluar"))
        locked = self.page() is getattr(self, "lock_screen", None)
        self.lock_button.setVisible(logged and not locked)
        self.logout_button.setVisible(logged and not locked)
