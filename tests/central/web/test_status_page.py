"""The applicant's status page (`/cek`) in a real browser (Playwright, Debian's chromium) against
a real `kiosk-central serve` that stations delivered signed records to: an applicant checks a
received, an accepted and a rejected record and an unknown number (the same page, byte for
byte and in the same time, as a wrong birth date); with JavaScript off; in English; from the
receipt's QR code; past the rate limits. The server's log keeps nothing typed on the page.
Screenshots of every state go to docs/screenshots/web-cek-*.png (a phone, 390x844)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import sqlite3
import statistics
import time
import uuid
from dataclasses import dataclass

import pytest
import requests

import ektp_protocol as protocol
from central.web.render import local_time
from kiosk.app.receipts import qr_content
from tests.central.web.conftest import SCREENSHOTS, WebServer

STATIONS = {  # name -> (station_id, what it reports of itself: office, kecamatan, zone)
    "kec-sabangau-01": ("627104-01", ("Kantor Kecamatan Sabangau", "627104", "Asia/Jakarta")),
    "kec-ujung-pandang-01": ("737101-01", ("Kantor Kecamatan Ujung Pandang", "737101",
                                           "Asia/Makassar")),
    "kec-jekan-raya-02": ("627103-02", None),  # never reported: office and zone unknown
}


@dataclass(frozen=True)
class Applicant:
    nama: str
    nik: str
    born: str  # YYYY-MM-DD
    regno: str
    station: str
    record_id: str = ""


PEOPLE = {
    "received": Applicant("BUDI SANTOSO", "6271041708900001", "1990-08-17",
                          "627104-01-20261207-017", "kec-sabangau-01"),
    "accepted": Applicant("SITI NURHALIZA", "6271044203850002", "1985-03-02",
                          "627104-01-20261207-018", "kec-sabangau-01"),
    "rejected": Applicant("AHMAD FAUZI", "6271043112010003", "2001-12-31",
                          "627104-01-20261207-019", "kec-sabangau-01"),
    "wita": Applicant("DEWI LESTARI", "7371014905780001", "1978-05-09",
                      "737101-01-20261207-004", "kec-ujung-pandang-01"),
    "no-office": Applicant("RINA MARLINA", "6271035511920004", "1992-11-15",
                           "627103-02-20261207-002", "kec-jekan-raya-02"),
}
REASON = "Foto wajah buram; sidik jari telunjuk kanan tidak terbaca."
UNKNOWN = "627104-01-20261207-099"


def deliver(server: WebServer) -> dict[str, Applicant]:
    """Every station registers its key, reports itself (two of three) and delivers its
    applicants' signed records, as a station's sync does; the centre then decides two."""
    tokens, keys = {}, {}
    for name, (_, report) in STATIONS.items():
        tokens[name] = {"Authorization": f"Bearer {server.cli('station', 'add', name)}"}
        keys[name] = protocol.new_private_key()
        assert requests.put(server.url + "/v1/station/key", headers=tokens[name], timeout=10,
                            json={"public_key": protocol.public_key_of(keys[name])}).ok
        if report:
            office, kecamatan, zone = report
            assert requests.put(server.url + "/v1/station/report", headers=tokens[name],
                                timeout=10, json={
                                    "station_time": dt.datetime.now(dt.UTC).isoformat(),
                                    "office": office, "kecamatan": kecamatan,
                                    "timezone": zone}).ok
    out = {}
    for state, who in PEOPLE.items():
        rid, photo = str(uuid.uuid4()), f"photo of {who.nama}".encode()
        sha = hashlib.sha256(photo).hexdigest()
        head = tokens[who.station]
        assert requests.put(f"{server.url}/v1/blobs/{sha}", data=photo, headers=head,
                            timeout=10).ok
        body = protocol.canonical({
            "protocol": "v1", "record_id": rid, "station_id": STATIONS[who.station][0],
            "regno": who.regno, "local_date": "2026-12-07",
            "created_at": "2026-12-07T08:20:00+07:00", "operator": "budi",
            "applicant": {"nik": who.nik, "nama": who.nama, "tanggal_lahir": who.born,
                          "kecamatan": who.regno[:6]},
            "exceptions": {}, "summary": {}, "blobs": [{
                "kind": "photo.jpg", "sha256": sha, "size": len(photo),
                "content_type": "image/jpeg"}]})
        r = requests.put(f"{server.url}/v1/records/{rid}", data=body, timeout=10, headers={
            **head, "Kiosk-Signature": protocol.sign(keys[who.station], body)})
        assert r.status_code == 201, r.text
        out[state] = Applicant(**{**who.__dict__, "record_id": rid})
    server.cli("accept", out["accepted"].record_id)
    for state in ("rejected", "no-office"):
        server.cli("reject", out[state].record_id, "--reason", REASON)
    return out


@pytest.fixture(scope="module")
def cek(tmp_path_factory):
    """(server, applicants): one server for the module's lookups (well under its limits)."""
    server = WebServer(tmp_path_factory.mktemp("cek") / "central")
    yield server, deliver(server)
    server.stop()


