"""`kiosk db check`, `kiosk audit verify` and `kiosk audit show`: is the station's data whole."""

from __future__ import annotations

import sys

import click

from kiosk.cli.common import Count, StationContext, domain_errors, station_options

AUDIT_SHOW_MAX = 100_000


@click.group()
def db() -> None:
    """Database maintenance."""


@db.command("check")
@station_options
@click.pass_obj
@domain_errors
def db_check(obj: StationContext) -> None:
    """Integrity check: SQLite, every blob decrypts and matches its hash, the audit chain."""
    from kiosk.store.integrity import check

    with obj.open_store(read_only=True) as store:
        faults = check(store)
        n = store.db.execute("SELECT COUNT(*) FROM records").fetchone()[0]
    if faults:
        for f in faults:
            click.echo(f"RUSAK / FAULT: {f}")
        sys.exit(1)
    click.echo(f"OK: {n} rekaman diperiksa / records checked")


@click.group()
def audit() -> None:
    """The append-only, hash-chained audit log."""


@audit.command("verify")
@station_options
@click.pass_obj
@domain_errors
def audit_verify(obj: StationContext) -> None:
    """Check the hash chain; exit 1 naming the first bad row."""
    from kiosk.store import audit as audit_log

    with obj.open_store(read_only=True) as store:
        fault = audit_log.verify(store.db)
        n = store.db.execute("SELECT COUNT(*) FROM audit").fetchone()[0]
    if fault:
        click.echo(f"RUSAK / BROKEN: {fault}")
        sys.exit(1)
    click.echo(f"OK: {n} baris audit utuh / audit rows intact")


@audit.command("show")
@station_options
@click.option("--limit", default=20, show_default=True, type=Count(1, AUDIT_SHOW_MAX),
              help="How many rows, newest first.")
@click.pass_obj
@domain_errors
def audit_show(obj: StationContext, limit: int) -> None:
    """The newest audit rows."""
    from kiosk.domain.days import fmt_local
    from kiosk.store import audit as audit_log

    with obj.open_store(read_only=True) as store:
        tz = store.settings.timezone
        for r in audit_log.rows(store.db, limit):
            when = fmt_local(r["ts"], tz, seconds=True)
            click.echo(f"{r['seq']:>6} {when} {r['actor']:<12} {r['action']:<16} {r['detail']}")
