"""The Disdukcapil console in a real browser (Playwright, Debian's chromium) against a real
`kiosk-central serve` that real stations delivered to: an officer logs in, finds the silent
station, rejects a record, and the station's re-recording list shows it after its next sync;
a viewer can neither decide nor see photos; a form without its CSRF token is refused; wrong
passwords lock the account. Screenshots of every page go to docs/screenshots/."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import subprocess

import pytest
import requests
from harness import link, make_station

from kiosk.app.rerecords import rerecord_list
from kiosk.sync.engine import run_until_idle
from kiosk.sync.link import open_engine
from tests.central.web.conftest import CENTRAL, SCREENSHOTS

PASSWORD = "rahasia-negara-1"  # noqa: S105 (a test officer's)


def _drain(store) -> None:
    engine = open_engine(store)
    try:
        assert run_until_idle(engine, 60), engine.last_state.why_not_idle()
    finally:
        engine.close()


@pytest.fixture
def office(web_server, tmp_path):
    """A server with two stations that delivered, one of them silent for three days."""
    server = web_server("--silent-hours", "4")
    stations = {}
    for n, name in enumerate(("kec-sabangau-01", "kec-sabangau-02")):
        store = make_station(tmp_path / name, 2 + n, first=100 * n, extra={
            "station.name": "Kecamatan Sabangau", "station.number": f"0{n + 1}"})
        link(store, server.url, server.cli("station", "add", name))
        _drain(store)
        stations[name] = store
    quiet = (dt.datetime.now(dt.UTC) - dt.timedelta(days=3)).isoformat()
    with sqlite3.connect(server.data_dir / "central.db") as db:
        db.execute("UPDATE station_reports SET at = ? WHERE station = (SELECT id FROM stations "
                   "WHERE name = 'kec-sabangau-02')", [quiet])
    for name, role in (("ratna", "approver"), ("yusuf", "viewer")):
        server.cli("user", "add", name, "--role", role, "--password-stdin", stdin=PASSWORD + "\n")
    yield server, stations
    for store in stations.values():
        store.close()


def _login(page, server, name: str, password: str = PASSWORD) -> None:
    page.goto(server.url + "/console")
    page.fill("#name", name)
    page.fill("#password", password)
    page.click("button[type=submit]")


def _shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"web-console-{name}.png"), full_page=True)


def test_an_officer_finds_the_silent_station_and_rejects_a_record_the_station_then_lists(
        office, browser):
    server, stations = office
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(server.url + "/console/login")
    _shot(page, "login")
    _login(page, server, "ratna")
    assert page.url.endswith("/console/stations")
    first = page.locator("tbody tr").first
    assert first.get_attribute("data-station") == "kec-sabangau-02"  # silent ones first
    assert "alert" in (first.get_attribute("class") or "") and "diam" in first.inner_text()
    other = page.locator("tr[data-station=kec-sabangau-01]")
    assert "alert" not in (other.get_attribute("class") or "")
    assert "Kecamatan Sabangau" in other.inner_text()
    _shot(page, "stations")

    store = stations["kec-sabangau-01"]
    rid, regno = store.db.execute("SELECT id, regno FROM records ORDER BY created_at").fetchone()
    page.click("text=" + "Rekaman")
    page.fill("#regno", regno)
    page.click("text=Cari")
    _shot(page, "records")
    page.click(f"text={regno}")
    assert "Lengkap" in page.inner_text("#completeness")
    page.click("text=Lihat foto")
    assert page.locator("#photo").is_visible()
    _shot(page, "record")
    page.fill("#reason", "Foto buram, wajah tidak jelas")
    page.click("text=Tolak: perlu rekam ulang")
    assert "perlu rekam ulang" in page.inner_text("#status")
    actions = [a.get_attribute("data-action") for a in page.locator("[data-action]").all()]
    assert actions == ["record.reject", "photo.view"]  # newest first, each with its officer
    assert page.inner_text("table >> nth=-1").count("ratna") == 2

    _drain(store)  # the station's next sync
    (listed,) = [r for r in rerecord_list(store) if r.record_id == rid]
    assert "Foto buram" in listed.reject_reason
    page.click("text=Hari ini")
    assert regno in page.inner_text("main")
    _shot(page, "today")
    page.close()


def test_a_viewer_can_neither_decide_nor_see_photos(office, browser):
    server, stations = office
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    _login(page, server, "yusuf")
    rid = stations["kec-sabangau-01"].db.execute("SELECT id FROM records").fetchone()[0]
    page.goto(f"{server.url}/console/records/{rid}")
    assert page.locator("text=Lihat foto").count() == 0
    assert page.locator("#reason").count() == 0
    csrf = page.locator("input[name=csrf]").first.get_attribute("value")
    for action in ("decision", "photo"):  # even a hand-made post with the right token
        r = page.request.post(f"{server.url}/console/records/{rid}/{action}",
                              form={"csrf": csrf, "action": "reject", "reason": "coba-coba"})
        assert r.status == 403 and "approver" in r.text()
    with sqlite3.connect(server.data_dir / "central.db") as db:
        assert db.execute("SELECT status FROM records WHERE record_id = ?",
                          [rid]).fetchone()[0] == "received"
    page.close()


def test_a_form_without_its_csrf_token_is_refused(office, browser):
    server, stations = office
    page = browser.new_page()
    _login(page, server, "ratna")
    rid = stations["kec-sabangau-01"].db.execute("SELECT id FROM records").fetchone()[0]
    for form in ({}, {"csrf": "forged"}):
        r = page.request.post(f"{server.url}/console/records/{rid}/decision",
                              form={**form, "action": "accept"})
        assert r.status == 403 and "formulir" in r.text()
    # and a session cookie alone (another site's form) is no login either
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    r = requests.post(f"{server.url}/console/records/{rid}/decision", cookies=cookies,
                      data={"action": "accept"}, timeout=10, allow_redirects=False)
    assert r.status_code == 403
    with sqlite3.connect(server.data_dir / "central.db") as db:
        assert db.execute("SELECT status FROM records WHERE record_id = ?",
                          [rid]).fetchone()[0] == "received"
    page.close()


def test_wrong_passwords_lock_the_account_and_the_log_keeps_no_password(office, browser):
    server, _ = office
    page = browser.new_page()
    for _ in range(5):
        _login(page, server, "ratna", "salah-salah-salah")
    assert "terkunci sampai" in page.inner_text("[role=alert]")
    _login(page, server, "ratna")  # the right password, but locked
    assert "terkunci" in page.inner_text("[role=alert]")
    assert not page.url.endswith("/stations")
    _shot(page, "locked")
    assert "salah-salah" not in server.log() and PASSWORD not in server.log()
    out = server.cli("user", "list")
    assert re.search(r"ratna\tapprover\t.*locked until", out)
    page.close()


def test_the_console_shows_what_the_scrubber_found_and_what_was_healed(office, browser):
    server, stations = office
    store = stations["kec-sabangau-01"]
    rid = store.db.execute("SELECT id FROM records ORDER BY created_at").fetchone()[0]
    sha = store.blob_rows(rid)[0]["sha256"]
    path = server.data_dir / "blobs" / sha[:2] / sha
    damaged = bytearray(path.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    path.write_bytes(bytes(damaged))
    out = subprocess.run([CENTRAL, "scrub", "--data-dir", str(server.data_dir)],
                         capture_output=True, text=True)
    assert out.returncode == 1, out.stdout + out.stderr
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    _login(page, server, "yusuf")
    page.goto(server.url + "/console/blobs")
    row = page.locator(f"tr[data-sha='{sha}']")
    assert "rusak" in row.inner_text() and "kec-sabangau-01" in row.inner_text()
    page.goto(f"{server.url}/console/records/{rid}")
    assert "Belum lengkap" in page.inner_text("#completeness")
    _drain(store)  # the station's next reconciliation sends it again from its own copy
    page.goto(server.url + "/console/blobs")
    assert "Sudah dipulihkan" in page.inner_text("main")
    assert page.locator(f"tr[data-sha='{sha}'] .tag.ok").count() == 1
    _shot(page, "blobs")
    page.goto(f"{server.url}/console/records/{rid}")
    assert "Lengkap" in page.inner_text("#completeness")
    page.close()


def test_a_page_that_fails_shows_a_sentence_and_logs_the_traceback(tmp_path, monkeypatch,
                                                                    caplog):
    """A failure nobody named: the officer reads a sentence (500), the log keeps the detail."""
    from fastapi.testclient import TestClient

    from central import officers
    from central.app import create_app
    from central.storage import CentralStore
    from central.web import console_data

    store = CentralStore(tmp_path / "central")
    officers.add_officer(store.db, "ratna", "viewer", PASSWORD, actor="test")
    client = TestClient(create_app(store=store, max_inflight=0), raise_server_exceptions=False,
                        base_url="https://testserver")  # the cookies are Secure
    login = client.get("/console/login")
    token = re.search(r'name="csrf" value="([^"]+)"', login.text).group(1)
    assert client.post("/console/login", data={"csrf": token, "name": "ratna",
                                               "password": PASSWORD}).status_code == 200

    def broken(*_a, **_k):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(console_data, "stations", broken)
    r = client.get("/console/stations")
    assert r.status_code == 500 and "terjadi kesalahan" in r.text
    assert "disk on fire" not in r.text and "Traceback" not in r.text
    assert "disk on fire" in caplog.text
