"""Dependencies point one way, and the core runs with Qt absent."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QT = ("PySide6", "shiboken6")
# package -> kiosk packages it may import (besides itself and the base modules)
ALLOWED = {
    "kiosk.domain": set(),
    "kiosk.store": {"kiosk.domain"},
    "kiosk.sync": {"kiosk.domain", "kiosk.store"},
    "kiosk.devices": {"kiosk.domain"},
    "central": {"kiosk.domain", "ektp_protocol"},
}
BASE = {"kiosk", "kiosk.paths", "kiosk.settings"}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


def test_core_packages_never_import_qt_and_respect_the_layering():
    bad = []
    for package, allowed in ALLOWED.items():
        folder = ROOT.joinpath(*package.split("."))
        for path in folder.rglob("*.py"):
            for name in _imports(path):
                if name.split(".")[0] in QT:
                    bad.append(f"{path.relative_to(ROOT)} imports {name}")
                if name.startswith(("kiosk.", "central.")) and not any(
                    name == a or name.startswith(a + ".")
                    for a in {package, *allowed, *BASE}
                    if a != "kiosk"
                ):
                    bad.append(f"{path.relative_to(ROOT)} imports {name}")
    assert bad == []


def test_qt_is_imported_only_in_qt_files_under_ui():
    bad = []
    for path in list(ROOT.joinpath("kiosk").rglob("*.py")) + list(
        ROOT.joinpath("central").rglob("*.py")
    ):
        rel = path.relative_to(ROOT)
        in_qt_file = rel.parts[:2] == ("kiosk", "ui") and path.name.startswith("qt_")
        if any(n.split(".")[0] in QT for n in _imports(path)) and not in_qt_file:
            bad.append(str(rel))
    assert bad == []


BLOCK_QT = """
import importlib, pkgutil, sys
class BlockQt:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('PySide6', 'shiboken6'):
            raise ImportError('Qt is blocked in the core job: ' + name)
sys.meta_path.insert(0, BlockQt())
import kiosk
for pkg in ('kiosk.domain', 'kiosk.store', 'kiosk.sync', 'kiosk.devices', 'central'):
    try:
        mod = importlib.import_module(pkg)
    except ModuleNotFoundError as exc:
        if exc.name == pkg:
            continue
        raise
    for info in pkgutil.walk_packages(mod.__path__, pkg + '.'):
        importlib.import_module(info.name)
print('core imports without Qt')
"""


def test_the_core_imports_and_its_tests_run_with_qt_blocked():
    done = subprocess.run(
        [sys.executable, "-c", BLOCK_QT], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    plugin = ROOT / "tests" / "block_qt.py"
    tests = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "tests.block_qt",
            "-m",
            "not slow",
            "tests/domain",
            "tests/store",
            "-p",
            "no:pytest-qt",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert plugin.exists()
    assert tests.returncode == 0, tests.stdout[-3000:]
    assert " passed" in tests.stdout
