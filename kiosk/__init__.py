"""e-KTP recording station: domain, encrypted local store, devices, sync and the PySide6 UI."""

__version__ = "0.1.0"
