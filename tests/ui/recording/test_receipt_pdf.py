"""The receipt PDF as the applicant gets it: rendered on A4 and A5, rasterised with poppler's
pdftoppm, its QR code read back with a real decoder (zxing-cpp), its text and every box read
with pdftotext: the full registration number is there, in large type, and nothing is drawn
over anything else.

Where the QR code sits is measured from the page, not taken from the layout code: zxing-cpp
finds the symbol on the rendered page (its centre), `pdfimages -list` gives the embedded
image's size on paper (pixels / ppi), so the image's box is the one a reader sees.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zoneinfo
from dataclasses import dataclass
from pathlib import Path

import pytest

from kiosk.app.receipts import qr_content
from kiosk.app.station import ReceiptView

pytestmark = pytest.mark.skipif(
    any(shutil.which(t) is None for t in ("pdftoppm", "pdftotext", "pdfimages", "pdfinfo")),
    reason="poppler-utils not installed (scripts/ensure-test-tools.sh)",
)
WIB = zoneinfo.ZoneInfo("Asia/Jakarta")
PAGE_PT = {"a4": (595.0, 842.0), "a5": (420.0, 595.0)}  # ISO 216 in PostScript points
RENDER_DPI = 150
TOUCH = 0.25  # points two boxes may share at an edge (glyph boxes of adjacent lines touch)


def receipt_view(regno: str = "627104-01-20261202-017",
                 name: str = "SITI NURHALIZA") -> ReceiptView:
    return ReceiptView(
        regno=regno, record_id="3f2a4a9e-8d1c-4c55-9a39-0c8f3a1e2b7d",
        saved_at=dt.datetime(2026, 12, 2, 9, 5, tzinfo=WIB), station_name="Kecamatan Sabangau",
        station_code="627104-01", applicant_name=name, nik_masked="627104********17",
        photo=True, fingers_captured=9, fingers_excepted=1, signature=True,
    )


@dataclass(frozen=True)
class Rect:
    x0: float
    y0: float
    x1: float
    y1: float
    what: str

    def overlaps(self, other: Rect) -> bool:
        return (min(self.x1, other.x1) - max(self.x0, other.x0) > TOUCH
                and min(self.y1, other.y1) - max(self.y0, other.y0) > TOUCH)

    @property
    def height(self) -> float:
        return self.y1 - self.y0


def _run(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True, timeout=60).stdout


def page_size(pdf: Path) -> tuple[float, float]:
    m = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", _run("pdfinfo", str(pdf)))
    assert m, "pdfinfo gave no page size"
    return float(m.group(1)), float(m.group(2))


def words(pdf: Path, page: int = 1) -> list[Rect]:
    """Every word on `page` with its box in points (pdftotext -bbox-layout)."""
    root = ET.fromstring(_run("pdftotext", "-bbox-layout", "-f", str(page), "-l", str(page),
                              str(pdf), "-"))
    return [Rect(float(w.get("xMin")), float(w.get("yMin")), float(w.get("xMax")),
                 float(w.get("yMax")), w.text or "")
            for w in root.iter("{http://www.w3.org/1999/xhtml}word")]


def decode_qr(pdf: Path, tmp: Path) -> tuple[str, tuple[float, float]]:
    """The text of the one QR code on the rendered page 1 and its centre in points."""
    import zxingcpp
    from PIL import Image

    prefix = tmp / f"{pdf.stem}-page"
    _run("pdftoppm", "-r", str(RENDER_DPI), "-gray", "-png", "-f", "1", "-l", "1", str(pdf),
         str(prefix))
    png = next(tmp.glob(f"{prefix.name}*.png"))
    found = zxingcpp.read_barcodes(Image.open(png), formats=zxingcpp.BarcodeFormat.QRCode)
    assert len(found) == 1, f"{len(found)} QR codes decoded on {png.name}"
    pos = found[0].position
    corners = [pos.top_left, pos.top_right, pos.bottom_right, pos.bottom_left]
    scale = 72.0 / RENDER_DPI
    cx = sum(p.x for p in corners) / 4 * scale
    cy = sum(p.y for p in corners) / 4 * scale
    return found[0].text, (cx, cy)


def image_boxes(pdf: Path, centre: tuple[float, float]) -> list[Rect]:
    """The box on paper of the page's one image (the QR code, quiet zone included), from its
    size in `pdfimages -list` (pixels / ppi) around the centre where the decoder found it."""
    lines = _run("pdfimages", "-list", str(pdf)).splitlines()[2:]
    assert len(lines) == 1, f"expected one image (the QR code), pdfimages lists {len(lines)}"
    cols = lines[0].split()
    w_pt = int(cols[3]) / int(cols[12]) * 72.0
    h_pt = int(cols[4]) / int(cols[13]) * 72.0
    cx, cy = centre
    return [Rect(cx - w_pt / 2, cy - h_pt / 2, cx + w_pt / 2, cy + h_pt / 2, "<QR code>")]


def check_receipt_pdf(pdf: Path, tmp: Path, paper: str, regno: str,
                      status_url: str = "") -> list[Rect]:
    """Every promise of the paper receipt, checked on the PDF; returns its word boxes."""
    assert pdf.read_bytes().startswith(b"%PDF")
    width, height = page_size(pdf)
    assert (round(width), round(height)) == tuple(round(v) for v in PAGE_PT[paper])
    text, centre = decode_qr(pdf, tmp)
    assert text == qr_content(regno, status_url)
    boxes = words(pdf)
    qr = image_boxes(pdf, centre)
    everything = [*boxes, *qr]
    clashes = [(a.what, b.what) for i, a in enumerate(everything)
               for b in everything[i + 1:] if a.overlaps(b)]
    assert clashes == [], f"drawn over each other: {clashes}"
    for box in everything:
        assert 0 <= box.x0 <= box.x1 <= width and 0 <= box.y0 <= box.y1 <= height, box
    # the number is on the page whole, as one word, and larger than the rest of the text
    regno_words = [w for w in boxes if w.what == regno]
    assert len(regno_words) == 1, [w.what for w in boxes]
    body = [w for w in boxes if w.what == "NIK"]
    assert body and regno_words[0].height >= 2 * body[0].height
    return boxes


@pytest.mark.parametrize("paper", ["a4", "a5"])
@pytest.mark.parametrize("name", ["SITI NURHALIZA",
                                  "MUHAMMAD RIZKY PRATAMA BIN ABDULLAH AL-FATIH RAHMAWATI "
                                  "SURYANINGSIH"], ids=["short-name", "long-name"])
def test_the_receipt_shows_everything_once_and_nothing_overlaps(qapp, tmp_path, paper, name):
    from kiosk.ui.documents.qt_receipt_pdf import write_pdf

    view = receipt_view(name=name)
    reprinted = dt.datetime(2026, 12, 5, 10, 30, tzinfo=WIB)
    pdf = write_pdf(view, tmp_path / f"receipt-{paper}.pdf", paper=paper, with_name=True,
                    reprinted_at=reprinted)
    check_receipt_pdf(pdf, tmp_path, paper, view.regno)
    text = " ".join(_run("pdftotext", str(pdf), "-").split())
    for shown in ("TANDA BUKTI PEREKAMAN KTP-el", "Kecamatan Sabangau (627104-01)",
                  "627104********17", "2 Desember 2026 09.05 WIB", "9 sidik jari",
                  "1 jari dengan pengecualian", "tanda tangan", name,
                  "Dicetak ulang 5 Desember 2026 10.30 WIB", "menu Cek status"):
        assert shown in text, shown


def test_the_copy_kept_on_the_station_leaves_the_name_out(qapp, tmp_path):
    from kiosk.ui.documents.qt_receipt_pdf import write_pdf

    view = receipt_view()
    pdf = write_pdf(view, tmp_path / "kept.pdf")  # the GUI's copy: A5, no name
    check_receipt_pdf(pdf, tmp_path, "a5", view.regno)
    text = _run("pdftotext", str(pdf), "-")
    assert view.applicant_name not in text and "Dicetak ulang" not in text


def test_the_receipt_is_in_english_when_the_screen_is(qapp, tmp_path):
    from kiosk.ui.documents.qt_receipt_pdf import write_pdf
    from kiosk.ui.qt_i18n import QtLanguage

    lang = QtLanguage()
    lang.set_language("en")
    try:
        view = receipt_view()
        pdf = write_pdf(view, tmp_path / "en.pdf", paper="a4", with_name=True)
        check_receipt_pdf(pdf, tmp_path, "a4", view.regno)
        text = " ".join(_run("pdftotext", str(pdf), "-").split())
    finally:
        lang.set_language("id")
    assert "Registration number" in text and "Nomor registrasi" not in text
    assert "2 December 2026 09:05 WIB" in text


def test_the_qr_content_is_the_registration_number_or_a_status_page_link():
    from kiosk.app.receipts import short_url

    assert qr_content("627104-01-20261202-017") == "627104-01-20261202-017"
    assert (qr_content("627104-01-20261202-017", "https://ektp.example.go.id/status/")
            == "https://ektp.example.go.id/status/627104-01-20261202-017")
    assert short_url("https://cek.example.go.id/cek/") == "cek.example.go.id/cek"
    assert short_url("http://10.0.0.5:8443/cek") == "10.0.0.5:8443/cek"


@pytest.mark.parametrize("paper", ["a4", "a5"])
def test_a_printer_gets_the_same_layout(qapp, tmp_path, paper):
    """What the print dialog and `kiosk receipt --print` paint on a QPrinter (here one that
    prints to a PDF file, the printer a test machine has): the same checks pass."""
    from PySide6.QtPrintSupport import QPrinter

    from kiosk.ui.documents.qt_receipt_pdf import page_layout, paint_on

    view = receipt_view()
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    out = tmp_path / f"printed-{paper}.pdf"
    printer.setOutputFileName(str(out))
    printer.setPageLayout(page_layout(paper))
    paint_on(printer, view)
    del printer  # the file is finished when the printer is gone
    check_receipt_pdf(out, tmp_path, paper, view.regno)
    assert view.applicant_name in _run("pdftotext", str(out), "-")


STATUS_URL = "https://cek.example.go.id/cek"


@pytest.mark.parametrize("paper", ["a4", "a5"])
def test_with_a_status_page_the_qr_opens_it_and_the_text_says_check_yourself(qapp, tmp_path,
                                                                             paper):
    """The station knows the central status page (receipt.status_url): the QR code holds the
    page's address with the number, read back by a real decoder, and the text tells the
    applicant where to check, in the short form one types from paper."""
    from kiosk.ui.documents.qt_receipt_pdf import write_pdf

    view = receipt_view()
    pdf = write_pdf(view, tmp_path / f"linked-{paper}.pdf", paper=paper, with_name=True,
                    status_url=STATUS_URL)
    check_receipt_pdf(pdf, tmp_path, paper, view.regno, STATUS_URL)
    assert decode_qr(pdf, tmp_path)[0] == f"{STATUS_URL}/{view.regno}"
    text = " ".join(_run("pdftotext", str(pdf), "-").split())
    assert "cek sendiri di cek.example.go.id/cek " in text
    assert "menu Cek status" not in text and "https://" not in text


def test_without_a_status_page_the_qr_holds_the_bare_number(qapp, tmp_path):
    from kiosk.ui.documents.qt_receipt_pdf import write_pdf

    view = receipt_view()
    pdf = write_pdf(view, tmp_path / "bare.pdf", paper="a5", status_url="")
    assert decode_qr(pdf, tmp_path)[0] == view.regno
    text = " ".join(_run("pdftotext", str(pdf), "-").split())
    assert "menu Cek status" in text and "cek sendiri" not in text


def test_the_status_page_text_is_in_english_when_the_screen_is(qapp, tmp_path):
    from kiosk.ui.documents.qt_receipt_pdf import write_pdf
    from kiosk.ui.qt_i18n import QtLanguage

    lang = QtLanguage()
    lang.set_language("en")
    try:
        pdf = write_pdf(receipt_view(), tmp_path / "en-linked.pdf", paper="a4",
                        status_url=STATUS_URL + "/")
        text = " ".join(_run("pdftotext", str(pdf), "-").split())
    finally:
        lang.set_language("id")
    assert "check for yourself at cek.example.go.id/cek " in text
    assert "cek sendiri" not in text


def test_the_screen_receipt_shows_the_same_link(qapp, qtbot, tmp_path):
    """The receipt on screen: its QR code (decoded from the widget's pixmap) and its help
    text point to the status page; the print dialog's page would too (same layout code)."""
    import zxingcpp
    from PIL import Image

    from kiosk.ui.recording.qt_receipt import QtReceiptScreen

    screen = QtReceiptScreen()
    qtbot.addWidget(screen)
    view = receipt_view()
    screen.show_receipt(view, None, status_url=STATUS_URL)
    png = tmp_path / "screen-qr.png"
    assert screen.qr.pixmap().save(str(png))
    found = zxingcpp.read_barcodes(Image.open(png), formats=zxingcpp.BarcodeFormat.QRCode)
    assert [f.text for f in found] == [f"{STATUS_URL}/{view.regno}"]
    assert "cek sendiri di cek.example.go.id/cek " in screen.help.text()
    screen.show_receipt(view, None)
    assert "menu Cek status" in screen.help.text()
