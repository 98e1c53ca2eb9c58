"""The photo step: live preview with a face guide, quality checks as they pass, capture/retake."""

from __future__ import annotations

import cv2
import numpy as np
from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kiosk.app.devices import FaceFrame, StationDevices
from kiosk.app.draft import Draft
from kiosk.app.incidents import CAMERA
from kiosk.devices.face import portrait_window
from kiosk.ui.qt_common import button, label
from kiosk.ui.qt_i18n import current_lang
from kiosk.ui.qt_tasks import TaskRunner, failure_text
from kiosk.ui.recording.qt_step import QtStep

PREVIEW_MS = 80  # ask for the next frame this long after the last one arrived (~10 fps)


def bgr_to_qimage(frame: np.ndarray) -> QImage:
    """A deep copy, so the numpy buffer may be freed afterwards."""
    rgb = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
    h, w, _ = rgb.shape
    return QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


class QtPhotoStep(QtStep):
    """Preview -> the operator captures when every check passes; retake starts again."""

    def __init__(self, devices: StationDevices, runner: TaskRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.devices = devices
        self.runner = runner
        self.active = False
        self.pending = False
        self.last: FaceFrame | None = None
        self.error_text = ""
        self.preview = QLabel()
        self.preview.setObjectName("preview")
        self.preview.setMinimumSize(480, 360)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setStyleSheet("background: #20262c; border-radius: 8px;")
        self.checks_title = label("subtitle")
        self.checks = QGridLayout()
        self.checks.setColumnStretch(1, 1)  # the words beside their mark, not across the panel
        self.check_labels: dict[str, tuple[QLabel, QLabel]] = {}
        self.status = label(wrap=True)
        self.status.setObjectName("photoStatus")
        self.error = label("error", wrap=True)
        self.error.setObjectName("photoError")
        self.capture_button = button("primary")
        self.capture_button.clicked.connect(self.capture)
        self.capture_button.setEnabled(False)  # until a frame passes every check
        self.retake_button = button()
        self.retake_button.clicked.connect(self.retake)
        self.retry_button = button()
        self.retry_button.clicked.connect(self.retry)
        self.retry_button.hide()
        side = QVBoxLayout()
        side.addWidget(self.checks_title)
        side.addLayout(self.checks)
        side.addStretch(1)
        side.addWidget(self.status)
        side.addWidget(self.error)
        side.addWidget(self.retry_button)
        side.addWidget(self.capture_button)
        side.addWidget(self.retake_button)
        lay = QHBoxLayout(self)
        lay.addWidget(self.preview, 3)
        lay.addLayout(side, 2)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self._poll)
        self.retranslate()

    # --- life cycle -------------------------------------------------------------------

    def title(self) -> str:
        return self.tr("Foto")

    def set_draft(self, draft) -> None:  # type: ignore[no-untyped-def]
        super().set_draft(draft)
        self.last = None
        self.preview.clear()
        self.capture_button.setEnabled(False)
        self._show_checks([])

    def enter(self) -> None:
        self.active = True
        if self.draft is not None and self.draft.photo is not None:
            self._show_photo()
        else:
            self._poll()
        self.retranslate()

    def leave(self) -> None:
        self.active = False
        self.timer.stop()
        self._close_camera()

    def is_ready(self) -> bool:
        return self.draft is not None and self.draft.photo_done()

    # --- preview ----------------------------------------------------------------------

    def _poll(self) -> None:
        if not self.active or self.pending or (self.draft and self.draft.photo is not None):
            return
        self.pending = True
        after = self.last.seq if self.last else 0
        draft = self.draft
        self.runner.run_task(lambda: self.devices.face_frame(after),
                             lambda ff: self._frame(ff, draft), self._failed)

    def _frame(self, ff: FaceFrame, draft: Draft | None) -> None:
        self.pending = False
        self.report_camera()
        if draft is not self.draft:  # asked for the applicant before: ask again for this one
            self._poll()
            return
        if not self.active or (self.draft and self.draft.photo is not None):
            return
        self.error_text = ""
        self.error.clear()
        self.retry_button.hide()
        self.last = ff
        self._draw(ff)
        self._show_checks(ff.checks)
        self.capture_button.setEnabled(ff.passed)
        self.retranslate()
        self.timer.start(PREVIEW_MS)

    def _failed(self, exc: BaseException) -> None:
        self.pending = False
        self.report_camera(exc)
        self._show_error(exc)

    def _show_error(self, exc: BaseException) -> None:
        self.error_text = failure_text(exc)
        self.error.setText(self.error_text)
        self.retry_button.show()
        self.capture_button.setEnabled(False)

    def report_camera(self, exc: BaseException | None = None) -> None:
        """The camera worked (no `exc`) or failed: its incident ends or opens (GUI thread)."""
        if self.incidents is None:
            return
        if exc is None:
            self.incidents.recovered(CAMERA)
        else:
            self.incidents.failed(CAMERA, exc)

    def _close_camera(self) -> None:
        """Free the camera when the photo is taken or the step is left."""
        self.runner.run_task(self.devices.close_camera, lambda _r: None, self.report_camera)

    def retry(self) -> None:
        self.error.clear()
        self.retry_button.hide()
        self._poll()

    def _draw(self, ff: FaceFrame) -> None:
        """The frame with the face guide: the portrait window and an oval where the head goes."""
        img = bgr_to_qimage(ff.frame)
        p = QPainter(img)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        x, y, w, h = portrait_window(ff.frame.shape)
        colour = QColor("#3ad06b") if ff.passed else QColor("#f0a202")
        p.setPen(QPen(colour, 3, Qt.PenStyle.DashLine))
        p.drawRect(QRectF(x, y, w, h))
        p.setPen(QPen(colour, 3))
        p.drawEllipse(QRectF(x + w * 0.2, y + h * 0.12, w * 0.6, h * 0.62))
        p.end()
        self.preview.setPixmap(QPixmap.fromImage(img).scaled(
            self.preview.size(), Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation))

    def _show_checks(self, checks: list) -> None:  # list[FaceCheck]
        for i, c in enumerate(checks):
            if c.name not in self.check_labels:
                mark, text = QLabel(), label(wrap=True)
                mark.setObjectName(f"check_{c.name}")
                self.checks.addWidget(mark, i, 0)
                self.checks.addWidget(text, i, 1)
                self.check_labels[c.name] = (mark, text)
            mark, text = self.check_labels[c.name]
            mark.setText("✔" if c.passed else "✘")
            mark.setStyleSheet(f"color: {'#1e6b2f' if c.passed else '#b3261e'}; font-size: 16pt;")
            hint = c.hint_en if current_lang() == "en" else c.hint_id
            text.setText(f"{self.check_name(c.name)}: {self.check_word(c)}"
                         + (f" — {hint}" if hint else ""))
            # the measurement stays at hand for a technician (and in the record's face checks)
            tip = "" if c.value is None else self.tr("Nilai terukur {value}; syarat {rule}")
            text.setToolTip(tip.format(value=f"{c.value:g}", rule=c.threshold))
            text.setObjectName("ok" if c.passed else "error")
            text.style().unpolish(text)
            text.style().polish(text)

    def check_name(self, name: str) -> str:
        return {
            "face_count": self.tr("Wajah"), "size": self.tr("Ukuran wajah"),
            "centring": self.tr("Posisi wajah"), "eyes": self.tr("Mata"),
            "sharpness": self.tr("Ketajaman"), "exposure": self.tr("Pencahayaan"),
            "clipping": self.tr("Silau"), "background": self.tr("Latar belakang"),
        }.get(name, name)

    def check_word(self, c) -> str:  # FaceCheck
        """The check's result in words an operator reads at a glance (no numbers)."""
        if c.name == "face_count" and not c.passed:
            return self.tr("tidak terlihat") if not c.value else self.tr("lebih dari satu")
        if not c.passed and c.value is None:
            return self.tr("belum dapat diperiksa")
        words = {
            "face_count": (self.tr("satu wajah terlihat"), ""),
            "size": (self.tr("pas"), self.tr("belum pas")),
            "centring": (self.tr("di tengah"), self.tr("belum di tengah")),
            "eyes": (self.tr("kedua mata terlihat"), self.tr("belum terlihat")),
            "sharpness": (self.tr("cukup tajam"), self.tr("kurang tajam")),
            "exposure": (self.tr("cukup"), self.tr("belum pas")),
            "clipping": (self.tr("tidak ada"), self.tr("ada silau atau bayangan pekat")),
            "background": (self.tr("polos"), self.tr("belum polos")),
        }
        good, bad = words.get(c.name, (self.tr("lulus"), self.tr("belum lulus")))
        return good if c.passed else bad

    # --- capture ----------------------------------------------------------------------

    def capture(self) -> None:
        ff = self.last
        if ff is None or not ff.passed or self.draft is None:
            return
        self.capture_button.setEnabled(False)
        self.timer.stop()
        draft = self.draft
        self.runner.run_task(lambda: self.devices.portrait(ff.frame),
                             lambda jpg: self._captured(jpg, ff, draft), self._show_error)

    def _captured(self, jpg: bytes, ff: FaceFrame, draft: Draft | None) -> None:
        if self.draft is None or draft is not self.draft:
            return  # the draft it was taken for was discarded: never another applicant's
        self.draft.photo = jpg
        self.draft.face_checks = [c.as_dict() for c in ff.checks]
        self._show_photo()
        self.ready_changed.emit()
        self._close_camera()

    def _show_photo(self) -> None:
        assert self.draft is not None and self.draft.photo is not None
        img = QImage.fromData(self.draft.photo)
        self.preview.setPixmap(QPixmap.fromImage(img).scaled(
            self.preview.size(), Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation))
        self.capture_button.setEnabled(False)
        self.retranslate()

    def retake(self) -> None:
        if self.draft is None:
            return
        self.draft.photo = None
        self.draft.face_checks = []
        self.last = None
        self.ready_changed.emit()
        self.retranslate()
        self._poll()

    def retranslate(self) -> None:
        self.checks_title.setText(self.tr("Pemeriksaan mutu foto"))
        self.capture_button.setText(self.tr("Ambil foto"))
        self.retake_button.setText(self.tr("Ulangi foto"))
        self.retry_button.setText(self.tr("Coba lagi"))
        taken = self.draft is not None and self.draft.photo is not None
        self.retake_button.setEnabled(taken)
        if taken:
            self.status.setText(self.tr("Foto sudah diambil. Lanjut, atau ulangi bila perlu."))
        elif self.last is not None and self.last.passed:
            self.status.setText(self.tr("Semua pemeriksaan lulus: tekan Ambil foto."))
        else:
            self.status.setText(self.tr("Minta pemohon menatap kamera, wajah di dalam oval."))
        if self.last is not None and not taken:
            self._show_checks(self.last.checks)
