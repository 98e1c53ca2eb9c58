"""`kiosk keyring`: which keyring backend really holds the station's secrets.

`keyring.get_keyring()` often names keyring's ChainerBackend, which tries several backends in
turn; this command opens it and shows each one, its priority and whether the station accepts
it (kiosk.store.keys refuses plaintext-file, `fail` and `null` backends and any below priority
1), then the one really used. Exit 0 when there is one; 2 (a set-up error) when there is not.
"""

from __future__ import annotations

import click

from kiosk.cli.common import StationContext, domain_errors, echo_json, station_options


@click.command("keyring")
@station_options
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
@domain_errors
def keyring_info(obj: StationContext, as_json: bool) -> None:
    """Show the keyring backend the station's secrets really go to."""
    from kiosk.store.keys import KeyringUnavailable, describe_keyring

    obj.use_station_keyring()  # a demo data dir's own file keyring, where it has one
    info = describe_keyring()
    if as_json:
        echo_json(info)
    else:
        click.echo(f"keyring.get_keyring(): {info['configured']}")
        for row in info["members"]:  # type: ignore[attr-defined]
            verdict = f"DITOLAK / REFUSED: {row['refused']}" if row["refused"] else "OK"
            click.echo(f"  chain: {row['backend']} (priority {row['priority']}) {verdict}")
        click.echo(f"Dipakai / used: {info['used'] or '-'}")
    if info["used"] is None:
        raise KeyringUnavailable(str(info["problem"]))
