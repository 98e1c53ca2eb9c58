"""`kiosk export`: the daily log as CSV, XLSX or PDF.

A masked export needs no account: it is audited as 'cli'. An --actor named on the command
line is audited as the exporter, so it must be an account that may export (an active
supervisor, checked by kiosk.app.accounts as the GUI checks the logged-in one); --full-nik
needs one, and kiosk.export checks it again before any NIK is decrypted.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from kiosk.cli.common import StationContext, domain_errors, station_options

ANONYMOUS = "cli"  # the audit's name for an export nobody signed for (masked only)


@click.command("export")
@station_options
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), required=True,
              help="Local day of the log (YYYY-MM-DD).")
@click.option("--until", "until", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Last day, for a log of several days (default: --date only).")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "pdf"]), required=True,
              help="Output format.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="File to write (replaced atomically).")
@click.option("--full-nik", is_flag=True,
              help="Show NIKs in full (supervisor only; audited). Default: masked.")
@click.option("--actor", default=ANONYMOUS, show_default=True,
              help="Who exports (a supervisor's user name for --full-nik).")
@click.pass_obj
@domain_errors
def export(obj: StationContext, day: dt.datetime, until: dt.datetime | None, fmt: str,
           output: Path, full_nik: bool, actor: str) -> None:
    """Write the daily log (one row per recording, then a summary); audited with its
    SHA-256. Never contains biometrics."""
    if fmt == "pdf":
        from kiosk.ui.documents.qt_daylog_pdf import export_pdf as fn
    elif fmt == "xlsx":
        from kiosk.export import export_xlsx as fn
    else:
        from kiosk.export import export_csv as fn
    if full_nik and actor == ANONYMOUS:
        raise click.UsageError("--full-nik needs --actor SUPERVISOR")
    with obj.open_store() as store:
        if actor != ANONYMOUS:
            from kiosk.app import accounts

            accounts.require(store, actor, "export")
        result = fn(store, day.date(), output, last=until.date() if until else None,
                    full_nik=full_nik, actor=actor)
    click.echo(f"{result.rows} baris / rows -> {result.path}")
    click.echo(f"SHA-256 {result.sha256}")
