"""The CSV export's streamed rows (pre-rendered cells + one small decrypt a row) say exactly
what the general path (every row gathered, then csv.writer) says, byte for byte."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

from kiosk.demo.records import demo_recording
from kiosk.domain.regions import RegionTable
from kiosk.export import export_csv
from kiosk.export.common import run_export
from kiosk.export.csv_export import _fixed_shift, write_csv
from kiosk.settings import Settings
from kiosk.store.crypto import DecryptionFailed
from kiosk.store.station import Store

from .conftest import DAY, N, local

ODD_NAMES = ['SITI "ACI" AMINAH', "H. ABDUL RAHMAN, S.H.", "DEWI\nSARTIKA"]


def _general(store: Store, path: Path, full_nik: bool = False) -> bytes:
    run_export(store, "csv", write_csv, DAY, path, full_nik=full_nik, actor="pengawas")
    return path.read_bytes()


def _add_odd_records(store: Store) -> None:
    """Names that need CSV quoting, a reason with a comma, an accepted record."""
    regions = RegionTable.load()
    for i, name in enumerate(ODD_NAMES, start=N + 1):
        rec = demo_recording(i, "627104", regions, DAY)
        rec = replace(rec, applicant=replace(rec.applicant, nama=name))
        store.save_recording(rec, "budi", now=local(17) + dt.timedelta(minutes=i))
    with store.db.conn:
        store.db.execute(
            "UPDATE records SET processing_status = 'rejected', "
            "reject_reason = 'foto buram, \"ulang\"' WHERE local_date = ? AND seq = 31",
            [DAY.isoformat()],
        )
        store.db.execute(
            "UPDATE records SET state = 'verified', processing_status = 'accepted', "
            "received_at = '2026-03-02T10:59:59.999999+00:00' WHERE local_date = ? AND seq = 32",
            [DAY.isoformat()],
        )


@pytest.mark.parametrize("full_nik", [False, True])
def test_streamed_csv_is_byte_identical_to_the_general_path(day_store, tmp_path, full_nik):
    _add_odd_records(day_store)
    general = _general(day_store, tmp_path / "general.csv", full_nik)
    result = export_csv(day_store, DAY, tmp_path / "fast.csv", full_nik=full_nik,
                        actor="pengawas")
    fast = (tmp_path / "fast.csv").read_bytes()
    assert fast == general
    assert result.rows == N + len(ODD_NAMES)
    with (tmp_path / "fast.csv").open(encoding="utf-8", newline="") as f:
        table = list(csv.reader(f))
    names = [r[4] for r in table[1 : N + len(ODD_NAMES) + 1]]
    assert names[-3:] == ODD_NAMES
    assert table[31][12] == 'ditolak: foto buram, "ulang"'
    assert table[32][12] == "diterima dan diproses"
    # 10:59:59.999999 UTC is 17:59:59 WIB: truncated, never rounded up to the next minute
    assert table[32][13] == "2026-03-02 17:59:59"


def test_records_saved_before_the_log_cells_are_rendered_from_their_biodata(
    day_store, tmp_path
):
    """A station upgraded from schema v2 has records without ident / log cells."""
    _add_odd_records(day_store)
    general = _general(day_store, tmp_path / "general.csv")
    with day_store.db.conn:
        day_store.db.execute(
            "UPDATE records SET ident = NULL, log_head = NULL, log_tail = NULL "
            "WHERE seq IN (1, 2, 16, 31, 33)"
        )
    export_csv(day_store, DAY, tmp_path / "fast.csv")
    assert (tmp_path / "fast.csv").read_bytes() == general
    # and the general path itself still reads them (from biodata)
    assert _general(day_store, tmp_path / "general2.csv") == general


def test_a_tampered_ident_fails_the_export_and_leaves_no_file(day_store, tmp_path):
    sealed = day_store.db.execute("SELECT ident FROM records WHERE seq = 4").fetchone()[0]
    flipped = bytes(sealed[:-1]) + bytes([sealed[-1] ^ 1])
    with day_store.db.conn:
        day_store.db.execute("UPDATE records SET ident = ? WHERE seq = 4", [flipped])
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(DecryptionFailed):
        export_csv(day_store, DAY, out / "log.csv")
    assert list(out.iterdir()) == []


def test_delivery_counts_match_the_rows(day_store):
    counts = day_store.outbox.delivery_counts
    assert counts(DAY, DAY) == (30, 15, 13, 2)
    assert counts(DAY + dt.timedelta(days=1), DAY + dt.timedelta(days=9)) == (0, 0, 0, 0)


def test_only_a_zone_without_daylight_saving_takes_the_streamed_path(tmp_path):
    for zone, shift in (("Asia/Jakarta", "+420 minutes"), ("Asia/Makassar", "+480 minutes"),
                        ("Asia/Jayapura", "+540 minutes")):
        store = Store(tmp_path / zone, Settings({"station.timezone": zone}))
        assert _fixed_shift(store, dt.date(2026, 1, 1), dt.date(2026, 12, 31)) == shift
        assert _fixed_shift(store, DAY, DAY) == shift
        store.close()
    berlin = Store(tmp_path / "dst", Settings({"station.timezone": "Europe/Berlin"}))
    # even a winter day: a record saved then may be received after the March switch
    assert _fixed_shift(berlin, dt.date(2026, 1, 10), dt.date(2026, 1, 10)) is None
    assert _fixed_shift(berlin, dt.date(2026, 3, 29), dt.date(2026, 3, 29)) is None
    berlin.close()


def test_a_dst_zone_exports_the_same_rows_through_the_general_path(tmp_path, regions):
    store = Store(tmp_path / "dst", Settings({"station.timezone": "Europe/Berlin",
                                               "cap.daily": 10}))
    day = dt.date(2026, 3, 29)
    for i in range(1, 4):
        rec = demo_recording(i, "627104", regions, day)
        store.save_recording(
            rec, "budi", now=dt.datetime(2026, 3, 29, 0, 30, tzinfo=dt.UTC) + dt.timedelta(hours=i)
        )
    export_csv(store, day, tmp_path / "log.csv")
    with (tmp_path / "log.csv").open(encoding="utf-8", newline="") as f:
        table = list(csv.reader(f))
    # clocks went forward at 01:00 UTC: 01:30 UTC is 03:30 CEST
    assert [r[1] for r in table[1:4]] == [
        "2026-03-29 03:30:00", "2026-03-29 04:30:00", "2026-03-29 05:30:00"]
    store.close()


def test_the_summary_counts_the_rows_written_even_if_one_is_saved_meanwhile(
    day_store, tmp_path, regions
):
    saved = []

    def progress(done: int, total: int) -> None:
        if not saved:  # the operator saves a recording just as the export starts
            rec = demo_recording(N + 1, "627104", regions, DAY)
            saved.append(day_store.save_recording(rec, "budi", now=local(17, 59)))

    result = export_csv(day_store, DAY, tmp_path / "log.csv", progress=progress)
    with (tmp_path / "log.csv").open(encoding="utf-8", newline="") as f:
        lines = list(csv.reader(f))
    blank = lines.index([])
    summary = dict(lines[blank + 2:])
    assert blank - 1 == N + 1 == result.rows
    assert summary["Jumlah perekaman"] == str(N + 1)
    assert (summary["Terkirim ke server"], summary["Menunggu kirim"],
            summary["Ditolak server"]) == ("15", "14", "2")
