"""The supervisor's accounts screen: add, disable/enable, reset a PIN, change a role.

Every change is audited by kiosk.app.accounts; nobody raises their own role (the role list for
one's own account stops at one's own role, and the core refuses it anyway)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from kiosk.app.accounts import ROLES, User
from kiosk.app.desk import DeskService
from kiosk.domain.messages import DomainError
from kiosk.ui.desk.qt_desk import FAIL_BG, QtDeskScreen, error_text, set_row, table
from kiosk.ui.qt_common import button, confirm, label
from kiosk.ui.qt_login import pin_edit


class QtAccountsScreen(QtDeskScreen):
    """Akun pengguna (user accounts)."""

    ACTION = "accounts"

    def __init__(self, service: DeskService, parent: QWidget | None = None) -> None:
        super().__init__(service, parent)
        self.users: list[User] = []
        self.table = table(4, stretch=1)
        self.table.itemSelectionChanged.connect(self._selected)

        # the selected account
        self.edit_box = QGroupBox()
        e = QFormLayout(self.edit_box)
        self.selected_label = label("subtitle", wrap=True)
        e.addRow(self.selected_label)
        self.role = QComboBox()
        self.role_button = button()
        self.role_button.clicked.connect(self.apply_role)
        row = QHBoxLayout()
        row.addWidget(self.role, 1)
        row.addWidget(self.role_button)
        self.edit_labels = [label(), label()]
        e.addRow(self.edit_labels[0], row)
        self.new_pin = pin_edit()
        self.new_pin.setObjectName("resetPin")
        self.pin_button = button()
        self.pin_button.clicked.connect(self.reset_pin)
        row = QHBoxLayout()
        row.addWidget(self.new_pin, 1)
        row.addWidget(self.pin_button)
        e.addRow(self.edit_labels[1], row)
        self.disable_button = button("danger")
        self.disable_button.clicked.connect(self.toggle_disabled)
        e.addRow(self.disable_button)

        # a new account
        self.add_box = QGroupBox()
        a = QFormLayout(self.add_box)
        self.add_username = QLineEdit()
        self.add_name = QLineEdit()
        self.add_role = QComboBox()
        self.add_pin = pin_edit()
        self.add_pin.setObjectName("addPin")
        self.add_labels = [label() for _ in range(4)]
        for lab, w in zip(self.add_labels, (self.add_username, self.add_name, self.add_role,
                                            self.add_pin), strict=True):
            a.addRow(lab, w)
        self.add_button = button("primary")
        self.add_button.clicked.connect(self.add)
        a.addRow(self.add_button)

        self.message = label("hint", wrap=True)
        self.message.setObjectName("accountsMessage")
        side = QVBoxLayout()
        side.addWidget(self.edit_box)
        side.addWidget(self.add_box)
        side.addStretch(1)
        body = QHBoxLayout()
        body.addWidget(self.table, 3)
        body.addLayout(side, 2)
        self.lay.addWidget(self.message)  # above the forms: in sight whatever the screen
        self.lay.addLayout(body, 1)
        self.retranslate()
        self.refresh()

    # --- data --------------------------------------------------------------------------

    def refresh(self, select: str | None = None) -> None:
        current = select or (self.selected().username if self.selected() else None)
        self.users = self.service.users()
        self.table.setRowCount(len(self.users))
        for r, u in enumerate(self.users):
            state = self.tr("nonaktif") if u.disabled else (
                self.tr("terkunci") if u.locked(self.service.store.clock()) else self.tr("aktif"))
            set_row(self.table, r, [u.username, u.display_name, self._role_word(u.role), state],
                    FAIL_BG if u.disabled else None)
        names = [u.username for u in self.users]
        self.table.selectRow(names.index(current) if current in names else 0)
        self._selected()

    def selected(self) -> User | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows or rows[0].row() >= len(self.users):
            return None
        return self.users[rows[0].row()]

    def select(self, username: str) -> None:
        self.table.selectRow([u.username for u in self.users].index(username))

    def _selected(self) -> None:
        user = self.selected()
        self.edit_box.setEnabled(user is not None)
        if user is None:
            return
        self.selected_label.setText(f"{user.display_name} ({user.username})")
        own = user.username == self.service.actor
        self.role.clear()
        for role in ROLES:
            self.role.addItem(self._role_word(role), role)
            if own and ROLES.index(role) > ROLES.index(user.role):
                # nobody raises their own role: offered, but not selectable
                self.role.model().item(self.role.count() - 1).setEnabled(False)
        self.role.setCurrentIndex(ROLES.index(user.role))
        self.disable_button.setText(self.tr("Aktifkan lagi") if user.disabled
                                    else self.tr("Nonaktifkan"))

    # --- changes ------------------------------------------------------------------------

    def _run(self, fn, ok_text: str) -> bool:
        user = self.selected()
        try:
            fn()
        except DomainError as exc:
            self.message.setObjectName("error")
            self.message.setText(error_text(exc))
            self._restyle()
            return False
        self.message.setObjectName("ok")
        self.message.setText(ok_text)
        self._restyle()
        self.refresh(user.username if user else None)
        return True

    def apply_role(self, role: str | None = None) -> bool:
        user = self.selected()
        role = role or self.role.currentData()
        if user is None or role is None:
            return False
        return self._run(lambda: self.service.set_role(user.username, role),
                         self.tr("Peran {user} sekarang {role}.").format(
                             user=user.username, role=self._role_word(role)))

    def reset_pin(self) -> bool:
        user = self.selected()
        if user is None:
            return False
        pin = self.new_pin.text()
        ok = self._run(lambda: self.service.reset_pin(user.username, pin),
                       self.tr("PIN {user} diatur ulang; kunci akun dibuka.").format(
                           user=user.username))
        self.new_pin.clear()
        return ok

    def toggle_disabled(self) -> bool:
        """Enable at once; disabling asks first (default: keep the account active)."""
        user = self.selected()
        if user is None:
            return False
        if not user.disabled and not confirm(
                self, self.tr("Nonaktifkan akun?"),
                self.tr("{name} ({user}) tidak akan bisa masuk lagi sampai diaktifkan kembali. "
                        "Riwayat dan rekamannya tetap tersimpan.").format(
                    name=user.display_name, user=user.username),
                self.tr("Ya, nonaktifkan"), self.tr("Tidak, biarkan aktif")):
            return False
        text = (self.tr("{user} diaktifkan lagi.") if user.disabled
                else self.tr("{user} dinonaktifkan.")).format(user=user.username)
        return self._run(lambda: self.service.set_disabled(user.username, not user.disabled),
                         text)

    def add(self) -> bool:
        username = self.add_username.text().strip().lower()
        ok = self._run(lambda: self.service.add_user(username, self.add_name.text(),
                                                     self.add_role.currentData(),
                                                     self.add_pin.text()),
                       self.tr("Akun {user} dibuat.").format(user=username))
        self.add_pin.clear()
        if ok:
            self.add_username.clear()
            self.add_name.clear()
            self.refresh(username)
        return ok

    def _restyle(self) -> None:
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)

    # --- text ---------------------------------------------------------------------------

    def _role_word(self, role: str) -> str:
        return {"operator": self.tr("operator (petugas perekaman)"),
                "technician": self.tr("teknisi"), "supervisor": self.tr("pengawas")}[role]

    def retranslate(self) -> None:
        self.title.setText(self.tr("Akun pengguna"))
        self.subtitle.setText(self.tr(
            "Tambah, nonaktifkan dan atur ulang PIN petugas dan teknisi. Setiap perubahan "
            "dicatat di log audit. Tidak seorang pun dapat menaikkan perannya sendiri."))
        self.table.setHorizontalHeaderLabels([self.tr("Nama pengguna"), self.tr("Nama lengkap"),
                                              self.tr("Peran"), self.tr("Status")])
        self.edit_box.setTitle(self.tr("Akun terpilih"))
        self.edit_labels[0].setText(self.tr("Peran"))
        self.edit_labels[1].setText(self.tr("PIN baru"))
        self.role_button.setText(self.tr("Ubah peran"))
        self.pin_button.setText(self.tr("Atur ulang PIN"))
        self.add_box.setTitle(self.tr("Akun baru"))
        for lab, text in zip(self.add_labels, (self.tr("Nama pengguna"), self.tr("Nama lengkap"),
                                               self.tr("Peran"), self.tr("PIN (6 angka)")),
                             strict=True):
            lab.setText(text)
        current = self.add_role.currentData() or "operator"
        self.add_role.clear()
        for role in ROLES:
            self.add_role.addItem(self._role_word(role), role)
        self.add_role.setCurrentIndex(ROLES.index(current))
        self.add_button.setText(self.tr("Tambah akun"))
        self.add_username.setPlaceholderText(self.tr("huruf kecil, mis. siti.r"))
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        if self.users:
            self.refresh()
