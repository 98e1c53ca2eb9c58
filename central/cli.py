"""`kiosk-central`: serve the v1 API, issue station tokens, record processing decisions."""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path

import click

from central.cli_carry import make_carry_group
from central.cli_users import make_user_group
from central.storage import CentralStore, UnknownStation
from ektp_protocol import ProcessingStatus

DEFAULT_DATA_DIR = Path("central-data")
_BACKEND_OPTIONS = ("data_dir", "database", "blob_store", "key_file", "s3_endpoint",
                    "s3_region", "blob_recheck")


def _open_store(data_dir: Path, database: str | None, blob_store: str | None,
                key_file: Path | None, s3_endpoint: str | None, s3_region: str | None,
                blob_recheck: float | None = None, migrate: bool = False) -> CentralStore:
    """The store the options name: --database + --blob-store (the key from --key-file or
    $KIOSK_CENTRAL_KEY, the schema checked) or else the --data-dir shorthand. Every refusal
    is a sentence (ClickException), never a traceback; no credential is ever printed."""
    from central.blobstore import BlobStoreError
    from central.database import DatabaseError, SchemaOutOfDate, SchemaTooNew
    from central.storage import KeyMissing, load_key

    if database is None and blob_store is None:
        return CentralStore(data_dir, recheck_after=blob_recheck or 0.0)
    if database is None or blob_store is None:
        raise click.UsageError("--database and --blob-store go together "
                               "(or give neither and use --data-dir)")
    options = {k: v for k, v in (("endpoint_url", s3_endpoint), ("region", s3_region)) if v}
    try:
        key = load_key(key_file)
        return CentralStore.open(database, blob_store, key=key, migrate=migrate,
                                 blob_options=options if blob_store.startswith("s3:") else {},
                                 recheck_after=blob_recheck)
    except SchemaOutOfDate:
        raise click.ClickException("the database schema is older than this server: run "
                                   "kiosk-central migrate (same options) first") from None
    except SchemaTooNew:
        raise click.ClickException("the database schema is newer than this server: a newer "
                                   "server migrated it; run that version") from None
    except (KeyMissing, ValueError, DatabaseError, BlobStoreError) as exc:
        raise click.ClickException(str(exc)) from None


def _data_dir_option(fn):  # type: ignore[no-untyped-def]
    """The backend options (each also from the environment) and the store they open, passed
    to the command as `store_factory`."""
    opts = [
        click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path),
                     default=DEFAULT_DATA_DIR, show_default=True, envvar="KIOSK_CENTRAL_DATA_DIR",
                     help="Embedded server: SQLite database, blob folder, server key here."),
        click.option("--database", default=None, envvar="KIOSK_CENTRAL_DATABASE",
                     help="sqlite:///PATH or postgresql://USER@HOST/DB (password from PGPASSWORD "
                          "/ ~/.pgpass, never here). With --blob-store."),
        click.option("--blob-store", default=None, envvar="KIOSK_CENTRAL_BLOB_STORE",
                     help="file:///PATH or s3://BUCKET[/PREFIX] (credentials from the AWS "
                          "environment / profile). With --database."),
        click.option("--key-file", type=click.Path(dir_okay=False, path_type=Path),
                     default=None, envvar="KIOSK_CENTRAL_KEY_FILE",
                     help="The receipt-signing key every process shares (else "
                          "$KIOSK_CENTRAL_KEY); made once with `kiosk-central new-key`."),
        click.option("--s3-endpoint", default=None, envvar="KIOSK_CENTRAL_S3_ENDPOINT",
                     help="S3 endpoint URL (an S3-compatible store; default AWS)."),
        click.option("--s3-region", default=None, envvar="KIOSK_CENTRAL_S3_REGION",
                     help="S3 region."),
        click.option("--blob-recheck", type=click.FloatRange(0), default=None,
                     envvar="KIOSK_CENTRAL_BLOB_RECHECK", metavar="SECONDS",
                     help="How long a blob the store vouched for is trusted before a "
                          "reconciliation asks the store again [default: 0 for a folder, "
                          "3600 for S3: one HEAD per blob]."),
    ]

    @functools.wraps(fn)
    def wrapper(**kwargs):  # type: ignore[no-untyped-def]
        backend = {k: kwargs.pop(k) for k in _BACKEND_OPTIONS}
        kwargs["store_factory"] = functools.partial(_open_store, **backend)
        return fn(**kwargs)

    for opt in reversed(opts):
        wrapper = opt(wrapper)
    return wrapper


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
@click.option("--public-url", default="", envvar="KIOSK_CENTRAL_PUBLIC_URL", metavar="URL",
              help="The applicant's status page as applicants reach it (https://.../cek); "
                   "sent to stations for their receipts' QR codes.")
