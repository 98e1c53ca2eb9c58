"""`kiosk export`: the daily log as CSV, XLSX or PDF.

A masked export needs no account: it is audited as 'cli'. An --actor named on the command
line is audited as the exporter, so it must be an account that may export and give its PIN
(`kiosk.app.accounts.act_as`, as the GUI checks its PIN dialog; asked hidden, or one line of
stdin with --pin-stdin); --full-nik needs one, and kiosk.export checks it again before any NIK
is decrypted. The file is written only as a regular file in an existing folder
(kiosk.export.common.check_target). A PDF is drawn with Qt's printing, without a window; on a
machine with no display Qt's offscreen platform is chosen before Qt starts.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from kiosk.cli.common import (
    TEXT,
    StationContext,
    acting_user,
    domain_errors,
    station_options,
)

ANONYMOUS = "cli"  # the audit's name for an export nobody signed for (masked only)


@click.command("export")
@station_options
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), required=True,
              help="Local day of the log (YYYY-MM-DD).")
@click.option("--until", "until", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Last day, for a log of several days (default: --date only).")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "pdf"]), required=True,
              help="Output format.")
@click.option("--output", type=click.Path(path_type=Path), required=True,
              help="File to write, in an existing folder (a regular file there is replaced "
                   "atomically; anything else is refused).")
@click.option("--full-nik", is_flag=True,
              help="Show NIKs in full (supervisor only; audited). Default: masked.")
@click.option("--actor", default=ANONYMOUS, show_default=True, type=TEXT,
              help="Who exports (a supervisor's user name for --full-nik; their PIN is asked).")
@click.option("--pin-stdin", is_flag=True,
              help="Read the actor's PIN from the first line of standard input (scripts).")
@click.pass_obj
@domain_errors
def export(obj: StationContext, day: dt.datetime, until: dt.datetime | None, fmt: str,
           output: Path, full_nik: bool, actor: str, pin_stdin: bool) -> None:
    """Write the daily log (one row per recording, then a summary); audited with its
    SHA-256. Never contains biometrics."""
    from kiosk.export.common import check_range, check_target

    if fmt == "pdf":
        from kiosk.ui.documents import use_offscreen_without_display

        use_offscreen_without_display()  # no display (a server, ssh, cron): draw offscreen
        from kiosk.ui.documents.qt_daylog_pdf import export_pdf as fn
    elif fmt == "xlsx":
        from kiosk.export import export_xlsx as fn
    else:
        from kiosk.export import export_csv as fn
    if full_nik and actor == ANONYMOUS:
        raise click.UsageError("--full-nik perlu --actor PENGAWAS / --full-nik needs "
                               "--actor SUPERVISOR")
    first, last = day.date(), until.date() if until else None
    check_range(first, last)  # before any PIN is asked: a usage error costs no attempt
    check_target(output)
    with obj.open_store() as store:
        if actor != ANONYMOUS:
            actor = acting_user(store, actor, pin_stdin, "export").username
        result = fn(store, first, output, last=last, full_nik=full_nik, actor=actor)
    click.echo(f"{result.rows} baris / rows -> {result.path}")
    click.echo(f"SHA-256 {result.sha256}")
