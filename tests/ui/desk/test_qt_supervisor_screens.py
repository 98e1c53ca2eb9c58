"""The supervisor's desk and the technician's history/settings screens, on a real store."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kiosk.app import accounts, dashboard, history, rerecords
from kiosk.app.accounts import PermissionDenied
from kiosk.app.desk import DeskService
from kiosk.settings import Settings
from kiosk.store.station import Store
from kiosk.ui.desk.qt_accounts import QtAccountsScreen
from kiosk.ui.desk.qt_cap import QtCapScreen
from kiosk.ui.desk.qt_dashboard import QtDashboardScreen
from kiosk.ui.desk.qt_device_settings import QtDeviceSettingsScreen
from kiosk.ui.desk.qt_export import QtExportScreen
from kiosk.ui.desk.qt_history import QtHistoryScreen
from kiosk.ui.desk.qt_rerecord import QtRerecordScreen
from kiosk.ui.desk.qt_selftest import QtSelfTestScreen
from kiosk.ui.qt_tasks import QtInlineRunner, QtTaskRunner
from tests.store.records import quick_recording
from tests.ui.desk.test_desk_fixes import answer_next_box


class HeldRunner:
    """Keeps jobs until `run_pending()`, so a test can act while one is 'running'."""

    def __init__(self) -> None:
        self.jobs: list[tuple[Callable[[], Any], Any, Any]] = []

    def run_task(self, fn, on_done, on_failed) -> None:
        self.jobs.append((fn, on_done, on_failed))

    def run_pending(self) -> None:
        jobs, self.jobs = self.jobs, []
        for fn, on_done, on_failed in jobs:
            QtInlineRunner().run_task(fn, on_done, on_failed)


@pytest.fixture
def desk(station: Store) -> Store:
    accounts.create_user(station, "pengawas", "teknisi", "Teknisi", "technician", "222222",
                         demo=True)
    return station


def service(store: Store, username: str, tmp_path: Path) -> DeskService:
    user = accounts.get_user(store, username)
    return DeskService(store, tmp_path / "settings.toml", user, export_dir=tmp_path / "out")


TECHNICIAN_SCREENS = {
    "selftest": lambda s: QtSelfTestScreen(s, QtInlineRunner()),
    "history": QtHistoryScreen,
    "device_settings": QtDeviceSettingsScreen,
}
SUPERVISOR_SCREENS = {
    "export": lambda s: QtExportScreen(s, QtInlineRunner()),
    "cap": QtCapScreen,
    "accounts": QtAccountsScreen,
    "rerecord": QtRerecordScreen,
    "dashboard": QtDashboardScreen,
}


def _save(store: Store, n: int, phone: str = "") -> list[str]:
    ids = []
    for i in range(n):
        rec = quick_recording(i + 1, store.today())
        rec.applicant.telepon = phone
        ids.append(store.save_recording(rec, "operator").record_id)
    return ids


def test_an_operator_cannot_open_the_supervisor_or_technician_screens(
    qtbot, desk: Store, tmp_path: Path
):
    svc = service(desk, "operator", tmp_path)
    for name, make in {**TECHNICIAN_SCREENS, **SUPERVISOR_SCREENS}.items():
        with pytest.raises(PermissionDenied):
            make(svc)
            pytest.fail(f"operator opened {name}")


def test_a_technician_opens_the_technician_screens_but_not_the_supervisor_ones(
    qtbot, desk: Store, tmp_path: Path
):
    svc = service(desk, "teknisi", tmp_path)
    for make in TECHNICIAN_SCREENS.values():
        qtbot.addWidget(make(svc))
    for make in SUPERVISOR_SCREENS.values():
        with pytest.raises(PermissionDenied):
            make(svc)


def test_a_disabled_supervisor_is_refused_even_with_a_user_object_in_hand(
    qtbot, desk: Store, tmp_path: Path
):
    accounts.create_user(desk, "pengawas", "kepala", "Kepala", "supervisor", "480317")
    svc = service(desk, "kepala", tmp_path)
    accounts.disable_user(desk, "pengawas", "kepala")
    with pytest.raises(PermissionDenied):
        QtCapScreen(svc)


def test_export_screen_writes_the_days_log_off_the_gui_thread_and_audits_it(
    qtbot, desk: Store, tmp_path: Path
):
    _save(desk, 3)
    runner = QtTaskRunner("export-test")
    try:
        w = QtExportScreen(service(desk, "pengawas", tmp_path), runner)
        qtbot.addWidget(w)
        assert "3 perekaman" in w.day_note.text()
        with qtbot.waitSignal(w.exported, timeout=20000) as sig:
            w.export_button.click()
    finally:
        runner.stop()
    result = sig.args[0]
    with result.path.open(encoding="utf-8") as f:
        rows = list(csv.reader(f))
    table = rows[1:rows.index([])]
    assert len(table) == 3 and all(r[3].startswith("627104********") for r in table)
    assert w.progress.value() == w.progress.maximum()
    audited = json.loads(desk.db.execute(
        "SELECT detail FROM audit WHERE action = 'export'").fetchone()[0])
    assert audited["sha256"] == result.sha256 and audited["actor"] == "pengawas"
    assert result.sha256 in w.status.text()


def test_export_can_be_cancelled_and_leaves_no_file(qtbot, desk: Store, tmp_path: Path):
    _save(desk, 2)
    runner = HeldRunner()
    w = QtExportScreen(service(desk, "pengawas", tmp_path), runner)
    qtbot.addWidget(w)
    w.set_format("xlsx")
    out = Path(w.output.text())
    assert out.suffix == ".xlsx"
    w.export_button.click()
    assert w.busy and w.cancel_button.isEnabled() and not w.export_button.isEnabled()
    w.cancel_button.click()
    with qtbot.waitSignal(w.cancelled, timeout=5000):
        runner.run_pending()
    assert not out.exists() and not list(out.parent.glob("*.part"))
    assert "dibatalkan" in w.status.text()
    assert w.export_button.isEnabled() and not w.busy
    assert desk.db.execute("SELECT COUNT(*) FROM audit WHERE action = 'export'").fetchone()[0] == 0


def test_full_nik_export_shows_full_niks_and_is_audited(qtbot, desk: Store, tmp_path: Path):
    ids = _save(desk, 1)
    w = QtExportScreen(service(desk, "pengawas", tmp_path), QtInlineRunner())
    qtbot.addWidget(w)
    w.full_nik.setChecked(True)
    with qtbot.waitSignal(w.exported, timeout=5000):
        w.export_button.click()
    nik = desk.applicant(ids[0])[0].nik
    assert nik in Path(w.result.path).read_text(encoding="utf-8")
    assert desk.db.execute(
        "SELECT actor FROM audit WHERE action = 'export.full_nik'").fetchone()[0] == "pengawas"


def test_cap_override_for_today_is_audited_and_listed(qtbot, desk: Store, tmp_path: Path):
    w = QtCapScreen(service(desk, "pengawas", tmp_path))
    qtbot.addWidget(w)
    w.cap.setValue(45)
    assert not w.save()  # no reason given
    assert "Alasan wajib" in w.error.text()
    w.reason.setText("pelayanan keliling desa")
    with qtbot.waitSignal(w.cap_changed):
        w.save_button.click()
    assert desk.cap_status().cap == 45 and desk.cap_status().standing_cap == 30
    actor, detail = desk.db.execute(
        "SELECT actor, detail FROM audit WHERE action = 'cap.override'").fetchone()
    assert actor == "pengawas"
    assert json.loads(detail)["reason"] == "pelayanan keliling desa"
    assert w.history.rowCount() == 1 and w.history.item(0, 4).text() == "pelayanan keliling desa"
    assert w.figure.text() == "0 / 45"


def test_standing_cap_change_is_audited(qtbot, desk: Store, tmp_path: Path):
    w = QtCapScreen(service(desk, "pengawas", tmp_path))
    qtbot.addWidget(w)
    w.standing.setChecked(True)
    w.cap.setValue(25)
    w.reason.setText("SK camat")
    assert w.save()
    assert desk.cap_status().standing_cap == 25
    assert desk.db.execute("SELECT COUNT(*) FROM audit WHERE action = 'cap.standing'"
                           ).fetchone()[0] == 1


def test_accounts_screen_adds_disables_and_resets_a_pin(qtbot, desk: Store, tmp_path: Path):
    w = QtAccountsScreen(service(desk, "pengawas", tmp_path))
    qtbot.addWidget(w)
    w.add_username.setText("siti.r")
    w.add_name.setText("Siti Rahma")
    w.add_role.setCurrentIndex(w.add_role.findData("technician"))
    w.add_pin.setText("246802")
    assert w.add(), w.message.text()
    assert accounts.get_user(desk, "siti.r").role == "technician"
    assert w.selected().username == "siti.r"
    answer_next_box("Ya, nonaktifkan")  # disabling asks first (issue 12)
    assert w.toggle_disabled()
    assert accounts.get_user(desk, "siti.r").disabled
    assert w.table.item([u.username for u in w.users].index("siti.r"), 3).text() == "nonaktif"
    assert w.toggle_disabled() and not accounts.get_user(desk, "siti.r").disabled
    w.new_pin.setText("135799")
    assert w.reset_pin()
    assert accounts.authenticate(desk, "siti.r", "135799").username == "siti.r"
    actions = [r[0] for r in desk.db.execute(
        "SELECT action FROM audit WHERE action LIKE 'user.%' AND actor = 'pengawas' "
        "ORDER BY seq")]
    assert actions[-4:] == ["user.created", "user.disabled", "user.enabled", "user.pin_reset"]


def test_accounts_screen_cannot_raise_own_role(qtbot, desk: Store, tmp_path: Path):
    """A supervisor demoted while their screen is open cannot put themselves back."""
    accounts.create_user(desk, "pengawas", "kepala", "Kepala", "supervisor", "480317")
    w = QtAccountsScreen(service(desk, "kepala", tmp_path))
    qtbot.addWidget(w)
    w.select("kepala")
    own = w.role.model()
    assert all(own.item(i).isEnabled() for i in range(3))  # nothing above supervisor
    accounts.set_role(desk, "pengawas", "kepala", "technician")
    w.select("teknisi")
    w.select("kepala")
    assert not w.apply_role("supervisor")
    assert accounts.get_user(desk, "kepala").role == "technician"
    assert "tidak berwenang" in w.message.text()


def test_accounts_screen_offers_no_higher_role_for_own_account(
    qtbot, desk: Store, tmp_path: Path
):
    w = QtAccountsScreen(service(desk, "pengawas", tmp_path))
    qtbot.addWidget(w)
    w.select("teknisi")
    model = w.role.model()
    assert all(model.item(i).isEnabled() for i in range(model.rowCount()))
    w.select("pengawas")
    assert w.role.currentData() == "supervisor"


def test_rerecord_screen_lists_rejections_and_marks_contacted(
    qtbot, desk: Store, tmp_path: Path
):
    rid = _save(desk, 2, phone="081234567890")[0]
    desk.db.execute("UPDATE records SET state = 'verified', received_at = created_at, "
                    "processing_status = 'rejected', reject_reason = 'foto buram' WHERE id = ?",
                    [rid])
    w = QtRerecordScreen(service(desk, "pengawas", tmp_path))
    qtbot.addWidget(w)
    assert w.table.rowCount() == 1
    assert w.table.item(0, 4).text() == "081234567890"
    assert w.table.item(0, 5).text() == "foto buram"
    assert w.table.item(0, 6).text() == "belum"
    w.table.selectRow(0)
    with qtbot.waitSignal(w.changed):
        w.mark_button.click()
    item = rerecords.rerecord_list(desk)[0]
    assert item.contacted_at is not None
    assert w.table.item(0, 6).text() != "belum" and not w.mark_button.isEnabled()
    assert desk.db.execute("SELECT actor FROM audit WHERE action = 'rerecord.contacted'"
                           ).fetchone()[0] == "pengawas"


def test_dashboard_renders_thirty_days_of_series(qtbot, desk: Store, tmp_path: Path):
    _save(desk, 4)
    desk.override_cap(44, "keliling", "pengawas")
    w = QtDashboardScreen(service(desk, "pengawas", tmp_path))
    qtbot.addWidget(w)
    points = dashboard.dashboard_series(desk, 30)
    assert w.recordings_set.count() == 30
    assert [w.recordings_set.at(i) for i in range(30)] == [float(p.recordings) for p in points]
    assert w.recordings_set.at(29) == 4.0
    assert [pt.y() for pt in w.cap_line.points()] == [float(p.cap) for p in points]
    assert w.cap_line.points()[-1].y() == 44.0
    assert [pt.y() for pt in w.backlog_line.points()][-1] == 4.0
    assert w.rejections_set.count() == 30 and w.offline_set.count() == 30
    assert len(w.axes["rec"][0].categories()) == 30
    assert w.figures["recorded"][1].text() == "4 / 44"
    assert w.figures["waiting"][1].text() == "4"


def test_history_filters_by_day_and_device_and_exports_csv(qtbot, desk: Store, tmp_path: Path):
    desk.add_incident("DeviceUnavailable", "camera", "kabel lepas")
    desk.add_incident("quality_failures", "fingerprint", "3x gagal")
    desk.save_selftest(False, [{"name": "camera", "passed": False,
                                "hint_id": "Kamera lambat", "hint_en": "Camera slow"}])
    w = QtHistoryScreen(service(desk, "teknisi", tmp_path))
    qtbot.addWidget(w)
    assert w.incident_table.rowCount() == 2 and w.selftest_table.rowCount() == 1
    assert w.selftest_table.item(0, 3).text() == "Kamera lambat"
    w.device.setCurrentIndex(w.device.findData("camera"))
    assert w.incident_table.rowCount() == 1
    assert w.incident_table.item(0, 1).text() == "masih berlangsung"
    w.use_day.setChecked(True)
    assert w.incident_table.rowCount() == 1
    w.day.setDate(w.day.date().addDays(-1))
    assert w.incident_table.rowCount() == 0 and w.selftest_table.rowCount() == 0
    w.use_day.setChecked(False)
    path = w.export_csv(tmp_path / "insiden.csv")
    rows = list(csv.reader(path.open(encoding="utf-8")))
    assert rows[0] == list(history.INCIDENT_HEADERS) and rows[1][4] == "camera"


def test_device_settings_are_saved_applied_at_once_and_audited(
    qtbot, desk: Store, tmp_path: Path
):
    svc = service(desk, "teknisi", tmp_path)
    w = QtDeviceSettingsScreen(svc)
    qtbot.addWidget(w)
    w.camera_source.setCurrentText("rtsp://10.0.0.5/stream")
    w.resolution.setCurrentIndex(w.resolution.findData("1280x720"))
    w.port_first.setValue(4501)
    w.port_last.setValue(4510)
    w.signature_input.setCurrentIndex(w.signature_input.findData("tablet"))
    with qtbot.waitSignal(w.devices_changed) as sig:
        w.save_button.click()
    assert set(sig.args[0]) == {"camera.source", "camera.width", "camera.height",
                                "sbi.port_first", "sbi.port_last", "signature.input"}
    saved = Settings.load(tmp_path / "settings.toml")
    assert saved["camera.source"] == "rtsp://10.0.0.5/stream" and saved["sbi.port_last"] == 4510
    assert desk.settings["camera.width"] == 1280 and desk.settings["signature.input"] == "tablet"
    detail = json.loads(desk.db.execute(
        "SELECT detail FROM audit WHERE action = 'settings.devices'").fetchone()[0])
    assert detail["sbi.port_last"]["to"] == 4510
    assert w.save() == {} and "Tidak ada perubahan" in w.status.text()


def test_device_settings_refuse_a_reversed_port_range(qtbot, desk: Store, tmp_path: Path):
    w = QtDeviceSettingsScreen(service(desk, "teknisi", tmp_path))
    qtbot.addWidget(w)
    before = desk.settings["sbi.port_first"]
    w.port_first.setValue(4600)
    w.port_last.setValue(4501)
    assert w.save() == {}
    assert "port terakhir" in w.status.text() and desk.settings["sbi.port_first"] == before
    assert not (tmp_path / "settings.toml").exists()


def test_desk_screens_switch_to_english_with_their_own_translation_file(
    qtbot, desk: Store, tmp_path: Path
):
    from kiosk.ui.desk.qt_desk import QtDeskTranslations
    from kiosk.ui.qt_i18n import QtLanguage

    language = QtLanguage()
    QtDeskTranslations(language)
    w = QtCapScreen(service(desk, "pengawas", tmp_path))
    qtbot.addWidget(w)
    try:
        language.set_language("en")  # LanguageChange is posted: wait for its delivery
        qtbot.waitUntil(lambda: w.title.text() == "Daily cap")
        assert w.save_button.text() == "Save cap"
    finally:
        language.set_language("id")
    qtbot.waitUntil(lambda: w.title.text() == "Batas harian")


def test_history_names_each_incident_kind_in_words_in_both_languages(
    qtbot, desk: Store, tmp_path: Path
):
    from kiosk.ui.desk.qt_desk import QtDeskTranslations
    from kiosk.ui.qt_i18n import QtLanguage

    desk.add_incident("record_fault", "server", "rekaman r1")
    desk.add_incident("DeviceUnavailable", "camera", "kabel lepas")
    desk.add_incident("odd_new_kind", "camera", "-")
    language = QtLanguage()
    QtDeskTranslations(language)
    w = QtHistoryScreen(service(desk, "teknisi", tmp_path))
    qtbot.addWidget(w)
    kinds = lambda: sorted(w.incident_table.item(r, 4).text()  # noqa: E731
                           for r in range(w.incident_table.rowCount()))
    assert kinds() == ["odd_new_kind", "perangkat tidak tersedia",
                       "rekaman tidak dapat dibaca untuk dikirim"]
    try:
        language.set_language("en")
        qtbot.waitUntil(lambda: "device unavailable" in kinds())
        assert "record cannot be read for delivery" in kinds()
    finally:
        language.set_language("id")
    qtbot.waitUntil(lambda: "perangkat tidak tersedia" in kinds())
    path = w.export_csv(tmp_path / "insiden.csv")
    assert "record_fault" in path.read_text(encoding="utf-8")  # the CSV keeps the kind itself
