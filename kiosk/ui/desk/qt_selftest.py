"""The technician's self-test (swauji) screen: a row per check (state, value, threshold, hint),
one check or all of them off the GUI thread; a live camera preview, a test thumbs capture,
a signature test stroke and the server link's latency and clock skew."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QHideEvent,
    QImage,
    QInputDevice,
    QPixmap,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
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
from kiosk.ui.desk.qt_desk import FAIL_COLOUR, PASS_COLOUR, QtDeskScreen, error_text, set_row, table
from kiosk.ui.qt_common import button, label
from kiosk.ui.qt_i18n import current_lang, fmt_datetime, msg_text
from kiosk.ui.qt_signature import QtSignaturePad
from kiosk.ui.qt_tasks import TaskRunner
from kiosk.ui.recording.qt_step_photo import bgr_to_qimage

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


def grey_pixmap(pixels: np.ndarray, height: int) -> QPixmap:
    h, w = pixels.shape
    img = QImage(np.ascontiguousarray(pixels).data, w, h, w, QImage.Format.Format_Grayscale8)
    return QPixmap.fromImage(img.copy()).scaledToHeight(
        height, Qt.TransformationMode.SmoothTransformation)


class QtCheckRow:
    """One check's row in the table: its items and its run button."""

    def __init__(self, table: QTableWidget, row: int, name: str) -> None:
        self.table, self.row, self.name = table, row, name
        self.run = button()
        self.run.setObjectName(f"run_{name}")
        self.run.setStyleSheet("min-height: 32px; font-size: 12pt; padding: 2px 10px;")
        self.passed: bool | None = None
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
        self.passed = passed
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

        self.checks = table(6, stretch=4, wrap=True)
        self.checks.setObjectName("checks")
        self.checks.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.checks.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.checks.setRowCount(len(CHECK_NAMES))
        header = self.checks.horizontalHeader()
        for col, width in ((2, 250), (3, 190)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            self.checks.setColumnWidth(col, width)
        self.rows: dict[str, QtCheckRow] = {}
        for i, name in enumerate(CHECK_NAMES):
            row = QtCheckRow(self.checks, i, name)
            row.run.clicked.connect(lambda _=False, n=name: self.run_checks([n]))
            self.rows[name] = row

        # device tests: camera, fingerprint, signature, server link
        self.preview = QLabel()
        self.preview.setObjectName("preview")
        self.preview.setFixedSize(320, 240)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setStyleSheet("background: #20262c; color: #dfe6ec; border-radius: 6px;")
        self.preview.setWordWrap(True)
        self.preview_button = button()
        self.preview_button.clicked.connect(self.toggle_preview)
        self.camera_box = QGroupBox()
        cam = QVBoxLayout(self.camera_box)
        cam.addWidget(self.preview, 0, Qt.AlignmentFlag.AlignHCenter)
        cam.addWidget(self.preview_button)

        self.finger_button = button()
        self.finger_button.setObjectName("testFinger")
        self.finger_button.clicked.connect(self.test_fingerprint)
        self.finger_images = [QLabel(), QLabel()]
        self.finger_scores = [label(), label()]
        self.finger_status = label("hint", wrap=True)
        self.finger_box = QGroupBox()
        fl = QGridLayout(self.finger_box)
        for i in range(2):
            self.finger_images[i].setFixedSize(90, 112)
            self.finger_images[i].setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.finger_images[i].setStyleSheet("background: #eef2f6; border-radius: 6px;")
            fl.addWidget(self.finger_images[i], 0, i, Qt.AlignmentFlag.AlignHCenter)
            fl.addWidget(self.finger_scores[i], 1, i, Qt.AlignmentFlag.AlignHCenter)
        side = QVBoxLayout()
        side.addWidget(self.finger_status, 1)
        side.addWidget(self.finger_button)
        fl.addLayout(side, 0, 2, 2, 1)
        fl.setColumnStretch(2, 1)

        self.pad = QtSignaturePad(service.settings)
        self.pad.setMinimumSize(300, 110)
        self.pad.setMaximumHeight(140)
        self.pad.changed.connect(self.check_signature)
        self.signature_status = label("hint", wrap=True)
        self.signature_status.setObjectName("signatureStatus")
        self.clear_pad = button()
        self.clear_pad.clicked.connect(self.pad.clear)
        self.signature_box = QGroupBox()
        sl = QVBoxLayout(self.signature_box)
        sl.addWidget(self.pad)
        srow = QHBoxLayout()
        srow.addWidget(self.signature_status, 1)
        srow.addWidget(self.clear_pad)
        sl.addLayout(srow)

        self.link_latency = label("figure")
        self.link_latency.setObjectName("figure")
        self.link_skew = label("figure")
        self.link_skew.setObjectName("figure")
        self.link_caption = [label("hint"), label("hint")]
        self.link_note = label("hint", wrap=True)
        self.link_box = QGroupBox()
        ll = QGridLayout(self.link_box)
        ll.addWidget(self.link_caption[0], 0, 0)
        ll.addWidget(self.link_caption[1], 0, 1)
        ll.addWidget(self.link_latency, 1, 0)
        ll.addWidget(self.link_skew, 1, 1)
        ll.addWidget(self.link_note, 2, 0, 1, 2)

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
        self.retranslate()

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
        server = self.results.get("server")
        value = server.value if server is not None and isinstance(server.value, dict) else {}
        latency, skew = value.get("latency_ms"), value.get("clock_skew_s")
        self.link_latency.setText("-" if latency is None else f"{latency:.0f} ms")
        self.link_skew.setText("-" if skew is None else f"{skew:+.1f} s")
        limit = self.service.settings["freeze.max_clock_skew_minutes"] * 60
        bad = skew is not None and abs(skew) > limit
        self.link_skew.setStyleSheet(f"color: {FAIL_COLOUR};" if bad else "")
        self.link_note.setText(value.get("url", "") or self.tr("Jalankan pemeriksaan server."))

    # --- camera preview -----------------------------------------------------------------

    def start_preview(self) -> None:
        self.previewing = True
        self.retranslate()
        self._request_frame()

    def stop_preview(self) -> None:
        self.previewing = False
        camera = self.camera
        self.runner.run_task(camera.close, lambda _r: None, lambda _e: None)
        self.retranslate()

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
        h, w = frame.shape[:2]
        pix = QPixmap.fromImage(bgr_to_qimage(frame)).scaled(
            self.preview.size(), Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation)
        self.preview.setPixmap(pix)
        self.preview.setToolTip(f"{w}x{h}")
        if self.previewing:
            QTimer.singleShot(PREVIEW_MS, self, self._request_frame)

    def _frame_failed(self, exc: BaseException) -> None:
        self.preview_pending = False
        self.last_seq = 0
        self.preview.setPixmap(QPixmap())
        self.preview.setText(error_text(exc))
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
        for i, (pos, quality, pixels) in enumerate(test.fingers[:2]):
            self.finger_images[i].setPixmap(grey_pixmap(pixels, 108))
            ok = quality >= test.threshold
            self.finger_scores[i].setText(f"{names.get(pos, pos)}: {quality}")
            self.finger_scores[i].setStyleSheet(
                f"color: {PASS_COLOUR if ok else FAIL_COLOUR}; font-size: 12pt;")
        self.finger_status.setText(self.tr("{device} · batas mutu {n}").format(
            device=test.device, n=test.threshold))

    def _finger_failed(self, exc: BaseException) -> None:
        self.finger_button.setEnabled(True)
        for img, score in zip(self.finger_images, self.finger_scores, strict=True):
            img.setPixmap(QPixmap())
            score.setText("")
        self.finger_status.setText(error_text(exc))

    def check_signature(self) -> None:
        if self.pad.is_empty:
            self.signature_status.setText(self.tr("Buat satu goresan uji di bidang ini."))
            self.signature_status.setStyleSheet("")
            return
        try:
            result = self.pad.result()
        except DomainError as exc:
            self.signature_status.setText(msg_text(exc.msg))
            self.signature_status.setStyleSheet(f"color: {FAIL_COLOUR};")
            return
        self.signature_status.setText(msg_text(Msg(
            f"Goresan terbaca ({self.pad.ink.source}): tinta {result.ink_ratio:.1%}, "
            f"lebar {result.extent:.0%}.",
            f"Stroke read ({self.pad.ink.source}): ink {result.ink_ratio:.1%}, "
            f"width {result.extent:.0%}.")))
        self.signature_status.setStyleSheet(f"color: {PASS_COLOUR};")

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
            row.item(1).setText({None: "—", True: self.tr("LULUS"),
                                 False: self.tr("GAGAL")}[row.passed])
        self.checks.resizeRowsToContents()
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
        self.clear_pad.setText(self.tr("Hapus"))
        if self.pad.is_empty:
            self.signature_status.setText(self.tr("Buat satu goresan uji di bidang ini."))
        self.link_box.setTitle(self.tr("Sambungan server"))
        self.link_caption[0].setText(self.tr("Latensi"))
        self.link_caption[1].setText(self.tr("Selisih jam"))
        self._update_buttons()
