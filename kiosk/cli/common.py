"""Shared CLI plumbing: --data-dir/--config on every command, opening the store, the acting
account and its PIN, checked text options, output, and the exit status of every failure.

Exit status: 0 done; 1 refused (permission, wrong PIN, locked account, cap reached, a check
that found faults); 2 a set-up or usage error (a value that cannot be used, a settings file,
data dir, region table or keyring that is not right: fix it and run again); 70 an unexpected
error (logged with its traceback to the station log, never shown raw).
"""

from __future__ import annotations

import functools
import json
import logging
import logging.handlers
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from kiosk.cli.sentences import NoStationHere, with_action
from kiosk.domain.messages import DomainError, Msg
from kiosk.paths import APP_NAME, default_config_file, default_data_dir, demo_data_dir
from kiosk.settings import Settings, SettingsError

if TYPE_CHECKING:
    from kiosk.store.station import Store
    from kiosk.store.users import User

REFUSED, SETUP_ERROR, UNEXPECTED = 1, 2, 70
# Named errors that mean "what was typed, or how this station is set up, cannot work" (exit
# 2); every other DomainError is a refusal (exit 1). Named by module and class, so that this
# module (loaded by `kiosk --help`) imports none of them; tests/cli checks each name exists.
SETUP_ERRORS = frozenset({
    "kiosk.app.desk.ReasonRequired",
    "kiosk.app.pins.InvalidPin",
    "kiosk.app.accounts.InvalidUsername",
    "kiosk.app.accounts.InvalidDisplayName",
    "kiosk.app.accounts.InvalidRole",
    "kiosk.app.accounts.InvalidSetup",
    "kiosk.store.keys.KeyringUnavailable",
    "kiosk.store.keys.DataKeyInvalid",
    "kiosk.store.keys.DataKeyMismatch",
    "kiosk.domain.regions.RegionTableError",
    "kiosk.store.errors.DataDirRefused",
    "kiosk.store.errors.DatabaseMissing",
    "kiosk.export.rows.InvalidExportRange",
    "kiosk.export.common.ExportTargetRefused",
    "kiosk.cli.common.SettingsUnusable",
    "kiosk.cli.common.PinNotGiven",
    "kiosk.cli.sentences.NoStationHere",
})
log = logging.getLogger("kiosk.cli")


class SettingsUnusable(DomainError):
    def __init__(self, path: Path, detail: str) -> None:
        super().__init__(Msg(
            f"Berkas pengaturan {path} tidak bisa dipakai; perbaiki lalu jalankan lagi. "
            f"Rincian: {detail}",
            f"The settings file {path} cannot be used; fix it and run again. Detail: {detail}",
        ))


class PinNotGiven(DomainError):
    def __init__(self) -> None:
        super().__init__(Msg(
            "PIN pelaku tidak dimasukkan. Jalankan di terminal untuk mengetik PIN, atau "
            "berikan PIN di baris pertama masukan dengan --pin-stdin.",
            "The actor's PIN was not given. Run in a terminal to type it, or give it on the "
            "first line of standard input with --pin-stdin.",
        ))


