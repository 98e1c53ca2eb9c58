"""Against a real Secret Service: gnome-keyring under its own D-Bus session (Debian's
gnome-keyring and dbus-run-session, which `make test` installs: scripts/ensure-test-tools.sh).
One child `kiosk` records through keyring's real SecretService backend (SecretStorage over
jeepney); a second child in the same session reads the record back with the key it finds
there. Nothing is chosen for keyring: no PYTHON_KEYRING_BACKEND, no file keyring."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

TOOLS = ("dbus-run-session", "gnome-keyring-daemon")

SESSION = r"""set -eu
# --unlock reads the login keyring's password from stdin and creates the keyring on first use
printf '%s' "$KEYRING_PASSWORD" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
run() { "$PY" -m kiosk "$@" --data-dir "$DATA" --config "$CONF"; }
REGNO=$(run demo-data -n 1 | tail -n 1)
echo "== recorded $REGNO"
echo "== keyring"; run keyring
echo "== read back"; run db check; run status "$REGNO"
"""


def test_a_station_records_and_reads_back_through_a_real_secret_service(tmp_path: Path):
    missing = [t for t in TOOLS if shutil.which(t) is None]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed (Debian: gnome-keyring, dbus-daemon; "
                    "`make test` installs them through scripts/ensure-test-tools.sh)")
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHON_KEYRING_BACKEND", "KIOSK_KEYRING_FILE",
                        "DBUS_SESSION_BUS_ADDRESS", "GNOME_KEYRING_CONTROL")}
    env.update({
        "HOME": str(home), "XDG_DATA_HOME": str(home / ".local/share"),
        "XDG_CONFIG_HOME": str(home / ".config"), "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_RUNTIME_DIR": str(tmp_path / "run"), "KEYRING_PASSWORD": "kata-sandi-uji",
        "PY": sys.executable, "DATA": str(tmp_path / "data"),
        "CONF": str(tmp_path / "station.toml"),
    })
    (tmp_path / "run").mkdir(mode=0o700)
    r = subprocess.run(["dbus-run-session", "--", "sh", "-c", SESSION], env=env,
                       capture_output=True, text=True, timeout=180)
    out = r.stdout
    assert r.returncode == 0, out + r.stderr
    record, rest = out.split("== keyring", 1)
    shown, checked = rest.split("== read back", 1)
    regno = record.split()[-1]
    assert regno.startswith("627104-01-") and regno.endswith("-001"), out
    # the backend really used is keyring's SecretService (directly or inside a ChainerBackend)
    assert "Dipakai / used: keyring.backends.SecretService.Keyring" in shown, shown
    assert "OK: 1 rekaman diperiksa" in checked, out + r.stderr  # every blob decrypted
    assert f"{regno}  (ID " in checked and "menunggu dikirim" in checked
    # the data key is inside gnome-keyring's encrypted store, in no plaintext file of ours
    keyrings = list((home / ".local/share/keyrings").glob("*.keyring"))
    assert keyrings, list(home.rglob("*"))
    assert not [p for p in home.rglob("*") if p.is_file() and b"data-key:" in p.read_bytes()]
    assert not list(tmp_path.glob("*keyring*.json"))
