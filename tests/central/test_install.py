"""The central server installs alone: `pip install '.[central]'` into a fresh venv gives a
`kiosk-central` that issues tokens and serves the API, with neither Qt nor OpenCV there."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
INSTALL_TIMEOUT = 600  # seconds; pip may have to download every wheel on a cold cache
SERVE_TIMEOUT = 60
# What a fresh clone would not have: a checkout's build/ keeps modules of earlier builds,
# and setuptools puts them all in the wheel, which would hide a package that
# `packages.find` leaves out.
NOT_SOURCES = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", "*.pyc", ".pytest_cache",
    ".hypothesis", ".ruff_cache", "demo-data", "central-data",
)

pytestmark = pytest.mark.timeout(INSTALL_TIMEOUT + 300)


def _clean_env() -> dict[str, str]:
    """This environment minus whatever would put the checkout or our venv on sys.path."""
    env = dict(os.environ)
    for name in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV"):
        env.pop(name, None)
    return env


def _run(args: list[str], cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=_clean_env(), capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture(scope="module")
def venv(tmp_path_factory) -> Path:
    """A fresh venv (no system site packages) holding a regular install of `.[central]`."""
    base = tmp_path_factory.mktemp("central-install")
    src = base / "src"
    shutil.copytree(ROOT, src, ignore=NOT_SOURCES)
    env_dir = base / "venv"
    made = _run([sys.executable, "-m", "venv", str(env_dir)], base, timeout=INSTALL_TIMEOUT)
    assert made.returncode == 0, made.stdout + made.stderr
    pip = _run(
        [str(env_dir / "bin" / "python"), "-m", "pip", "install", "--no-input",
         "-c", str(ROOT / "constraints.txt"), f"{src}[central]"],
        base, timeout=INSTALL_TIMEOUT,
    )
    assert pip.returncode == 0, f"pip install failed:\n{pip.stdout}\n{pip.stderr}"
    return env_dir


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _health(url: str) -> tuple[int, dict] | None:
    """(status, body) of GET url, or None while nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.status, json.loads(r.read())
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def test_central_install_has_neither_qt_nor_opencv(venv, tmp_path):
    """A central server never installs the station's Qt or OpenCV."""
    for module in ("PySide6", "cv2"):
        r = _run([str(venv / "bin" / "python"), "-c", f"import {module}"], tmp_path)
        assert r.returncode != 0 and "ModuleNotFoundError" in r.stderr, (module, r.stderr)


def test_central_install_runs_from_site_packages(venv, tmp_path):
    """The server's code comes from the venv, not from a checkout on sys.path."""
    r = _run([str(venv / "bin" / "python"), "-c",
              "import central.app, central.cli, ektp_protocol\n"
              "print(central.app.__file__); print(ektp_protocol.__file__)"], tmp_path)
    assert r.returncode == 0, r.stderr
    for line in r.stdout.split():
        assert Path(line).is_relative_to(venv), line


def test_central_install_issues_a_station_token(venv, tmp_path):
    """`kiosk-central station add` prints a 128-bit token."""
    r = _run([str(venv / "bin" / "kiosk-central"), "station", "add", "--data-dir",
              str(tmp_path / "data"), "kec-01"], tmp_path)
    assert r.returncode == 0, r.stderr
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", r.stdout.strip()), r.stdout


def test_central_install_serves_health(venv, tmp_path):
    """`kiosk-central serve` starts and answers its health check."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}/v1/health"
    log = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen(
        [str(venv / "bin" / "kiosk-central"), "serve", "--data-dir", str(tmp_path / "data"),
         "--host", "127.0.0.1", "--port", str(port)],
        cwd=tmp_path, env=_clean_env(), stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        answer = None
        deadline = time.monotonic() + SERVE_TIMEOUT
        while answer is None and proc.poll() is None and time.monotonic() < deadline:
            answer = _health(url)
            if answer is None:
                time.sleep(0.2)
        output = (tmp_path / "serve.log").read_text()
        assert answer is not None, f"no answer on {url} (exit {proc.poll()}):\n{output}"
        status, body = answer
        assert status == 200 and body["status"] == "ok", body
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