@dataclass
class StationContext:
    """What every command needs: where the data and the settings are (--demo: the demo's)."""

    data_dir: Path | None = None
    config: Path | None = None
    demo: bool = False

    def resolved_data_dir(self) -> Path:
        """The data dir given on the command line, else the demo's (--demo), else the
        platform's."""
        if self.data_dir:
            return self.data_dir
        return demo_data_dir() if self.demo else default_data_dir()

    def resolved_config(self) -> Path:
        """The settings file: --config, else the data dir's own (a demo's always), else the
        platform's."""
        if self.config:
            return self.config
        if self.data_dir or self.demo:
            # a data dir given on the command line brings its own settings file, if it has
            # one; the demo keeps its settings beside its data, never in the real station's
            local = self.resolved_data_dir() / "settings.toml"
            if local.is_file() or self.demo:
                return local
        return default_config_file()

    def settings(self) -> Settings:
        """The settings; SettingsUnusable (a sentence, exit 2) when the file is wrong."""
        path = self.resolved_config()
        try:
            return Settings.load(path)
        except SettingsError as exc:
            raise SettingsUnusable(path, str(exc)) from None
        except (IsADirectoryError, PermissionError, NotADirectoryError) as exc:
            raise SettingsUnusable(path, exc.strerror or type(exc).__name__) from None

    def use_station_keyring(self) -> None:
        """A demo's data dir brings its demo keyring (the marker `kiosk --demo` wrote there,
        kiosk.store.keys); any other keeps the system's."""
        from kiosk.store.keys import demo_keyring_file, marked_demo_keyring, use_file_keyring

        folder = self.resolved_data_dir()
        key_file = marked_demo_keyring(folder)
        if key_file is None and self.demo:  # a demo dir made before the marker existed
            key_file = demo_keyring_file(folder)
        if key_file is not None:
            use_file_keyring(key_file)

    def prepare_demo(self) -> None:
        """Make the demo's data dir (--data-dir, else the platform's demo dir) with its own
        settings file and its file keyring beside it, marked so that every later opening of
        that folder finds them (synthetic data only: there is no OS keyring on a bare test
        machine)."""
        from kiosk.store.keys import mark_demo_keyring, use_file_keyring

        self.demo = True
        data_dir = self.resolved_data_dir()
        data_dir.mkdir(parents=True, exist_ok=True)
        (data_dir / "settings.toml").touch(exist_ok=True)
        use_file_keyring(mark_demo_keyring(data_dir))

    def open_store(self, *, read_only: bool = False, create: bool = False) -> Store:
        """The station's store (imported here, not at the top: keeps `kiosk --help` fast).

        `read_only` for the commands that only look (summary, status, db check, audit, cap
        show): no migration, no write lock, works on a full disk. `create` only for the
        commands that may make a station (the GUI's first run, demo-data, the first
        supervisor, setup central, selftest: set-up steps): every other one is NoStationHere
        where there is no station database, so a command asked to read never leaves an empty
        station behind. A data dir that cannot
        be one (a file, under a file, /dev) is DataDirRefused."""
        from kiosk.store.station import Store

        if create:
            if self.demo:
                self.prepare_demo()
            self.use_station_keyring()
            folder = self.resolved_data_dir()
        else:
            folder = self.station_dir()
            # a database anchored here but gone: the read-only opening names it replaced
            read_only = read_only or not (folder / "station.db").exists()
        return Store(folder, self.settings(), read_only=read_only)

    def station_dir(self) -> Path:
        """The data dir of a station that exists (its keyring chosen, use_station_keyring);
        NoStationHere where there is no station database and none was ever anchored."""
        from kiosk.store import anchors, datadir
        from kiosk.store.db import DB_NAME

        folder = self.resolved_data_dir()
        self.use_station_keyring()
        path = datadir.prepare(folder, DB_NAME, create=False)
        if not path.exists() and not anchors.was_here(folder):
            raise NoStationHere(folder.absolute(), self.demo)
        return folder


