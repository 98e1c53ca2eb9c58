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
