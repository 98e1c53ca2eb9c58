"""The recording flow driven like an operator would, from login to receipt."""

from __future__ import annotations

import shutil
import subprocess

from PySide6.QtCore import Qt

from tests.ui.conftest import applicant, login, sign


def click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def test_whole_flow_from_login_to_receipt_saves_the_record_and_the_pdf(qtbot, window, station):
    """Login -> data -> photo -> 4-4-2 fingers -> signature -> review -> save -> receipt."""
    login(qtbot, window)
    assert window.home.quota.text() == "0 / 30"
    click(qtbot, window.home.new_button)
    flow = window.flow
    assert window.page() is flow and flow.names[flow.index] == "data"
    data = flow.steps["data"]
    data.fill(applicant(station))
    click(qtbot, flow.next_button)
    assert flow.names[flow.index] == "photo"

    photo = flow.steps["photo"]
    qtbot.waitUntil(lambda: photo.capture_button.isEnabled(), timeout=15000)
    click(qtbot, photo.capture_button)
    qtbot.waitUntil(lambda: flow.draft.photo is not None or bool(photo.error.text()), timeout=5000)
    assert photo.error.text() == ""
    assert flow.next_button.isEnabled()
    click(qtbot, flow.next_button)

    fingers = flow.steps["fingers"]
    assert flow.names[flow.index] == "fingers"
    for name in ("right", "left", "thumbs"):
        btn = fingers.slap_buttons[name]
        qtbot.waitUntil(btn.isEnabled, timeout=10000)
        click(qtbot, btn)
        qtbot.waitUntil(lambda: not fingers.busy, timeout=10000)
        assert fingers.error.text() == ""
    assert flow.draft.fingers_done()
    assert fingers.diagram.draft.finger_state(2) == "captured"
    click(qtbot, flow.next_button)

    sig = flow.steps["signature"]
    assert flow.names[flow.index] == "signature"
    sign(sig.pad)
    assert flow.draft.signature_png is not None
    click(qtbot, flow.next_button)

    review = flow.steps["review"]
    assert flow.names[flow.index] == "review"
    assert applicant(station).nama in review.data.text()
    # every item was sealed as it was accepted: "Simpan" only writes
    draft = flow.draft
    ahead = {ctx.split(":")[2] for ctx in draft.sealed}
    assert {"photo", "finger.1", "finger.10", "signature.png", "signature.strokes"} <= ahead
    assert all(ctx.split(":")[1] == draft.record_id for ctx in draft.sealed)
    photo_ahead = next(v for k, v in draft.sealed.items() if k.split(":")[2] == "photo")
    assert flow.next_button.text() == "Simpan"
    click(qtbot, flow.next_button)

    assert window.page() is window.receipt
    assert window.receipt.banner.text() == "Tersimpan"
    regno = window.receipt.regno.text()
    rows = station.find(regno)
    assert len(rows) == 1 and rows[0]["state"] == "saved"
    kinds = {b["kind"] for b in station.blob_rows(rows[0]["id"])}
    assert rows[0]["id"] == draft.record_id
    assert station.db.execute("SELECT sealed FROM blobs WHERE record_id = ? AND kind = 'photo'",
                              [draft.record_id]).fetchone()[0] == photo_ahead
    assert {"photo", "finger.1", "finger.10", "signature.png"} <= kinds
    assert window.receipt.pdf_path.exists()
    assert window.receipt.pdf_path.read_bytes().startswith(b"%PDF")
    # the copy kept on the station holds the registration number, not the applicant's name
    person = applicant(station)
    saved_regno = regno
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(window.receipt.pdf_path), "-"],
                              capture_output=True, text=True, check=True).stdout
        assert saved_regno in text and person.nama not in text and person.nik not in text
    click(qtbot, window.receipt.done_button)
    assert window.page() is window.home
    assert window.home.quota.text() == "1 / 30"