def received_at(server: WebServer, record_id: str) -> str:
    with sqlite3.connect(server.data_dir / "central.db") as db:
        return db.execute("SELECT received_at FROM records WHERE record_id = ?",
                          [record_id]).fetchone()[0]


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"web-cek-{name}.png"), full_page=True)


def check(page, server: WebServer, regno: str, born: str, *, lang: str = "id"):
    """Fill the two fields, press the button; the response of the form's post."""
    labels = {"id": ("Nomor registrasi", "Tanggal lahir", "Cek"),
              "en": ("Registration number", "Date of birth", "Check")}[lang]
    if "/cek" not in page.url:
        page.goto(server.url + "/cek")
    page.get_by_label(labels[0]).fill(regno)
    page.get_by_label(labels[1]).fill(born)
    with page.expect_navigation() as answer:  # the answer page, loaded
        page.get_by_role("button", name=labels[2], exact=True).click()
    return answer.value


def answer_text(page) -> str:
    return " ".join(page.locator("main").inner_text().split())


def assert_private(text: str, who: Applicant) -> None:
    """Nothing but the initials and the masked NIK of the applicant."""
    assert who.nik not in text and who.born not in text
    assert not any(part in text for part in who.nama.split())


def test_an_applicant_sees_a_received_record_with_its_time_in_the_office_zone(cek, page):
    server, people = cek
    who = people["received"]
    page.goto(server.url + "/cek")
    assert page.title() == "Cek status perekaman KTP-el"
    shot(page, "form")
    assert check(page, server, who.regno, who.born).status == 200
    text = answer_text(page)
    when = local_time(received_at(server, who.record_id), "Asia/Jakarta")
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]+ \d{4} \d{2}\.\d{2} WIB", when)
    assert f"Sudah diterima di pusat pada {when} dan sedang diproses." in text
    assert "B. S." in text and "627104********01" in text and who.regno in text
    assert_private(text, who)
    shot(page, "received")
    wita = people["wita"]
    page.goto(server.url + "/cek")
    check(page, server, wita.regno, wita.born)
    zone_when = local_time(received_at(server, wita.record_id), "Asia/Makassar")
    assert zone_when.endswith(" WITA") and zone_when in answer_text(page)


def test_an_accepted_record_says_no_re_recording_is_needed(cek, page):
    server, people = cek
    who = people["accepted"]
    check(page, server, who.regno, who.born)
    text = answer_text(page)
    assert "Diterima" in text and "Anda tidak perlu direkam ulang." in text
    assert "S. N." in text and "627104********02" in text
    assert_private(text, who)
    shot(page, "accepted")


def test_a_rejected_record_gives_the_reason_and_the_office_to_go_to(cek, page):
    server, people = cek
    who = people["rejected"]
    check(page, server, who.regno, who.born)
    text = answer_text(page)
    assert "Perlu rekam ulang" in text and REASON in text
    assert ("Datang ke Kantor Kecamatan Sabangau dengan membawa tanda bukti ini."
            in text)
    assert_private(text, who)
    shot(page, "rejected")
    other = people["no-office"]  # its station never reported: the office that recorded you
    page.goto(server.url + "/cek")
    check(page, server, other.regno, other.born)
    assert ("Datang ke kantor kecamatan tempat Anda direkam dengan membawa tanda bukti ini."
            in answer_text(page))


def test_an_unknown_number_and_a_wrong_birth_date_get_the_same_page(cek, page):
    server, people = cek
    who = people["accepted"]
    check(page, server, UNKNOWN, who.born)
    text = answer_text(page)
    assert "Belum ditemukan" in text and "salah ketik" in text and "kantor kecamatan" in text
    assert UNKNOWN not in text
    shot(page, "not-found")
    unknown = requests.post(server.url + "/cek", data={"no": UNKNOWN, "lahir": who.born},
                            timeout=10)
    wrong_birth = requests.post(server.url + "/cek", timeout=10,
                                data={"no": who.regno, "lahir": "1985-03-03"})
    assert unknown.status_code == wrong_birth.status_code == 200
    assert unknown.content == wrong_birth.content
    assert dict(unknown.headers) == dict(wrong_birth.headers)


def test_the_page_works_without_javascript(cek, browser):
    server, people = cek
    context = browser.new_context(viewport={"width": 390, "height": 844},
                                  java_script_enabled=False)
    try:
        page = context.new_page()
        who = people["rejected"]
        check(page, server, who.regno, who.born)
        assert "Perlu rekam ulang" in answer_text(page)
    finally:
        context.close()


def test_the_english_switch_is_kept_for_the_answer(cek, page):
    server, people = cek
    page.goto(server.url + "/cek")
    with page.expect_navigation():
        page.get_by_role("link", name="English").click()
    assert page.get_by_label("Registration number").is_visible()
    who = people["rejected"]
    check(page, server, who.regno, who.born, lang="en")
    text = answer_text(page)
    assert "Needs re-recording" in text and "Go to Kantor Kecamatan Sabangau, bringing this " \
        "receipt." in text and "Perlu rekam ulang" not in text
    shot(page, "english")
    with page.expect_navigation():
        page.get_by_role("link", name="Bahasa Indonesia").click()
    assert page.get_by_label("Nomor registrasi").is_visible()


