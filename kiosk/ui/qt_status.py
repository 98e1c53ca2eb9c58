"""Status lookup: where a recording stands, by registration number or NIK, in plain words."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLineEdit, QScrollArea, QVBoxLayout, QWidget

from kiosk.app.station import StationService
from kiosk.domain.delivery import status_words
from kiosk.domain.messages import DomainError
from kiosk.ui.qt_common import button, label
from kiosk.ui.qt_i18n import fmt_datetime, msg_text


class QtStatusScreen(QWidget):
    """Type a registration number (or NIK), see each matching recording's state."""

    back = Signal()

    def __init__(self, service: StationService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.rows: list[dict[str, Any]] = []
        self.searched = False
        self.title = label("title")
        self.hint = label("hint", wrap=True)
        self.query = QLineEdit()
        self.query.setObjectName("statusQuery")
        self.query.returnPressed.connect(self.search)
        self.search_button = button("primary")
        self.search_button.clicked.connect(self.search)
        row = QHBoxLayout()
        row.addWidget(self.query, 1)
        row.addWidget(self.search_button)
        self.results = label(wrap=True)
        self.results.setObjectName("statusResults")
        self.results.setTextFormat(self.results.textFormat())
        card = QFrame()
        card.setObjectName("card")
        c = QVBoxLayout(card)
        c.addWidget(self.results)
        c.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(card)
        self.back_button = button()
        self.back_button.clicked.connect(self.back)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(28, 20, 28, 20)
        lay.addWidget(self.title)
        lay.addWidget(self.hint)
        lay.addLayout(row)
        lay.addWidget(scroll, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.back_button)
        bottom.addStretch(1)
        lay.addLayout(bottom)
        self.retranslate()

    def reset(self) -> None:
        self.query.clear()
        self.rows = []
        self.searched = False
        self.retranslate()
        self.query.setFocus()

    def search(self) -> None:
        try:
            self.rows = self.service.lookup(self.query.text())
        except DomainError as exc:
            self.rows = []
            self.results.setText(msg_text(exc.msg))
            return
        self.searched = True
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.title.setText(self.tr("Cek status perekaman"))
        self.hint.setText(self.tr("Ketik nomor registrasi dari tanda bukti (mis. "
                                  "627104-01-20261128-017) atau NIK 16 angka."))
        self.search_button.setText(self.tr("Cari"))
        self.back_button.setText(self.tr("Kembali"))
        if not self.searched:
            self.results.setText("")
        elif not self.rows:
            self.results.setText(self.tr("Tidak ditemukan perekaman dengan nomor itu di "
                                         "stasiun ini. Periksa lagi nomornya."))
        else:
            self.results.setText("\n\n".join(self.describe(r) for r in self.rows))

    def describe(self, row: dict[str, Any]) -> str:
        """One recording's state as an applicant would understand it."""
        saved = self.service.local_time(row["created_at"])
        head = self.tr("Nomor registrasi {regno}, direkam {when}.").format(
            regno=row["regno"], when=fmt_datetime(saved) if saved else "-")
        return head + "\n" + self.state_words(row)

    def state_words(self, row: dict[str, Any]) -> str:
        def when(key: str) -> str | None:
            t = self.service.local_time(row.get(key))
            return fmt_datetime(t) if t else None
        return msg_text(status_words(
            row["state"], row.get("processing_status"), row.get("reject_reason"),
            when("received_at"), when("verified_at"), when("carried_at"),
            when("carry_receipt_at"),
        ))
