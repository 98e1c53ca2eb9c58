"""The supervisor's cap screen: the standing cap, today's override with a reason, history."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QRadioButton,
    QSpinBox,
    QWidget,
)

from kiosk.app.desk import CapBelowToday, DeskService
from kiosk.domain.messages import DomainError
from kiosk.ui.desk.qt_desk import QtDeskScreen, error_text, set_row, table
from kiosk.ui.qt_common import button, confirm, label
from kiosk.ui.qt_i18n import fmt_date, fmt_int, msg_text


class QtCapScreen(QtDeskScreen):
    """Batas harian (daily cap); `cap_changed` and `changed` after a change (the home screen
    refreshes)."""

    ACTION = "cap"
    cap_changed = Signal()

    def __init__(self, service: DeskService, parent: QWidget | None = None) -> None:
        super().__init__(service, parent)
        self.now_box = QGroupBox()
        now = QHBoxLayout(self.now_box)
        self.figure = label("figure")
        self.figure.setObjectName("figure")
        self.figure_note = label("hint", wrap=True)
        now.addWidget(self.figure)
        now.addWidget(self.figure_note, 1)
        self.lay.addWidget(self.now_box)

        self.change_box = QGroupBox()
        form = QFormLayout(self.change_box)
        self.today_only = QRadioButton()
        self.standing = QRadioButton()
        self.today_only.setChecked(True)
        scope = QHBoxLayout()
        scope.addWidget(self.today_only)
        scope.addWidget(self.standing)
        scope.addStretch(1)
        self.cap = QSpinBox()
        self.cap.setObjectName("cap")
        self.cap.setRange(1, 1000)
        self.cap.setMaximumWidth(200)
        self.reason = QLineEdit()
        self.reason.setObjectName("reason")
        self.form_labels = [label() for _ in range(3)]
        form.addRow(self.form_labels[0], scope)
        form.addRow(self.form_labels[1], self.cap)
        form.addRow(self.form_labels[2], self.reason)
        self.error = label("error", wrap=True)
        self.save_button = button("primary")
        self.save_button.clicked.connect(self.save)
        act = QHBoxLayout()
        act.addWidget(self.error, 1)
        act.addWidget(self.save_button)
        form.addRow(act)
        self.lay.addWidget(self.change_box)

        self.history_title = label("subtitle")
        self.history = table(5, stretch=4)
        self.lay.addWidget(self.history_title)
        self.lay.addWidget(self.history, 1)
        self.retranslate()
        self.refresh()

    def refresh(self) -> None:
        status = self.service.cap_status()
        self.status = status
        self.figure.setText(f"{fmt_int(status.count)} / {fmt_int(status.cap)}")
        self.cap.setValue(max(status.cap, status.count + 1))
        rows = self.service.cap_history()
        self.history.setRowCount(len(rows))
        for r, c in enumerate(rows):
            scope = fmt_date(c.day) if c.day else self.tr("tetap (setiap hari)")
            set_row(self.history, r, [c.when.strftime("%Y-%m-%d %H:%M"), scope, c.cap, c.actor,
                                      c.reason])
        self._figure_note()

    def save(self) -> bool:
        """Apply the change; the store audits it ('cap.override' / 'cap.standing'). A cap at
        or below today's count is asked first (default: no change)."""
        cap, reason, today_only = self.cap.value(), self.reason.text(), self.today_only.isChecked()
        try:
            try:
                self.service.set_cap(cap, reason, today_only=today_only)
            except CapBelowToday as exc:
                if not confirm(self, self.tr("Batas di bawah jumlah hari ini?"),
                               msg_text(exc.msg) + "\n\n" + self.tr("Tetap ubah batasnya?"),
                               self.tr("Ya, tetapkan {cap}").format(cap=fmt_int(cap)),
                               self.tr("Tidak, jangan ubah")):
                    self.error.setText(self.tr("Batas tidak diubah."))
                    return False
                self.service.set_cap(cap, reason, today_only=today_only, confirmed=True)
        except (DomainError, ValueError) as exc:
            self.error.setText(error_text(exc))
            return False
        self.error.setText("")
        self.reason.clear()
        self.refresh()
        self.cap_changed.emit()
        self.changed.emit()
        return True

    def _figure_note(self) -> None:
        s = self.status
        note = self.tr("Hari ini, {date}: {count} perekaman dari batas {cap} "
                       "(batas tetap {standing}).").format(
            date=fmt_date(s.day), count=fmt_int(s.count), cap=fmt_int(s.cap),
            standing=fmt_int(s.standing_cap))
        if s.override_reason:
            note += " " + self.tr("Diubah untuk hari ini: {reason}").format(
                reason=s.override_reason)
        self.figure_note.setText(note)

    def retranslate(self) -> None:
        self.title.setText(self.tr("Batas harian"))
        self.subtitle.setText(self.tr(
            "Batas tetap berlaku setiap hari; perubahan untuk hari ini berakhir pukul 00.00. "
            "Setiap perubahan perlu alasan dan dicatat di log audit."))
        self.now_box.setTitle(self.tr("Kuota hari ini"))
        self.change_box.setTitle(self.tr("Ubah batas"))
        self.today_only.setText(self.tr("Hanya hari ini"))
        self.standing.setText(self.tr("Batas tetap (setiap hari)"))
        for lab, text in zip(self.form_labels, (self.tr("Berlaku"), self.tr("Batas baru"),
                                                self.tr("Alasan")), strict=True):
            lab.setText(text)
        self.reason.setPlaceholderText(self.tr("mis. pelayanan keliling desa"))
        self.save_button.setText(self.tr("Simpan batas"))
        self.history_title.setText(self.tr("Riwayat perubahan"))
        self.history.setHorizontalHeaderLabels([
            self.tr("Waktu"), self.tr("Berlaku"), self.tr("Batas"), self.tr("Oleh"),
            self.tr("Alasan")])
        if hasattr(self, "status"):
            self._figure_note()
