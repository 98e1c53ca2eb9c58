"""`kiosk carry export` / `kiosk carry receipts`: records to the centre on a drive when no
link exists, and the centre's receipts back (kiosk/sync/carry.py, docs/carry.md).

Export is a supervisor's act (their PIN, audited); reading receipts back is not (each receipt
is checked against the pinned server key and the station's own manifest hash). Exit status
as every command: 0 done; 1 refused or partly done (some records unreadable, some packets
refused by the centre, an export cancelled); 2 a set-up or drive error (no drive key yet, a
full or read-only drive), each as a sentence."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from kiosk.cli.common import (
    StationContext,
    acting_user,
    actor_options,
    domain_errors,
    station_options,
)


@click.group("carry")
def carry() -> None:
    """Records to the centre on a drive (flashdisk) when no link exists, and receipts back."""


@carry.command("export")
@station_options
@click.option("--output", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="The drive (or a folder on it); a new ektp-carry-... folder is made there.")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Only records saved on or after this day (YYYY-MM-DD).")
@actor_options("Supervisor user name (their PIN is asked).")
@click.pass_obj
@domain_errors
def carry_export(obj: StationContext, output: Path, since: dt.datetime | None, actor: str,
                 pin_stdin: bool) -> None:
    """Supervisor: write every record the centre does not hold yet onto the drive, sealed
    for the centre; they stay queued for the link."""
    from kiosk.store.keys import get_secret
    from kiosk.sync.carry import CarryFailed, export
    from kiosk.sync.link import signing_key_name

    if not output.is_dir():
        raise click.UsageError(f"{output} bukan folder / is not a folder (plug in the drive)")
    with obj.open_store() as store:
        acting_user(store, actor, pin_stdin, "carry")
        key = get_secret(signing_key_name(store.station_id))
        if not key:
            from kiosk.domain.messages import Msg

            raise CarryFailed(Msg("Stasiun ini belum disiapkan dengan server pusat.",
                                  "This station was never set up with a central server."))

        def shown(done: int, total: int) -> None:
            click.echo(f"\r{done}/{total}", nl=done == total, err=True)

        result = export(store, output, key, since=since.date() if since else None,
                        progress=shown)
    click.echo(f"{len(result.written)} rekaman dibawa / records carried -> {result.folder} "
               f"({result.bytes / 1e6:.1f} MB)")
    for rid in result.unreadable:
        click.echo(f"  tidak terbaca / unreadable: {rid}", err=True)
    if result.unreadable:
        raise SystemExit(1)


@carry.command("receipts")
@station_options
@click.argument("drive", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.pass_obj
@domain_errors
def carry_receipts(obj: StationContext, drive: Path) -> None:
    """Read the centre's receipts from the drive: the records they name become received."""
    from kiosk.sync.carry import apply_receipts

    with obj.open_store() as store:
        result = apply_receipts(store, drive)
    click.echo(f"{len(result.received)} diterima pusat / received by the centre; "
               f"{len(result.already)} sudah sebelumnya / already; "
               f"{len(result.refused)} ditolak / refused")
    for rid, why in result.refused:
        click.echo(f"  ditolak / refused {rid}: {why}", err=True)
    if result.refused:
        raise SystemExit(1)


