"""Shared fixtures: an in-memory keyring, a settings object, a fresh store per test."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import keyring
import pytest

from kiosk.settings import Settings
from kiosk.store.keys import MemoryKeyring

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def memory_keyring():
    """Every test gets its own empty in-memory keyring."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def settings() -> Settings:
    return Settings()


@pytest.fixture
def store(tmp_path: Path, settings: Settings):
    from kiosk.store.station import Store

    s = Store(tmp_path / "data", settings)
    yield s
    s.close()


@pytest.fixture
def subprocess_env(tmp_path: Path, memory_keyring) -> dict[str, str]:
    """Environment for `kiosk` child processes: a file keyring outside the data dir.

    This test process switches to the same file keyring, so it can open what children saved.
    """
    from kiosk.store.keys import FileKeyring

    keyring.set_keyring(FileKeyring(tmp_path / "keyring.json"))
    env = dict(os.environ)
    env["PYTHON_KEYRING_BACKEND"] = "kiosk.store.keys.FileKeyring"
    env["KIOSK_KEYRING_FILE"] = str(tmp_path / "keyring.json")
    env["QT_QPA_PLATFORM"] = "offscreen"
    return env


@pytest.fixture
def regions():
    from kiosk.domain.regions import RegionTable

    return RegionTable.load()


NOON = dt.time(12, 0)
