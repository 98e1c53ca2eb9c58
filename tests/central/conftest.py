"""Central fixtures: an in-process app (TestClient) and the shared harness for processes."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).parents[1] / "sync"))

import ektp_protocol as protocol  # noqa: E402
from central.app import create_app  # noqa: E402
from central.storage import CentralStore  # noqa: E402


class Registered:
    """A station as the server knows it: token and signing key."""

    def __init__(self, store: CentralStore, client: TestClient, name: str) -> None:
        self.token = store.add_station(name)
        self.key = protocol.new_private_key()
        self.headers = {"Authorization": f"Bearer {self.token}"}
        r = client.put("/v1/station/key", json={"public_key": protocol.public_key_of(self.key)},
                       headers=self.headers)
        assert r.status_code == 200


@pytest.fixture
def app_client(tmp_path):
    app = create_app(tmp_path / "central", max_inflight=0)
    with TestClient(app) as client:
        client.store = app.api.state.store
        yield client


@pytest.fixture
def stations(app_client):
    return [Registered(app_client.store, app_client, n) for n in ("a", "b")]


# --- the production path's real servers (tests/central/services.py) -----------------------
# One PostgreSQL cluster and one SeaweedFS per session (started on first use); each test gets
# a fresh database (`pg_dsn`) and a fresh bucket (`s3_store`); `haproxy` starts one per call.

@pytest.fixture(scope="session")
def pg(tmp_path_factory):
    """The session's PostgreSQL cluster (`.dsn`, `.restart()`, `.stop()`, `.start()`)."""
    from tests.central.services import postgres_cluster

    with postgres_cluster(tmp_path_factory.mktemp("postgres")) as cluster:
        yield cluster


@pytest.fixture
def pg_dsn(pg):
    """A DSN of a database of this test's own, created empty on the session cluster."""
    import uuid

    if not pg.running():  # a fault test left it stopped: the next test still gets a server
        pg.start()
    return pg.create_database(f"t_{uuid.uuid4().hex[:16]}")


@pytest.fixture(scope="session")
def s3(tmp_path_factory):
    """The session's SeaweedFS S3 (`.endpoint_url`, `.bucket`, keys, `.stop()`, `.start()`)."""
    from tests.central.services import seaweed_s3

    with seaweed_s3(tmp_path_factory.mktemp("s3")) as store:
        yield store


@pytest.fixture
def s3_env(s3, monkeypatch):
    """The session identity in the environment: where S3BlobStore takes its credentials."""
    for name, value in s3.env().items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_CONFIG_FILE",
                 "AWS_SHARED_CREDENTIALS_FILE"):
        monkeypatch.delenv(name, raising=False)
    return s3.env()


@pytest.fixture
def s3_store(s3, s3_env):
    """An S3BlobStore over a bucket of this test's own on the session SeaweedFS."""
    import uuid

    from central.blobstore_s3 import S3BlobStore

    if s3.proc is None:  # a fault test left it stopped
        s3.start()
    bucket = s3.create_bucket(f"t-{uuid.uuid4().hex[:16]}")
    store = S3BlobStore(bucket, "blobs", endpoint_url=s3.endpoint_url, region=s3.region)
    yield store
    store.close()


@pytest.fixture
def haproxy(tmp_path):
    """Factory: `haproxy([backend_url, ...]) -> front URL`; all stopped after the test."""
    import contextlib

    from tests.central.services import haproxy as run_haproxy

    with contextlib.ExitStack() as stack:
        yield lambda backends: stack.enter_context(run_haproxy(backends, tmp_path))
