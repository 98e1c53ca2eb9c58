"""`kiosk-central`: serve the v1 API, issue station tokens, record processing decisions."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from central.storage import CentralStore, UnknownStation
from ektp_protocol import ProcessingStatus

DEFAULT_DATA_DIR = Path("central-data")


def _data_dir_option(fn):  # type: ignore[no-untyped-def]
    return click.option(
        "--data-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=DEFAULT_DATA_DIR,
        show_default=True,
        help="Server data directory (SQLite database, blob folder, server key).",
    )(fn)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Reference central server for e-KTP recording stations."""


@cli.command()
@_data_dir_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=int, default=8443, show_default=True, help="TCP port.")
@click.option("--max-inflight", type=click.IntRange(0), default=64, show_default=True,
              help="Requests handled at once; past it 503 + Retry-After (0: unlimited).")
@click.option("--retry-after", type=click.IntRange(1), default=1, show_default=True,
              help="Seconds a refused station is told to wait.")
@click.option("--tls-cert", type=click.Path(exists=True, dir_okay=False), default=None,
              help="PEM certificate (chain); serve HTTPS when given with --tls-key.")
@click.option("--tls-key", type=click.Path(exists=True, dir_okay=False), default=None,
              help="PEM private key of the certificate.")
def serve(data_dir: Path, host: str, port: int, max_inflight: int, retry_after: int,
          tls_cert: str | None, tls_key: str | None) -> None:
    """Serve the v1 API (OpenAPI schema at /openapi.json)."""
    import uvicorn

    from central.app import create_app

    if bool(tls_cert) != bool(tls_key):
        raise click.UsageError("--tls-cert and --tls-key go together")
    app = create_app(data_dir, max_inflight=max_inflight, retry_after=retry_after)
    uvicorn.run(
        app,
        host=host,
        port=port,
        ssl_certfile=tls_cert,
        ssl_keyfile=tls_key,
        log_level="warning",
        # Fewer bytes per answer: stations pay for every header on a thin link.
        server_header=False,
        date_header=False,
        timeout_keep_alive=30,
    )


@cli.group()
def station() -> None:
    """Stations allowed to deliver records."""


@station.command("add")
@_data_dir_option
@click.argument("name")
def station_add(data_dir: Path, name: str) -> None:
    """Create a station; its token is printed once and stored only hashed."""
    import sqlite3

    store = CentralStore(data_dir)
    try:
        token = store.add_station(name)
    except sqlite3.IntegrityError:
        raise click.ClickException(f"station {name!r} already exists") from None
    click.echo(token)


@station.command("list")
@_data_dir_option
def station_list(data_dir: Path) -> None:
    """Stations, whether their key is registered, and how many records they delivered."""
    click.echo(json.dumps(CentralStore(data_dir).stations(), indent=2))


@station.command("reset-key")
@_data_dir_option
@click.argument("name")
def station_reset_key(data_dir: Path, name: str) -> None:
    """Forget a station's signing key so a reinstalled station can register a new one."""
    try:
        CentralStore(data_dir).reset_key(name)
    except UnknownStation:
        raise click.ClickException(f"no station {name!r}") from None
    click.echo(f"key of {name} cleared")


@station.command("revoke")
@_data_dir_option
@click.argument("name")
@click.option("--by", "actor", default=None,
              help="Who revokes (kept in the audit; default: the logged-in user).")
def station_revoke(data_dir: Path, name: str, actor: str | None) -> None:
    """Revoke a station's token: refused (403) from the next request on, by every server
    process sharing the database. Audited: who and when, in the database."""
    import getpass

    try:
        at = CentralStore(data_dir).revoke_station(name, actor or getpass.getuser())
    except UnknownStation:
        raise click.ClickException(f"no station {name!r}") from None
    click.echo(f"token of {name} revoked at {at}")


def _decide(
    data_dir: Path, record_id: str, status: ProcessingStatus, reason: str | None
) -> None:
    try:
        CentralStore(data_dir).set_status(record_id, status, reason)
    except KeyError:
        raise click.ClickException(f"no record {record_id}") from None
    click.echo(f"{record_id}: {status}" + (f" ({reason})" if reason else ""))


@cli.command()
@_data_dir_option
@click.argument("record_id")
@click.option("--reason", required=True, help="Why (the station shows it to the supervisor).")
def reject(data_dir: Path, record_id: str, reason: str) -> None:
    """Mark a record rejected: the applicant has to be recorded again."""
    _decide(data_dir, record_id, ProcessingStatus.REJECTED, reason)


@cli.command()
@_data_dir_option
@click.argument("record_id")
def accept(data_dir: Path, record_id: str) -> None:
    """Mark a record accepted (processed)."""
    _decide(data_dir, record_id, ProcessingStatus.ACCEPTED, None)


class CannotCheck(click.ClickException):
    """A check that could not run at all (exit 2, apart from "checked and found wrong")."""

    exit_code = 2


@cli.command("verify-fingers")
@_data_dir_option
@click.argument("record_id")
@click.option("--trust-store", "trust_dir", required=True,
              type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder of the MOSIP device-provider and FTM CA certificates (PEM or DER).")
def verify_fingers(data_dir: Path, record_id: str, trust_dir: Path) -> None:
    """Check a record's fingerprints against the scanner's own proof (docs/sbi.md): every
    finger's device signature, its certificate chain, and the capture hash chain. Exit 0 when
    all verify, 1 when something does not (each problem printed), 2 when it cannot be
    checked."""
    from ektp_protocol import sbi_evidence, x5c

    store = CentralStore(data_dir)
    try:
        blobs = store.manifest(record_id)["blobs"]
    except KeyError:
        raise CannotCheck(f"no record {record_id}") from None
    by_kind = {b["kind"]: b["sha256"] for b in blobs}
    if sbi_evidence.KIND not in by_kind:
        raise CannotCheck(f"{record_id} carries no scanner evidence (sbi.evidence)")
    try:
        trust = x5c.TrustStore.from_folder(trust_dir)
        evidence = store.read_blob(by_kind[sbi_evidence.KIND])
        records = {int(k.split(".", 1)[1]): store.read_blob(sha)
                   for k, sha in by_kind.items() if k.startswith("finger.")}
    except (OSError, x5c.TrustStoreError) as exc:
        raise CannotCheck(str(exc)) from None
    report = sbi_evidence.verify(evidence, records, trust)
    click.echo(json.dumps({"record_id": record_id, "ok": report.ok,
                           "fingers_verified": report.fingers_verified,
                           "captures": report.captures, "signers": sorted(report.signers),
                           "problems": report.problems}, indent=2))
    if not report.ok:
        sys.exit(1)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    cli.main(args=argv, prog_name="kiosk-central")
