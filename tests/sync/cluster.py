"""The production set-up as tests and benches run it: `kiosk-central serve` processes over
ONE PostgreSQL database and ONE S3 bucket (SeaweedFS), behind HAProxy (docs/central-
production.md), every part a real program (tests/central/services.py).

`Cluster` is the shared database and bucket, the key file and the processes serving them;
`ClusterCentral` is a whole running cluster with the face of harness.CentralProcess (`url`,
`port`, `add_station`, `view`, `stop`), so a station test can run against either."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import time
import uuid
from pathlib import Path

import psycopg
import requests
from harness import CENTRAL, free_port

from tests.central.services import haproxy


class Cluster:
    """The shared database and bucket, the key file, and the processes serving them."""

    def __init__(self, tmp: Path, dsn: str, s3, **env: str) -> None:
        self.tmp, self.dsn, self.s3 = Path(tmp), dsn, s3
        self.bucket = s3.create_bucket(f"c-{uuid.uuid4().hex[:12]}")
        key = self.tmp / "server-key"
        subprocess.run([CENTRAL, "new-key", str(key)], check=True, capture_output=True)
        self.env = {**os.environ, **s3.env(), "KIOSK_CENTRAL_DATABASE": dsn,
                    "KIOSK_CENTRAL_BLOB_STORE": f"s3://{self.bucket}/blobs",
                    "KIOSK_CENTRAL_KEY_FILE": str(key),
                    "KIOSK_CENTRAL_S3_ENDPOINT": s3.endpoint_url,
                    "KIOSK_CENTRAL_S3_REGION": s3.region, **env}
        self.procs: list[tuple[subprocess.Popen, Path, str]] = []

    def cli(self, *args: str) -> str:
        out = subprocess.run([CENTRAL, *args], env=self.env, capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        return out.stdout.strip()

    def serve(self, *options: str) -> str:
        """One more `kiosk-central serve` on a free port; its URL once it answers health."""
        port = free_port()
        log = self.tmp / f"serve-{port}.log"
        with open(log, "ab") as fh:
            proc = subprocess.Popen([CENTRAL, "serve", "--port", str(port), *options],
                                    env=self.env, stdout=subprocess.DEVNULL, stderr=fh)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(requests.RequestException):
                if requests.get(url + "/v1/health", timeout=1).ok:
                    break
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text()[-2000:]
            time.sleep(0.05)
        self.procs.append((proc, log, url))
        return url

    def stop(self) -> None:
        for proc, _, _ in self.procs:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def logs(self) -> str:
        return "".join(log.read_text(errors="replace") for _, log, _ in self.procs)

    def rows(self, record_ids: list[str] | None = None) -> dict[str, tuple[int, dict]]:
        """record_id -> (rows with that id, manifest) as PostgreSQL holds them (of these
        records only, when given)."""
        where = "" if record_ids is None else "WHERE record_id = ANY(%s) "
        with psycopg.connect(self.dsn) as conn:
            got = conn.execute("SELECT record_id, COUNT(*), MIN(manifest::text) FROM "
                               f"records {where}GROUP BY record_id",
                               [] if record_ids is None else [record_ids]).fetchall()
            out = {}
            for rid, n, _ in got:
                (body,) = conn.execute("SELECT manifest FROM records WHERE record_id = %s",
                                       [rid]).fetchone()
                out[rid] = (n, json.loads(bytes(body)))
        return out

    def object(self, sha: str) -> bytes | None:
        """The bytes the bucket holds under a blob's address (read with boto3), or None."""
        if getattr(self, "_boto", None) is None:
            self._boto = self.s3.client()
        try:
            return self._boto.get_object(Bucket=self.bucket,
                                         Key=f"blobs/{sha[:2]}/{sha}")["Body"].read()
        except Exception:  # noqa: BLE001 - absent
            return None

    def view(self, record_ids: list[str] | None = None) -> dict[str, dict]:
        """record_id -> {"count", "manifest", "blobs": {sha: bytes or None}}: what the
        cluster holds (of these records, when given), in the shape of harness.server_view."""
        out: dict[str, dict] = {}
        for rid, (count, manifest) in self.rows(record_ids).items():
            out[rid] = {"count": count, "manifest": manifest,
                        "blobs": {b["sha256"]: self.object(b["sha256"])
                                  for b in manifest["blobs"]}}
        return out


class ClusterCentral:
    """Two processes of one Cluster behind HAProxy, running until `stop()`: what a station
    test talks to in place of one `kiosk-central serve --data-dir`."""

    def __init__(self, tmp: Path, pg, s3, processes: int = 2) -> None:
        if not pg.running():
            pg.start()
        self.cluster = Cluster(tmp, pg.create_database(f"c_{uuid.uuid4().hex[:12]}"), s3)
        self.cluster.cli("migrate")
        self._stack = contextlib.ExitStack()
        try:
            backends = [self.cluster.serve() for _ in range(processes)]
            self.url = self._stack.enter_context(haproxy(backends, tmp))
        except BaseException:
            self.stop()
            raise
        self.port = int(self.url.rsplit(":", 1)[1])

    def add_station(self, name: str) -> str:
        return self.cluster.cli("station", "add", name)

    def view(self, record_ids: list[str] | None = None) -> dict[str, dict]:
        return self.cluster.view(record_ids)

    def logs(self) -> str:
        return self.cluster.logs()

    def stop(self) -> None:
        self._stack.close()
        self.cluster.stop()
