"""The import contract: dependencies point one way, Qt stays in kiosk/ui, the central server
needs nothing of the station, and the core runs (and passes its tests) with Qt absent.

    ektp_protocol  <-  kiosk.domain  <-  kiosk.store  <-  sync, devices, export, selftest
                   <-  kiosk.app  <-  kiosk.demo  <-  kiosk.ui, kiosk.cli
    ektp_protocol  <-  central

Arrows point from the imported to the importer. docs/architecture.md draws the same picture.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QT = ("PySide6", "shiboken6")
CORE = ("kiosk.domain", "kiosk.store")
MIDDLE = ("kiosk.sync", "kiosk.devices", "kiosk.export", "kiosk.selftest")
# package -> the project packages it may import (besides itself and the BASE modules)
ALLOWED: dict[str, set[str]] = {
    "ektp_protocol": set(),
    "kiosk.domain": {"ektp_protocol"},
    "kiosk.store": {"ektp_protocol", "kiosk.domain"},
    "kiosk.sync": {"ektp_protocol", *CORE},
    "kiosk.devices": {"ektp_protocol", *CORE},
    "kiosk.export": {*CORE},
    "kiosk.selftest": {*CORE, "kiosk.devices"},
    "kiosk.app": {"ektp_protocol", *CORE, *MIDDLE},
    "kiosk.demo": {"ektp_protocol", *CORE, *MIDDLE, "kiosk.app"},
    "kiosk.ui": {"ektp_protocol", *CORE, *MIDDLE, "kiosk.app", "kiosk.demo"},
    # the command line opens the GUI (kiosk.ui.qt_app) and draws documents with Qt's printing
    # (kiosk.ui.documents); nothing else of kiosk.ui
    "kiosk.cli": {"ektp_protocol", *CORE, *MIDDLE, "kiosk.app", "kiosk.demo",
                  "kiosk.ui.qt_app", "kiosk.ui.documents"},
    "central": {"ektp_protocol"},
}
BASE = {"kiosk", "kiosk.paths", "kiosk.settings"}  # station-wide: paths and settings
# Which imported names are project modules (ast gives "kiosk.store.station.Store" too).
PROJECT = ("kiosk", "central", "ektp_protocol")
# Packages that must import without Qt (everything but kiosk.ui).
HEADLESS = ("ektp_protocol", "kiosk.domain", "kiosk.store", "kiosk.sync", "kiosk.devices",
            "kiosk.export", "kiosk.selftest", "kiosk.app", "kiosk.demo", "kiosk.cli", "central")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def _violations(package: str, allowed: set[str]) -> list[str]:
    bad = []
    folder = ROOT.joinpath(*package.split("."))
    base = BASE if package.startswith("kiosk") else set()
    for path in sorted(folder.rglob("*.py")):
        for name in sorted(_imports(path)):
            if name.split(".")[0] in QT and package != "kiosk.ui":
                bad.append(f"{path.relative_to(ROOT)} imports {name}")
            if name.split(".")[0] not in PROJECT or _within(name, package):
                continue
            ok = any(_within(name, a) for a in allowed) or any(
                name == b or (b != "kiosk" and _within(name, b))
                or (b == "kiosk" and name.count(".") == 1 and name.split(".")[1] == "__version__")
                for b in base
            )
            if not ok:
                bad.append(f"{path.relative_to(ROOT)} imports {name}")
    return bad


def test_core_packages_never_import_qt_and_respect_the_layering():
    bad = []
    for package, allowed in ALLOWED.items():
        bad += _violations(package, allowed)
    assert bad == []


def test_every_package_is_under_the_contract():
    """A new top-level folder of the station must get a rule here before it can ship."""
    station = {p.name for p in (ROOT / "kiosk").iterdir()
               if p.is_dir() and (p / "__init__.py").exists()}
    assert {f"kiosk.{s}" for s in station} <= set(ALLOWED)


def test_the_contract_catches_a_wrong_way_import(tmp_path, monkeypatch):
    """The checker itself: a domain module importing the store is reported."""
    fake = tmp_path / "kiosk" / "domain"
    fake.mkdir(parents=True)
    (fake / "bad.py").write_text("from kiosk.store.station import Store\nimport PySide6\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert _violations("kiosk.domain", ALLOWED["kiosk.domain"]) == [
        "kiosk/domain/bad.py imports PySide6",
        "kiosk/domain/bad.py imports kiosk.store.station.Store",
    ]


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


def test_real_devices_never_import_their_fakes():
    bad = [str(p.relative_to(ROOT)) for p in ROOT.joinpath("kiosk", "devices").glob("*.py")
           if any(_within(n, "kiosk.devices.sim") for n in _imports(p))]
    assert bad == []


BLOCK_QT = """
import importlib, pkgutil, sys
class BlockQt:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('PySide6', 'shiboken6'):
            raise ImportError('Qt is blocked in the core job: ' + name)
sys.meta_path.insert(0, BlockQt())
import kiosk
for pkg in PACKAGES:
    mod = importlib.import_module(pkg)
    for info in pkgutil.walk_packages(mod.__path__, pkg + '.'):
        importlib.import_module(info.name)
print('core imports without Qt')
"""


def test_the_core_imports_and_its_tests_run_with_qt_blocked():
    script = f"PACKAGES = {HEADLESS!r}\n" + BLOCK_QT
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=ROOT
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
            "tests/app",
            "tests/selftest",
            "-p",
            "no:pytest-qt",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert plugin.exists()
    assert tests.returncode == 0, tests.stdout[-3000:]
    assert " passed" in tests.stdout
