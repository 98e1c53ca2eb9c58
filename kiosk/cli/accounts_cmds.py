"""`kiosk user ...`: station accounts from the shell (a supervisor names themselves --actor).

Every change goes through `kiosk.app.accounts`, which checks that --actor is an active
supervisor (as the GUI checks the logged-in one) and audits it under that name. On a station
without accounts, `user add` creates the first supervisor without --actor.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

import click

from kiosk.cli.common import StationContext, domain_errors, station_options

if TYPE_CHECKING:
    from kiosk.store.users import User

F = TypeVar("F", bound=Callable[..., object])
ROLE_CHOICE = click.Choice(["operator", "technician", "supervisor"])


def _pin_option(fn: F) -> F:
    return click.option(
        "--pin", default=None,
        help="Six-digit PIN (prompted, hidden, when not given).",
    )(fn)


def _ask_pin(pin: str | None) -> str:
    if pin is not None:
        return pin
    return click.prompt("PIN (6 angka / digits)", hide_input=True, confirmation_prompt=True)


def _state(user: User, now: dt.datetime) -> str:
    if user.disabled:
        return "nonaktif/disabled"
    if user.locked(now):
        return "terkunci/locked"
    return "aktif/active"


@click.group()
def user() -> None:
    """Station accounts: add, list, disable, enable, reset PIN, change role."""


@user.command("add")
@station_options
@click.argument("username")
@click.option("--role", type=ROLE_CHOICE, required=True, help="What the account may do.")
@click.option("--name", "display_name", required=True, help="Full name shown on screens.")
@_pin_option
@click.option("--actor", default=None,
              help="Supervisor doing this (not needed for the station's first account).")
@click.pass_obj
@domain_errors
def user_add(obj: StationContext, username: str, role: str, display_name: str,
             pin: str | None, actor: str | None) -> None:
    """Add an account (the first one must be a supervisor)."""
    from kiosk.app import accounts

    with obj.open_store() as store:
        if actor is None:
            if accounts.has_any_user(store):
                raise click.UsageError("--actor SUPERVISOR is required")
            if role != "supervisor":
                raise click.UsageError("the first account must be a supervisor")
            accounts.create_first_supervisor(store, username, display_name, _ask_pin(pin))
        else:
            accounts.create_user(store, actor, username, display_name, role, _ask_pin(pin))
    click.echo(f"Akun dibuat / account created: {username} ({role})")


@user.command("list")
@station_options
@click.pass_obj
@domain_errors
def user_list(obj: StationContext) -> None:
    """Every account with its role and state."""
    from kiosk.app import accounts

    with obj.open_store() as store:
        now = store.clock()
        for u in accounts.list_users(store):
            click.echo(f"{u.username:<20} {u.role:<11} {_state(u, now):<18} {u.display_name}")


@user.command("disable")
@station_options
@click.argument("username")
@click.option("--actor", required=True, help="Supervisor doing this.")
@click.pass_obj
@domain_errors
def user_disable(obj: StationContext, username: str, actor: str) -> None:
    """Stop an account from logging in."""
    from kiosk.app import accounts

    with obj.open_store() as store:
        accounts.disable_user(store, actor, username)
    click.echo(f"Dinonaktifkan / disabled: {username}")


@user.command("enable")
@station_options
@click.argument("username")
@click.option("--actor", required=True, help="Supervisor doing this.")
@click.pass_obj
@domain_errors
def user_enable(obj: StationContext, username: str, actor: str) -> None:
    """Let a disabled account log in again."""
    from kiosk.app import accounts

    with obj.open_store() as store:
        accounts.enable_user(store, actor, username)
    click.echo(f"Diaktifkan / enabled: {username}")


@user.command("reset-pin")
@station_options
@click.argument("username")
@_pin_option
@click.option("--actor", required=True, help="Supervisor doing this.")
@click.pass_obj
@domain_errors
def user_reset_pin(obj: StationContext, username: str, pin: str | None, actor: str) -> None:
    """Give an account a new PIN and lift its lockout."""
    from kiosk.app import accounts

    with obj.open_store() as store:
        accounts.reset_pin(store, actor, username, _ask_pin(pin))
    click.echo(f"PIN diatur ulang / PIN reset: {username}")


@user.command("set-role")
@station_options
@click.argument("username")
@click.argument("role", type=ROLE_CHOICE)
@click.option("--actor", required=True, help="Supervisor doing this.")
@click.pass_obj
@domain_errors
def user_set_role(obj: StationContext, username: str, role: str, actor: str) -> None:
    """Change an account's role."""
    from kiosk.app import accounts

    with obj.open_store() as store:
        accounts.set_role(store, actor, username, role)
    click.echo(f"Peran diubah / role changed: {username} -> {role}")
