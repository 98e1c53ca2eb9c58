"""Where the station's files live: shipped resources, the data dir and the config file."""

from __future__ import annotations

from pathlib import Path

import platformdirs

APP_NAME = "ektp-kiosk"
RESOURCES = Path(__file__).resolve().parent.parent / "resources"


def default_data_dir() -> Path:
    """The platform's per-user data directory for the station."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_config_file() -> Path:
    """The one TOML settings file, in the platform's config directory."""
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "settings.toml"


def demo_data_dir() -> Path:
    """Data dir used by `kiosk --demo` (synthetic applicants only)."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "demo"
