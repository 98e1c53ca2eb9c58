"""`kiosk`: the GUI by default, subcommands for headless work.

Every subcommand takes `--data-dir` and `--config` (also accepted before the subcommand).
Subcommands live in small modules that each expose `register(group)`.
"""

from __future__ import annotations

import sys

import click

from kiosk import __version__
from kiosk.cli.common import StationContext, station_options


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="kiosk")
@station_options
@click.option(
    "--demo", is_flag=True, help="Simulated devices, a local central server, demo accounts."
)
@click.option(
    "--kiosk", "kiosk_mode", is_flag=True, help="Full screen; only a supervisor can leave."
)
@click.pass_context
def cli(ctx: click.Context, demo: bool, kiosk_mode: bool, **_: object) -> None:
    """e-KTP recording station. With no subcommand: open the station (GUI)."""
    ctx.ensure_object(StationContext)
    if ctx.invoked_subcommand is not None:
        return
    from kiosk.cli import app_cmds

    sys.exit(app_cmds.start(ctx.obj, demo=demo, kiosk_mode=kiosk_mode))


def _register_all() -> None:
    """Every `kiosk/cli/*_cmds.py` module adds its commands."""
    import importlib
    import pkgutil

    import kiosk.cli as pkg

    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        if info.name.endswith("_cmds"):
            importlib.import_module(f"kiosk.cli.{info.name}").register(cli)


_register_all()


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    cli.main(args=argv, prog_name="kiosk")