@click.option("--silent-hours", type=click.FloatRange(0), default=4.0, show_default=True,
              help="Working hours (Mon-Fri 08-16, station time) after which the console "
                   "highlights a silent station.")
@click.option("--backlog-hours", type=click.FloatRange(0), default=24.0, show_default=True,
              help="Age of a station's oldest unsent record that the console highlights.")
@click.option("--rate-per-client", type=click.IntRange(1), default=None,
              help="Status page (/cek): attempts per client address in each 10-minute "
                   "window [default: 30].")
@click.option("--rate-per-regno", type=click.IntRange(1), default=None,
              help="Status page (/cek): attempts per registration number in each 10-minute "
                   "window [default: 6].")
@click.option("--scrub-mb-per-s", type=click.FloatRange(0), default=0.0, show_default=True,
              envvar="KIOSK_CENTRAL_SCRUB_MB_PER_S", metavar="MB/S",
              help="Re-read and re-hash the stored blobs in the background at this pace, in "
                   "one of the processes sharing the database at a time (0: off).")
def serve(store_factory,  # type: ignore[no-untyped-def]
          host: str, port: int, max_inflight: int, retry_after: int,
          tls_cert: str | None, tls_key: str | None, public_url: str, silent_hours: float,
          backlog_hours: float, scrub_mb_per_s: float = 0.0,
          rate_per_client: int | None = None, rate_per_regno: int | None = None) -> None:
    """Serve the v1 API (OpenAPI schema at /openapi.json), the applicant's status page
    (/cek) and the officers' console (/console)."""
    import uvicorn

    from central.app import create_app
    from central.scrub import BackgroundScrubber
    from central.web.settings import WebSettings

    if bool(tls_cert) != bool(tls_key):
        raise click.UsageError("--tls-cert and --tls-key go together")
    if public_url and not public_url.startswith(("https://", "http://")):
        raise click.UsageError("--public-url is the page's full address: https://HOST/cek")
    limits = {k: v for k, v in (("rate_per_client", rate_per_client),
                                ("rate_per_regno", rate_per_regno)) if v is not None}
    web = WebSettings(public_url=public_url, silent_working_hours=silent_hours,
                      backlog_hours=backlog_hours, **limits)
    store = store_factory()
    app = create_app(store=store, max_inflight=max_inflight, retry_after=retry_after, web=web)
    if scrub_mb_per_s:  # run with the server's lifespan: the lease is given up at shutdown
        scrub = BackgroundScrubber(store, scrub_mb_per_s)
        app.api.router.on_startup.append(scrub.start)  # type: ignore[attr-defined]
        app.api.router.on_shutdown.append(scrub.stop)  # type: ignore[attr-defined]
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


@cli.command()
@_data_dir_option
def migrate(store_factory) -> None:  # type: ignore[no-untyped-def]
    """Bring the database's schema up to this server's (each step once, even with several
    processes starting together); `serve` refuses an out-of-date schema."""
    store_factory(migrate=True).close()
    click.echo("database schema up to date")


@cli.command("new-key")
@click.argument("key_file", type=click.Path(dir_okay=False, path_type=Path))
def new_key(key_file: Path) -> None:
    """Write a new receipt-signing key to KEY_FILE (0600), for --key-file; prints its public
    key. Every process of one central server uses the same key: make it once."""
    from central.storage import write_new_key

    if key_file.exists():
        raise click.ClickException(f"{key_file} exists: a server key is never overwritten")
    click.echo(write_new_key(key_file))


@cli.group()
def station() -> None:
    """Stations allowed to deliver records."""


@station.command("add")
@_data_dir_option
@click.argument("name")
def station_add(store_factory, name: str) -> None:
    """Create a station; its token is printed once and stored only hashed."""
    from central.database import IntegrityError

    store = store_factory()
    try:
        token = store.add_station(name)
    except IntegrityError:
        raise click.ClickException(f"station {name!r} already exists") from None
    click.echo(token)


@station.command("list")
@_data_dir_option
def station_list(store_factory) -> None:
    """Stations, whether their key is registered, and how many records they delivered."""
    click.echo(json.dumps(store_factory().stations(), indent=2))


@station.command("reset-key")
@_data_dir_option
@click.argument("name")
def station_reset_key(store_factory, name: str) -> None:
    """Forget a station's signing key so a reinstalled station can register a new one."""
    try:
        store_factory().reset_key(name)
    except UnknownStation:
        raise click.ClickException(f"no station {name!r}") from None
    click.echo(f"key of {name} cleared")


