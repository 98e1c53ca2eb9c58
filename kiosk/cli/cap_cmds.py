"""`kiosk cap`: the daily cap from a shell: show it, override today, change the standing cap.

Changes go through the application layer (`kiosk.app.desk.DeskService.set_cap`) as the
supervisor named by --actor, so the command line makes the checks the GUI makes: the actor is
an active supervisor and gives its PIN (`kiosk.app.accounts.act_as`: asked hidden, or one line
of stdin with --pin-stdin; a wrong one counts towards the lockout), the reason is not blank.
A refusal changes no cap (the PIN check itself is audited).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from kiosk.cli.common import (
    TEXT,
    StationContext,
    acting_user,
    actor_options,
    domain_errors,
    station_options,
)

if TYPE_CHECKING:
    from kiosk.store.cap import CapStatus


@click.group()
def cap() -> None:
    """The daily cap: show, override today, change the standing cap."""


@cap.command("show")
@station_options
@click.pass_obj
@domain_errors
def cap_show(obj: StationContext) -> None:
    """Today's count, cap, and the history of changes."""
    with obj.open_store(read_only=True) as store:
        st = store.cap_status()
        click.echo(f"{st.day}: {st.count} / {st.cap} (standing {st.standing_cap})")
        for row in store.cap_history():
            scope = row["local_date"] or "standing"
            click.echo(f"  {row['ts']}  {scope}  {row['cap']}  {row['actor']}: {row['reason']}")


def _change_cap(obj: StationContext, actor: str, pin_stdin: bool, cap_value: int, reason: str,
                today_only: bool) -> CapStatus:
    """Change the cap as `actor` through the desk service: ReasonRequired for a blank reason
    (before any PIN is asked), then the actor's PIN and role (kiosk.app.accounts.act_as)."""
    from kiosk.app.desk import DeskService, ReasonRequired

    if not reason.strip():
        raise ReasonRequired()
    with obj.open_store() as store:
        user = acting_user(store, actor, pin_stdin, "cap")
        desk = DeskService(store, obj.resolved_config(), user)
        return desk.set_cap(cap_value, reason, today_only=today_only)


@cap.command("override")
@station_options
@click.argument("cap_value", metavar="CAP", type=click.IntRange(1, 1000))
@click.option("--reason", required=True, type=TEXT, help="Why today's cap changes (audited).")
@actor_options("Supervisor user name (their PIN is asked).")
@click.pass_obj
@domain_errors
def cap_override(obj: StationContext, cap_value: int, reason: str, actor: str,
                 pin_stdin: bool) -> None:
    """Supervisor: set today's cap with a reason."""
    status = _change_cap(obj, actor, pin_stdin, cap_value, reason, today_only=True)
    click.echo(f"Batas hari ini / today's cap: {status.cap}")


@cap.command("set")
@station_options
@click.argument("cap_value", metavar="CAP", type=click.IntRange(1, 1000))
@click.option("--reason", required=True, type=TEXT,
              help="Why the standing cap changes (audited).")
@actor_options("Supervisor user name (their PIN is asked).")
@click.pass_obj
@domain_errors
def cap_set(obj: StationContext, cap_value: int, reason: str, actor: str,
            pin_stdin: bool) -> None:
    """Supervisor: change the standing daily cap with a reason."""
    _change_cap(obj, actor, pin_stdin, cap_value, reason, today_only=False)
    click.echo(f"Batas harian / standing cap: {cap_value}")
