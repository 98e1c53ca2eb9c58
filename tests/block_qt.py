"""pytest plugin (`-p tests.block_qt`): makes any import of Qt fail, for the core-only job."""

from __future__ import annotations

import sys


class _BlockQt:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("PySide6", "shiboken6"):
            raise ImportError(f"Qt is blocked in the core test job: {name}")
        return None


sys.meta_path.insert(0, _BlockQt())
