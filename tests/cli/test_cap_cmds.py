"""`kiosk cap override` and `kiosk cap set` make the GUI's checks: an active supervisor who gives
their PIN (kiosk.app.accounts.act_as), a reason.

Each command runs as a real `kiosk` child process on the `station` fixture's accounts (see
conftest.py); what the station holds afterwards (the cap in force, its history, the audit
log) is read back from the database.
"""

from __future__ import annotations

import pytest

from kiosk.settings import Settings
from kiosk.store import audit
from kiosk.store.station import Store
from tests.cli.conftest import PINS, Station

DEFAULT_CAP = Settings()["cap.daily"]


def _cap_audit(store: Store) -> list[tuple[str, str]]:
    """(actor, action) of every cap change in the audit log, oldest first."""
    return [(r["actor"], r["action"]) for r in reversed(audit.rows(store.db, 1000))
            if r["action"].startswith("cap.")]


def _assert_nothing_changed(st: Station) -> None:
    with st.open() as store:
        status = store.cap_status()
        assert (status.cap, status.standing_cap) == (DEFAULT_CAP, DEFAULT_CAP)
        assert store.cap_history() == []
        assert _cap_audit(store) == []


REFUSALS = {  # actor -> what they are told, though each gives their own right PIN
    "budi": ("'budi' tidak berwenang untuk tindakan ini (cap).",
             "'budi' is not allowed to do this (cap)."),
    "tono": ("'tono' tidak berwenang untuk tindakan ini (cap).",
             "'tono' is not allowed to do this (cap)."),
    "siapa": ("Nama pengguna atau PIN salah.", "Wrong user name or PIN."),
    "lama": ("Akun 'lama' dinonaktifkan.", "The account 'lama' is disabled."),
}


@pytest.mark.parametrize("command", ["override", "set"])
@pytest.mark.parametrize("actor", list(REFUSALS),
                         ids=["operator", "technician", "unknown", "disabled-supervisor"])
def test_only_an_active_supervisor_may_change_the_cap(station, command, actor):
    """Anyone but an active supervisor is refused in both languages (exit 1), even with the
    right PIN, and no cap is written."""
    r = station.kiosk("cap", command, "45", "--reason", "antrean panjang", "--actor", actor,
                      pin=PINS.get(actor, "123456"))
    assert r.returncode == 1, r.stdout + r.stderr
    said_id, said_en = REFUSALS[actor]
    assert said_id in r.stderr and said_en in r.stderr
    assert "Traceback" not in r.stderr and "Batas" not in r.stdout
    _assert_nothing_changed(station)


@pytest.mark.parametrize("command", ["override", "set"])
@pytest.mark.parametrize("reason", ["", "   "], ids=["empty", "spaces"])
def test_a_blank_reason_is_a_usage_error_before_any_pin_is_asked(station, command, reason):
    """Exit 2 (usage), the sentence in both languages; no PIN is read, none is counted."""
    r = station.kiosk("cap", command, "45", "--reason", reason, "--actor", "rina")
    assert r.returncode == 2, r.stdout + r.stderr
    assert "Alasan wajib diisi." in r.stderr and "A reason is required." in r.stderr
    assert "Traceback" not in r.stderr and "PIN" not in r.stderr
    _assert_nothing_changed(station)
    with station.open() as store:
        assert [r["action"] for r in audit.rows(store.db, 5)][0] == "user.disabled"


def test_an_active_supervisor_overrides_todays_cap_and_is_audited(station):
    r = station.kiosk("cap", "override", "45", "--reason", "antrean panjang", "--actor", "rina",
                      pin=PINS["rina"])
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "Batas hari ini / today's cap: 45"
    with station.open() as store:
        status = store.cap_status()
        assert (status.cap, status.standing_cap) == (45, DEFAULT_CAP)
        assert status.override_reason == "antrean panjang"
        assert _cap_audit(store) == [("rina", "cap.override")]
        assert audit.verify(store.db) is None


def test_an_active_supervisor_sets_the_standing_cap_and_is_audited(station):
    r = station.kiosk("cap", "set", "50", "--reason", "kantor baru", "--actor", "rina",
                      pin=PINS["rina"])
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "Batas harian / standing cap: 50"
    with station.open() as store:
        status = store.cap_status()
        assert (status.cap, status.standing_cap) == (50, 50)
        [change] = store.cap_history()
        assert (change["local_date"], change["actor"], change["reason"]) == (
            None, "rina", "kantor baru")
        assert _cap_audit(store) == [("rina", "cap.standing")]


def test_enabling_or_disabling_a_supervisor_counts_at_the_next_command(station):
    """The actor's account is read from the database at each command."""
    def override(cap: str, reason: str, actor: str, pin: str):
        return station.kiosk("cap", "override", cap, "--reason", reason, "--actor", actor,
                             pin=pin)

    assert override("40", "ramai", "lama", PINS["lama"]).returncode == 1
    assert station.kiosk("user", "enable", "lama", "--actor", "rina", pin=PINS["rina"]
                         ).returncode == 0
    assert override("40", "ramai", "lama", PINS["lama"]).returncode == 0
    assert station.kiosk("user", "disable", "lama", "--actor", "rina", pin=PINS["rina"]
                         ).returncode == 0
    r = override("41", "lagi", "lama", PINS["lama"])
    assert r.returncode == 1 and "dinonaktifkan" in r.stderr
    with station.open() as store:
        assert store.cap_status().cap == 40
        assert _cap_audit(store) == [("lama", "cap.override")]


def test_cap_show_needs_no_actor(station):
    assert station.kiosk("cap", "set", "50", "--reason", "kantor baru", "--actor", "rina",
                         pin=PINS["rina"]).returncode == 0
    r = station.kiosk("cap", "show")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].endswith(": 0 / 50 (standing 50)")
    assert "standing  50  rina: kantor baru" in lines[1]