def test_the_receipts_qr_code_opens_the_form_with_the_number_filled_in(cek, page):
    server, people = cek
    who = people["received"]
    page.goto(qr_content(who.regno, server.url + "/cek"))
    assert page.get_by_label("Nomor registrasi").input_value() == who.regno
    page.goto(f"{server.url}/cek?no={who.regno.replace('-', '')}")
    assert page.get_by_label("Nomor registrasi").input_value() == who.regno
    shot(page, "prefilled")
    page.get_by_label("Tanggal lahir").fill(who.born)
    with page.expect_navigation():
        page.get_by_role("button", name="Cek", exact=True).click()
    assert "Sudah diterima di pusat" in answer_text(page)


def test_a_malformed_number_or_date_gets_a_sentence_and_typed_dates_are_read(cek, page):
    server, people = cek
    assert check(page, server, "12345", "1990-08-17").status == 400
    assert "Nomor registrasi tidak dikenali" in answer_text(page)
    assert page.get_by_label("Nomor registrasi").input_value() == "12345"
    shot(page, "invalid")
    who = people["accepted"]
    for typed in ("02-03-1985", "2/3/1985", "02.03.1985"):
        r = requests.post(server.url + "/cek", data={"no": who.regno, "lahir": typed},
                          timeout=10)
        assert r.status_code == 200 and "Anda tidak perlu direkam ulang" in r.text, typed
    r = requests.post(server.url + "/cek", data={"no": who.regno, "lahir": "31-02-1985"},
                      timeout=10)
    assert r.status_code == 400 and "Tanggal lahir tidak dikenali" in r.text
    r = requests.post(server.url + "/cek", data=b"\xff\xfe", timeout=10,
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 400 and "Isian formulir tidak terbaca" in r.text


def test_the_server_log_holds_nothing_typed_on_the_page(cek):
    """Runs after the module's lookups on the same server (and makes a few of its own)."""
    server, people = cek
    for who in people.values():
        requests.post(server.url + "/cek", data={"no": who.regno, "lahir": who.born},
                      timeout=10)
        requests.get(f"{server.url}/cek/{who.regno}", timeout=10)
    log = server.log()
    for who in people.values():
        for value in (who.regno, who.regno.replace("-", ""), who.born, who.nik, *who.nama.split()):
            assert value not in log, value
    assert UNKNOWN not in log


def test_too_many_attempts_are_refused_for_the_number_then_for_the_address(web_server, page):
    server = web_server()
    who = deliver(server)["accepted"]
    for _ in range(6):  # rate_per_regno: someone guessing the birth date
        check(page, server, who.regno, "1985-01-01")
        assert "Belum ditemukan" in answer_text(page)
        page.goto(server.url + "/cek")
    refused = check(page, server, who.regno, who.born)  # even the right date, now
    assert refused.status == 429
    wait = int(refused.headers["retry-after"])
    assert 0 < wait <= 600
    minutes = -(-wait // 60)
    assert f"Terlalu banyak percobaan. Coba lagi dalam {minutes} menit." in answer_text(page)
    assert "S. N." not in answer_text(page)
    shot(page, "rate-limited")
    # rate_per_client: 7 attempts so far from this address, 30 in a window; malformed count
    for n in range(23):
        r = requests.post(server.url + "/cek", data={"no": f"x{n}", "lahir": ""}, timeout=10)
        assert r.status_code == 400
    other = PEOPLE["received"]
    r = requests.post(server.url + "/cek", data={"no": other.regno, "lahir": other.born},
                      timeout=10)
    assert r.status_code == 429 and "Coba lagi dalam" in r.text


def test_a_miss_takes_the_same_time_whichever_field_was_wrong(web_server):
    """Medians of 40 interleaved tries each (the order alternates, so drift on a shared
    machine falls on both alike): within 2 ms or a fifth of the median."""
    server = web_server("--rate-per-client", "1000", "--rate-per-regno", "1000")
    who = deliver(server)["accepted"]
    asks = {"unknown number": {"no": UNKNOWN, "lahir": who.born},
            "wrong birth date": {"no": who.regno, "lahir": "1985-03-03"}}
    times: dict[str, list[float]] = {k: [] for k in asks}
    with requests.Session() as http:
        for n in range(45):
            for kind in (list(asks) if n % 2 else list(reversed(asks))):
                t0 = time.perf_counter()
                r = http.post(server.url + "/cek", data=asks[kind], timeout=10)
                spent = time.perf_counter() - t0
                assert r.status_code == 200 and "Belum ditemukan" in r.text
                if n >= 5:  # the first few warm the connection and the caches
                    times[kind].append(spent)
    a, b = (statistics.median(v) for v in times.values())
    assert abs(a - b) < max(0.002, 0.2 * max(a, b)), (a, b)
