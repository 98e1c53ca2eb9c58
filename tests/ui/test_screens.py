"""Home, validation, idle lock, language and device failures, driven through the window."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from kiosk.ui.qt_i18n import TRANSLATIONS
from tests.ui.conftest import OPERATOR, SUPERVISOR, applicant, login


def click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def test_cap_reached_blocks_a_new_recording_and_the_override_unblocks_it(qtbot, window, station):
    """At the cap the big button is disabled with the reason; a supervisor raises the cap."""
    station.override_cap(1, "uji batas", "pengawas")
    from kiosk.demo.records import demo_recording

    station.save_recording(
        demo_recording(3, station.settings["station.kecamatan"], window.service.regions,
                       station.today()), "operator")
    login(qtbot, window)
    home = window.home
    assert home.quota.text() == "1 / 1"
    assert not home.new_button.isEnabled()
    assert "Batas harian tercapai" in home.blocked.text()
    assert home.cap_button.isVisible()

    def fill_dialog() -> None:
        dialog = QApplication.activeModalWidget()
        dialog.reason.setText("antrean panjang hari pasar")
        dialog.cap.setValue(5)
        dialog.username.setText(SUPERVISOR[0])
        dialog.pin.setText(SUPERVISOR[1])
        dialog.submit()

    QTimer.singleShot(0, fill_dialog)
    click(qtbot, home.cap_button)
    assert home.quota.text() == "1 / 5"
    assert home.new_button.isEnabled()
    assert station.cap_status().override_reason == "antrean panjang hari pasar"


def test_a_validation_error_blocks_next_and_shows_the_message_beside_the_field(qtbot, window):
    """A NIK with day 32 stays on the data step with the NIK message shown."""
    login(qtbot, window)
    click(qtbot, window.home.new_button)
    data = window.flow.steps["data"]
    qtbot.keyClicks(data.fields["nik"], "6271013202900001")
    assert data.errors["nik"].isVisible()
    assert "NIK" in data.errors["nik"].text()
    click(qtbot, window.flow.next_button)
    assert window.flow.names[window.flow.index] == "data"
    assert data.errors["nama"].text() == "Nama wajib diisi."
    assert data.fields["nik"].hasFocus() or data.fields["nik"].property("invalid")


def test_idle_lock_and_unlock_keep_the_draft(qtbot, window, station):
    """The screen locks when idle; the same user's PIN brings back the recording as it was."""
    login(qtbot, window)
    click(qtbot, window.home.new_button)
    data = window.flow.steps["data"]
    data.fill(applicant(station))
    click(qtbot, window.flow.next_button)
    assert window.flow.names[window.flow.index] == "photo"
    window.idle.timer.start(30)
    qtbot.waitUntil(lambda: window.page() is window.lock_screen, timeout=3000)
    qtbot.keyClicks(window.lock_screen.pin, "999999")
    click(qtbot, window.lock_screen.unlock_button)
    assert window.page() is window.lock_screen
    assert window.lock_screen.error.text()
    qtbot.keyClicks(window.lock_screen.pin, OPERATOR[1])
    click(qtbot, window.lock_screen.unlock_button)
    assert window.page() is window.flow
    assert window.flow.names[window.flow.index] == "photo"
    assert window.flow.draft.applicant.nama == applicant(station).nama


def test_switching_language_changes_visible_text(qtbot, window):
    """Indonesian at start; the top-bar button switches every screen to English and back."""
    assert window.login.login_button.text() == "Masuk"
    click(qtbot, window.lang_button)  # Qt delivers LanguageChange on the next loop turn
    qtbot.waitUntil(lambda: window.login.login_button.text() == "Log in", timeout=2000)
    login(qtbot, window)
    assert window.home.new_button.text() == "New Recording"
    click(qtbot, window.home.new_button)
    assert window.flow.steps["data"].labels["nama"].text() == "Name *"
    assert window.flow.next_button.text() == "Next ›"
    click(qtbot, window.lang_button)
    qtbot.waitUntil(lambda: window.flow.steps["data"].labels["nama"].text() == "Nama *",
                    timeout=2000)
    assert window.flow.cancel_button.text() == "Batalkan perekaman"


