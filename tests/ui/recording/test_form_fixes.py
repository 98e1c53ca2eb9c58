"""The data form, the signature, the photo checks and leaving a recording, as an operator
meets them (issue 12's walk-through)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from PySide6.QtCore import QEvent, QPointF, Qt, QTimer
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QComboBox, QMessageBox

from kiosk.devices.face import FaceCheck
from kiosk.domain.applicant import validate_applicant
from kiosk.domain.nik import FEMALE, MALE, make_nik
from kiosk.domain.regions import RegionTable
from tests.ui.conftest import applicant, login


def open_data(qtbot, window):
    login(qtbot, window)
    qtbot.mouseClick(window.home.new_button, Qt.MouseButton.LeftButton)
    return window.flow, window.flow.steps["data"]


def retype(qtbot, edit, text: str) -> None:
    """Select what the field holds and type over it, key by key."""
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, text)


def test_an_empty_nik_says_it_is_required_not_that_it_must_be_digits(qtbot, window, station):
    flow, data = open_data(qtbot, window)
    data.fill(dataclasses.replace(applicant(station), nik=""))
    qtbot.mouseClick(flow.next_button, Qt.MouseButton.LeftButton)
    assert flow.names[flow.index] == "data"
    error = data.errors["nik"]
    assert error.isVisible()
    assert error.text() == "NIK wajib diisi (16 angka)."
    problem = next(p for p in validate_applicant(data.applicant(), RegionTable.load(),
                                                 station.today()) if p.field == "nik")
    assert (problem.code, problem.msg.en) == ("required", "The NIK is required (16 digits).")
    retype(qtbot, data.fields["nik"], "12345")  # letters cannot be typed; a short one says so
    assert "16 angka" in data.errors["nik"].text() and "wajib" not in data.errors["nik"].text()


def test_a_corrected_nik_corrects_the_birth_date_and_sex_it_filled_in(qtbot, window, station):
    flow, data = open_data(qtbot, window)
    kec = station.settings["station.kecamatan"]
    nik = data.fields["nik"]
    retype(qtbot, nik, make_nik(kec, dt.date(1990, 5, 12), MALE, 21))
    assert data.fields["tanggal_lahir"].text() == "12-05-1990"
    assert data.fields["jenis_kelamin"].currentData() == "LAKI-LAKI"
    # a typing slip in the NIK, corrected: the fields it filled follow the NIK
    retype(qtbot, nik, make_nik(kec, dt.date(1985, 3, 7), FEMALE, 21))
    assert data.fields["tanggal_lahir"].text() == "07-03-1985"
    assert data.fields["jenis_kelamin"].currentData() == "PEREMPUAN"
    # the operator types the birth date from the KK himself: a later NIK leaves it alone
    retype(qtbot, data.fields["tanggal_lahir"], "08031985")
    assert data.fields["tanggal_lahir"].text() == "08-03-1985"
    retype(qtbot, nik, make_nik(kec, dt.date(1985, 3, 9), MALE, 21))
    assert data.fields["tanggal_lahir"].text() == "08-03-1985"
    assert data.fields["jenis_kelamin"].currentData() == "LAKI-LAKI"  # still the NIK's
    assert data.errors["tanggal_lahir"].isVisible()  # and the disagreement is shown


def test_a_sex_chosen_by_the_operator_is_not_overwritten_by_a_later_nik(qtbot, window, station):
    flow, data = open_data(qtbot, window)
    kec = station.settings["station.kecamatan"]
    box = data.fields["jenis_kelamin"]
    box.setCurrentIndex(box.findData("PEREMPUAN"))
    retype(qtbot, data.fields["nik"], make_nik(kec, dt.date(1990, 5, 12), MALE, 21))
    assert box.currentData() == "PEREMPUAN"
    assert data.fields["tanggal_lahir"].text() == "12-05-1990"  # empty before: filled
    assert data.errors["jenis_kelamin"].isVisible()


def type_into(qtbot, box: QComboBox, text: str) -> None:
    """Focus the dropdown, type `text` key by key (spaces too), then press Enter."""
    box.setFocus()
    box.lineEdit().selectAll()
    qtbot.keyClicks(box.lineEdit(), text)
    qtbot.keyClick(box.lineEdit(), Qt.Key.Key_Return)


def test_typing_with_spaces_chooses_the_item_in_every_dropdown(qtbot, window, station):
    flow, data = open_data(qtbot, window)
    job = data.fields["pekerjaan"]
    type_into(qtbot, job, "mengurus rumah tangga")
    assert job.currentData() == "MENGURUS RUMAH TANGGA"
    kel = data.fields["kelurahan"]
    names = [kel.itemText(i) for i in range(kel.count())]
    assert "KERENG BANGKIRAI" in names
    type_into(qtbot, kel, "kereng bang")  # a part that names one kelurahan is enough
    assert kel.currentText() == "KERENG BANGKIRAI"
    assert kel.currentData() == kel.itemData(names.index("KERENG BANGKIRAI"))
    assert not data.errors["kelurahan"].isVisible()
    combos = {n: w for n, w in data.fields.items() if isinstance(w, QComboBox)}
    assert set(combos) == {"jenis_kelamin", "golongan_darah", "agama", "status_perkawinan",
                           "pekerjaan", "kecamatan", "kelurahan", "kewarganegaraan"}
    for name, box in combos.items():
        # the last item with a space in its name (else the last item), typed in lower case
        items = [box.itemText(i) for i in range(box.count())]
        pick = next((t for t in reversed(items) if " " in t), items[-1])
        type_into(qtbot, box, pick.lower())
        assert box.currentText() == pick, name
        assert box.currentData() == box.itemData(items.index(pick)), name


def test_typing_a_name_no_item_has_leaves_the_dropdown_blank_and_says_so(qtbot, window, station):
    flow, data = open_data(qtbot, window)
    job = data.fields["pekerjaan"]
    type_into(qtbot, job, "mengurus rumah tangga")
    type_into(qtbot, job, "astronot bulan")
    assert job.currentData() == "" and job.currentText() == ""
    assert data.errors["pekerjaan"].isVisible()


def test_the_abandon_question_defaults_to_keep_recording_and_escape_keeps_it(qtbot, window):
    flow, data = open_data(qtbot, window)
    draft = flow.draft
    seen: dict[str, str] = {}

    def answer(key: Qt.Key) -> None:
        box = QApplication.activeModalWidget()
        if box is None:
            QTimer.singleShot(10, lambda: answer(key))
            return
        assert isinstance(box, QMessageBox)
        seen["default"] = box.defaultButton().text() if box.defaultButton() else ""
        seen["escape"] = box.escapeButton().text() if box.escapeButton() else ""
        qtbot.keyClick(box, key)
        if box.isVisible():  # the key did nothing: close it, so the test fails, not hangs
            seen["ignored"] = key.name
            box.escapeButton().click() if box.escapeButton() else box.done(0)

    for key in (Qt.Key.Key_Escape, Qt.Key.Key_Return):
        QTimer.singleShot(0, lambda k=key: answer(k))
        qtbot.mouseClick(flow.cancel_button, Qt.MouseButton.LeftButton)
        assert seen == {"default": "Tidak, lanjutkan perekaman",
                        "escape": "Tidak, lanjutkan perekaman"}
        assert window.page() is flow and flow.draft is draft


def test_the_review_shows_rt_and_rw_as_three_digits(qtbot, window, station):
    flow, data = open_data(qtbot, window)
    flow.draft.applicant = dataclasses.replace(applicant(station), rt="3", rw="1")
    review = flow.steps["review"]
    review.retranslate()
    assert "RT/RW: 003/001" in review.data.text().splitlines()


def small_stroke(widget) -> None:
    """A short scribble, a tenth of the pad wide."""
    w, h = widget.width(), widget.height()
    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton

    def send(kind, x, y, button, buttons):
        QApplication.sendEvent(widget, QMouseEvent(kind, QPointF(x, y), QPointF(x, y), button,
                                                   buttons, Qt.KeyboardModifier.NoModifier))

    send(QEvent.Type.MouseButtonPress, w * 0.45, h * 0.5, left, left)
    for i in range(1, 20):
        send(QEvent.Type.MouseMove, w * (0.45 + 0.005 * i), h * (0.5 + 0.01 * (i % 4)),
             none, left)
    send(QEvent.Type.MouseButtonRelease, w * 0.55, h * 0.5, left, none)


def test_a_too_small_signature_says_why_next_stays_disabled(qtbot, window, station):
    flow, data = open_data(qtbot, window)
    flow.go_to("signature")
    sig = flow.steps["signature"]
    small_stroke(sig.pad)
    assert not flow.next_button.isEnabled()
    assert sig.error.isVisible()
    text = sig.error.text()
    assert re.match(r"Tanda tangan terlalu kecil: lebarnya (9|10|11)% dari kotak, perlu paling "
                    r"sedikit 15%\. Tekan Hapus", text), text
    sig.clear()
    assert sig.error.text() == ""
    window.language.set_language("en")
    small_stroke(sig.pad)
    assert re.match(r"The signature is too small: it spans (9|10|11)% of the pad's width, at "
                    r"least 15% is needed\.", sig.error.text()), sig.error.text()


def test_photo_checks_read_as_words_with_the_numbers_in_the_tooltip(qtbot, window):
    photo = window.flow.steps["photo"]
    photo._show_checks([
        FaceCheck("sharpness", True, 69.294, ">= 40.0"),
        FaceCheck("exposure", False, 31.5, "60-200", "Wajah terlalu gelap, tambah cahaya",
                  "Face too dark, add light"),
        FaceCheck("face_count", False, 0, "== 1", "Tidak ada wajah terdeteksi",
                  "No face found"),
    ])
    sharp = photo.check_labels["sharpness"][1]
    assert sharp.text() == "Ketajaman: cukup tajam"
    assert "69.294" in sharp.toolTip() and ">= 40.0" in sharp.toolTip()
    light = photo.check_labels["exposure"][1]
    assert light.text() == "Pencahayaan: belum pas — Wajah terlalu gelap, tambah cahaya"
    assert photo.check_labels["face_count"][1].text().startswith("Wajah: tidak terlihat")
    for _mark, text in photo.check_labels.values():
        assert not any(ch.isdigit() for ch in text.text())
    window.language.set_language("en")
    photo._show_checks([FaceCheck("sharpness", False, 12.0, ">= 40.0", "Gambar kabur",
                                  "Picture blurred, hold still or clean the lens")])
    assert sharp.text() == ("Sharpness: not sharp enough — Picture blurred, hold still or "
                            "clean the lens")


def test_text_typed_into_a_dropdown_counts_when_next_is_pressed_by_keyboard(qtbot, window,
                                                                           station):
    """Alt+Right leaves the focus in the dropdown: what was typed is chosen all the same."""
    flow, data = open_data(qtbot, window)
    data.fill(dataclasses.replace(applicant(station), pekerjaan=""))
    job = data.fields["pekerjaan"]
    job.setFocus()
    qtbot.keyClicks(job.lineEdit(), "mengurus rumah")
    assert job.currentData() == ""
    job.completer().popup().hide()  # the operator looks past the suggestions
    qtbot.keyClick(job.lineEdit(), Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert flow.draft.applicant.pekerjaan == "MENGURUS RUMAH TANGGA"
    assert flow.names[flow.index] == "photo"
