"""`kiosk-central user ...`: the officers of the Disdukcapil console. A password is typed at a
hidden prompt (twice) or read from the first line of standard input (`--password-stdin`),
never given on the command line, where `ps` would show it."""

from __future__ import annotations

import getpass
import os
import sys

import click

from central.officers import ROLES, OfficerError


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Kata sandi / password: ")
    if getpass.getpass("Ulangi / again: ") != first:
        raise click.ClickException("the two passwords differ; nothing was changed")
    return first


def _actor() -> str:
    return os.environ.get("SUDO_USER") or os.environ.get("USER") or "cli"


def _toggle(store_factory, name: str, disabled: bool) -> None:  # type: ignore[no-untyped-def]
    from central.officers import set_disabled

    store = store_factory()
    try:
        set_disabled(store.db, name, disabled, actor=_actor())
    except OfficerError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        store.close()
    click.echo(f"officer {name} {'disabled' if disabled else 'enabled'}")


def _list(store_factory) -> None:  # type: ignore[no-untyped-def]
    from central.officers import list_officers

    store = store_factory()
    try:
        for o in list_officers(store.db):
            state = "disabled" if o["disabled_at"] else (
                f"locked until {o['locked_until']}" if o["locked_until"] else "active")
            click.echo(f"{o['name']}\t{o['role']}\t{o['created_at']}\t{state}")
    finally:
        store.close()


def make_user_group(data_dir_option):  # type: ignore[no-untyped-def]
    """The `user` command group, with the backend options central.cli gives every command."""

    @click.group()
    def user() -> None:
        """Officers of the console: add, list, disable, enable, set a password."""

    @user.command("add")
    @data_dir_option
    @click.argument("name")
    @click.option("--role", type=click.Choice(ROLES), required=True,
                  help="viewer: sees stations and records; approver: also decides and sees "
                       "photos (every decision and photo view is audited).")
    @click.option("--password-stdin", is_flag=True, help="Read the password from stdin.")
    def user_add(store_factory, name: str, role: str,  # type: ignore[no-untyped-def]
                 password_stdin: bool) -> None:
        """Add an officer NAME with a role; the password is asked, never an argument."""
        from central.officers import add_officer

        password = _password(password_stdin)
        store = store_factory()
        try:
            add_officer(store.db, name, role, password, actor=_actor())
        except OfficerError as exc:
            raise click.ClickException(str(exc)) from None
        finally:
            store.close()
        click.echo(f"officer {name} added ({role})")

    @user.command("list")
    @data_dir_option
    def user_list(store_factory) -> None:  # type: ignore[no-untyped-def]
        """Every officer: role, when added, lockout, disabled."""
        _list(store_factory)

    @user.command("disable")
    @data_dir_option
    @click.argument("name")
    def user_disable(store_factory, name: str) -> None:  # type: ignore[no-untyped-def]
        """Disable an officer: their sessions end at once."""
        _toggle(store_factory, name, True)

    @user.command("enable")
    @data_dir_option
    @click.argument("name")
    def user_enable(store_factory, name: str) -> None:  # type: ignore[no-untyped-def]
        """Enable a disabled officer again."""
        _toggle(store_factory, name, False)

    @user.command("set-password")
    @data_dir_option
    @click.argument("name")
    @click.option("--password-stdin", is_flag=True, help="Read the password from stdin.")
    def user_set_password(store_factory, name: str,  # type: ignore[no-untyped-def]
                          password_stdin: bool) -> None:
        """Give an officer a new password (lifts a lockout, ends their sessions)."""
        from central.officers import set_password

        password = _password(password_stdin)
        store = store_factory()
        try:
            set_password(store.db, name, password, actor=_actor())
        except OfficerError as exc:
            raise click.ClickException(str(exc)) from None
        finally:
            store.close()
        click.echo(f"officer {name}: password set")

    return user
