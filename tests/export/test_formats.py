"""The daily log in CSV, XLSX and PDF: opened again and checked row by row and in summary."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest

from kiosk.export import export_csv, export_xlsx, mask_nik
from kiosk.export.rows import HEADERS
from kiosk.ui.documents.qt_daylog_pdf import export_pdf

from .conftest import DAY, N

EXPECTED_SUMMARY = {
    "Tanggal": "2026-03-02",
    "Jumlah perekaman": 30,
    "Batas harian berlaku": 35,
    "Batas harian tetap": 30,
    "Jumlah perubahan batas": 1,
    "Terkirim ke server": 15,
    "Menunggu kirim": 13,
    "Ditolak server": 2,
    "Insiden": 2,
    "Menit offline": 65.0,
    "Swauji dijalankan": 2,
    "Swauji gagal": 1,
}


def _db_rows(store) -> list[dict]:
    return list(store.db.query(
        "SELECT regno, operator, state, processing_status FROM records ORDER BY seq"
    ))


def _audit_exports(store) -> list[dict]:
    return [json.loads(r[0]) for r in store.db.execute(
        "SELECT detail FROM audit WHERE action = 'export' ORDER BY seq"
    )]


def read_csv(path: Path) -> tuple[list[list[str]], dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        lines = list(csv.reader(f))
    blank = lines.index([])
    table, summary = lines[:blank], lines[blank + 1:]
    assert summary[0] == ["Ringkasan", "Nilai"]
    return table, {label: value for label, value in summary[1:]}


def test_csv_has_every_recording_masked_and_the_summary(day_store, seed, tmp_path):
    out = tmp_path / "log.csv"
    result = export_csv(day_store, DAY, out)
    table, summary = read_csv(out)
    assert tuple(table[0]) == HEADERS
    rows = [dict(zip(HEADERS, r, strict=True)) for r in table[1:]]
    assert len(rows) == N == result.rows
    for row, db in zip(rows, _db_rows(day_store), strict=True):
        regno = db["regno"]
        assert row["No. Registrasi"] == regno
        assert row["NIK"] == mask_nik(seed.niks[regno])
        assert row["NIK"][6:14] == "********" and row["NIK"][:6] == "627104"
        assert seed.niks[regno] not in out.read_text()
        assert row["Nama"] == seed.names[regno]
        assert row["Petugas"] == "budi"
        assert row["Waktu"].startswith("2026-03-02 ")
    assert rows[0]["Waktu"] == "2026-03-02 08:10:00"
    assert rows[0]["Direkam"] == "foto, 10 jari, tanda tangan"
    assert rows[2]["Direkam"] == "foto, 9 jari, tanda tangan"
    assert rows[2]["Pengecualian"] == "Jari tengah kanan: diamputasi"
    assert rows[4]["Pengecualian"] == "tanda tangan: tidak dapat"
    assert rows[0]["Status kirim"] == "diterima server"
    assert rows[0]["Diterima server"] == "2026-03-02 15:01:00"
    assert rows[15]["Status kirim"] == "ditolak: foto buram"
    assert rows[20]["Status kirim"] == "menunggu kirim" and rows[20]["Diterima server"] == ""
    assert 0 <= int(rows[0]["Kualitas jari min"]) <= float(rows[0]["Kualitas jari rata-rata"])
    for label, value in EXPECTED_SUMMARY.items():
        assert summary[label] == str(value), label
    assert summary["Perubahan batas 2026-03-02"] == "35 oleh pengawas: antrean panjang hari Senin"
    assert summary["NIK lengkap"].startswith("tidak")


def test_xlsx_is_typed_frozen_filtered_and_has_a_summary_sheet(day_store, seed, tmp_path):
    out = tmp_path / "log.xlsx"
    export_xlsx(day_store, DAY, out)
    wb = openpyxl.load_workbook(out)
    ws = wb["Perekaman"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:P{N + 1}"
    values = list(ws.iter_rows(values_only=True))
    assert values[0] == HEADERS
    rows = [dict(zip(HEADERS, r, strict=True)) for r in values[1:]]
    assert len(rows) == N
    for row, db in zip(rows, _db_rows(day_store), strict=True):
        regno = db["regno"]
        assert row["No. Registrasi"] == regno
        assert row["NIK"] == mask_nik(seed.niks[regno])
        assert row["Nama"] == seed.names[regno]
        assert isinstance(row["Waktu"], dt.datetime) and row["Waktu"].date() == DAY
        assert isinstance(row["No"], int)
        assert isinstance(row["Jari direkam"], int)
        assert isinstance(row["Kualitas jari min"], int)
        assert isinstance(row["Kualitas jari rata-rata"], int | float)  # 99.0 reads back 99
    assert rows[0]["Waktu"] == dt.datetime(2026, 3, 2, 8, 10)
    assert rows[0]["Diterima server"] == dt.datetime(2026, 3, 2, 15, 1)
    assert rows[20]["Diterima server"] is None
    assert rows[2]["Jari direkam"] == 9
    summary = {r[0]: r[1] for r in wb["Ringkasan"].iter_rows(min_row=3, values_only=True)}
    for label, value in EXPECTED_SUMMARY.items():
        assert summary[label] == value, label


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_pdf_is_a4_landscape_with_every_row_and_the_summary(day_store, seed, tmp_path):
    out = tmp_path / "log.pdf"
    export_pdf(day_store, DAY, out)
    assert out.read_bytes().startswith(b"%PDF")
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True).stdout
    size = next(line for line in info.splitlines() if line.startswith("Page size:"))
    width, height = (float(v) for v in size.split(":")[1].split("pts")[0].split(" x "))
    assert "A4" in size and width > height  # landscape
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True,
                          text=True, check=True).stdout
    pages = text.split("\f")
    assert "Halaman 1 dari" in pages[0]
    flat = " ".join(text.split())
    for regno, nik in seed.niks.items():
        assert regno in flat
        assert mask_nik(nik) in flat
        assert nik not in flat
        assert seed.names[regno] in flat
    assert "Ringkasan" in flat
    for label, value in EXPECTED_SUMMARY.items():
        assert f"{label} {value}" in flat, label
    assert "antrean panjang hari Senin" in flat


def test_every_export_is_audited_with_the_sha256_of_its_file(day_store, tmp_path):
    results = [
        export_csv(day_store, DAY, tmp_path / "a.csv", actor="pengawas"),
        export_xlsx(day_store, DAY, tmp_path / "a.xlsx", actor="pengawas"),
        export_pdf(day_store, DAY, tmp_path / "a.pdf", actor="pengawas"),
    ]
    audited = _audit_exports(day_store)
    assert [a["format"] for a in audited] == ["csv", "xlsx", "pdf"]
    for result, detail in zip(results, audited, strict=True):
        digest = hashlib.sha256(result.path.read_bytes()).hexdigest()
        assert detail == {"date": "2026-03-02", "format": result.format, "sha256": digest,
                          "rows": N, "full_nik": False, "actor": "pengawas"}


def test_exports_contain_no_biometrics(day_store, tmp_path):
    shas = [r[0] for r in day_store.db.execute("SELECT sha256 FROM blobs")]
    csv_text = export_csv(day_store, DAY, tmp_path / "a.csv").path.read_text()
    assert not any(s in csv_text for s in shas)
    xlsx = export_xlsx(day_store, DAY, tmp_path / "a.xlsx").path
    with zipfile.ZipFile(xlsx) as z:
        names = z.namelist()
        assert not any(n.startswith("xl/media") for n in names)  # no embedded images
        assert not any(s.encode() in z.read(n) for n in names for s in shas)
    pdf = export_pdf(day_store, DAY, tmp_path / "a.pdf").path.read_bytes()
    assert b"/Subtype /Image" not in pdf and b"/Subtype/Image" not in pdf
    assert len(pdf) < 300_000
