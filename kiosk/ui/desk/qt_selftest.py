"""The technician's self-test (swauji) screen: a row per check (state, value, threshold, hint),
one check or all of them off the GUI thread; a live camera preview, a test thumbs capture,
a signature test stroke and the server link's latency and clock skew."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QHideEvent, QInputDevice, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kiosk.app.desk import DeskService, FingerTest
from kiosk.app.devices import PreviewCamera
from kiosk.domain.messages import DomainError, Msg
from kiosk.selftest import CHECK_NAMES
from kiosk.ui.desk import qt_desk
from kiosk.ui.desk.qt_desk import FAIL_COLOUR, PASS_COLOUR, QtDeskScreen, error_text, set_row, table
from kiosk.ui.desk.qt_device_tests import (
    QtCameraTestBox,
    QtServerLinkBox,
    QtSignatureTestBox,
    QtThumbsTestBox,
)
from kiosk.ui.qt_common import button, label
from kiosk.ui.qt_i18n import current_lang, fmt_datetime, msg_text
from kiosk.ui.qt_tasks import TaskRunner

PREVIEW_MS = 120  # next preview frame this long after the last arrived (~8 fps is enough here)
_QT_INPUT_KIND = {
    QInputDevice.DeviceType.Stylus: "tablet", QInputDevice.DeviceType.Airbrush: "tablet",
    QInputDevice.DeviceType.TouchScreen: "touch", QInputDevice.DeviceType.TouchPad: "touchpad",
    QInputDevice.DeviceType.Mouse: "mouse",
}


def qt_input_names() -> list[str]:
    """Input devices Qt knows (GUI thread), named so the signature probe can match the kind."""
    out = []
    for dev in QInputDevice.devices():
        kind = _QT_INPUT_KIND.get(dev.type())
        if kind:
            out.append(f"{kind}: {dev.name()}")
    return out


def value_text(value: Any) -> str:
    """A check's measured value on one line ('fps 25.0, resolution 640x480')."""
    if value is None:
        return "-"
    if isinstance(value, dict):
        return ", ".join(f"{k} {_short(json.dumps(v) if isinstance(v, list) else str(v))}"
                         for k, v in value.items() if v != "")
    return str(value)


def _short(text: str, most: int = 28) -> str:
    """Long paths and URLs keep their end (the file name is what tells them apart)."""
    return text if len(text) <= most else "…" + text[-(most - 1):]


def checks_table() -> QTableWidget:
    """The table of checks: name, state, value, threshold, hint and a run button per row."""
    checks = table(6, stretch=4, wrap=True)
    checks.setObjectName("checks")
    checks.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    checks.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    checks.setRowCount(len(CHECK_NAMES))
    header = checks.horizontalHeader()
    for col, width in ((2, 170), (3, 150)):
        header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
        checks.setColumnWidth(col, width)
    return checks


class QtCheckRow:
    """One check's row in the table: its items and its run button."""

    def __init__(self, table: QTableWidget, row: int, name: str) -> None:
        self.table, self.row, self.name = table, row, name
        self.run = button()
        self.run.setObjectName(f"run_{name}")
        self.run.setStyleSheet("min-height: 32px; font-size: 12pt; padding: 2px 10px;")
        self.passed: bool | None = None
        self.busy = False  # not passed: in use by another program, not broken
        set_row(table, row, ["", "—", "", "", ""])
        table.setCellWidget(row, 5, self.run)

    def item(self, col: int) -> QTableWidgetItem:
        return self.table.item(self.row, col)

    @property
    def state_text(self) -> str:
        return self.item(1).text()

    @property
    def hint(self) -> str:
        return self.item(4).text()

    def show_result(self, passed: bool | None, value: str, threshold: str, hint: str) -> None:
        self.passed, self.busy = passed, False
        state = self.item(1)
        state.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
        bold = QFont(state.font())
        bold.setBold(passed is not None)
        state.setFont(bold)
        if passed is None:
            state.setBackground(QColor("#e3e9ef"))
            state.setForeground(QColor("#4a5a6a"))
        else:
            state.setBackground(QColor(PASS_COLOUR if passed else FAIL_COLOUR))
            state.setForeground(QColor("white"))
        self.item(2).setText(value)
        self.item(3).setText(threshold)
        self.item(4).setText(hint)
        self.item(4).setForeground(QColor(FAIL_COLOUR))