@station.command("revoke")
@_data_dir_option
@click.argument("name")
@click.option("--by", "actor", default=None,
              help="Who revokes (kept in the audit; default: the logged-in user).")
def station_revoke(store_factory, name: str, actor: str | None) -> None:
    """Revoke a station's token: refused (403) from the next request on, by every server
    process sharing the database. Audited: who and when, in the database."""
    import getpass

    try:
        at = store_factory().revoke_station(name, actor or getpass.getuser())
    except UnknownStation:
        raise click.ClickException(f"no station {name!r}") from None
    click.echo(f"token of {name} revoked at {at}")


def _decide(
    store_factory, record_id: str, status: ProcessingStatus, reason: str | None
) -> None:
    try:
        store_factory().set_status(record_id, status, reason)
    except KeyError:
        raise click.ClickException(f"no record {record_id}") from None
    click.echo(f"{record_id}: {status}" + (f" ({reason})" if reason else ""))


@cli.command()
@_data_dir_option
@click.argument("record_id")
@click.option("--reason", required=True, help="Why (the station shows it to the supervisor).")
def reject(store_factory, record_id: str, reason: str) -> None:
    """Mark a record rejected: the applicant has to be recorded again."""
    _decide(store_factory, record_id, ProcessingStatus.REJECTED, reason)


@cli.command()
@_data_dir_option
@click.argument("record_id")
def accept(store_factory, record_id: str) -> None:
    """Mark a record accepted (processed)."""
    _decide(store_factory, record_id, ProcessingStatus.ACCEPTED, None)


class CannotCheck(click.ClickException):
    """A check that could not run at all (exit 2, apart from "checked and found wrong")."""

    exit_code = 2


@cli.command("verify-fingers")
@_data_dir_option
@click.argument("record_id")
@click.option("--trust-store", "trust_dir", required=True,
              type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder of the MOSIP device-provider and FTM CA certificates (PEM or DER).")
def verify_fingers(store_factory, record_id: str, trust_dir: Path) -> None:
    """Check a record's fingerprints against the scanner's own proof (docs/sbi.md): every
    finger's device signature, its certificate chain, and the capture hash chain. Exit 0 when
    all verify, 1 when something does not (each problem printed), 2 when it cannot be
    checked."""
    from central.blobstore import BlobStoreError
    from ektp_protocol import sbi_evidence, x5c

    store = store_factory()
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
    except (OSError, BlobStoreError, x5c.TrustStoreError) as exc:
        raise CannotCheck(str(exc)) from None
    report = sbi_evidence.verify(evidence, records, trust)
    click.echo(json.dumps({"record_id": record_id, "ok": report.ok,
                           "fingers_verified": report.fingers_verified,
                           "captures": report.captures, "signers": sorted(report.signers),
                           "problems": report.problems}, indent=2))
    if not report.ok:
        sys.exit(1)


@cli.command()
@_data_dir_option
@click.option("--mb-per-s", type=click.FloatRange(0), default=0.0, show_default=True,
              help="Read at most this many MB a second on average (0: no limit).")
@click.option("--limit", type=click.IntRange(1), default=None,
              help="Check at most N blobs (the next scrub continues after them).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def scrub(store_factory, mb_per_s: float, limit: int | None,  # type: ignore[no-untyped-def]
          as_json: bool) -> None:
    """Re-read the stored blobs and check each against its address and size: a missing or
    damaged one is marked and its records become incomplete, so their stations send it again
    at their next reconciliation. Every blob once, from where the last scrub stopped. Exit 0
    when all were sound, 1 when a problem was found, 2 when it cannot run."""
    import logging

    from central.database import DatabaseError
    from central.scrub import ScrubError, scrub_now

    logging.getLogger("central.scrub").setLevel(logging.ERROR)  # the summary says it all
    try:
        store = store_factory()
    except click.UsageError:
        raise
    except click.ClickException as exc:  # exit 1 is "found problems" here
        raise CannotCheck(exc.message) from None
    try:
        run = scrub_now(store, mb_per_s=mb_per_s, limit=limit)
    except (ScrubError, DatabaseError) as exc:
        raise CannotCheck(str(exc)) from None
    finally:
        store.close()
    click.echo(json.dumps(run.to_json(), indent=2) if as_json else run.summary())
    if run.problems:
        sys.exit(1)


cli.add_command(make_user_group(_data_dir_option), "user")
cli.add_command(make_carry_group(_data_dir_option), "carry")


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    cli.main(args=argv, prog_name="kiosk-central")
