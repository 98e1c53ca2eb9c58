"""The technician's and supervisor's desk as the screens see it (no Qt, no widgets).

`DeskService` wraps the core (accounts, cap, exports, self-test, supervisor history) with the
logged-in user's permission checked on every call. Calls marked *worker* block on devices,
the network or a long export: screens run them through a task runner, and they open their
own `Store` (own SQLite connection), so they never share a transaction with the GUI thread.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from kiosk.app import accounts, dashboard, history, rerecords
from kiosk.app.accounts import PermissionDenied, User
from kiosk.app.workers import WorkerStores
from kiosk.devices.signature import input_devices, probe_signature_input
from kiosk.domain.messages import DomainError, Msg
from kiosk.settings import BY_KEY, Settings, SettingsError
from kiosk.store.cap import CapStatus
from kiosk.store.figures import offline_minutes
from kiosk.store.station import Store
from kiosk.sync.faults import fault_words

T = TypeVar("T")

# What the device settings screen edits, in screen order.
DEVICE_KEYS = ("camera.source", "camera.width", "camera.height", "sbi.port_first",
               "sbi.port_last", "signature.input")
RESOLUTIONS = ((640, 480), (800, 600), (1280, 720), (1920, 1080))


class ReasonRequired(DomainError):
    def __init__(self) -> None:
        super().__init__(Msg("Alasan wajib diisi.", "A reason is required."))


class CapBelowToday(DomainError):
    """A new cap in force today at or below today's count: recording stops at once (and the
    home screen would read e.g. "25 / 20"). Asked, and done only when confirmed."""


def cap_warning(status: CapStatus, cap: int, today_only: bool) -> Msg | None:
    """What a supervisor must know before setting `cap`, or None: the cap that would be in
    force today (an override, or a standing cap while today has none) is at or below today's
    count. A standing cap under today's override only applies from tomorrow: no warning."""
    if not today_only and status.override_reason is not None:
        return None
    if cap > status.count:
        return None
    if cap == status.count:
        return Msg(f"Batas baru ({cap}) sama dengan jumlah perekaman hari ini ({status.count}): "
                   "tidak ada perekaman baru lagi hari ini.",
                   f"The new cap ({cap}) equals today's recordings ({status.count}): no more "
                   "recordings today.")
    return Msg(f"Batas baru ({cap}) lebih kecil dari jumlah perekaman hari ini "
               f"({status.count}): tidak ada perekaman baru lagi hari ini, dan layar akan "
               f"menunjukkan {status.count} / {cap}. Rekaman yang sudah ada tetap tersimpan.",
               f"The new cap ({cap}) is below today's recordings ({status.count}): no more "
               f"recordings today, and the screen will show {status.count} / {cap}. The "
               "records already made stay saved.")


class InvalidDeviceSetting(DomainError):
    """A device setting the station cannot use; the message names it."""


def check_allowed(store: Store, user: User, action: str) -> User:
    """The user's current account if its role may do `action` (read from the database, so a
    role change or a disabled account counts at once); PermissionDenied otherwise."""
    if not accounts.can(user.role, action):
        raise PermissionDenied(user.username, action)
    return accounts.require(store, user.username, action)


@dataclass(frozen=True)
class CapChangeRow:
    """One line of the cap history, in local time."""

    when: dt.datetime
    day: dt.date | None  # None: the standing cap
    cap: int
    reason: str
    actor: str


@dataclass(frozen=True)
class TodayFigures:
    """The dashboard's numbers beside the charts."""

    cap: CapStatus
    backlog: dict[str, int]
    offline_minutes: float
    rerecord_open: int


@dataclass(frozen=True)
class FaultRow:
    """A queued record that cannot be read to be sent, as the technician's screen lists it."""

    regno: str
    record_id: str
    since: dt.datetime | None  # local time the fault was first seen
    words: Msg  # the error in words, and what to do
    error: str  # the technical error (for the log and a support call)
    attempts: int
    next_try: dt.datetime | None  # local time


@dataclass(frozen=True)
class FingerTest:
    """A test thumbs capture: one image and score per thumb, and the threshold."""

    device: str
    threshold: int
    fingers: list[tuple[int, int, np.ndarray]]  # (position, quality, 8-bit pixels)


