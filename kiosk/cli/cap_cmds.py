"""`kiosk cap`: the daily cap from a shell: show it, override today, change the standing cap.

Changes go through the application layer (`kiosk.app.desk.DeskService.set_cap`) as the
supervisor named by --actor, so the command line makes the checks the GUI makes: the actor is
an active supervisor and gives its PIN (`kiosk.app.accounts.act_as`: asked hidden, or one line
of stdin with --pin-stdin; a wrong one counts towards the lockout), the reason is not blank.
A refusal changes no cap (the PIN check itself is audited).
"""

from __future__ import annotations

import datetime as dt
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
    from kiosk.domain.days import fmt_day, fmt_local

    with obj.open_store(read_only=True) as store:
        st = store.cap_status()
        tz = store.settings.timezone
        click.echo(f"{fmt_day(st.day)}: {st.count} / {st.cap} (standing {st.standing_cap})")
        for row in store.cap_history():
            scope = (fmt_day(dt.date.fromisoformat(row["local_date"])) if row["local_date"]
                     else "standing")
            click.echo(f"  {fmt_local(row['ts'], tz)}  {scope}  {row['cap']}  {row['actor']}: "
                       f"{row['reason']}")


def _change_cap(obj: StationContext, actor: str, pin_stdin: bool, cap_value: int, reason: str,
                today_only: bool, yes: bool = False) -> CapStatus:
    """Change the cap as `actor` through the desk service: ReasonRequired for a blank reason
    (before any PIN is asked), then the actor's PIN and role (kiosk.app.accounts.act_as)."""
    from kiosk.app.desk import CapBelowToday, DeskService, ReasonRequired, cap_warning
    from kiosk.domain.messages import Msg

    if not reason.strip():
        raise ReasonRequired()
    with obj.open_store() as store:
        warning = cap_warning(store.cap_status(), cap_value, today_only)
        if warning is not None and not yes:  # said before the PIN is asked; nothing changed
            raise CapBelowToday(Msg(f"{warning.id} Bila memang dimaksud, ulangi dengan --yes.",
                                    f"{warning.en} If that is intended, run again with --yes."))
        user = acting_user(store, actor, pin_stdin, "cap")
        desk = DeskService(store, obj.resolved_config(), user)
        return desk.set_cap(cap_value, reason, today_only=today_only, confirmed=yes)


@cap.command("override")
@station_options
@click.argument("cap_value", metavar="CAP", type=click.IntRange(1, 1000))
@click.option("--reason", required=True, type=TEXT, help="Why today's cap changes (audited).")
@click.option("--yes", is_flag=True,
              help="Set it even at or below today's count (recording stops for today).")
@actor_options("Supervisor user name (their PIN is asked).")
@click.pass_obj
@domain_errors
def cap_override(obj: StationContext, cap_value: int, reason: str, yes: bool, actor: str,
                 pin_stdin: bool) -> None:
    """Supervisor: set today's cap with a reason."""
    status = _change_cap(obj, actor, pin_stdin, cap_value, reason, today_only=True, yes=yes)
    click.echo(f"Batas hari ini / today's cap: {status.cap}")


@cap.command("set")
@station_options
@click.argument("cap_value", metavar="CAP", type=click.IntRange(1, 1000))
@click.option("--reason", required=True, type=TEXT,
              help="Why the standing cap changes (audited).")
@click.option("--yes", is_flag=True,
              help="Set it even at or below today's count (recording stops for today).")
@actor_options("Supervisor user name (their PIN is asked).")
@click.pass_obj
@domain_errors
def cap_set(obj: StationContext, cap_value: int, reason: str, yes: bool, actor: str,
            pin_stdin: bool) -> None:
    """Supervisor: change the standing daily cap with a reason."""
    _change_cap(obj, actor, pin_stdin, cap_value, reason, today_only=False, yes=yes)
    click.echo(f"Batas harian / standing cap: {cap_value}")
