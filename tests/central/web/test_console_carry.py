"""The console's drive import (issue 16) in a real browser against a real `kiosk-central
serve`: a station set up with that server loses its link and exports its records to a drive;
an approver uploads the export folder through /console/carry, sees each record imported,
downloads the signed receipts, and the station reads them and counts its records received.
The same folder again is "already held"; an altered packet is refused by name while the rest
import; a viewer cannot upload; a folder that is not an export, a client path that tries to
leave the upload folder, and a forged form are refused with a sentence. On PostgreSQL + S3,
two processes behind HAProxy: whichever process the officer reaches shows the import and
serves the same receipts. Screenshots: web-console-carry*.png."""

from __future__ import annotations

import socket
import sqlite3
import subprocess
from pathlib import Path

import psycopg
import pytest
import requests
from harness import CENTRAL, link, make_station, quick_recording

from central.carry import REASONS
from central.web import console_words  # noqa: F401 (the words under test)
from central.web.render import WORDS
from ektp_protocol import carry
from kiosk.store.keys import get_secret
from kiosk.sync.carry import apply_receipts, export
from kiosk.sync.engine import run_until_idle
from kiosk.sync.link import open_engine, signing_key_name
from tests.central.web.conftest import SCREENSHOTS

PASSWORD = "rahasia-negara-1"  # noqa: S105 (a test officer's)
RECORDS = 3
OFFICERS = (("ratna", "approver"), ("yusuf", "viewer"))


def _closed_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def _exported(tmp_path: Path, url: str, token: str):
    """(station, export folder): a station set up with the centre at `url`, that worked
    online once, then lost its link, recorded RECORDS people and exported them to a drive."""
    store = make_station(tmp_path / "station", 0, extra={
        "station.name": "Kecamatan Tanpa Sinyal", "station.number": "01"})
    link(store, url, token)
    engine = open_engine(store)
    try:
        assert run_until_idle(engine, 60)
    finally:
        engine.close()
    store.settings.set("sync.server_url", _closed_url())
    for i in range(RECORDS):
        store.save_recording(quick_recording(i), "tester")
    store.settings.save()
    flashdisk = tmp_path / "flashdisk"
    flashdisk.mkdir()
    result = export(store, flashdisk, get_secret(signing_key_name(store.station_id)))
    assert len(result.written) == RECORDS
    return store, result.folder


@pytest.fixture
def drive(web_server, tmp_path):
    """(server, station, export folder) on the embedded server; an approver and a viewer."""
    server = web_server()
    store, folder = _exported(tmp_path, server.url, server.cli("station", "add",
                                                               "kec-tanpa-sinyal"))
    for name, role in OFFICERS:
        server.cli("user", "add", name, "--role", role, "--password-stdin", stdin=PASSWORD + "\n")
    yield server, store, folder
    store.close()


def _login(page, url: str, name: str) -> None:
    page.goto(url + "/console")
    page.fill("#name", name)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    assert page.url.endswith("/console/stations")


def _shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"web-console-{name}.png"), full_page=True)


def _count(server, table: str, where: str = "") -> int:
    with sqlite3.connect(server.data_dir / "central.db") as db:
        return db.execute(f"SELECT COUNT(*) FROM {table} {where}").fetchone()[0]


def _nothing_written(server) -> None:
    """No record, no import, no audit line, no upload left in the staging folder."""
    assert _count(server, "records") == _count(server, "carry_imports") == 0
    assert _count(server, "console_audit", "WHERE action = 'carry.import'") == 0
    staging = server.data_dir / "carry-uploads"
    assert not staging.exists() or not list(staging.iterdir())


def _cookies(page) -> dict[str, str]:
    return {c["name"]: c["value"] for c in page.context.cookies()}


