"""A privileged command needs the actor's PIN: asked hidden at a terminal, or one line of stdin
with --pin-stdin. Wrong PINs are refused (exit 1), counted and lock the account at the limit,
exactly as the GUI's login does (kiosk.app.accounts.act_as). Real `kiosk` child processes."""

from __future__ import annotations

import os
import pty
import select
import sys
import time

from kiosk.store import audit
from tests.cli.conftest import PINS, Station

OVERRIDE = ("cap", "override", "45", "--reason", "antrean panjang", "--actor")


def _cap(st: Station) -> int:
    with st.open() as store:
        return store.cap_status().cap


def _failures(st: Station, username: str) -> int:
    with st.open() as store:
        return int(store.db.execute("SELECT failed_attempts FROM users WHERE username = ?",
                                    [username]).fetchone()[0])


def test_the_right_pin_on_stdin_lets_the_supervisor_act(station):
    r = station.kiosk(*OVERRIDE, "rina", pin=PINS["rina"])
    assert r.returncode == 0, r.stderr
    assert _cap(station) == 45
    with station.open() as store:
        actions = [(x["actor"], x["action"]) for x in audit.rows(store.db, 3)]
    assert actions[:2] == [("rina", "cap.override"), ("rina", "user.login")]


def test_a_wrong_pin_is_refused_counted_and_locks_at_the_limit(station):
    """ui.max_login_failures (5) wrong PINs in a row lock the account; then even the right PIN
    is refused until a supervisor resets it or the lockout ends."""
    for left in (4, 3, 2, 1):
        r = station.kiosk(*OVERRIDE, "rina", pin="000000")
        assert r.returncode == 1, r.stderr
        assert f"Nama pengguna atau PIN salah. Sisa percobaan: {left}." in r.stderr
        assert f"Wrong user name or PIN. Attempts left: {left}." in r.stderr
        assert _failures(station, "rina") == 5 - left
    locked = station.kiosk(*OVERRIDE, "rina", pin="000000")
    assert locked.returncode == 1 and "Akun terkunci" in locked.stderr
    still = station.kiosk(*OVERRIDE, "rina", pin=PINS["rina"])
    assert still.returncode == 1 and "The account is locked" in still.stderr
    assert "Traceback" not in locked.stderr + still.stderr
    assert _cap(station) == 30
    with station.open() as store:
        actions = [x["action"] for x in audit.rows(store.db, 1000)]
    assert actions.count("user.login_failed") == 5 and actions.count("user.locked") == 1


def test_an_operator_with_the_right_pin_is_refused(station):
    r = station.kiosk(*OVERRIDE, "budi", pin=PINS["budi"])
    assert r.returncode == 1
    assert "'budi' tidak berwenang untuk tindakan ini (cap)." in r.stderr
    assert _cap(station) == 30
    with station.open() as store:
        [row] = [x for x in audit.rows(store.db, 1000) if x["action"] == "user.denied"]
    assert row["actor"] == "budi"


def test_no_pin_at_all_is_a_usage_error(station):
    """--pin-stdin with nothing on stdin: a sentence, exit 2, no failure counted."""
    r = station.kiosk(*OVERRIDE, "rina", "--pin-stdin")
    assert r.returncode == 2, r.stderr
    assert "PIN pelaku tidak dimasukkan" in r.stderr and "--pin-stdin" in r.stderr
    assert _failures(station, "rina") == 0 and _cap(station) == 30


def test_there_is_no_pin_option_for_the_actor(station):
    r = station.kiosk(*OVERRIDE, "rina", "--pin", PINS["rina"])
    assert r.returncode == 2 and "No such option '--pin'" in r.stderr
    assert _cap(station) == 30


def _read_until(fd: int, needle: bytes, timeout: float) -> bytes:
    seen = b""
    deadline = time.monotonic() + timeout
    while needle not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], deadline - time.monotonic())
        if not ready:
            break
        try:
            chunk = os.read(fd, 1024)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    return seen


def test_at_a_terminal_the_pin_is_asked_and_not_echoed(station):
    """A real pseudo-terminal: the prompt names the actor, the typed PIN never shows."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: the real command on the terminal
        args = [sys.executable, "-m", "kiosk", *OVERRIDE, "rina",
                "--data-dir", str(station.data), "--config", str(station.config)]
        os.execve(sys.executable, args, station.env)
    try:
        prompt = _read_until(fd, b"PIN rina:", 60)
        assert b"PIN rina:" in prompt, prompt
        os.write(fd, PINS["rina"].encode() + b"\r")
        rest = _read_until(fd, b"today's cap: 45", 60)
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0, rest
    assert PINS["rina"].encode() not in prompt + rest
    assert b"today's cap: 45" in rest and _cap(station) == 45