def test_the_english_translation_is_complete():
    """Every source string of the .ts file has a finished English translation."""
    root = ET.parse(TRANSLATIONS / "kiosk_en.ts").getroot()
    messages = list(root.iter("message"))
    assert len(messages) > 150
    unfinished = [m.find("source").text for m in messages
                  if m.find("translation").get("type") == "unfinished"
                  or not (m.find("translation").text or "").strip()]
    assert unfinished == []
    assert (TRANSLATIONS / "kiosk_en.qm").stat().st_mtime >= \
        (TRANSLATIONS / "kiosk_en.ts").stat().st_mtime - 1


def test_a_scanner_gone_mid_step_shows_the_error_and_retry_works(qtbot, window, station, sbi):
    """The SBI service stops: the finger step says so; once it is back, Try again connects."""
    login(qtbot, window)
    click(qtbot, window.home.new_button)
    window.flow.steps["data"].fill(applicant(station))
    click(qtbot, window.flow.next_button)
    port = sbi.port
    sbi.stop()
    window.flow.go_to("fingers")
    fingers = window.flow.steps["fingers"]
    qtbot.waitUntil(lambda: not fingers.busy, timeout=10000)
    assert "tidak terhubung" in fingers.error.text()
    assert fingers.retry_button.isVisible()
    assert not fingers.slap_buttons["right"].isEnabled()
    sbi.port = port
    sbi.start()
    click(qtbot, fingers.retry_button)
    qtbot.waitUntil(lambda: not fingers.busy, timeout=10000)
    assert fingers.error.text() == ""
    click(qtbot, fingers.slap_buttons["right"])
    qtbot.waitUntil(lambda: not fingers.busy, timeout=10000)
    assert window.flow.draft.finger_state(2) == "captured"


def test_a_camera_gone_shows_the_error_and_retry_recovers(qtbot, window, station, tmp_path):
    """A camera source that cannot be opened is reported; fixing it and retrying shows frames."""
    good = window.ctx.devices.camera_source
    window.ctx.devices.camera_source = str(tmp_path / "unplugged.avi")
    login(qtbot, window)
    click(qtbot, window.home.new_button)
    window.flow.steps["data"].fill(applicant(station))
    click(qtbot, window.flow.next_button)
    photo = window.flow.steps["photo"]
    qtbot.waitUntil(lambda: bool(photo.error.text()), timeout=10000)
    assert "Kamera" in photo.error.text()
    window.ctx.devices.camera_source = good
    click(qtbot, photo.retry_button)
    qtbot.waitUntil(photo.capture_button.isEnabled, timeout=15000)
    assert photo.error.text() == ""


def test_every_translatable_string_in_the_code_has_an_english_translation(tmp_path):
    """lupdate finds every tr()/translate() text in kiosk/ui; each must be translated in one of
    the shipped .ts files (a string added without a translation would show in Indonesian)."""
    import subprocess
    import sys
    from pathlib import Path

    ui = Path(__file__).resolve().parents[2] / "kiosk" / "ui"
    lupdate = Path(sys.executable).with_name("pyside6-lupdate")
    scanned = tmp_path / "scan.ts"
    subprocess.run([str(lupdate), *map(str, sorted(ui.rglob("qt_*.py"))), "-ts", str(scanned)],
                   check=True, capture_output=True, timeout=120)
    done = set()
    for name in ("kiosk_en.ts", "kiosk6_en.ts"):
        for ctx in ET.parse(TRANSLATIONS / name).getroot().iter("context"):
            for m in ctx.iter("message"):
                t = m.find("translation")
                if t.get("type") != "unfinished" and (t.text or "").strip():
                    done.add((ctx.find("name").text, m.find("source").text))
    found = {(ctx.find("name").text, m.find("source").text)
             for ctx in ET.parse(scanned).getroot().iter("context") for m in ctx.iter("message")}
    assert len(found) > 300
    assert sorted(found - done) == []
