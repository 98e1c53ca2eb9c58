"""The daily log shows what left on a drive (issue 16): the record's "Status kirim" says
dibawa (carried) or received by drive, two columns give when it was written to the drive and
when its receipt came back, and the summary counts both; in CSV (streamed), XLSX and PDF."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import openpyxl
import pytest

from kiosk.export import export_csv, export_xlsx
from kiosk.export.rows import HEADERS, gather_log
from kiosk.store.db import iso
from kiosk.ui.documents.qt_daylog_pdf import export_pdf

from .conftest import DAY, local
from .test_formats import read_csv

CARRIED = range(18, 23)  # waiting records written to a drive at 16:00, no receipt yet
BACK = range(1, 4)  # received records whose receipt came back on a drive at 17:30


@pytest.fixture
def carried_day(day_store):
    with day_store.db.conn:
        for seq in CARRIED:
            day_store.db.execute(
                "UPDATE records SET carried_at = ?, carry_folder = 'ektp-carry-x' "
                "WHERE local_date = ? AND seq = ?", [iso(local(16)), DAY.isoformat(), seq])
        for seq in BACK:
            day_store.db.execute(
                "UPDATE records SET carried_at = ?, carry_receipt_at = ? "
                "WHERE local_date = ? AND seq = ?",
                [iso(local(12)), iso(local(17, 30)), DAY.isoformat(), seq])
    return day_store


def test_csv_says_dibawa_with_the_drive_times_and_counts_them(carried_day, tmp_path):
    out = tmp_path / "log.csv"
    export_csv(carried_day, DAY, out)
    table, summary = read_csv(out)
    rows = [dict(zip(HEADERS, r, strict=True)) for r in table[1:]]
    assert rows[17]["Status kirim"] == "dibawa (menunggu tanda terima)"
    assert rows[17]["Dibawa flashdisk"] == "2026-03-02 16:00:00"
    assert rows[17]["Tanda terima flashdisk"] == ""
    assert rows[0]["Status kirim"] == "diterima server (lewat flashdisk)"
    assert rows[0]["Tanda terima flashdisk"] == "2026-03-02 17:30:00"
    assert rows[22]["Status kirim"] == "menunggu kirim" and rows[22]["Dibawa flashdisk"] == ""
    assert summary["Dibawa dengan flashdisk"] == "8"
    assert summary["Tanda terima flashdisk kembali"] == "3"
    assert summary["Menunggu kirim"] == "13"  # carried records still wait for the centre


def test_xlsx_and_the_gathered_log_say_the_same(carried_day, tmp_path):
    out = tmp_path / "log.xlsx"
    export_xlsx(carried_day, DAY, out)
    wb = openpyxl.load_workbook(out)
    rows = [dict(zip(HEADERS, r, strict=True))
            for r in list(wb["Perekaman"].iter_rows(values_only=True))[1:]]
    assert rows[17]["Dibawa flashdisk"] == dt.datetime(2026, 3, 2, 16, 0)
    assert rows[1]["Tanda terima flashdisk"] == dt.datetime(2026, 3, 2, 17, 30)
    summary = {r[0]: r[1] for r in wb["Ringkasan"].iter_rows(min_row=3, values_only=True)}
    assert summary["Dibawa dengan flashdisk"] == 8
    assert summary["Tanda terima flashdisk kembali"] == 3
    log = gather_log(carried_day, DAY, DAY, with_rows=False)
    assert (log.summary.carried, log.summary.carry_received) == (8, 3)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_pdf_prints_the_drive_columns_only_when_a_record_went_by_drive(day_store, tmp_path):
    plain = tmp_path / "plain.pdf"
    export_pdf(day_store, DAY, plain)
    text = subprocess.run(["pdftotext", str(plain), "-"], capture_output=True, text=True).stdout
    assert "Dibawa flashdisk" not in text and "Dibawa dengan flashdisk" in text
    with day_store.db.conn:
        day_store.db.execute("UPDATE records SET carried_at = ? WHERE seq = 20",
                             [iso(local(16))])
    carried = tmp_path / "carried.pdf"
    export_pdf(day_store, DAY, carried)
    text = " ".join(subprocess.run(["pdftotext", str(carried), "-"], capture_output=True,
                                   text=True).stdout.split())  # a cell wraps over lines
    assert "Dibawa flashdisk" in text and "dibawa (menunggu tanda terima)" in text
    assert "2026-03-02 16:00" in text
