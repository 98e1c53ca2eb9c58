"""`kiosk`: the GUI by default, subcommands for headless work.

Every subcommand takes `--data-dir`, `--config` and `--demo` (also accepted before the
subcommand); only the GUI's first run, `demo-data`, `user add` of the first supervisor,
`setup central` and `selftest` (the install check) may make a station where there is none
(kiosk.cli.common.open_store).
Subcommands are module-level click commands in small modules by subject (`*_cmds.py`);
`COMMANDS` below names each one the group adds. Those modules import nothing heavy at the
top: the store, numpy, OpenCV and Qt load inside a command's body, so `kiosk --help` stays
quick.
"""

from __future__ import annotations

import sys

import click

from kiosk import __version__
from kiosk.cli import (
    accounts_cmds,
    backup_cmds,
    cap_cmds,
    carry_cmds,
    db_cmds,
    device_cmds,
    export_cmds,
    keyring_cmds,
    receipt_cmds,
    records_cmds,
    sync_cmds,
)
from kiosk.cli.common import StationContext, domain_errors, report_unexpected, station_options


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="kiosk")
@station_options
@click.option(
    "--kiosk", "kiosk_mode", is_flag=True, help="Full screen; only a supervisor can leave."
)
@click.pass_context
def cli(ctx: click.Context, kiosk_mode: bool, **_: object) -> None:
    """e-KTP recording station. With no subcommand: open the station (GUI).

    --demo before or after a subcommand means the demo station's data dir, settings and
    keyring."""
    ctx.ensure_object(StationContext)
    if ctx.invoked_subcommand is not None:
        return
    from kiosk.cli import app_cmds

    start = domain_errors(app_cmds.start)  # a wrong data dir or settings file: a sentence
    sys.exit(start(ctx.obj, demo=ctx.obj.demo, kiosk_mode=kiosk_mode))


COMMANDS: tuple[click.Command, ...] = (
    records_cmds.summary,
    records_cmds.demo_data,
    records_cmds.status,
    cap_cmds.cap,
    db_cmds.db,
    db_cmds.audit,
    device_cmds.selftest,
    device_cmds.devices,
    export_cmds.export,
    receipt_cmds.receipt,
    sync_cmds.sync,
    sync_cmds.setup,
    accounts_cmds.user,
    keyring_cmds.keyring_info,
    backup_cmds.backup,
    backup_cmds.restore,
    carry_cmds.carry,
)
for command in COMMANDS:
    cli.add_command(command)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point. Commands report their own failures (common.domain_errors);
    anything that still escapes is logged and reported the same way, never as a traceback."""
    try:
        cli.main(args=argv, prog_name="kiosk")
    except Exception as exc:
        sys.exit(report_unexpected(exc))
