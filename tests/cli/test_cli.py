"""The `kiosk` command: help everywhere, --data-dir/--config on every command, real results."""

from __future__ import annotations

import json
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from kiosk import __version__
from kiosk.cli import cli


def _commands(group: click.Group, prefix=()):
    for name, cmd in group.commands.items():
        yield (*prefix, name), cmd
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, (*prefix, name))


def test_every_command_has_help_text_and_takes_data_dir_and_config():
    for path, cmd in _commands(cli):
        assert cmd.help, f"kiosk {' '.join(path)} has no help"
        result = CliRunner().invoke(cli, [*path, "--help"])
        assert result.exit_code == 0, path
        if not isinstance(cmd, click.Group):
            assert "--data-dir" in result.output and "--config" in result.output, path


# every command the issue and the docs promise, by its full name
EXPECTED = {
    ("summary",), ("demo-data",), ("status",), ("selftest",), ("devices",), ("export",),
    ("sync",), ("setup",), ("setup", "central"), ("cap",), ("cap", "show"),
    ("cap", "override"), ("cap", "set"), ("db",), ("db", "check"), ("audit",),
    ("audit", "verify"), ("audit", "show"), ("user",), ("user", "add"), ("user", "list"),
    ("user", "disable"), ("user", "enable"), ("user", "reset-pin"), ("user", "set-role"),
    ("keyring",), ("backup",), ("restore",), ("receipt",), ("carry",), ("carry", "export"),
    ("carry", "receipts"),
}


def _listed(help_text: str) -> dict[str, str]:
    """The 'Commands:' section of a --help page: name -> its one-line help."""
    section = help_text.split("\nCommands:\n", 1)[1]
    pairs = (line.strip().partition(" ") for line in section.splitlines() if line.strip())
    return {name: text.strip() for name, _, text in pairs}


def test_kiosk_help_lists_every_command_with_its_help_and_loads_nothing_heavy():
    """The real `kiosk --help` (and each group's) names every command beside a line of help,
    without loading the store, the app layer, numpy, OpenCV or Qt (so it stays quick)."""
    assert {path for path, _ in _commands(cli)} == EXPECTED
    heavy = ("kiosk.store", "kiosk.app", "kiosk.ui", "numpy", "cv2", "PySide6")
    code = (
        "import sys\nfrom kiosk.cli import main\n"
        "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
        f"print('LOADED', *sorted(m for m in sys.modules if m.startswith({heavy!r})))"
    )
    for group in [(), *(path for path, cmd in _commands(cli) if isinstance(cmd, click.Group))]:
        r = subprocess.run([sys.executable, "-c", code, *group, "--help"],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        page, loaded = r.stdout.rsplit("LOADED", 1)
        assert loaded.split() == [], f"kiosk {' '.join(group)} --help loads {loaded}"
        listed = _listed(page)
        children = {p[-1] for p in EXPECTED if p[:-1] == group}
        assert set(listed) == children, group
        assert all(len(text) > 5 for text in listed.values()), listed


def test_version():
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output


def _kiosk(env, *args, timeout=300):
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.slow
def test_demo_data_summary_status_and_the_cap_from_the_command_line(tmp_path, subprocess_env):
    config = tmp_path / "station.toml"
    config.write_text("[cap]\ndaily = 2\n[station]\nnumber = '03'\n")
    common = ["--data-dir", str(tmp_path / "d"), "--config", str(config)]
    made = _kiosk(subprocess_env, "demo-data", "--count", "3", "--date", "2026-11-20", *common)
    assert made.returncode == 1
    regnos = made.stdout.split()
    assert regnos == ["627104-03-20261120-001", "627104-03-20261120-002"]
    assert "Batas harian tercapai: 2 dari 2" in made.stderr
    summary = _kiosk(subprocess_env, "summary", "--json", *common)
    data = json.loads(summary.stdout)
    assert data["backlog"]["saved"] == 2 and data["cap"] == 2
    status = _kiosk(subprocess_env, "status", regnos[1], *common)
    assert status.returncode == 0 and "menunggu dikirim" in status.stdout
    missing = _kiosk(subprocess_env, "status", "627104-03-20261120-099", *common)
    assert missing.returncode == 1 and "Tidak ditemukan" in missing.stderr
    # options given before the subcommand work too
    before = _kiosk(subprocess_env, *common, "summary", "--json")
    assert json.loads(before.stdout)["station"] == "627104-03"
    # the text form names the station id, which the key backup needs (README, Backups)
    text = _kiosk(subprocess_env, "summary", *common)
    assert f"ID stasiun / id   : {data['station_id']}" in text.stdout
