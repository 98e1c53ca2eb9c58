"""Home: today's quota as a big "12 / 30", the sync state, and the one big new-recording button.

It fits any office monitor in every state: the two cards scroll when the screen is short (the
big button, the reasons recording is frozen and every button stay in sight), the buttons wrap
into as many rows as the width needs, and a long cap-override reason is one shortened line
with the whole reason as its tooltip."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kiosk.app.accounts import User, can
from kiosk.app.station import HomeView, StationService
from kiosk.domain.messages import Msg
from kiosk.ui.desk.qt_desk_nav import BY_NAME, button_text, entries_for
from kiosk.ui.qt_common import ElidedLabel, FlowLayout, button, label, scrolled
from kiosk.ui.qt_i18n import fmt_date, fmt_datetime, fmt_int, msg_text

BIG_BACKLOG = 10  # records waiting from which home shows delivery progress


@dataclass(frozen=True)
class SyncView:
    """The sync state the home screen shows (from the sync worker's state signal)."""

    status: str  # "online" | "offline" | "busy" | "unconfigured" | "paused" | "stopped"
    backlog: int
    last_success: dt.datetime | None = None
    detail: str = ""
    faulted: int = 0  # queued records that cannot be read (a technician's to look at)
    stopped: Msg | None = None  # "stopped": why delivery cannot go on, in words


STOPPED_WORDS = Msg("Pengiriman terhenti", "Delivery stopped")


def faulted_words(n: int) -> Msg:
    return Msg(f"{n} rekaman tidak dapat dibaca untuk dikirim; teknisi: lihat \"Rekaman "
               "bermasalah\".",
               f"{n} records cannot be read to be sent; technician: see \"Faulted records\".")


def faults_button_words(n: int) -> Msg:
    return Msg(f"Rekaman bermasalah ({n})", f"Faulted records ({n})")


class QtHomeScreen(QWidget):
    """What an operator sees between applicants."""

    new_recording = Signal()
    status_lookup = Signal()
    raise_cap = Signal()
    open_desk = Signal(str)  # a technician/supervisor screen by name (kiosk.ui.desk.qt_desk_nav)
    pause_sync = Signal(bool)  # a supervisor holds (True) or resumes (False) delivery

    def __init__(self, service: StationService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.user: User | None = None
        self.view: HomeView | None = None
        self.sync: SyncView | None = None

        self.greeting = label("title")
        self.burst = 0  # the largest backlog since it was last empty
        quota_card, sync_card = self._quota_card(), self._sync_card()
        cards_box = QWidget()
        cards_box.setObjectName("page")
        cards = QHBoxLayout(cards_box)
        cards.setContentsMargins(0, 0, 0, 0)
        cards.addWidget(quota_card, 3)
        cards.addWidget(sync_card, 2)

        self.new_button = button("big")
        self.new_button.setObjectName("big")
        self.new_button.clicked.connect(self.new_recording)
        self.blocked = label("warning", wrap=True)
        self.cap_button = button()
        self.cap_button.clicked.connect(self.raise_cap)
        self.status_button = button()
        self.status_button.clicked.connect(self.status_lookup)
        # The status lookup, the cap, then the technician's and supervisor's screens per role
        # (rebuilt on login), in as many rows as the screen's width needs.
        self.desk_row = FlowLayout()
        for b in (self.status_button, self.cap_button):
            b.setProperty("compact", True)
            self.desk_row.addWidget(b)
        self.desk_buttons: dict[str, QPushButton] = {}

        lay = QVBoxLayout(self)
        lay.setContentsMargins(28, 16, 28, 16)
        lay.setSpacing(12)
        lay.addWidget(self.greeting)
        lay.addWidget(scrolled(cards_box), 1)
        lay.addWidget(self.new_button)
        lay.addWidget(self.blocked)
        lay.addLayout(self.desk_row)
        self.retranslate()

    def _quota_card(self) -> QFrame:
        quota_card = QFrame()
        quota_card.setObjectName("card")
        q = QVBoxLayout(quota_card)
        self.quota_title = label("subtitle")
        self.quota = label("quota")
        self.quota.setObjectName("quota")
        self.quota.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.quota_note = label("hint", wrap=True)
        self.quota_note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.override_note = ElidedLabel("hint")  # why today's cap was changed, if it was
        self.override_note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        q.addWidget(self.quota_title)
        q.addStretch(1)
        q.addWidget(self.quota)
        q.addWidget(self.quota_note)
        q.addWidget(self.override_note)
        q.addStretch(1)
        return quota_card

    def _sync_card(self) -> QFrame:
        sync_card = QFrame()
        sync_card.setObjectName("card")
        s = QGridLayout(sync_card)
        self.sync_title = label("subtitle")
        self.sync_state = label("title")
        self.sync_state.setObjectName("syncState")
        self.backlog = label(wrap=True)
        self.sync_problem = label("warning", wrap=True)  # stopped, or records faulted
        self.sync_problem.setVisible(False)
        self.last_sync = label("hint", wrap=True)
        # A big backlog (after a day offline) shows how far delivery has come; a supervisor
        # can hold it and resume later.
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.pause_button = button()
        self.pause_button.setProperty("compact", True)
        self.pause_button.setVisible(False)
        self.pause_button.clicked.connect(self._toggle_pause)
        for row, widget in enumerate((self.sync_title, self.sync_state, self.backlog,
                                      self.sync_problem, self.last_sync)):
            s.addWidget(widget, row, 0, 1, 2)
        s.addWidget(self.progress, 5, 0)  # the pause button beside the progress
        s.addWidget(self.pause_button, 5, 1)
        s.setColumnStretch(0, 1)
        s.setRowStretch(6, 1)
        return sync_card

    def set_user(self, user: User | None) -> None:
        self.user = user
        for b in self.desk_buttons.values():
            self.desk_row.removeWidget(b)
            b.hide()  # until it is deleted, it must not be drawn under the new ones
            b.deleteLater()
        self.desk_buttons = {}
        if user is not None:
            for entry in entries_for(user.role):
                b = button()
                b.setObjectName(f"desk_{entry.name}")
                b.setProperty("compact", True)
                b.clicked.connect(lambda _=False, n=entry.name: self.open_desk.emit(n))
                self.desk_row.addWidget(b)
                self.desk_buttons[entry.name] = b
        self.retranslate()

    def refresh(self) -> None:
        """Re-read today's quota and the gates (after a save, an override, a day change)."""
        self.view = self.service.home()
        self.retranslate()

    def set_sync(self, sync: SyncView) -> None:
        if sync.last_success is None and self.sync is not None and sync.status == "stopped":
            # a worker that cannot read the store does not know it: keep what was shown
            sync = dataclasses.replace(sync, last_success=self.sync.last_success)
        self.sync = sync
        self.burst = max(self.burst, sync.backlog) if sync.backlog else 0
        self._show_desk_buttons()
        self._show_sync()

    def _toggle_pause(self) -> None:
        self.pause_sync.emit(not (self.sync is not None and self.sync.status == "paused"))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        name = self.user.display_name if self.user else ""
        self.greeting.setText(self.tr("Selamat datang, {name}").format(name=name))
        self.quota_title.setText(self.tr("Kuota hari ini"))
        self.sync_title.setText(self.tr("Pengiriman ke server pusat"))
        self.new_button.setText(self.tr("Perekaman Baru"))
        self.cap_button.setText(self.tr("Naikkan batas hari ini (pengawas)"))
        self.status_button.setText(self.tr("Cek status perekaman"))
        view = self.view
        if view is not None:
            cap = view.cap
            self.quota.setText(f"{fmt_int(cap.count)} / {fmt_int(cap.cap)}")
            self.quota_note.setText(self.tr("{date}: {n} perekaman tersisa hari ini.").format(
                date=fmt_date(cap.day), n=fmt_int(cap.remaining)))
            self.override_note.setVisible(bool(cap.override_reason))
            self.override_note.setText(self.tr("Batas dinaikkan: {reason}").format(
                reason=cap.override_reason) if cap.override_reason else "")
            self.new_button.setEnabled(view.can_start)
            self.blocked.setVisible(not view.can_start)
            self.blocked.setText("\n".join(msg_text(m) for m in view.blocked))
            self.cap_button.setVisible(cap.reached)
        self._show_desk_buttons()
        self._show_sync()

    def _show_desk_buttons(self) -> None:
        view = self.view
        for name, b in self.desk_buttons.items():
            text = button_text(BY_NAME[name])
            if name == "rerecord" and view is not None:
                # reached from home only while the list holds something
                b.setVisible(view.rerecord_total > 0)
                text = self.tr("Perlu rekam ulang ({n} belum dihubungi)").format(
                    n=fmt_int(view.rerecord_waiting))
                look = "primary" if view.rerecord_waiting else "desk_rerecord"
                if b.objectName() != look:
                    b.setObjectName(look)
                    b.style().unpolish(b)
                    b.style().polish(b)
            if name == "faults":  # likewise, while the sync worker reports faulted records
                n = self.sync.faulted if self.sync is not None else 0
                b.setVisible(n > 0)
                text = msg_text(faults_button_words(n))
            b.setText(text)

    def _show_sync(self) -> None:
        sync = self.sync
        if sync is None:
            self.sync_state.setText(self.tr("Belum diketahui"))
            self.backlog.setText("")
            self.last_sync.setText("")
            self.sync_problem.setVisible(False)
            return
        words = {
            "online": self.tr("Online"),
            "offline": self.tr("Offline"),
            "busy": self.tr("Server sibuk"),
            "unconfigured": self.tr("Server belum diatur"),
            "paused": self.tr("Pengiriman dijeda"),
            "stopped": msg_text(STOPPED_WORDS),
        }
        self.sync_state.setText(words.get(sync.status, sync.status))
        problems = [m for m in (sync.stopped if sync.status == "stopped" else None,
                                faulted_words(sync.faulted) if sync.faulted else None) if m]
        self.sync_problem.setText("\n".join(msg_text(m) for m in problems))
        self.sync_problem.setVisible(bool(problems))
        colour = {"online": "#1e6b2f", "offline": "#b3261e", "busy": "#7a4f00",
                  "stopped": "#b3261e"}
        self.sync_state.setStyleSheet(f"color: {colour.get(sync.status, '#4a5a6a')};")
        self.backlog.setText(self.tr("Menunggu dikirim: {n} perekaman").format(
            n=fmt_int(sync.backlog)))
        big = self.burst >= BIG_BACKLOG
        self.progress.setVisible(big)
        if big:
            self.progress.setRange(0, self.burst)
            self.progress.setValue(self.burst - sync.backlog)
            self.progress.setFormat(self.tr("{done} dari {total} terkirim").format(
                done=fmt_int(self.burst - sync.backlog), total=fmt_int(self.burst)))
        paused = sync.status == "paused"
        may = self.user is not None and can(self.user.role, "sync_pause")
        self.pause_button.setVisible(may and (big or paused))
        self.pause_button.setText(self.tr("Lanjutkan pengiriman") if paused
                                  else self.tr("Jeda pengiriman"))
        if sync.last_success is not None:
            self.last_sync.setText(self.tr("Terakhir berhasil: {when}").format(
                when=fmt_datetime(sync.last_success.astimezone(self.service.settings.timezone))))
        else:
            self.last_sync.setText(self.tr("Belum pernah berhasil terkirim."))
