"""Device fixtures: a fake-camera video, a running SBI simulator and a client that finds it."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.devices.sbi import SbiClient
from kiosk.devices.sim.camera import fake_camera_source
from kiosk.devices.sim.sbi import running


@pytest.fixture(scope="session")
def face_video(tmp_path_factory) -> Path:
    return fake_camera_source(tmp_path_factory.mktemp("camera"))


@pytest.fixture
def sim():
    with running() as s:
        yield s


@pytest.fixture
def client(sim) -> SbiClient:
    """A client whose scan range holds the simulator's port and a few closed ones, trusting
    the simulator's demo CAs (as a station whose trust store holds them)."""
    return SbiClient(port_first=sim.port - 2, port_last=sim.port + 2, scan_timeout=0.5,
                     trust=sim.trust())
