"""What is attached: the configured camera, SBI fingerprint scanners, the signature input."""

from __future__ import annotations

from collections.abc import Callable

from kiosk.devices.base import DISCONNECTED, DeviceError, DeviceInfo
from kiosk.devices.camera import OpenCVCamera
from kiosk.devices.sbi import SbiClient
from kiosk.devices.signature import probe_signature_input
from kiosk.settings import Settings


def list_devices(
    settings: Settings,
    signature_probe: Callable[[Settings], DeviceInfo] = probe_signature_input,
) -> list[DeviceInfo]:
    """One DeviceInfo per device kind found (a missing one is listed as Disconnected)."""
    out: list[DeviceInfo] = []
    cam = OpenCVCamera(settings["camera.source"], settings["camera.width"],
                       settings["camera.height"])
    try:
        cam.open()
        cam.latest(timeout=3.0)
        out.append(cam.info())
    except DeviceError:
        out.append(DeviceInfo("camera", "", "", "", "", DISCONNECTED,
                              str(settings["camera.source"])))
    finally:
        cam.close()
    scanners = SbiClient.from_settings(settings).discover("Finger")
    out += [d.info() for d in scanners] or [DeviceInfo(
        "finger", "", "", "", "", DISCONNECTED,
        f"{settings['sbi.host']}:{settings['sbi.port_first']}-{settings['sbi.port_last']}")]
    out.append(signature_probe(settings))
    return out
