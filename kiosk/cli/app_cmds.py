"""Starting the station GUI: the real one, or `--demo` on a demo data dir with synthetic data.

No subcommand here: `kiosk` with no subcommand calls `start`. The GUI may make a station
where there is none (its first-run set-up does); the demo's data dir, settings file and file
keyring are made by StationContext.prepare_demo, which marks the folder so that every later
`kiosk --demo ...` or `kiosk --data-dir <that folder> ...` finds its keyring.
"""

from __future__ import annotations

import click

from kiosk.cli.common import StationContext
from kiosk.cli.records_cmds import demo_data

DEMO_RECORDS = 12


def start(obj: StationContext, *, demo: bool, kiosk_mode: bool) -> int:
    """Open the station window (`--demo`: demo data dir, simulated devices, local server)."""
    if demo:
        obj.prepare_demo()
        with obj.open_store(create=True) as store:
            if store.cap_status().count == 0:
                click.echo(f"Membuat {DEMO_RECORDS} rekaman demo / making demo recordings...")
                ctx = click.get_current_context()
                ctx.invoke(demo_data, count=DEMO_RECORDS, day=None, operator="demo")
    else:
        obj.use_station_keyring()  # a demo data dir given with --data-dir: its keyring
    from kiosk.ui.qt_app import run_gui  # Qt is loaded only when the GUI opens

    return run_gui(obj.resolved_data_dir(), obj.resolved_config(), demo=demo,
                   kiosk_mode=kiosk_mode)
