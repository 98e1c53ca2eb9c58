"""`kiosk selftest` and `kiosk devices`: device, link, disk and database checks from a shell."""

from __future__ import annotations

import sys

import click

from kiosk.cli.common import StationContext, domain_errors, echo_json, station_options
from kiosk.selftest import CHECK_NAMES


@click.command()
@station_options
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--check", "names", multiple=True, type=click.Choice(CHECK_NAMES),
              help="Run only this check (repeatable).")
@click.pass_obj
@domain_errors
def selftest(obj: StationContext, as_json: bool, names: tuple[str, ...]) -> None:
    """Camera, fingerprint scanner, signature input, server, disk, database.

    Exits 0 only when every check passes; the results are stored with a timestamp. On the
    demo's data dir the demo's simulated devices and server are checked. A device in use by
    another program (the station window) is reported busy (SIBUK), not failed.
    """
    from kiosk.demo.environment import selftest_devices
    from kiosk.selftest.engine import SelfTestContext, run_all

    # the technician's install check may come before first-run set-up: it may make the
    # station (its results are stored there; the freeze gate reads the latest)
    with obj.open_store(create=True) as store, selftest_devices(store):
        report = run_all(SelfTestContext(store, store.settings), names or CHECK_NAMES)
    if as_json:
        echo_json(report.as_dict())
    else:
        for r in report.results:
            mark = {"passed": "OK   ", "busy": "SIBUK"}.get(r.state, "GAGAL")
            click.echo(f"{mark} {r.name:<12} {r.value}")
            if not r.passed:
                click.echo(f"      {r.hint_id}")
                click.echo(f"      {r.hint_en}")
        click.echo("Semua lulus / all passed" if report.passed
                   else "Ada yang gagal / some checks failed")
    sys.exit(0 if report.passed else 1)


@click.command()
@station_options
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
@domain_errors
def devices(obj: StationContext, as_json: bool) -> None:
    """List the attached camera, fingerprint scanners and signature input."""
    from kiosk.devices.discovery import list_devices

    found = list_devices(obj.settings())
    if as_json:
        echo_json([d.as_dict() for d in found])
        return
    for d in found:
        click.echo(f"{d.kind:<10} {d.status:<13} {d.vendor} {d.model} {d.serial} "
                   f"{d.address}".rstrip())