class QtSelfTestScreen(QtDeskScreen):
    """Swauji: every check in a row, run one or all; device tests beside them."""

    ACTION = "selftest"
    finished = Signal(object)  # the SelfTestReport of a "run all" (or of one check)

    def __init__(self, service: DeskService, runner: TaskRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(service, parent)
        self.runner = runner
        self.camera = PreviewCamera(service.settings)
        self.running: set[str] = set()
        self.previewing = False
        self.preview_pending = False
        self.last_seq = 0
        self.report: Any = None
        self.report_time = None
        self.results: dict[str, Any] = {}

        self.run_all_button = button("primary")
        self.run_all_button.clicked.connect(self.run_all)
        self.head.addWidget(self.run_all_button)
        self.last_run = label("hint", wrap=True)

        self.checks = checks_table()
        self.rows: dict[str, QtCheckRow] = {}
        for i, name in enumerate(CHECK_NAMES):
            row = QtCheckRow(self.checks, i, name)
            row.run.clicked.connect(lambda _=False, n=name: self.run_checks([n]))
            self.rows[name] = row
        self._build_device_tests()
        self._lay_out()
        self.retranslate()

    def _build_device_tests(self) -> None:
        """The boxes beside the checks; their parts keep the names tests and scripts use."""
        self.camera_box = QtCameraTestBox()
        self.preview, self.preview_button = self.camera_box.preview, self.camera_box.button
        self.preview_button.clicked.connect(self.toggle_preview)
        self.finger_box = QtThumbsTestBox()
        self.finger_button = self.finger_box.button
        self.finger_images, self.finger_scores = self.finger_box.images, self.finger_box.scores
        self.finger_status = self.finger_box.status
        self.finger_button.clicked.connect(self.test_fingerprint)
        self.signature_box = QtSignatureTestBox(self.service.settings)
        self.pad, self.signature_status = self.signature_box.pad, self.signature_box.status
        self.pad.changed.connect(self.check_signature)
        self.link_box = QtServerLinkBox()

    def _lay_out(self) -> None:
        """Checks with the thumbs and server boxes below them; camera and signature beside."""
        left = QVBoxLayout()
        left.addWidget(self.checks, 1)
        left.addWidget(self.last_run)
        tests = QHBoxLayout()
        tests.addWidget(self.finger_box, 3)
        tests.addWidget(self.link_box, 2)
        for box in (self.finger_box, self.link_box):
            box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        left.addLayout(tests)
        right = QVBoxLayout()
        right.addWidget(self.camera_box)
        right.addWidget(self.signature_box)
        right.addStretch(1)
        body = QHBoxLayout()
        body.addLayout(left, 3)
        body.addLayout(right, 1)
        self.lay.addLayout(body, 1)

    # --- running checks -------------------------------------------------------------

    def run_all(self) -> None:
        """Every check, saved as a self-test (the freeze gate reads the last one)."""
        self.run_checks(list(CHECK_NAMES), save=True)

    def run_checks(self, names: list[str], save: bool = False) -> None:
        """Run `names` in the device worker; a single check is shown, not saved."""
        names = [n for n in names if n not in self.running]
        if not names:
            return
        self.running.update(names)
        for n in names:
            self.rows[n].show_result(None, self.tr("memeriksa..."), "", "")
        job = self.service.selftest_job(names, qt_input_names(), save)
        if "camera" in names:
            camera, inner = self.camera, job

            def job() -> Any:  # the check opens the camera itself: free it first
                camera.close()
                return inner()
        self._update_buttons()
        self.runner.run_task(job, lambda report: self._checks_done(names, report),
                             lambda exc: self._checks_failed(names, exc))

    def _checks_done(self, names: list[str], report: Any) -> None:
        self.running.difference_update(names)
        for result in report.results:
            self.results[result.name] = result
        if report.selftest_id is not None:
            self.report = report
            self.report_time = self.service.store.clock().astimezone(
                self.service.settings.timezone)
        self.retranslate()
        self.finished.emit(report)

    def _checks_failed(self, names: list[str], exc: BaseException) -> None:
        self.running.difference_update(names)
        for n in names:
            self.rows[n].show_result(False, "-", "", error_text(exc))
        self._update_buttons()

    def _update_buttons(self) -> None:
        for name, row in self.rows.items():
            row.run.setEnabled(name not in self.running)
        self.run_all_button.setEnabled(not self.running)

    def _show_rows(self) -> None:
        en = current_lang() == "en"
        for name, row in self.rows.items():
            if name in self.running:
                continue
            r = self.results.get(name)
            if r is None:
                row.show_result(None, self.tr("belum diperiksa"), "", "")
                continue
            hint = "" if r.passed else (r.hint_en if en else r.hint_id) or r.hint_id
            row.show_result(r.passed, value_text(r.value), r.threshold, hint)
            row.busy = r.busy
        qt_desk.fit_rows(self.checks)
        server = self.results.get("server")
        value = server.value if server is not None and isinstance(server.value, dict) else {}
        self.link_box.show_link(
            value.get("latency_ms"), value.get("clock_skew_s"),
            self.service.settings["freeze.max_clock_skew_minutes"] * 60,
            value.get("url", "") or self.tr("Jalankan pemeriksaan server."))

    # --- camera preview -----------------------------------------------------------------

    def start_preview(self) -> None:
        self.previewing = True
        self.retranslate()
        self._request_frame()

    def stop_preview(self) -> None:
        self.previewing = False
        camera = self.camera
        self.runner.run_task(camera.close, lambda _r: None, self._close_failed)
        self.retranslate()

    def _close_failed(self, exc: BaseException) -> None:
        self.camera_box.show_error(error_text(exc))

    def toggle_preview(self) -> None:
        (self.stop_preview if self.previewing else self.start_preview)()

    def _request_frame(self) -> None:
        if not self.previewing or self.preview_pending:
            return
        self.preview_pending = True
        after = self.last_seq
        self.runner.run_task(lambda: self.camera.frame(after), self._frame_done,
                             self._frame_failed)

    def _frame_done(self, result: tuple[int, np.ndarray]) -> None:
        self.preview_pending = False
        seq, frame = result
        self.last_seq = seq
        self.camera_box.show_frame(frame)
        if self.previewing:
            QTimer.singleShot(PREVIEW_MS, self, self._request_frame)

    def _frame_failed(self, exc: BaseException) -> None:
        self.preview_pending = False
        self.last_seq = 0
        self.camera_box.show_error(error_text(exc))
        if self.previewing:  # keep trying: a re-plugged camera comes back by itself
            QTimer.singleShot(2000, self, self._request_frame)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if not self.previewing:
            self.start_preview()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802
        if self.previewing:
            self.stop_preview()
        super().hideEvent(event)

    # --- fingerprint and signature tests -------------------------------------------------

    def test_fingerprint(self) -> None:
        self.finger_button.setEnabled(False)
        self.finger_status.setText(self.tr("Letakkan kedua ibu jari pada pemindai..."))
        self.runner.run_task(self.service.test_fingerprint, self._finger_done,
                             self._finger_failed)

    def _finger_done(self, test: FingerTest) -> None:
        self.finger_button.setEnabled(True)
        names = {1: self.tr("Ibu jari kanan"), 6: self.tr("Ibu jari kiri")}
        self.finger_box.show_thumbs([(str(names.get(pos, pos)), quality, pixels)
                                     for pos, quality, pixels in test.fingers], test.threshold)
        self.finger_status.setText(self.tr("{device} · batas mutu {n}").format(
            device=test.device, n=test.threshold))

    def _finger_failed(self, exc: BaseException) -> None:
        self.finger_button.setEnabled(True)
        self.finger_box.clear()
        self.finger_status.setText(error_text(exc))

    def check_signature(self) -> None:
        box = self.signature_box
        if self.pad.is_empty:
            box.show_status(self.tr("Buat satu goresan uji di bidang ini."))
            return
        try:
            result = self.pad.result()
        except DomainError as exc:
            box.show_status(msg_text(exc.msg), passed=False)
            return
        box.show_status(msg_text(Msg(
            f"Goresan terbaca ({self.pad.ink.source}): tinta {result.ink_ratio:.1%}, "
            f"lebar {result.extent:.0%}.",
            f"Stroke read ({self.pad.ink.source}): ink {result.ink_ratio:.1%}, "
            f"width {result.extent:.0%}.")), passed=True)

    # --- text -------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.title.setText(self.tr("Swauji perangkat"))
        self.subtitle.setText(self.tr(
            "Periksa kamera, pemindai sidik jari, alat tanda tangan, server, disk dan basis "
            "data. Satu pemeriksaan hanya ditampilkan; \"Jalankan semua\" dicatat sebagai "
            "swauji."))
        self.run_all_button.setText(self.tr("Jalankan semua"))
        self.checks.setHorizontalHeaderLabels([
            self.tr("Pemeriksaan"), self.tr("Hasil"), self.tr("Nilai terukur"), self.tr("Batas"),
            self.tr("Petunjuk"), ""])
        titles = {"camera": self.tr("Kamera"), "fingerprint": self.tr("Pemindai sidik jari"),
                  "signature": self.tr("Alat tanda tangan"), "server": self.tr("Server pusat"),
                  "disk": self.tr("Ruang disk"), "database": self.tr("Basis data")}
        for name, row in self.rows.items():
            row.item(0).setText(titles[name])
            row.run.setText(self.tr("Periksa"))
        self._show_rows()
        for row in self.rows.values():
            row.item(1).setText(self.tr("SIBUK") if row.busy and row.passed is False else {
                None: "—", True: self.tr("LULUS"), False: self.tr("GAGAL")}[row.passed])
        qt_desk.fit_rows(self.checks)
        if self.report is not None:
            self.last_run.setText(self.tr("Swauji dicatat {when}: {result}").format(
                when=fmt_datetime(self.report_time),
                result=self.tr("LULUS") if self.report.passed else self.tr("GAGAL")))
        else:
            self.last_run.setText("")
        self.camera_box.setTitle(self.tr("Pratinjau kamera"))
        self.preview_button.setText(self.tr("Hentikan pratinjau") if self.previewing
                                    else self.tr("Mulai pratinjau"))
        self.finger_box.setTitle(self.tr("Uji sidik jari"))
        self.finger_button.setText(self.tr("Rekam uji ibu jari"))
        self.signature_box.setTitle(self.tr("Uji tanda tangan"))
        self.signature_box.clear_button.setText(self.tr("Hapus"))
        if self.pad.is_empty:
            self.signature_status.setText(self.tr("Buat satu goresan uji di bidang ini."))
        self.link_box.setTitle(self.tr("Sambungan server"))
        self.link_box.captions[0].setText(self.tr("Latensi"))
        self.link_box.captions[1].setText(self.tr("Selisih jam"))
        self._update_buttons()
