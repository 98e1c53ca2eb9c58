"""`kiosk backup --output PATH` and `kiosk restore PATH`: the station database, copied whole
while the station may run, and put back (kiosk.store.backup)."""

from __future__ import annotations

from pathlib import Path

import click

from kiosk.cli.common import StationContext, domain_errors, station_options


@click.command()
@station_options
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False),
              help="The backup file to write (a new file, or a regular file it replaces).")
@click.pass_obj
@domain_errors
def backup(obj: StationContext, output: str) -> None:
    """Copy the station database into OUTPUT (online: the station may keep recording).

    The copy stays sealed: it opens only with the station's data key, which is backed up
    apart (see the README)."""
    from kiosk.store.backup import backup as copy

    done = copy(obj.station_dir(), obj.settings(), Path(output))
    click.echo(f"Cadangan tersimpan / backup written: {done.path} ({done.records} rekaman / "
               f"records, {done.size} bita / bytes, stasiun / station {done.station_id})")


@click.command()
@station_options
@click.argument("source", type=click.Path(dir_okay=False))
@click.pass_obj
@domain_errors
def restore(obj: StationContext, source: str) -> None:
    """Put the backup SOURCE in place of the station database (the station must be closed).

    The current database is kept beside it as station.db.before-restore-<time>; the station
    is anchored to the restored database."""
    from kiosk.store.backup import restore as put_back

    obj.use_station_keyring()
    done = put_back(obj.resolved_data_dir(), obj.settings(), Path(source))
    click.echo(f"Dipulihkan / restored: {done.path} ({done.records} rekaman / records, "
               f"stasiun / station {done.station_id})")
    if done.aside is not None:
        click.echo(f"Basis data sebelumnya disimpan / the previous database was kept: "
                   f"{done.aside}")
