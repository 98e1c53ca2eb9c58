"""Listing attached devices, and the simulator as its own process."""

from __future__ import annotations

import json
import subprocess
import sys

from kiosk.devices.base import DISCONNECTED, READY
from kiosk.devices.discovery import list_devices
from kiosk.devices.sbi import SbiClient
from kiosk.settings import Settings


def test_list_devices_reports_each_kind(face_video, sim):
    s = Settings({"camera.source": str(face_video), "sbi.port_first": sim.port,
                  "sbi.port_last": sim.port})
    found = {d.kind: d for d in list_devices(s)}
    assert found["camera"].status == READY and found["camera"].model.startswith("640x480")
    assert found["finger"].status == READY and found["finger"].serial == "SIM-0001"
    assert found["signature"].kind == "signature"


def test_list_devices_marks_missing_devices_disconnected(tmp_path, sim):
    port = sim.port
    sim.stop()
    s = Settings({"camera.source": str(tmp_path / "none.avi"), "sbi.port_first": port,
                  "sbi.port_last": port})
    found = {d.kind: d for d in list_devices(s)}
    assert found["camera"].status == DISCONNECTED and found["finger"].status == DISCONNECTED


def test_simulator_runs_as_a_module_on_the_given_port():
    proc = subprocess.Popen([sys.executable, "-m", "kiosk.devices.sim.sbi", "--port", "0"],
                            stdout=subprocess.PIPE, text=True)
    try:
        line = json.loads(proc.stdout.readline())
        port = int(line["url"].rsplit(":", 1)[1])
        dev = SbiClient(port_first=port, port_last=port).find()
        assert dev.device_id == line["device_id"] and dev.status == READY
    finally:
        proc.terminate()
        proc.wait(timeout=10)
