"""`kiosk cap`: the daily cap from a shell: show it, override today, change the standing cap."""

from __future__ import annotations

import click

from kiosk.cli.common import StationContext, domain_errors, station_options


@click.group()
def cap() -> None:
    """The daily cap: show, override today, change the standing cap."""


@cap.command("show")
@station_options
@click.pass_obj
@domain_errors
def cap_show(obj: StationContext) -> None:
    """Today's count, cap, and the history of changes."""
    with obj.open_store() as store:
        st = store.cap_status()
        click.echo(f"{st.day}: {st.count} / {st.cap} (standing {st.standing_cap})")
        for row in store.cap_history():
            scope = row["local_date"] or "standing"
            click.echo(f"  {row['ts']}  {scope}  {row['cap']}  {row['actor']}: {row['reason']}")


@cap.command("override")
@station_options
@click.argument("cap_value", metavar="CAP", type=click.IntRange(1, 1000))
@click.option("--reason", required=True, help="Why today's cap changes (audited).")
@click.option("--actor", required=True, help="Supervisor user name.")
@click.pass_obj
@domain_errors
def cap_override(obj: StationContext, cap_value: int, reason: str, actor: str) -> None:
    """Supervisor: set today's cap with a reason."""
    with obj.open_store() as store:
        store.override_cap(cap_value, reason, actor)
        click.echo(f"Batas hari ini / today's cap: {store.cap_status().cap}")


@cap.command("set")
@station_options
@click.argument("cap_value", metavar="CAP", type=click.IntRange(1, 1000))
@click.option("--reason", required=True, help="Why the standing cap changes (audited).")
@click.option("--actor", required=True, help="Supervisor user name.")
@click.pass_obj
@domain_errors
def cap_set(obj: StationContext, cap_value: int, reason: str, actor: str) -> None:
    """Supervisor: change the standing daily cap with a reason."""
    with obj.open_store() as store:
        store.set_standing_cap(cap_value, reason, actor)
        click.echo(f"Batas harian / standing cap: {cap_value}")
