"""Starting the station GUI: the real one, or `--demo` on a demo data dir with synthetic data.

No subcommand here: `kiosk` with no subcommand calls `start`.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from kiosk.cli.common import StationContext
from kiosk.cli.records_cmds import demo_data
from kiosk.paths import demo_data_dir

DEMO_RECORDS = 12


def prepare_demo(obj: StationContext) -> None:
    """Point the context at the demo data dir with its own file keyring (synthetic data only)."""
    data_dir = obj.data_dir or demo_data_dir()
    obj.data_dir = data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    # The demo's secrets sit beside (not inside) its data dir, in a 0600 file: there is no
    # OS keyring on a bare test machine, and the demo holds invented applicants only.
    import keyring  # here, not at the top: `kiosk --help` and start-up stay quick

    from kiosk.store.keys import FileKeyring

    keyring_file = Path(str(data_dir) + "-keyring.json")
    os.environ["KIOSK_KEYRING_FILE"] = str(keyring_file)
    keyring.set_keyring(FileKeyring(keyring_file))


def start(obj: StationContext, *, demo: bool, kiosk_mode: bool) -> int:
    """Open the station window (`--demo`: demo data dir, simulated devices, local server)."""
    if demo:
        prepare_demo(obj)
        assert obj.data_dir is not None
        # The demo keeps its settings beside its data, never in the real station's file.
        local = obj.data_dir / "settings.toml"
        local.touch(exist_ok=True)
        with obj.open_store() as store:
            if store.cap_status().count == 0:
                click.echo(f"Membuat {DEMO_RECORDS} rekaman demo / making demo recordings...")
                ctx = click.get_current_context()
                ctx.invoke(demo_data, count=DEMO_RECORDS, day=None, operator="demo")
    from kiosk.ui.qt_app import run_gui  # Qt is loaded only when the GUI opens

    return run_gui(obj.resolved_data_dir(), obj.resolved_config(), demo=demo,
                   kiosk_mode=kiosk_mode)