def _post(page, url: str, csrf: str | None,
          files: list[tuple[str, bytes]]) -> requests.Response:
    """A hand-made multipart upload with the page's session cookie: the token first, then
    the files under the names given."""
    parts = [("csrf", (None, csrf))] if csrf is not None else []
    parts += [("files", (name, data)) for name, data in files]
    return requests.post(f"{url}/console/carry", cookies=_cookies(page), timeout=30,
                         files=parts or [("files", ("", b""))], allow_redirects=False)


def _csrf(page) -> str:
    return page.locator("input[name=csrf]").first.get_attribute("value")


def _upload(page, folder: Path) -> None:
    page.click("text=Flashdisk")
    page.set_input_files("#folder", folder)  # the folder chosen whole (webkitdirectory)
    page.click("#import")
    assert page.url.split("/")[-2] == "carry"


def _download(page, folder: Path) -> None:
    """The receipts from the result page, copied onto the drive as the officer would."""
    with page.expect_download() as download:
        page.click("#receipts")
    assert download.value.suggested_filename == carry.RECEIPTS
    download.value.save_as(folder / carry.RECEIPTS)


def test_every_refusal_reason_has_a_sentence_in_both_languages():
    for reason in REASONS:
        indonesian, english = WORDS[f"cy.reason.{reason}"]
        assert indonesian and english and indonesian != english


def test_an_approver_imports_a_drive_and_the_station_reads_the_receipts(drive, browser):
    server, store, folder = drive
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    _login(page, server.url, "ratna")
    page.click("text=Flashdisk")
    assert "Belum ada impor" in page.inner_text("main")
    _upload(page, folder)
    assert f"{RECORDS} rekaman diimpor, 0 sudah ada di pusat, 0 ditolak" in \
        page.inner_text("#summary")
    outcomes = [r.get_attribute("data-outcome") for r in page.locator("#outcomes tr[data-name]")
                .all()]
    assert outcomes == ["imported"] * RECORDS
    assert f"Salin berkas ini ke folder {folder.name} di flashdisk, lalu baca tanda terima " \
           "di stasiun" in page.inner_text("#how")
    assert not (folder / carry.RECEIPTS).exists()  # the drive gets them from the officer
    _download(page, folder)
    got = apply_receipts(store, folder)
    assert len(got.received) == RECORDS and not got.refused
    assert dict(store.db.execute("SELECT state, COUNT(*) FROM records GROUP BY state")) == \
        {"received": RECORDS}

    # the same folder again, its files chosen one by one: held already, nothing doubled
    page.click("text=Flashdisk")
    page.set_input_files("#files", [folder / carry.INDEX,
                                    *sorted((folder / carry.PACKETS).glob("*.ektp"))])
    page.click("#import")
    assert f"0 rekaman diimpor, {RECORDS} sudah ada di pusat" in page.inner_text("#summary")
    assert "sudah ada" in page.inner_text("#outcomes")
    assert _count(server, "records") == RECORDS
    page.click("text=English")
    assert f"0 records imported, {RECORDS} already held" in page.inner_text("#summary")
    page.click("text=Bahasa Indonesia")

    page.click("text=Flashdisk")
    rows = page.locator("#recent tr[data-import]")
    assert rows.count() == 2 and folder.name in rows.first.inner_text()
    with page.expect_download() as again:  # the receipts of an earlier import, later
        rows.last.locator("text=receipts.json").click()
    assert Path(again.value.path()).read_bytes() == (folder / carry.RECEIPTS).read_bytes()
    _shot(page, "carry")
    with sqlite3.connect(server.data_dir / "central.db") as db:
        audit = db.execute("SELECT officer, detail FROM console_audit WHERE action = "
                           "'carry.import' ORDER BY seq").fetchall()
    assert audit == [("ratna", f"{folder.name} from kec-tanpa-sinyal: {RECORDS} imported, "
                               "0 already, 0 refused"),
                     ("ratna", f"{folder.name} from kec-tanpa-sinyal: 0 imported, "
                               f"{RECORDS} already, 0 refused")]
    assert not list((server.data_dir / "carry-uploads").iterdir())  # nothing left behind
    page.close()


