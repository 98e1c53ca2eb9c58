"""Background-task failures are never silent: a named domain error is shown in its own words
and logged in one line; anything else is logged with its traceback and shown as the
unexpected-error sentence, never as a device failure and never with the exception's name."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from kiosk.app import accounts
from kiosk.app.desk import DeskService
from kiosk.devices.base import DeviceBusy
from kiosk.ui.desk.qt_desk import error_text
from kiosk.ui.desk.qt_history import QtHistoryScreen
from kiosk.ui.qt_tasks import UNEXPECTED, QtInlineRunner, QtTaskRunner, failure_msg
from tests.ui.conftest import applicant, login

SENTENCE = ("Terjadi kesalahan tak terduga; rinciannya ada di log. Bila berulang, hubungi "
            "teknisi.")


def click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def broken_job() -> None:
    raise TypeError("unsupported operand type(s) for +: 'int' and 'NoneType'")


def tracebacks(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.exc_info and r.exc_info[0] is TypeError]


@pytest.fixture
def runner():
    r = QtTaskRunner("tasks-test")
    yield r
    r.stop()


def test_the_unexpected_error_sentence_in_both_languages():
    assert UNEXPECTED.id == SENTENCE
    assert UNEXPECTED.en.startswith("An unexpected error occurred; the details are in the log.")
    assert failure_msg(TypeError("x")) is UNEXPECTED
    busy = DeviceBusy("finger", "SBI 111")
    assert failure_msg(busy) is busy.msg


@pytest.mark.parametrize("kind", ["threaded", "inline"])
def test_a_task_raising_typeerror_is_logged_with_its_traceback(qtbot, runner, caplog, kind):
    """Both runners log the failure with the traceback before on_failed gets it."""
    caplog.set_level(logging.INFO, logger="kiosk")
    got: list[BaseException] = []
    use = runner if kind == "threaded" else QtInlineRunner()
    use.run_task(broken_job, lambda _r: pytest.fail("done?"), got.append)
    qtbot.waitUntil(lambda: bool(got), timeout=5000)
    assert isinstance(got[0], TypeError)
    (record,) = tracebacks(caplog)
    assert record.levelno == logging.ERROR and "broken_job" in record.getMessage()
    assert "broken_job" in caplog.text and "NoneType" in caplog.text  # the traceback itself


def test_a_domain_error_is_logged_in_one_line_without_a_traceback(qtbot, runner, caplog):
    caplog.set_level(logging.INFO, logger="kiosk")
    got: list[BaseException] = []

    def busy() -> None:
        raise DeviceBusy("finger", "SBI 111")

    runner.run_task(busy, lambda _r: None, got.append)
    qtbot.waitUntil(lambda: bool(got), timeout=5000)
    (record,) = [r for r in caplog.records if "DeviceBusy" in r.getMessage()]
    assert record.levelno == logging.INFO and record.exc_info is None
    assert "SBI 111" in record.getMessage()


def test_a_desk_screen_logs_an_unexpected_error_once_and_shows_the_sentence(caplog):
    caplog.set_level(logging.INFO, logger="kiosk")
    try:
        broken_job()
    except TypeError as exc:
        assert error_text(exc) == SENTENCE
        assert error_text(exc) == SENTENCE
    assert len(tracebacks(caplog)) == 1


def test_a_bug_in_the_photo_step_is_an_unexpected_error_not_a_camera_failure(
    qtbot, window, station, caplog, monkeypatch
):
    """The camera works but the frame call raises TypeError: the screen shows the
    unexpected-error sentence (no 'TypeError', no 'Perangkat gagal'), the log has the
    traceback, and no camera incident is opened."""
    caplog.set_level(logging.INFO, logger="kiosk")
    monkeypatch.setattr(window.ctx.devices, "face_frame", lambda after=0: broken_job())
    login(qtbot, window)
    click(qtbot, window.home.new_button)
    window.flow.steps["data"].fill(applicant(station))
    click(qtbot, window.flow.next_button)
    photo = window.flow.steps["photo"]
    qtbot.waitUntil(lambda: bool(photo.error.text()), timeout=10000)
    assert photo.error.text() == SENTENCE
    assert tracebacks(caplog)
    assert station.incidents() == []


def test_the_finger_step_shows_a_domain_error_in_words_and_a_bug_as_unexpected(
    qtbot, window, station, sbi, caplog, monkeypatch
):
    """A busy scanner is its own sentence; a TypeError in the capture is the unexpected-error
    sentence with a traceback in the log, and the step is usable again after each."""
    caplog.set_level(logging.INFO, logger="kiosk")
    login(qtbot, window)
    click(qtbot, window.home.new_button)
    window.flow.steps["data"].fill(applicant(station))
    click(qtbot, window.flow.next_button)
    window.flow.go_to("fingers")
    fingers = window.flow.steps["fingers"]
    qtbot.waitUntil(lambda: fingers.slap_buttons["right"].isEnabled(), timeout=10000)

    sbi.control(status="Busy")
    click(qtbot, fingers.slap_buttons["right"])
    qtbot.waitUntil(lambda: not fingers.busy, timeout=10000)
    assert fingers.error.text() == "Pemindai sedang sibuk (kode 111)."
    assert tracebacks(caplog) == []

    sbi.control(status="Ready")
    monkeypatch.setattr(window.flow.draft.fingers, "read", lambda _req: broken_job())
    click(qtbot, fingers.slap_buttons["right"])
    qtbot.waitUntil(lambda: not fingers.busy, timeout=10000)
    assert fingers.error.text() == SENTENCE
    assert len(tracebacks(caplog)) == 1
    assert fingers.slap_buttons["right"].isEnabled()
    assert [r["kind"] for r in station.incidents()] == ["DeviceBusy"]


def test_an_incidents_csv_that_cannot_be_written_is_a_sentence(qtbot, station, tmp_path):
    """The CSV's target is a folder: the technician reads a sentence, not an OSError."""
    accounts.create_user(station, "pengawas", "teknisi", "Teknisi", "technician", "222222",
                         demo=True)
    desk = DeskService(station, tmp_path / "settings.toml",
                       accounts.get_user(station, "teknisi"))
    screen = QtHistoryScreen(desk)
    qtbot.addWidget(screen)
    folder = Path(tmp_path / "a-folder")
    folder.mkdir()
    assert screen.export_csv(folder) is None
    text = screen.status.text()
    assert text and "Errno" not in text and "Error" not in text
