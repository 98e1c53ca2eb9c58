"""Headless station commands: summary, demo-data, status, cap, db check, audit verify."""

from __future__ import annotations

import datetime as dt
import json
import sys

import click

from kiosk.cli.common import StationContext, domain_errors, echo_json, station_options
from kiosk.domain.cap import DailyCapReached
from kiosk.domain.delivery import status_words


def _state_words(store, row: dict) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """Where a recording stands, in words an applicant understands (id, en)."""
    tz = store.settings.timezone

    def local(text: str | None) -> str | None:
        if not text:
            return None
        t = dt.datetime.fromisoformat(text).astimezone(tz)
        return f"{t:%Y-%m-%d %H:%M} {t.tzname() or ''}".strip()

    msg = status_words(row["state"], row.get("processing_status"), row.get("reject_reason"),
                       local(row.get("received_at")), local(row.get("verified_at")))
    return msg.id, msg.en


def register(cli: click.Group) -> None:
    @cli.command()
    @station_options
    @click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
    @click.pass_obj
    @domain_errors
    def summary(obj: StationContext, as_json: bool) -> None:
        """Station, today's count and cap, backlog by delivery state."""
        with obj.open_store() as store:
            s = store.settings
            cap = store.cap_status()
            data = {
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
            }
        if as_json:
            echo_json(data)
            return
        click.echo(f"Stasiun / station : {data['station']} ({data['office']})")
        click.echo(f"Data              : {data['data_dir']}")
        click.echo(f"Hari ini / today  : {data['today']}  {cap.count} / {cap.cap}")
        if cap.override_reason:
            click.echo(f"  batas diubah / override: {cap.override_reason}")
        click.echo(
            "Antrean / backlog : " + ", ".join(f"{k} {v}" for k, v in data["backlog"].items())
        )

    @cli.command("demo-data")
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
    @click.option("--operator", default="demo", show_default=True, help="Operator user name.")
    @click.pass_obj
    @domain_errors
    def demo_data(obj: StationContext, count: int, day: dt.datetime | None, operator: str) -> None:
        """Save N synthetic complete recordings through the normal save path."""
        from kiosk.demo.records import demo_recording
        from kiosk.domain.regions import RegionTable

        with obj.open_store() as store:
            tz = store.settings.timezone
            now = None
            if day is not None:
                # noon local time of that day, so every record falls on it
                now = dt.datetime.combine(day.date(), dt.time(12, 0), tzinfo=tz)
            regions = RegionTable.load(store.settings["station.region_tables"])
            local = store.today(now)
            start = store.db.execute("SELECT COUNT(*) FROM records").fetchone()[0]
            saved = 0
            for i in range(count):
                rec = demo_recording(
                    start + i + 1, store.settings["station.kecamatan"], regions, local
                )
                try:
                    result = store.save_recording(rec, operator, now=now)
                except DailyCapReached as exc:
                    click.echo(f"{saved} tersimpan / saved.", err=True)
                    click.echo(exc.msg.id, err=True)
                    click.echo(exc.msg.en, err=True)
                    sys.exit(1)
                saved += 1
                click.echo(result.regno)
            click.echo(f"{saved} tersimpan / saved.", err=True)

    @cli.command()
    @station_options
    @click.argument("query")
    @click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
    @click.pass_obj
    @domain_errors
    def status(obj: StationContext, query: str, as_json: bool) -> None:
        """Where a recording stands: by record id, registration number or NIK."""
        with obj.open_store() as store:
            rows = store.find(query)
            words = [_state_words(store, r) for r in rows]
        if not rows:
            click.echo(
                "Tidak ditemukan: masukkan nomor registrasi (627104-01-20261128-017), "
                "ID rekaman, atau NIK 16 angka.\n"
                "Not found: give a registration number, a record id or a 16-digit NIK.",
                err=True,
            )
            sys.exit(1)
        if as_json:
            for r in rows:
                r["summary"] = json.loads(r["summary"])
            echo_json(rows)
            return
        for r, (words_id, words_en) in zip(rows, words, strict=True):
            click.echo(f"{r['regno']}  (ID {r['id']})")
            click.echo(f"  direkam / recorded: {r['created_at']}")
            click.echo(f"  {words_id}")
            click.echo(f"  {words_en}")

    @cli.group()
    def cap() -> None:
        """The daily cap: show, override today, change the standing cap."""

    @cap.command("show")
    @station_options
    @click.pass_obj
    @domain_errors
    def cap_show(obj: StationContext) -> None:
        """Today's count, cap, and the history of changes."""
        with obj.open_store() as store:
            st = store.cap_status()
            click.echo(f"{st.day}: {st.count} / {st.cap} (standing {st.standing_cap})")
            for row in store.cap_history():
                scope = row["local_date"] or "standing"
                click.echo(f"  {row['ts']}  {scope}  {row['cap']}  {row['actor']}: {row['reason']}")

    @cap.command("override")
    @station_options
    @click.argument("cap_value", metavar="CAP", type=click.IntRange(1, 1000))
    @click.option("--reason", required=True, help="Why today's cap changes (audited).")
    @click.option("--actor", required=True, help="Supervisor user name.")
    @click.pass_obj
    @domain_errors
    def cap_override(obj: StationContext, cap_value: int, reason: str, actor: str) -> None:
        """Supervisor: set today's cap with a reason."""
        with obj.open_store() as store:
            store.override_cap(cap_value, reason, actor)
            click.echo(f"Batas hari ini / today's cap: {store.cap_status().cap}")

    @cap.command("set")
    @station_options
    @click.argument("cap_value", metavar="CAP", type=click.IntRange(1, 1000))
    @click.option("--reason", required=True, help="Why the standing cap changes (audited).")
    @click.option("--actor", required=True, help="Supervisor user name.")
    @click.pass_obj
    @domain_errors
    def cap_set(obj: StationContext, cap_value: int, reason: str, actor: str) -> None:
        """Supervisor: change the standing daily cap with a reason."""
        with obj.open_store() as store:
            store.set_standing_cap(cap_value, reason, actor)
            click.echo(f"Batas harian / standing cap: {cap_value}")

    @cli.group()
    def db() -> None:
        """Database maintenance."""

    @db.command("check")
    @station_options
    @click.pass_obj
    @domain_errors
    def db_check(obj: StationContext) -> None:
        """Integrity check: SQLite, every blob decrypts and matches its hash, the audit chain."""
        from kiosk.store.integrity import check

        with obj.open_store() as store:
            faults = check(store)
            n = store.db.execute("SELECT COUNT(*) FROM records").fetchone()[0]
        if faults:
            for f in faults:
                click.echo(f"RUSAK / FAULT: {f}")
            sys.exit(1)
        click.echo(f"OK: {n} rekaman diperiksa / records checked")

    @cli.group()
    def audit() -> None:
        """The append-only, hash-chained audit log."""

    @audit.command("verify")
    @station_options
    @click.pass_obj
    @domain_errors
    def audit_verify(obj: StationContext) -> None:
        """Check the hash chain; exit 1 naming the first bad row."""
        from kiosk.store import audit as audit_log

        with obj.open_store() as store:
            fault = audit_log.verify(store.db)
            n = store.db.execute("SELECT COUNT(*) FROM audit").fetchone()[0]
        if fault:
            click.echo(f"RUSAK / BROKEN: {fault}")
            sys.exit(1)
        click.echo(f"OK: {n} baris audit utuh / audit rows intact")

    @audit.command("show")
    @station_options
    @click.option("--limit", default=20, show_default=True, help="How many rows, newest first.")
    @click.pass_obj
    def audit_show(obj: StationContext, limit: int) -> None:
        """The newest audit rows."""
        from kiosk.store import audit as audit_log

        with obj.open_store() as store:
            for r in audit_log.rows(store.db, limit):
                click.echo(
                    f"{r['seq']:>6} {r['ts']} {r['actor']:<12} {r['action']:<16} {r['detail']}"
                )
