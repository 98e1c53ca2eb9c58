"""`kiosk user ...`: station accounts from the shell (a supervisor names themselves --actor).

Every change is made as the supervisor named by --actor, who gives their PIN (asked hidden,
or the first line of stdin with --pin-stdin): `kiosk.app.accounts.act_as` checks the account
is active, the PIN is right (a wrong one counts towards the lockout) and the role may manage
accounts, as the GUI's PIN dialog does. On a station without accounts, `user add` creates the
first supervisor without --actor. The new account's PIN is --pin or asked (twice, hidden).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

import click

from kiosk.cli.common import (
    TEXT,
    StationContext,
    acting_user,
    actor_options,
    domain_errors,
    station_options,
)
from kiosk.domain.days import fmt_local

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from kiosk.store.users import User

F = TypeVar("F", bound=Callable[..., object])
ROLE_CHOICE = click.Choice(["operator", "technician", "supervisor"])
ACTOR_HELP = "Supervisor doing this (their PIN is asked)."


def _pin_option(fn: F) -> F:
    return click.option(
        "--pin", default=None,
        help="The account's new six-digit PIN (asked, hidden, when not given).",
    )(fn)


def _ask_pin(pin: str | None, username: str) -> str:
    if pin is not None:
        return pin
    return click.prompt(f"PIN baru / new PIN {username} (6 angka / digits)", hide_input=True,
                        confirmation_prompt=True, err=True)


def _state(user: User, now: dt.datetime, tz: ZoneInfo) -> str:
    if user.disabled:
        return "nonaktif/disabled"
    if user.locked(now):
        assert user.locked_until is not None
        return f"terkunci/locked s.d./until {fmt_local(user.locked_until, tz)}"
    return "aktif/active"


@click.group()
def user() -> None:
    """Station accounts: add, list, disable, enable, reset PIN, change role."""


@user.command("add")
@station_options
@click.argument("username", type=TEXT)
@click.option("--role", type=ROLE_CHOICE, required=True, help="What the account may do.")
@click.option("--name", "display_name", type=TEXT, required=True,
              help="Full name shown on screens.")
@_pin_option
@actor_options("Supervisor doing this (not needed for the station's first account).",
               required=False)
@click.pass_obj
@domain_errors
def user_add(obj: StationContext, username: str, role: str, display_name: str,
             pin: str | None, actor: str | None, pin_stdin: bool) -> None:
    """Add an account (the first one must be a supervisor)."""
    from kiosk.app import accounts

    # the first supervisor may be made on a new station from a shell (a station set up
    # without a screen); with --actor the station must exist already
    with obj.open_store(create=actor is None) as store:
        if actor is None:
            if accounts.has_any_user(store):
                raise click.UsageError("--actor PENGAWAS wajib / --actor SUPERVISOR is required")
            if role != "supervisor":
                raise click.UsageError("akun pertama harus pengawas / the first account must be a "
                                       "supervisor")
            accounts.create_first_supervisor(store, username, display_name,
                                             _ask_pin(pin, username))
        else:
            supervisor = acting_user(store, actor, pin_stdin, "accounts")
            accounts.create_user(store, supervisor.username, username, display_name, role,
                                 _ask_pin(pin, username))
    click.echo(f"Akun dibuat / account created: {username} ({role})")


@user.command("list")
@station_options
@click.pass_obj
@domain_errors
def user_list(obj: StationContext) -> None:
    """Every account with its role and state."""
    from kiosk.app import accounts

    with obj.open_store(read_only=True) as store:
        now, tz = store.clock(), store.settings.timezone
        for u in accounts.list_users(store):
            click.echo(f"{u.username:<20} {u.role:<11} {_state(u, now, tz):<18} "
                       f"{u.display_name}")


@user.command("disable")
@station_options
@click.argument("username", type=TEXT)
@actor_options(ACTOR_HELP)
@click.pass_obj
@domain_errors
def user_disable(obj: StationContext, username: str, actor: str, pin_stdin: bool) -> None:
    """Stop an account from logging in."""
    from kiosk.app import accounts

    with obj.open_store() as store:
        supervisor = acting_user(store, actor, pin_stdin, "accounts")
        accounts.disable_user(store, supervisor.username, username)
    click.echo(f"Dinonaktifkan / disabled: {username}")


@user.command("enable")
@station_options
@click.argument("username", type=TEXT)
@actor_options(ACTOR_HELP)
@click.pass_obj
@domain_errors
def user_enable(obj: StationContext, username: str, actor: str, pin_stdin: bool) -> None:
    """Let a disabled account log in again."""
    from kiosk.app import accounts

    with obj.open_store() as store:
        supervisor = acting_user(store, actor, pin_stdin, "accounts")
        accounts.enable_user(store, supervisor.username, username)
    click.echo(f"Diaktifkan / enabled: {username}")


@user.command("reset-pin")
@station_options
@click.argument("username", type=TEXT)
@_pin_option
@actor_options(ACTOR_HELP)
@click.pass_obj
@domain_errors
def user_reset_pin(obj: StationContext, username: str, pin: str | None, actor: str,
                   pin_stdin: bool) -> None:
    """Give an account a new PIN and lift its lockout."""
    from kiosk.app import accounts

    with obj.open_store() as store:
        supervisor = acting_user(store, actor, pin_stdin, "accounts")
        accounts.reset_pin(store, supervisor.username, username, _ask_pin(pin, username))
    click.echo(f"PIN diatur ulang / PIN reset: {username}")


@user.command("set-role")
@station_options
@click.argument("username", type=TEXT)
@click.argument("role", type=ROLE_CHOICE)
@actor_options(ACTOR_HELP)
@click.pass_obj
@domain_errors
def user_set_role(obj: StationContext, username: str, role: str, actor: str,
                  pin_stdin: bool) -> None:
    """Change an account's role."""
    from kiosk.app import accounts

    with obj.open_store() as store:
        supervisor = acting_user(store, actor, pin_stdin, "accounts")
        accounts.set_role(store, supervisor.username, username, role)
    click.echo(f"Peran diubah / role changed: {username} -> {role}")
