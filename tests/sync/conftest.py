"""Sync fixtures: one real central server per session, a fresh station per test; and the
production set-up (PostgreSQL + SeaweedFS + two processes behind HAProxy) for the tests that
must pass against both (`any_central`)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from harness import CentralProcess, link, make_station  # noqa: E402


@pytest.fixture(scope="session")
def central(tmp_path_factory):
    server = CentralProcess(tmp_path_factory.mktemp("central"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def production(tmp_path_factory):
    """(PostgreSQL cluster, SeaweedFS S3) for the session, started by the tests."""
    from tests.central.services import postgres_cluster, seaweed_s3

    with postgres_cluster(tmp_path_factory.mktemp("pg")) as pg, \
            seaweed_s3(tmp_path_factory.mktemp("s3")) as s3:
        yield pg, s3


@pytest.fixture(scope="session")
def cluster_central(production, tmp_path_factory):
    """Two `kiosk-central serve` over one database and one bucket, behind HAProxy."""
    from cluster import ClusterCentral

    pg, s3 = production
    server = ClusterCentral(tmp_path_factory.mktemp("cluster"), pg, s3)
    yield server
    server.stop()


@pytest.fixture(params=["embedded", "cluster"])
def any_central(request):
    """The embedded server, then the production cluster: a test using it runs on both. The
    cluster's servers must log no 500 and no traceback during the test."""
    if request.param == "embedded":
        yield request.getfixturevalue("central")
        return
    server = request.getfixturevalue("cluster_central")
    before = len(server.logs())
    yield server
    logs = server.logs()[before:]
    assert " 500 " not in logs and "Traceback" not in logs, logs[-3000:]


def _station_factory(tmp_path: Path, made: list):
    def make(server, n: int, via: str | None = None, **extra):
        store = make_station(tmp_path / f"station{len(made)}", n, first=len(made) * 100,
                             extra=extra or None)
        made.append(store)
        link(store, server.url, server.add_station(f"{tmp_path.name}-{len(made)}"))
        if via:
            store.settings.set("sync.server_url", via)
            store.settings.save()
        return store
    return make


@pytest.fixture
def new_station(central, tmp_path):
    """make(n, via=None) -> a Store with n records, linked to the server (sending via `via`)."""
    made: list = []
    make = _station_factory(tmp_path, made)
    yield lambda n, via=None, **extra: make(central, n, via, **extra)
    for s in made:
        s.close()


@pytest.fixture
def station_of(tmp_path):
    """make(server, n, via=None) -> a Store with n records linked to `server`."""
    made: list = []
    yield _station_factory(tmp_path, made)
    for s in made:
        s.close()
