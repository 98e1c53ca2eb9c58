"""`kiosk summary`, `kiosk demo-data` and `kiosk status`: the station's recordings."""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import TYPE_CHECKING, Any

import click

from kiosk.cli.common import TEXT, StationContext, domain_errors, echo_json, station_options
from kiosk.domain.cap import DailyCapReached
from kiosk.domain.days import fmt_day, fmt_local
from kiosk.domain.delivery import status_words

if TYPE_CHECKING:
    from kiosk.store.station import Store

NOT_FOUND = (
    "Tidak ditemukan: masukkan nomor registrasi (627104-01-20261128-017), "
    "ID rekaman, atau NIK 16 angka.\n"
    "Not found: give a registration number, a record id or a 16-digit NIK."
)


def _summary_data(store: Store) -> dict[str, Any]:
    from kiosk.app.carry import carry_figures

    s = store.settings
    cap = store.cap_status()
    return {
        "station_id": store.station_id,
        "station": f"{s['station.kecamatan']}-{s['station.number']}",
        "office": s["station.name"],
        "data_dir": str(store.data_dir),
        "today": cap.day.isoformat(),
        "recorded_today": cap.count,
        "cap": cap.cap,
        "standing_cap": cap.standing_cap,
        "override_reason": cap.override_reason,
        "backlog": store.backlog(),
        # of the backlog, records on a drive waiting for their receipts ("dibawa")
        "carried": carry_figures(store).carried,
    }


@click.command()
@station_options
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
@domain_errors
def summary(obj: StationContext, as_json: bool) -> None:
    """Station, today's count and cap, backlog by delivery state."""
    with obj.open_store(read_only=True) as store:
        data = _summary_data(store)
    if as_json:
        echo_json(data)
        return
    click.echo(f"Stasiun / station : {data['station']} ({data['office']})")
    click.echo(f"ID stasiun / id   : {data['station_id']}")
    click.echo(f"Data              : {data['data_dir']}")
    today = fmt_day(dt.date.fromisoformat(data["today"]))
    click.echo(f"Hari ini / today  : {today}  {data['recorded_today']} / {data['cap']}")
    if data["override_reason"]:
        click.echo(f"  batas diubah / override: {data['override_reason']}")
    click.echo(
        "Antrean / backlog : " + ", ".join(f"{k} {v}" for k, v in data["backlog"].items())
    )
    if data["carried"]:
        click.echo(f"  dibawa flashdisk, menunggu tanda terima / carried on a drive, waiting "
                   f"for receipts: {data['carried']}")


def _save_demo_records(
    store: Store, count: int, day: dt.datetime | None, operator: str
) -> tuple[int, DailyCapReached | None]:
    """Save up to `count` synthetic recordings on `day` (default today), printing each
    registration number: how many were saved, and the refusal if the cap stopped them."""
    from kiosk.demo.records import demo_recording
    from kiosk.domain.regions import RegionTable

    tz = store.settings.timezone
    now = None
    if day is not None:
        # noon local time of that day, so every record falls on it
        now = dt.datetime.combine(day.date(), dt.time(12, 0), tzinfo=tz)
    regions = RegionTable.load(store.settings["station.region_tables"])
    local = store.today(now)
    start = store.db.execute("SELECT COUNT(*) FROM records").fetchone()[0]
    for i in range(count):
        rec = demo_recording(start + i + 1, store.settings["station.kecamatan"], regions, local)
        try:
            result = store.save_recording(rec, operator, now=now)
        except DailyCapReached as exc:
            return i, exc
        click.echo(result.regno)
    return count, None


@click.command("demo-data")
@station_options
@click.option(
    "--count",
    "-n",
    type=click.IntRange(1, 100000),
    required=True,
    help="How many synthetic recordings to save.",
)
@click.option(
    "--date",
    "day",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Local day to record them on (default: today).",
)
@click.option("--operator", default="demo", show_default=True, type=TEXT,
              help="Operator user name.")
@click.pass_obj
@domain_errors
def demo_data(obj: StationContext, count: int, day: dt.datetime | None, operator: str) -> None:
    """Save N synthetic complete recordings through the normal save path."""
    with obj.open_store(create=True) as store:  # the demo's and the tests' way to fill one
        saved, refused = _save_demo_records(store, count, day, operator)
    click.echo(f"{saved} tersimpan / saved.", err=True)
    if refused is not None:
        click.echo(refused.msg.id, err=True)
        click.echo(refused.msg.en, err=True)
        sys.exit(1)


def _state_words(store: Store, row: dict[str, Any]) -> tuple[str, str]:
    """Where a recording stands, in words an applicant understands (id, en)."""
    tz = store.settings.timezone

    def local(text: str | None) -> str | None:
        return fmt_local(text, tz) if text else None

    msg = status_words(row["state"], row.get("processing_status"), row.get("reject_reason"),
                       local(row.get("received_at")), local(row.get("verified_at")),
                       local(row.get("carried_at")), local(row.get("carry_receipt_at")))
    return msg.id, msg.en


@click.command()
@station_options
@click.argument("query", type=TEXT)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
@domain_errors
def status(obj: StationContext, query: str, as_json: bool) -> None:
    """Where a recording stands: by record id, registration number or NIK."""
    with obj.open_store(read_only=True) as store:
        rows = store.find(query)
        words = [_state_words(store, r) for r in rows]
        tz = store.settings.timezone
    if not rows:
        click.echo(NOT_FOUND, err=True)
        sys.exit(1)
    if as_json:
        for r in rows:
            r["summary"] = json.loads(r["summary"])
        echo_json(rows)
        return
    for r, (words_id, words_en) in zip(rows, words, strict=True):
        click.echo(f"{r['regno']}  (ID {r['id']})")
        click.echo(f"  direkam / recorded: {fmt_local(r['created_at'], tz)}")
        click.echo(f"  {words_id}")
        click.echo(f"  {words_en}")
