"""`kiosk receipt ID_OR_REGNO` reprints a lost receipt: a supervisor with their PIN
(kiosk.app.accounts.act_as), audited, the file only where the export would write one, the
paper through the default printer or a clear sentence when there is none.

Real `kiosk` child processes on the `station` fixture's accounts (conftest.py) and one saved
recording; the PDF is checked as the applicant's paper is (tests/ui/recording/
test_receipt_pdf.py: rasterised, QR decoded, text found, nothing overlapping).
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import zoneinfo
from pathlib import Path

import pytest

from kiosk.demo.records import demo_recording
from kiosk.domain.regions import RegionTable
from kiosk.store import audit
from tests.cli.conftest import PINS, Station
from tests.ui.recording.test_receipt_pdf import check_receipt_pdf

pytestmark = pytest.mark.skipif(
    subprocess.run(["sh", "-c", "command -v pdftotext pdftoppm pdfimages"],
                   capture_output=True).returncode != 0,
    reason="poppler-utils not installed (scripts/ensure-test-tools.sh)")


@pytest.fixture
def saved(station: Station) -> dict[str, str]:
    """One recording saved by operator budi: its regno, record id, name and NIK."""
    with station.open() as store:
        rec = demo_recording(4, "627104", RegionTable.load(), store.today())
        done = store.save_recording(rec, "budi")
    return {"regno": done.regno, "id": done.record_id, "name": rec.applicant.nama,
            "nik": rec.applicant.nik, "created_at": done.created_at}


MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
          "September", "Oktober", "November", "Desember")


def _wib(iso_utc: str) -> str:
    """'2 Desember 2026 09.05 WIB': an ISO UTC time as the receipt shows it (the station's
    default zone, Asia/Jakarta)."""
    t = dt.datetime.fromisoformat(iso_utc).astimezone(zoneinfo.ZoneInfo("Asia/Jakarta"))
    return f"{t.day} {MONTHS[t.month - 1]} {t.year} {t:%H.%M} WIB"


def _reprints(st: Station) -> list[dict]:
    with st.open() as store:
        return [{"actor": r["actor"], **json.loads(r["detail"])}
                for r in reversed(audit.rows(store.db, 1000))
                if r["action"] == "receipt.reprinted"]


def _failures(st: Station, username: str) -> int:
    with st.open() as store:
        return int(store.db.execute("SELECT failed_attempts FROM users WHERE username = ?",
                                    [username]).fetchone()[0])


def _text(pdf: Path) -> str:
    out = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                         check=True).stdout
    return " ".join(out.split())


def test_a_supervisor_reprints_a_receipt_to_a_file_and_it_is_audited(station, saved, tmp_path):
    out = tmp_path / "tanda-bukti.pdf"
    r = station.kiosk("receipt", saved["regno"], "--output", str(out), "--actor", "rina",
                      pin=PINS["rina"])
    assert r.returncode == 0, r.stderr
    assert saved["regno"] in r.stdout and str(out) in r.stdout
    check_receipt_pdf(out, tmp_path, "a4", saved["regno"])  # A4 when no --paper is given
    text = _text(out)
    assert "TANDA BUKTI PEREKAMAN KTP-el" in text and "Dicetak ulang" in text
    assert saved["nik"][:6] + "********" + saved["nik"][-2:] in text
    assert saved["name"] not in text and saved["nik"] not in text  # a file: no name
    assert _wib(saved["created_at"]) in text  # the time in the station's zone, as on screen
    assert _reprints(station) == [{"actor": "rina", "record_id": saved["id"],
                                   "regno": saved["regno"], "output": str(out),
                                   "paper": "a4", "with_name": False}]
    assert not list(tmp_path.glob(".*.part"))


def test_by_record_id_on_a5_with_the_name(station, saved, tmp_path):
    out = tmp_path / "a5.pdf"
    r = station.kiosk("receipt", saved["id"], "--output", str(out), "--paper", "a5",
                      "--with-name", "--actor", "rina", pin=PINS["rina"])
    assert r.returncode == 0, r.stderr
    check_receipt_pdf(out, tmp_path, "a5", saved["regno"])
    assert saved["name"] in _text(out)
    [row] = _reprints(station)
    assert (row["paper"], row["with_name"], row["record_id"]) == ("a5", True, saved["id"])


REFUSALS = {  # actor -> what they are told, though each gives their own right PIN
    "budi": ("'budi' tidak berwenang untuk tindakan ini (receipt_reprint).",
             "'budi' is not allowed to do this (receipt_reprint)."),
    "tono": ("'tono' tidak berwenang untuk tindakan ini (receipt_reprint).",
             "'tono' is not allowed to do this (receipt_reprint)."),
    "lama": ("Akun 'lama' dinonaktifkan.", "The account 'lama' is disabled."),
}


@pytest.mark.parametrize("actor", list(REFUSALS),
                         ids=["operator", "technician", "disabled-supervisor"])
def test_anyone_but_an_active_supervisor_is_refused(station, saved, tmp_path, actor):
    out = tmp_path / "x.pdf"
    r = station.kiosk("receipt", saved["regno"], "--output", str(out), "--actor", actor,
                      pin=PINS[actor])
    assert r.returncode == 1, r.stdout + r.stderr
    said_id, said_en = REFUSALS[actor]
    assert said_id in r.stderr and said_en in r.stderr and "Traceback" not in r.stderr
    assert not out.exists() and _reprints(station) == []


def test_a_wrong_pin_is_refused_and_counted(station, saved, tmp_path):
    out = tmp_path / "x.pdf"
    r = station.kiosk("receipt", saved["regno"], "--output", str(out), "--actor", "rina",
                      pin="000000")
    assert r.returncode == 1, r.stderr
    assert "Nama pengguna atau PIN salah. Sisa percobaan: 4." in r.stderr
    assert "Wrong user name or PIN. Attempts left: 4." in r.stderr
    assert _failures(station, "rina") == 1
    assert not out.exists() and _reprints(station) == []


@pytest.mark.parametrize("query", ["627104-01-20200101-999", "6271041101900017", "abc"],
                         ids=["unknown-regno", "a-nik", "not-a-number"])
def test_an_unknown_number_is_refused_with_a_sentence(station, saved, tmp_path, query):
    out = tmp_path / "x.pdf"
    r = station.kiosk("receipt", query, "--output", str(out), "--actor", "rina",
                      pin=PINS["rina"])
    assert r.returncode == 1, r.stderr
    assert f"Tidak ada rekaman dengan nomor registrasi atau ID '{query}'" in r.stderr
    assert f"No recording with the registration number or id '{query}'" in r.stderr
    assert "kiosk status NIK" in r.stderr and "Traceback" not in r.stderr
    assert not out.exists() and _reprints(station) == []


@pytest.mark.parametrize("target", ["folder", "device", "missing-folder"])
def test_output_only_as_a_plain_file_and_before_any_pin(station, saved, tmp_path, target):
    out = {"folder": tmp_path, "device": Path("/dev/null"),
           "missing-folder": tmp_path / "tidak-ada" / "x.pdf"}[target]
    r = station.kiosk("receipt", saved["regno"], "--output", str(out), "--actor", "rina",
                      pin=PINS["rina"])
    assert r.returncode == 2, r.stderr
    assert f"Tidak menulis ke {out}" in r.stderr and f"Not writing to {out}" in r.stderr
    assert "Traceback" not in r.stderr
    assert _failures(station, "rina") == 0 and _reprints(station) == []
    with station.open() as store:  # no PIN was checked: no login audited either
        assert "user.login" not in [x["action"] for x in audit.rows(store.db, 5)]


def test_neither_output_nor_print_is_a_usage_error(station, saved):
    r = station.kiosk("receipt", saved["regno"], "--actor", "rina", pin=PINS["rina"])
    assert r.returncode == 2
    assert "--output FILE.pdf or --print" in r.stderr and _reprints(station) == []


def test_print_without_a_printer_says_so_and_exits_2(station, saved, tmp_path):
    """No CUPS server to ask (CUPS_SERVER names a socket nobody listens on), so no printer,
    even on a machine that has one: the sentence in both languages, nothing audited."""
    station.env["CUPS_SERVER"] = str(tmp_path / "no-cups.sock")
    station.env.pop("PRINTER", None)
    r = station.kiosk("receipt", saved["regno"], "--print", "--actor", "rina",
                      pin=PINS["rina"])
    assert r.returncode == 2, r.stdout + r.stderr
    assert "Tidak ada printer bawaan di komputer ini" in r.stderr
    assert "This computer has no default printer" in r.stderr and "--output" in r.stderr
    assert "Traceback" not in r.stderr and _reprints(station) == []
    assert _failures(station, "rina") == 0  # refused before any PIN was asked


def test_reprint_works_without_a_display(station, saved, tmp_path):
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        station.env.pop(name, None)
    out = tmp_path / "headless.pdf"
    r = station.kiosk("receipt", saved["regno"], "--output", str(out), "--actor", "rina",
                      pin=PINS["rina"])
    assert r.returncode == 0, r.stderr
    check_receipt_pdf(out, tmp_path, "a4", saved["regno"])