def _remember(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    # eager callbacks run as each option is parsed, on the group and on the subcommand alike,
    # so the value given last (nearest the command) is the one kept
    if value is None:
        return value
    obj = ctx.ensure_object(StationContext)
    setattr(obj, param.name or "", Path(value))
    return value


def _remember_demo(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    if value:
        ctx.ensure_object(StationContext).demo = True
    return value


def station_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Add --data-dir, --config and --demo; the value given last (nearest the command)
    wins."""
    fn = click.option(
        "--demo", is_flag=True, callback=_remember_demo, expose_value=False, is_eager=True,
        help="The demo station: its data dir, settings and keyring (with no subcommand: "
             "simulated devices, a local central server, demo accounts).",
    )(fn)
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


# --- checked values ---------------------------------------------------------------------


class Text(click.ParamType):
    """Text that can be stored: bytes that are not UTF-8 (a wrong terminal encoding) are a
    usage error (exit 2), not a traceback from the database."""

    name = "text"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None
                ) -> str:
        text = str(value)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            self.fail("teks ini bukan UTF-8; ketik ulang dengan pengodean terminal UTF-8 / "
                      "this text is not UTF-8; type it again with a UTF-8 terminal encoding",
                      param, ctx)
        return text


class Count(click.ParamType):
    """A whole number from `low` to `high`, refused in both languages (exit 2)."""

    name = "integer"

    def __init__(self, low: int, high: int) -> None:
        self.low, self.high = low, high

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None
                ) -> int:
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = None
        if number is None or not self.low <= number <= self.high:
            self.fail(f"harus bilangan bulat {self.low}-{self.high} / must be a whole number "
                      f"from {self.low} to {self.high} ({value!r})", param, ctx)
        return number


TEXT = Text()


# --- the acting account -----------------------------------------------------------------


def actor_options(help_actor: str, required: bool = True
                  ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """--actor NAME and --pin-stdin: who acts, and where their PIN comes from."""

    def add(fn: Callable[..., Any]) -> Callable[..., Any]:
        fn = click.option(
            "--pin-stdin", is_flag=True,
            help="Read the actor's PIN from the first line of standard input (scripts); "
                 "otherwise it is asked, hidden.",
        )(fn)
        return click.option("--actor", required=required, default=None, type=TEXT,
                            help=help_actor)(fn)

    return add


def read_actor_pin(actor: str, pin_stdin: bool) -> str:
    """The actor's PIN: one line of stdin with --pin-stdin, else a hidden prompt."""
    if pin_stdin:
        line = sys.stdin.readline()
        if not line:
            raise PinNotGiven()
        return line.rstrip("\r\n")
    try:
        return click.prompt(f"PIN {actor}", hide_input=True, err=True)
    except click.Abort:
        raise PinNotGiven() from None


def acting_user(store: Store, actor: str, pin_stdin: bool, action: str) -> User:
    """`actor`, checked by kiosk.app.accounts.act_as (active, the role, the PIN) as the GUI
    checks its PIN dialog: LoginFailed / AccountLocked / PermissionDenied otherwise."""
    from kiosk.app import accounts

    return accounts.act_as(store, actor, read_actor_pin(actor, pin_stdin), action)


# --- failures -----------------------------------------------------------------------------


def exit_status(exc: DomainError) -> int:
    """SETUP_ERROR for the named set-up and usage errors (and their subclasses), else
    REFUSED."""
    names = {f"{c.__module__}.{c.__qualname__}" for c in type(exc).__mro__}
    return SETUP_ERROR if names & SETUP_ERRORS else REFUSED


def log_file() -> Path:
    """The station log the GUI writes too (kiosk.ui.qt_app.setup_logging)."""
    import platformdirs

    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)) / "kiosk.log"


def report_unexpected(exc: BaseException) -> int:
    """Log `exc` with its traceback to the station log and say so in a sentence."""
    detail = "".join(traceback.format_exception(exc))
    path = log_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000,
                                                       backupCount=5, encoding="utf-8")
    except OSError:
        where_id = where_en = f"({type(exc).__name__}: {exc})"
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        log.addHandler(handler)
        log.error("unexpected error in `kiosk %s`:\n%s", " ".join(sys.argv[1:]), detail)
        log.removeHandler(handler)
        handler.close()
        where_id, where_en = f"rinciannya ada di log {path}", f"the details are in the log {path}"
    click.echo(f"Kesalahan tak terduga; {where_id}. Hubungi teknisi.", err=True)
    click.echo(f"Unexpected error; {where_en}. Call the technician.", err=True)
    return UNEXPECTED


def domain_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The CLI boundary: a named domain error becomes its sentence in both languages and exit
    1 (refused) or 2 (set-up/usage); anything unexpected is logged and exits 70."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except DomainError as exc:
            exc = with_action(exc)
            click.echo(exc.msg.id, err=True)
            click.echo(exc.msg.en, err=True)
            raise SystemExit(exit_status(exc)) from None
        except SettingsError as exc:  # a value read from the file only when used (time zone)
            click.echo(f"Pengaturan tidak bisa dipakai; perbaiki lalu jalankan lagi: {exc}",
                       err=True)
            click.echo(f"A setting cannot be used; fix it and run again: {exc}", err=True)
            raise SystemExit(SETUP_ERROR) from None
        except (click.ClickException, click.Abort, click.exceptions.Exit):
            raise
        except Exception as exc:
            raise SystemExit(report_unexpected(exc)) from None

    return wrapper


def echo_json(obj: Any) -> None:
    click.echo(json.dumps(obj, indent=2, ensure_ascii=False, default=str))
