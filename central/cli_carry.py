"""`kiosk-central carry import DIR`: records carried on a drive (central/carry.py)."""

from __future__ import annotations

import datetime as dt
import getpass
import json
from pathlib import Path
from typing import Any

import click


def make_carry_group(data_dir_option):  # type: ignore[no-untyped-def]
    """The `carry` command group, with the backend options central.cli gives every command."""

    @click.group()
    def carry() -> None:
        """Records brought on a drive from stations without a link."""

    @carry.command("import")
    @data_dir_option
    @click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
    @click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
    def carry_import(store_factory, folder: Path,  # type: ignore[no-untyped-def]
                     as_json: bool) -> None:
        """Import every export folder found in FOLDER (the drive, or one export on it) and
        write its signed receipts file back into it. Exit 0 when every packet was taken
        (imported, or already held), 1 when some were refused (each named, with why), 2
        when nothing could be read."""
        from central.carry import export_folders, import_folder

        folders = export_folders(folder)
        if not folders:
            raise click.ClickException(f"no carried records in {folder} (no ektp-carry folder "
                                       "with an index.json)")
        store = store_factory()
        try:
            results = [import_folder(store, f) for f in folders]
            _listed(store, results)
        except OSError as exc:
            raise click.ClickException(f"the drive could not be read or written: "
                                       f"{exc.strerror or exc}") from None
        finally:
            store.close()
        refused = sum(r.count("refused") for r in results)
        if as_json:
            click.echo(json.dumps([{"folder": str(r.folder), "station": r.station,
                                    "outcomes": [o.to_json() for o in r.outcomes]}
                                   for r in results], indent=2))
        else:
            for r in results:
                click.echo(f"{r.folder.name} ({r.station or 'unknown station'}): "
                           f"{r.count('imported')} imported, {r.count('already')} already "
                           f"held, {r.count('refused')} refused")
                for o in r.outcomes:
                    if o.outcome == "refused":
                        click.echo(f"  refused {o.name}: {o.to_json()['message']}")
        raise SystemExit(1 if refused else 0)

    return carry


def _listed(store: Any, results: list[Any]) -> None:
    """Each folder imported here joins the console's list of drive imports (carry_imports),
    its receipts downloadable there, with who ran it: the system account, by the command."""
    from central.web.console_carry import ImportLog
    from ektp_protocol import carry

    log = ImportLog(store.db)
    at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    for r in results:
        log.add((r.folder / carry.RECEIPTS).read_bytes(), {
            "at": at, "folder": r.folder.name, "station": r.station,
            "officer": f"{getpass.getuser()} (kiosk-central carry import)",
            **{k: r.count(k) for k in ("imported", "already", "refused")}})
