"""Sync fixtures: one real central server per session, a fresh station per test."""

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


@pytest.fixture
def new_station(central, tmp_path):
    """make(n, via=None) -> a Store with n records, linked to the server (sending via `via`)."""
    made = []

    def make(n: int, via: str | None = None, **extra):
        store = make_station(tmp_path / f"station{len(made)}", n, first=len(made) * 100,
                             extra=extra or None)
        made.append(store)
        link(store, central.url, central.add_station(f"{tmp_path.name}-{len(made)}"))
        if via:
            store.settings.set("sync.server_url", via)
            store.settings.save()
        return store

    yield make
    for s in made:
        s.close()
