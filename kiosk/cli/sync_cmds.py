"""`kiosk sync` (headless delivery) and `kiosk setup central` (link to the central server)."""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import click

from kiosk.cli.common import StationContext, domain_errors, echo_json, station_options
from kiosk.cli.sentences import with_action
from kiosk.domain.messages import DomainError

SYNC_HELP = """Deliver saved records to the central server, headless.

\b
Exit status:
  0  --until-idle: idle (nothing queued or unverified, and a full
     reconciliation with the server succeeded); --once: the server answered
  1  not idle when --timeout ran out, or only records that cannot be read
     are left (the reason is printed); --once: the server did not answer
  2  set-up error: the server link is not set up, or the settings are wrong
"""


@click.command(help=SYNC_HELP)
@station_options
@click.option("--once", "mode", flag_value="once", default=True,
              help="One round: find the server, reconcile, send, verify (default).")
@click.option("--until-idle", "mode", flag_value="until-idle",
              help="Keep going until idle: every record received and verified, and a full "
                   "reconciliation done.")
@click.option("--timeout", type=click.FloatRange(0), default=None,
              help="With --until-idle: give up (exit 1) after this many seconds.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
@domain_errors
def sync(obj: StationContext, mode: str, timeout: float | None, as_json: bool) -> None:
    from kiosk.sync.engine import ONLINE, run_until_idle

    started = time.monotonic()
    with _station_log() as log_path, _set_up(obj) as engine:
        if mode == "until-idle":
            ok = run_until_idle(engine, timeout if timeout is not None else float("inf"))
        else:
            engine.step()
            ok = engine.link == ONLINE
        st = engine.last_state
    why = [] if ok else st.why_not_idle()
    result = {
        "ok": ok, "mode": mode, "link": st.link, "backlog": st.backlog,
        "last_success": st.last_success, "detail": st.detail, "reconciled": st.reconciled,
        "faulted": list(st.faulted), "why": [f"{m.id} / {m.en}" for m in why],
        "seconds": round(time.monotonic() - started, 3),
    }
    if as_json:
        echo_json(result)
    else:
        click.echo(f"Server: {st.link}" + (f" ({st.detail})" if st.detail else ""))
        click.echo("Antrean / backlog: " + ", ".join(f"{k} {v}" for k, v in st.backlog.items()))
        if not ok:
            click.echo("Belum selesai / not done:", err=True)
        for m in why:
            click.echo(f"- {m.id}\n  {m.en}", err=True)
        if not ok:
            click.echo(f"Log: {log_path}", err=True)
    sys.exit(0 if ok else 1)


@contextlib.contextmanager
def _station_log() -> Iterator[Path]:
    """What the engine logs (a fault's traceback, say) goes to the station log the GUI
    writes too, not to the terminal: the person reads the sentences above."""
    import platformdirs

    from kiosk.paths import APP_NAME

    path = Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)) / "kiosk.log"
    logger = logging.getLogger("kiosk")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
    except OSError:
        handler = logging.NullHandler()  # no log folder: the sentences still say what is wrong
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    try:
        yield path
    finally:
        logger.removeHandler(handler)
        handler.close()


@contextlib.contextmanager
def _set_up(obj: StationContext) -> Iterator[Any]:
    """The store and an engine on it, closed after; exit 2 when either cannot be had."""
    from kiosk.settings import SettingsError
    from kiosk.sync.link import open_engine

    try:
        store = obj.open_store()
    except (DomainError, SettingsError, click.ClickException) as exc:
        _setup_error(exc)
    try:
        try:
            engine = open_engine(store)
        except (DomainError, SettingsError) as exc:
            _setup_error(exc)
        try:
            yield engine
        finally:
            engine.close()
    finally:
        store.close()


def _setup_error(exc: Exception) -> NoReturn:
    if isinstance(exc, DomainError):
        exc = with_action(exc)
        click.echo(exc.msg.id, err=True)
        click.echo(exc.msg.en, err=True)
    else:
        text = exc.format_message() if isinstance(exc, click.ClickException) else str(exc)
        click.echo(f"Pengaturan salah / bad settings: {text}", err=True)
    raise SystemExit(2) from None


@click.group()
def setup() -> None:
    """One-time station set-up."""


@setup.command("central")
@station_options
@click.argument("url")
@click.argument("token")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
@domain_errors
def setup_central_cmd(obj: StationContext, url: str, token: str, as_json: bool) -> None:
    """Store the token and signing key in the keyring, register with the server, pin its key."""
    from kiosk.sync.link import setup_central

    with obj.open_store(create=True) as store:  # set-up: may come before the first run
        info = setup_central(store, obj.resolved_config(), url, token)
    if as_json:
        echo_json(info)
    else:
        click.echo(f"Terhubung / linked: {info['server_url']}")
        click.echo(f"Kunci server dipasang / server key pinned: {info['server_public_key']}")
