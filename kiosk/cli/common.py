"""Shared CLI plumbing: --data-dir/--config on every command, opening the store, output."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from kiosk.domain.messages import DomainError
from kiosk.paths import default_config_file, default_data_dir
from kiosk.settings import Settings, SettingsError

if TYPE_CHECKING:
    from kiosk.store.station import Store


@dataclass
class StationContext:
    """What every command needs: where the data and the settings are."""

    data_dir: Path | None = None
    config: Path | None = None

    def resolved_data_dir(self) -> Path:
        """The data dir given on the command line, else the platform's."""
        return self.data_dir or default_data_dir()

    def resolved_config(self) -> Path:
        """The settings file: --config, else the data dir's own, else the platform's."""
        if self.config:
            return self.config
        if self.data_dir:
            # a data dir given on the command line brings its own settings file, if it has one
            local = self.data_dir / "settings.toml"
            if local.exists():
                return local
        return default_config_file()

    def settings(self) -> Settings:
        """The settings, a readable error (not a traceback) when the file is wrong."""
        try:
            return Settings.load(self.resolved_config())
        except SettingsError as exc:
            raise click.ClickException(str(exc)) from None

    def open_store(self) -> Store:
        """The station's store (imported here, not at the top: keeps `kiosk --help` fast)."""
        from kiosk.store.station import Store

        return Store(self.resolved_data_dir(), self.settings())


def _remember(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    # eager callbacks run as each option is parsed, on the group and on the subcommand alike,
    # so the value given last (nearest the command) is the one kept
    if value is None:
        return value
    obj = ctx.ensure_object(StationContext)
    setattr(obj, param.name or "", Path(value))
    return value


def station_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Add --data-dir and --config; the value given last (nearest the command) wins."""
    fn = click.option(
        "--config",
        type=click.Path(dir_okay=False),
        callback=_remember,
        expose_value=False,
        is_eager=True,
        help="Settings TOML file (default: the platform config dir).",
    )(fn)
    fn = click.option(
        "--data-dir",
        type=click.Path(file_okay=False),
        callback=_remember,
        expose_value=False,
        is_eager=True,
        help="Station data directory (default: the platform data dir).",
    )(fn)
    return fn


def domain_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn named domain errors into a readable message and exit status 1."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except DomainError as exc:
            click.echo(exc.msg.id, err=True)
            click.echo(exc.msg.en, err=True)
            raise SystemExit(1) from None
        except SettingsError as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper


def echo_json(obj: Any) -> None:
    click.echo(json.dumps(obj, indent=2, ensure_ascii=False, default=str))
