"""Browser tests of the centre's web pages: a real `kiosk-central serve` process and Debian's
chromium driven by Playwright (its own browser download is not available here)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from harness import CentralProcess

CENTRAL = str(Path(sys.executable).parent / "kiosk-central")
CHROMIUM = "/usr/bin/chromium"
# as root, without a display, and without the background traffic a closed network refuses
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-quic",
                 "--lang=id-ID"]  # the date field as an Indonesian phone shows it
# Every page is photographed as the tests drive it; into docs/screenshots/ only when asked
# (`make screenshots` sets EKTP_WEB_SCREENSHOTS), so a test run leaves the tree as it was.
SCREENSHOTS = Path(os.environ.get("EKTP_WEB_SCREENSHOTS")
                   or Path(tempfile.gettempdir()) / "ektp-web-screenshots")


@pytest.fixture(scope="session")
def browser():
    """One headless chromium for the session (each test takes its own context)."""
    from playwright.sync_api import sync_playwright

    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail("Debian's chromium is missing: run scripts/ensure-test-tools.sh")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A fresh browser context (own cookies) and page, phone-sized unless a test resizes it."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="id-ID")
    yield context.new_page()
    context.close()


class WebServer(CentralProcess):
    """`kiosk-central serve --data-dir D` with `options` (harness.CentralProcess), and the
    commands and log a web test reads."""

    def __init__(self, data_dir: Path, *options: str) -> None:
        super().__init__(data_dir, extra=options)

    def cli(self, *args: str, stdin: str | None = None) -> str:
        out = subprocess.run([CENTRAL, *args, "--data-dir", str(self.data_dir)], input=stdin,
                             capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        return out.stdout.strip()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@pytest.fixture
def web_server(tmp_path):
    """start(*serve_options) -> WebServer over a data dir of this test's own."""
    started: list[WebServer] = []

    def start(*options: str) -> WebServer:
        started.append(WebServer(tmp_path / f"central{len(started)}", *options))
        return started[-1]

    yield start
    for server in started:
        server.stop()