class DeskService(WorkerStores):
    """The desk screens' access to the core, for one logged-in `user`."""

    def __init__(self, store: Store, settings_path: Path, user: User,
                 export_dir: Path | None = None) -> None:
        self.store = store
        self.settings: Settings = store.settings
        self.settings_path = Path(settings_path)
        self.user = user
        self.export_dir = Path(export_dir) if export_dir else store.data_dir.parent / "ekspor"

    @property
    def actor(self) -> str:
        return self.user.username

    def require(self, action: str) -> User:
        return check_allowed(self.store, self.user, action)

    # --- self-test (technician) --------------------------------------------------------

    def selftest_job(self, names: list[str], input_names: list[str],
                     save: bool) -> Callable[[], Any]:
        """A job running the named checks; `input_names` are the GUI's input devices (the
        signature check's probe). Saved as a self-test when `save`. *worker*"""
        self.require("selftest")
        from kiosk.selftest.engine import SelfTestContext, run_all

        names_seen = [*input_devices(), *input_names]

        def probe(settings: Settings):
            return probe_signature_input(settings, names_seen)

        def run(store: Store):
            ctx = SelfTestContext(store, self.settings, signature_probe=probe)
            return run_all(ctx, names, save=save)
        return self.in_worker(run)

    def test_fingerprint(self) -> FingerTest:
        """Capture both thumbs once on the first scanner found. *worker*"""
        from kiosk.app.devices import open_scanner
        from kiosk.devices.fingerprint import threshold
        from kiosk.devices.iso19794 import decode
        from kiosk.devices.sbi_protocol import SUB_ID_POSITIONS, SUB_THUMBS

        client, device = open_scanner(self.settings)
        need = threshold(1, self.settings)
        fingers = client.capture(device, SUB_THUMBS, list(SUB_ID_POSITIONS[SUB_THUMBS]),
                                 requested_score=need,
                                 timeout_ms=int(self.settings["sbi.capture_timeout_ms"])).fingers
        images = [(f.position, f.quality, decode(f.record).pixels) for f in fingers]
        label = f"{device.make} {device.model} ({device.serial}, port {device.port})".strip()
        return FingerTest(label, need, images)

    def scanner_trust(self) -> dict[str, Any]:
        """The CA certificates a scanner's signatures must chain to (`sbi.trust_store`), for the
        device settings screen: `folder`, `exists`, `certs` (per CA: `subject` RFC 4514, `cn`,
        `until` UTC, `fingerprint` SHA-256, `state` "valid", "expires soon" (under 30 days) or
        "expired"), `warnings` (a Msg per unreadable file) and `notice` (a Msg if none)."""
        self.require("device_settings")
        from cryptography.x509 import NameOID

        from kiosk.devices.sbi import load_trust, load_trust_folder

        folder, trust, now = (load_trust_folder(self.settings).absolute(),
                              load_trust(self.settings), self.store.clock())
        certs = []
        for cert, (subject, until, fp) in zip(trust.certs, trust.describe(), strict=True):
            cn = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
            state = "expired" if until <= now else (
                "expires soon" if until - now < dt.timedelta(days=30) else "valid")
            certs.append(dict(subject=subject, cn=str(cn[0].value) if cn else subject,
                              until=until, fingerprint=fp, state=state))
        notice = None if certs else Msg(
            f"Belum ada sertifikat CA di {folder}: salin sertifikat dari penyedia pemindai ke "
            "folder itu.", f"No CA certificate in {folder} yet: copy the certificates from the "
            "scanner provider into that folder.")
        return dict(folder=folder, exists=folder.is_dir(), certs=certs, notice=notice,
                    warnings=[Msg(*w.split(" / ", 1)) for w in trust.warnings])

    # --- history (technician) ----------------------------------------------------------

    def incidents(self, day: dt.date | None, device: str | None) -> list[history.Incident]:
        self.require("incident_history")
        return history.incident_history(self.store, day, device or None)

    def faults(self) -> list[FaultRow]:
        """Records delivery cannot read (a rotten blob, say), oldest recording first."""
        self.require("incident_history")
        tz = self.settings.timezone

        def local(t: dt.datetime | None) -> dt.datetime | None:
            return t.astimezone(tz) if t else None
        return [FaultRow(f.regno, f.record_id, local(f.since), fault_words(f.error), f.error,
                         f.attempts, local(f.next_attempt_at))
                for f in self.store.outbox.faults()]

    def incident_devices(self) -> list[str]:
        return history.incident_devices(self.store)

    def selftests(self, day: dt.date | None) -> list[history.SelfTestRun]:
        self.require("incident_history")
        return history.selftest_history(self.store, day)

    def write_incidents_csv(self, incidents: list[history.Incident], output: Path) -> Path:
        self.require("incident_history")
        path = history.write_incidents_csv(incidents, output)
        self.store.audit(self.actor, "incidents.exported",
                         {"path": str(path), "rows": len(incidents)})
        return path

    # --- device settings (technician) --------------------------------------------------

    def device_settings(self) -> dict[str, Any]:
        return {k: self.settings[k] for k in DEVICE_KEYS}

    def save_device_settings(self, values: dict[str, Any]) -> dict[str, Any]:
        """Check, write to the settings file, apply to the running station and audit.

        Returns the keys that changed with their new values (empty: nothing to do).
        """
        self.require("device_settings")
        changed: dict[str, Any] = {}
        for key, raw in values.items():
            if key not in DEVICE_KEYS:
                raise KeyError(key)
            try:
                value = BY_KEY[key].coerce(raw.strip() if isinstance(raw, str) else raw)
            except SettingsError as exc:
                raise InvalidDeviceSetting(Msg(f"Nilai tidak sah: {exc}",
                                               f"Invalid value: {exc}")) from None
            if value != self.settings[key]:
                changed[key] = value
        merged = {**self.device_settings(), **changed}
        if not str(merged["camera.source"]).strip():
            raise InvalidDeviceSetting(Msg("Sumber kamera wajib diisi.",
                                           "The camera source is required."))
        if merged["sbi.port_first"] > merged["sbi.port_last"]:
            raise InvalidDeviceSetting(Msg(
                "Port SBI pertama harus lebih kecil atau sama dengan port terakhir.",
                "The first SBI port must not be above the last one."))
        if not 1 <= merged["sbi.port_first"] <= 65535 or not 1 <= merged["sbi.port_last"] <= 65535:
            raise InvalidDeviceSetting(Msg("Port SBI harus 1-65535.",
                                           "SBI ports must be 1-65535."))
        if not changed:
            return {}
        file_settings = Settings.load(self.settings_path)
        before = {k: self.settings[k] for k in changed}
        for key, value in changed.items():
            file_settings.set(key, value)
        file_settings.save(self.settings_path)
        for key, value in changed.items():
            self.settings.set(key, value)  # the running station uses them at once
        self.store.audit(self.actor, "settings.devices",
                         {k: {"from": before[k], "to": v} for k, v in changed.items()})
        return changed

    # --- daily log export (supervisor) ----------------------------------------------------

    def records_on(self, day: dt.date) -> int:
        """How many recordings the day's log will have (shown before exporting)."""
        self.require("export")
        return int(self.store.db.execute(
            "SELECT COUNT(*) FROM records WHERE local_date = ?", [day.isoformat()]).fetchone()[0])

    def export_job(self, exporter: Callable[..., Any], day: dt.date, output: Path,
                   full_nik: bool, progress: Callable[[int, int], bool | None]
                   ) -> Callable[[], Any]:
        """A job writing the log of `day` with `exporter` (export_csv, export_xlsx,
        export_pdf); ExportCancelled when `progress` returns False. *worker*"""
        self.require("export")
        actor = self.actor
        return self.in_worker(lambda store: exporter(store, day, output, full_nik=full_nik,
                                                     actor=actor, progress=progress))

    # --- cap (supervisor) ----------------------------------------------------------------

    def cap_status(self) -> CapStatus:
        return self.store.cap_status()

    def set_cap(self, cap: int, reason: str, today_only: bool,
                confirmed: bool = False) -> CapStatus:
        """Today's override (`today_only`) or the standing cap, with a reason; audited.
        CapBelowToday, changing nothing, when `cap_warning` has a word and not `confirmed`."""
        self.require("cap")
        if not reason.strip():
            raise ReasonRequired()
        warning = cap_warning(self.store.cap_status(), cap, today_only)
        if warning is not None and not confirmed:
            raise CapBelowToday(warning)
        if today_only:
            self.store.override_cap(cap, reason, self.actor)
        else:
            self.store.set_standing_cap(cap, reason, self.actor)
        return self.store.cap_status()

    def cap_history(self) -> list[CapChangeRow]:
        tz = self.settings.timezone
        return [
            CapChangeRow(dt.datetime.fromisoformat(r["ts"]).astimezone(tz),
                         dt.date.fromisoformat(r["local_date"]) if r["local_date"] else None,
                         int(r["cap"]), r["reason"], r["actor"])
            for r in self.store.cap_history()
        ]

    # --- accounts (supervisor) ------------------------------------------------------------

    def users(self) -> list[User]:
        self.require("accounts")
        return accounts.list_users(self.store)

    def add_user(self, username: str, display_name: str, role: str, pin: str) -> User:
        return accounts.create_user(self.store, self.actor, username.strip().lower(),
                                    display_name, role, pin)

    def set_disabled(self, username: str, disabled: bool) -> User:
        fn = accounts.disable_user if disabled else accounts.enable_user
        return fn(self.store, self.actor, username)

    def reset_pin(self, username: str, pin: str) -> User:
        return accounts.reset_pin(self.store, self.actor, username, pin)

    def set_role(self, username: str, role: str) -> User:
        return accounts.set_role(self.store, self.actor, username, role)

    # --- re-recordings and dashboard (supervisor) ------------------------------------------

    def rerecords(self) -> list[rerecords.Rerecord]:
        self.require("rerecord")
        return rerecords.rerecord_list(self.store)

    def mark_contacted(self, record_id: str) -> dt.datetime:
        when = rerecords.mark_contacted(self.store, record_id, self.actor)
        return when.astimezone(self.settings.timezone)

    def dashboard(self, days: int = 30) -> list[dashboard.DayPoint]:
        self.require("dashboard")
        return dashboard.dashboard_series(self.store, days)

    def today_figures(self) -> TodayFigures:
        cap = self.store.cap_status()
        _, open_rerecords = self.store.outbox.rejected_counts()
        return TodayFigures(cap, self.store.backlog(), offline_minutes(self.store, cap.day),
                            open_rerecords)


class CancelFlag:
    """Set from the GUI thread, read by a worker's progress callback."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()
