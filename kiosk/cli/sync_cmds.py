"""`kiosk sync` (headless delivery) and `kiosk setup central` (link to the central server)."""

from __future__ import annotations

import sys
import time

import click

from kiosk.cli.common import StationContext, domain_errors, echo_json, station_options


@click.command()
@station_options
@click.option("--once", "mode", flag_value="once", default=True,
              help="One round: find the server, reconcile, send, verify (default).")
@click.option("--until-idle", "mode", flag_value="until-idle",
              help="Keep going until every saved record is received and verified.")
@click.option("--timeout", type=click.FloatRange(0), default=None,
              help="With --until-idle: give up (exit 1) after this many seconds.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
@domain_errors
def sync(obj: StationContext, mode: str, timeout: float | None, as_json: bool) -> None:
    """Deliver saved records to the central server, headless."""
    from kiosk.sync.engine import ONLINE, run_until_idle
    from kiosk.sync.link import open_engine

    started = time.monotonic()
    with obj.open_store() as store:
        engine = open_engine(store)
        try:
            if mode == "until-idle":
                ok = run_until_idle(engine, timeout if timeout is not None else float("inf"))
            else:
                engine.step()
                ok = engine.link == ONLINE
            st = engine.state()
        finally:
            engine.close()
    result = {
        "ok": ok, "mode": mode, "link": st.link, "backlog": st.backlog,
        "last_success": st.last_success, "detail": st.detail,
        "seconds": round(time.monotonic() - started, 3),
    }
    if as_json:
        echo_json(result)
    else:
        click.echo(f"Server: {st.link}" + (f" ({st.detail})" if st.detail else ""))
        click.echo("Antrean / backlog: " + ", ".join(f"{k} {v}" for k, v in st.backlog.items()))
        if mode == "until-idle" and not ok:
            click.echo("Waktu habis sebelum semua terkirim / timed out before all were "
                       "delivered.", err=True)
    sys.exit(0 if ok else 1)


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

    with obj.open_store() as store:
        info = setup_central(store, obj.resolved_config(), url, token)
    if as_json:
        echo_json(info)
    else:
        click.echo(f"Terhubung / linked: {info['server_url']}")
        click.echo(f"Kunci server dipasang / server key pinned: {info['server_public_key']}")
