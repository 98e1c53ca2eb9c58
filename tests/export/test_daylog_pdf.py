"""The daily log PDF's "Petugas" column holds every operator's user name whole, up to the
longest a user name may be (32 characters), read back with pdftotext: each name is one word,
and its box (pdftotext -bbox-layout) runs into no other text (it used to run under the
"Direkam" column, so the paper showed "operatc")."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from kiosk.app import accounts
from kiosk.demo.records import demo_recording
from kiosk.domain.regions import RegionTable
from kiosk.ui.documents.qt_daylog_pdf import export_pdf
from tests.export.conftest import DAY, local
from tests.ui.recording.test_receipt_pdf import words as word_boxes

# the longest user names the account rules allow ([a-z][a-z0-9._-]{2,31}): a realistic one and
# one of the widest letters
LONG_NAMES = ("operator.kecamatan.sabangau.0001", "mwmwmwmwmwmwmwmwmwmwmwmwmwmwmwmw")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
@pytest.mark.parametrize("layout", [False, True], ids=["reading-order", "layout"])
def test_long_operator_names_are_printed_whole(day_store, tmp_path, layout):
    regions = RegionTable.load()
    for i, (username, pin) in enumerate(zip(LONG_NAMES, ("480362", "591730"), strict=True)):
        assert len(username) == 32
        accounts.create_user(day_store, "pengawas", username, "Petugas Loket", "operator", pin)
        rec = demo_recording(31 + i, "627104", regions, DAY)
        day_store.save_recording(rec, username, now=local(17, 10 * i))
    out = export_pdf(day_store, DAY, tmp_path / "log.pdf").path
    args = ["pdftotext", *(["-layout"] if layout else []), str(out), "-"]
    words = subprocess.run(args, capture_output=True, text=True, check=True).stdout.split()
    for username in LONG_NAMES:
        assert words.count(username) == 1, [w for w in words if w[:4] in username]
    assert words.count("budi") == 30  # the other rows' operator, each whole too
    pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(
        ["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout).group(1))
    for username in LONG_NAMES:
        [(boxes, name)] = [(boxes, b) for boxes in (word_boxes(out, n) for n in
                                                    range(1, pages + 1))
                           for b in boxes if b.what == username]
        assert [b.what for b in boxes if b is not name and b.overlaps(name)] == []