def test_an_altered_packet_is_refused_by_name_and_the_rest_import(drive, browser):
    server, store, folder = drive
    altered = sorted((folder / carry.PACKETS).glob("*.ektp"))[1]
    data = bytearray(altered.read_bytes())
    data[len(data) // 2] ^= 0x01
    altered.write_bytes(bytes(data))
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    _login(page, server.url, "ratna")
    _upload(page, folder)
    assert f"{RECORDS - 1} rekaman diimpor, 0 sudah ada di pusat, 1 ditolak" in \
        page.inner_text("#summary")
    refused = page.locator("#outcomes tr[data-outcome=refused]")
    assert refused.count() == 1 and refused.get_attribute("data-name") == altered.name
    assert altered.name in refused.inner_text() and "isinya berbeda" in refused.inner_text()
    _shot(page, "carry-result")
    _download(page, folder)
    got = apply_receipts(store, folder)
    assert len(got.received) == RECORDS - 1
    assert _count(server, "records") == RECORDS - 1
    assert dict(store.db.execute("SELECT state, COUNT(*) FROM records GROUP BY state")) == \
        {"received": RECORDS - 1, "saved": 1}  # the refused one waits for the link
    page.close()


def test_a_viewer_sees_the_page_but_cannot_upload(drive, browser):
    server, _, folder = drive
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    _login(page, server.url, "yusuf")
    page.goto(server.url + "/console/carry")
    assert "Hanya petugas pemutus" in page.inner_text("#viewer")
    assert page.locator("input[type=file]").count() == 0
    r = _post(page, server.url, _csrf(page), [
        (f"{folder.name}/{carry.INDEX}", (folder / carry.INDEX).read_bytes()),
        *[(f"{folder.name}/packets/{p.name}", p.read_bytes())
          for p in (folder / carry.PACKETS).glob("*.ektp")]])
    assert r.status_code == 403 and "approver" in r.text
    _nothing_written(server)
    page.close()


def test_a_folder_that_is_not_an_export_is_refused_with_a_sentence(drive, browser, tmp_path):
    server, _, folder = drive
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    _login(page, server.url, "ratna")
    page.goto(server.url + "/console/carry")
    photos = tmp_path / "Foto KTP"
    photos.mkdir()
    (photos / "pemohon.jpg").write_bytes(b"\xff\xd8\xff" + b"\0" * 100)
    page.set_input_files("#folder", photos)
    page.click("#import")
    assert "Ini bukan folder ekspor flashdisk: pemohon.jpg bukan bagiannya" in \
        page.inner_text("#problem")
    _shot(page, "carry-refused")
    page.goto(server.url + "/console/carry?lang=en")
    page.set_input_files("#folder", photos)
    page.click("#import")
    assert "This is not a drive export: pemohon.jpg is no part of one" in \
        page.inner_text("#problem")
    page.goto(server.url + "/console/carry?lang=id")
    page.set_input_files("#files", sorted((folder / carry.PACKETS).glob("*.ektp"))[:1])
    page.click("#import")  # packets without their index
    assert "tidak ada index.json" in page.inner_text("#problem")
    r = _post(page, server.url, _csrf(page), [("index.json", b'{"not": "an index"}')])
    assert r.status_code == 422 and "tidak terbaca" in r.text
    r = _post(page, server.url, _csrf(page), [])
    assert r.status_code == 422 and "Pilih dulu folder" in r.text
    _nothing_written(server)
    page.close()


def test_client_paths_never_leave_the_upload_and_a_forged_form_is_refused(drive, browser,
                                                                         tmp_path):
    server, _, folder = drive
    page = browser.new_page()
    _login(page, server.url, "ratna")
    page.goto(server.url + "/console/carry")
    packets = sorted((folder / carry.PACKETS).glob("*.ektp"))
    files = [(f"../../{carry.INDEX}", (folder / carry.INDEX).read_bytes()),
             *[(f"/tmp/../{p.name}", p.read_bytes()) for p in packets[1:]],
             ("..\\..\\escape.ektp", b"EKTPCAR1" + b"\0" * 64)]
    for token in (None, "forged"):
        r = _post(page, server.url, token, files)
        assert r.status_code == 403 and "formulir" in r.text
    _nothing_written(server)
    r = _post(page, server.url, _csrf(page), files)
    assert r.status_code == 303
    result = page.goto(server.url + r.headers["location"])
    assert result.ok
    assert f"{RECORDS - 1} rekaman diimpor, 0 sudah ada di pusat, 2 ditolak" in \
        page.inner_text("#summary")
    refused = page.locator("#outcomes tr[data-outcome=refused]")
    texts = sorted(refused.all_inner_texts())
    assert any("tidak tercantum di indeks" in t for t in texts)  # escape.ektp, kept inside
    assert any("tidak ikut dipilih" in t for t in texts)  # the packet not sent
    assert not list(tmp_path.rglob("escape.ektp"))
    assert _count(server, "records") == RECORDS - 1
    page.close()


@pytest.fixture
def production(pg, s3, tmp_path):
    """Two `kiosk-central serve` over one PostgreSQL database and one S3 bucket behind
    HAProxy, their temporary folders in `tmp_path/tmp`: (cluster, HAProxy's URL)."""
    import uuid

    from cluster import Cluster

    from tests.central.services import haproxy

    if not pg.running():
        pg.start()
    (tmp_path / "tmp").mkdir()
    cluster = Cluster(tmp_path, pg.create_database(f"c_{uuid.uuid4().hex[:12]}"), s3,
                      TMPDIR=str(tmp_path / "tmp"))
    try:
        cluster.cli("migrate")
        backends = [cluster.serve(), cluster.serve()]
        for name, role in OFFICERS:
            subprocess.run([CENTRAL, "user", "add", name, "--role", role, "--password-stdin"],
                           env=cluster.env, input=PASSWORD + "\n", text=True, check=True,
                           capture_output=True)
        with haproxy(backends, tmp_path) as url:
            yield cluster, url
    finally:
        cluster.stop()
    logs = cluster.logs()
    assert " 500 " not in logs and "Traceback" not in logs, logs[-3000:]


def test_on_postgresql_and_s3_every_process_serves_the_import(production, browser, tmp_path):
    cluster, url = production
    store, folder = _exported(tmp_path, url, cluster.cli("station", "add", "kec-tanpa-sinyal"))
    try:
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        _login(page, url, "ratna")
        _upload(page, folder)
        assert f"{RECORDS} rekaman diimpor, 0 sudah ada di pusat, 0 ditolak" in \
            page.inner_text("#summary")
        import_path = page.url.removeprefix(url)
        _download(page, folder)
        for _, _, backend in cluster.procs:  # each process, not only the one that imported
            shown = requests.get(backend + import_path, cookies=_cookies(page), timeout=10)
            assert shown.ok and f"{RECORDS} rekaman diimpor" in shown.text
            receipts = requests.get(f"{backend}{import_path}/{carry.RECEIPTS}",
                                    cookies=_cookies(page), timeout=10)
            assert receipts.content == (folder / carry.RECEIPTS).read_bytes()
        got = apply_receipts(store, folder)
        assert len(got.received) == RECORDS and not got.refused
        held = cluster.view()
        assert len(held) == RECORDS and all(v["count"] == 1 for v in held.values())
        assert all(b is not None for v in held.values() for b in v["blobs"].values())
        with psycopg.connect(cluster.dsn) as db:
            assert db.execute("SELECT officer, imported, already, refused FROM carry_imports"
                              ).fetchall() == [("ratna", RECORDS, 0, 0)]
        assert not list((tmp_path / "tmp").iterdir())  # the staged upload is gone
        page.close()
    finally:
        store.close()
