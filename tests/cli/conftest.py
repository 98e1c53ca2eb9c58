"""A station with one account of each kind, and a way to run the real `kiosk` command on it."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from kiosk.app import accounts
from kiosk.settings import Settings
from kiosk.store.station import Store

PINS = {"rina": "135790", "budi": "111111", "tono": "222222", "lama": "333333"}


@dataclass
class Station:
    """A station's data dir and settings file, and the environment its child processes share
    a file keyring through (the `subprocess_env` fixture)."""

    data: Path
    config: Path
    env: dict[str, str]

    def open(self) -> Store:
        return Store(self.data, Settings.load(self.config))

    def kiosk(self, *args: str, pin: str | None = None,
              stdin: str = "") -> subprocess.CompletedProcess[str]:
        """Run `kiosk ARGS` on this station; `pin` is given as the actor's PIN on the first
        line of stdin (--pin-stdin). The child has no terminal (its own session, stdin a
        pipe), as under cron or a script, so a PIN prompt can never wait on the test's tty."""
        extra = ["--pin-stdin"] if pin is not None else []
        return subprocess.run(
            [sys.executable, "-m", "kiosk", *args, *extra,
             "--data-dir", str(self.data), "--config", str(self.config)],
            env=self.env, capture_output=True, text=True, timeout=120,
            input=(f"{pin}\n" if pin is not None else "") + stdin, start_new_session=True,
        )


@pytest.fixture
def station(tmp_path: Path, subprocess_env: dict[str, str]) -> Station:
    """Supervisor rina, operator budi, technician tono, and lama, a disabled supervisor."""
    config = tmp_path / "station.toml"
    config.write_text("")
    st = Station(tmp_path / "data", config, subprocess_env)
    with st.open() as store:
        accounts.create_first_supervisor(store, "rina", "Rina Pengawas", PINS["rina"])
        accounts.create_user(store, "rina", "budi", "Budi Operator", "operator", PINS["budi"],
                             demo=True)  # seeded PINs like the demo's: no trivial-PIN rule
        accounts.create_user(store, "rina", "tono", "Tono Teknisi", "technician", PINS["tono"],
                             demo=True)
        accounts.create_user(store, "rina", "lama", "Pengawas Lama", "supervisor", PINS["lama"],
                             demo=True)
        accounts.disable_user(store, "rina", "lama")
    return st
