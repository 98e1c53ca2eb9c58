"""Start-up time to the login screen (vs a bare PySide6 window) and peak memory of a recording.

Prints one JSON object. Each figure is the median of several child processes, timed from just
before the child is spawned to the moment its window has been shown and the event loop ran
once; for the station also to the moment the store and every screen are loaded (the PIN can
be checked). Targets: station / bare <= 2.0; peak RSS of a full scripted recording < 350 MB.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 5

BARE = """
import sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication(sys.argv[:1])
w = QLabel("bare"); w.resize(1366, 768); w.show()
QTimer.singleShot(0, lambda: (print(time.time(), flush=True), app.quit()))
app.exec()
"""

STATION = """
import sys, time
from pathlib import Path
import kiosk.cli  # the real entry point's imports
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from kiosk.ui.qt_app import run_gui
data = Path(sys.argv[1])
def shown(win):  # the login screen is on screen (the event loop ran once)
    assert win.page() is win.login
    QTimer.singleShot(0, lambda: print(time.time(), flush=True))
def ready(win):  # the store and every screen are loaded: the PIN can be checked
    assert win.page() is win.login and win.login.login_button.isEnabled()
    print(time.time(), flush=True)
    QApplication.quit()
run_gui(data, data / "settings.toml", on_shown=shown, on_ready=ready)
"""

RECORD = """
import resource, sys, time
from pathlib import Path
import numpy as np
from PySide6.QtCore import QEvent, QPointF, Qt, QTimer
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication
from kiosk.demo.records import demo_applicant
from kiosk.ui.qt_app import run_gui

data = Path(sys.argv[1])
app = QApplication.instance() or QApplication(sys.argv[:1])

def pump(cond, timeout=60):
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            raise TimeoutError
        app.processEvents()
        time.sleep(0.01)

def script(win):
    win.login.username.setText("operator"); win.login.pin.setText("111111"); win.login.submit()
    win.home.new_button.click()
    svc = win.service
    win.flow.steps["data"].fill(demo_applicant(np.random.default_rng(1),
        svc.settings["station.kecamatan"], svc.regions, svc.today(), 77))
    win.flow.next_button.click()
    photo = win.flow.steps["photo"]
    pump(photo.capture_button.isEnabled)
    photo.capture_button.click()
    pump(lambda: win.flow.draft.photo is not None)
    win.flow.next_button.click()
    fingers = win.flow.steps["fingers"]
    pump(lambda: not fingers.busy)
    for slap in ("right", "left", "thumbs"):
        fingers.capture(slap)
        pump(lambda: not fingers.busy)
    win.flow.next_button.click()
    pad = win.flow.steps["signature"].pad
    L, N = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    for s in range(3):
        pts = [(40 + 6 * i, 60 + 30 * s + 15 * np.sin(i / 4)) for i in range(61)]
        for i, (x, y) in enumerate(pts):
            kind = (QEvent.Type.MouseButtonPress if i == 0 else QEvent.Type.MouseButtonRelease
                    if i == 60 else QEvent.Type.MouseMove)
            QApplication.sendEvent(pad, QMouseEvent(kind, QPointF(x, y), QPointF(x, y),
                N if kind == QEvent.Type.MouseMove else L,
                N if kind == QEvent.Type.MouseButtonRelease else L,
                Qt.KeyboardModifier.NoModifier))
    win.flow.next_button.click()
    win.flow.next_button.click()
    assert win.page() is win.receipt, "not saved"
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, flush=True)
    app.quit()

run_gui(data, data / "settings.toml", demo=True, demo_central=False,
        on_ready=lambda win: QTimer.singleShot(0, lambda: script(win)))
"""


def _env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHON_KEYRING_BACKEND"] = "kiosk.store.keys.FileKeyring"
    env["KIOSK_KEYRING_FILE"] = str(tmp / "keyring.json")
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["PYTHONPATH"] = str(ROOT)
    return env


def _times(code: str, args: list[str], env: dict[str, str]) -> list[float]:
    """Seconds from spawning the child to each time stamp it prints."""
    start = time.time()
    out = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True,
                         text=True, timeout=120, check=True).stdout
    return [float(line) - start for line in out.strip().splitlines()]


def _timed(code: str, args: list[str], env: dict[str, str]) -> float:
    return _times(code, args, env)[0]


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="ektp-bench-"))
    env = _env(tmp)
    data = tmp / "station"
    data.mkdir()
    (data / "settings.toml").touch()
    subprocess.run(  # a station with accounts, so the login screen (not set-up) shows
        [sys.executable, "-c",
         "import sys; from pathlib import Path; from kiosk.settings import Settings;"
         "from kiosk.store.station import Store; from kiosk.demo.environment import "
         "ensure_demo_accounts; ensure_demo_accounts(Store(Path(sys.argv[1]), Settings()))",
         str(data)], env=env, check=True, timeout=120)
    _timed(BARE, [], env)  # warm the OS file cache for both
    _timed(STATION, [str(data)], env)
    bare = [_timed(BARE, [], env) for _ in range(RUNS)]
    runs = [_times(STATION, [str(data)], env) for _ in range(RUNS)]
    station = [r[0] for r in runs]
    usable = [r[1] for r in runs]
    demo = tmp / "demo"
    demo.mkdir()
    (demo / "settings.toml").touch()
    rss_kb = int(subprocess.run([sys.executable, "-c", RECORD, str(demo)], env=env,
                                capture_output=True, text=True, timeout=300,
                                check=True).stdout.strip().splitlines()[-1])
    b, s = statistics.median(bare), statistics.median(station)
    print(json.dumps({
        "bench": "startup",
        "runs": RUNS,
        "bare_pyside6_window_s_median": round(b, 3),
        "station_login_screen_s_median": round(s, 3),
        "ratio_station_to_bare": round(s / b, 2),
        "station_login_usable_s_median": round(statistics.median(usable), 3),
        "target_ratio_max": 2.0,
        "peak_rss_full_demo_recording_mb": round(rss_kb / 1024, 1),
        "target_peak_rss_mb_max": 350,
    }))


if __name__ == "__main__":
    main()
