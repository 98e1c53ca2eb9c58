"""The station service: what the screens ask of the core (no Qt, no widgets).

Widgets never touch SQL, HTTP or files; they call this. Store calls run on the GUI thread on
purpose: they are short local transactions on one SQLite connection, and keeping them on one
thread means two of them can never interleave inside a transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.app import accounts
from kiosk.app.accounts import User
from kiosk.app.draft import Draft
from kiosk.domain.applicant import Applicant, Problem, validate_applicant
from kiosk.domain.messages import Msg
from kiosk.domain.nik import mask_nik
from kiosk.domain.regions import Region, RegionTable
from kiosk.store.cap import CapStatus
from kiosk.store.save import SavedRecord
from kiosk.store.station import Store


@dataclass(frozen=True)
class HomeView:
    """What the home screen shows: today's quota and why a new recording is blocked."""

    cap: CapStatus
    blocked: list[Msg]
    backlog: dict[str, int]
    rerecord_total: int = 0  # records the server rejected (perlu rekam ulang)
    rerecord_waiting: int = 0  # of those, applicants not yet informed

    @property
    def can_start(self) -> bool:
        return not self.blocked


@dataclass(frozen=True)
class ReceiptView:
    """Everything printed on the applicant's receipt (tanda bukti perekaman)."""

    regno: str
    record_id: str
    saved_at: dt.datetime  # aware, in the station's time zone
    station_name: str
    station_code: str
    applicant_name: str
    nik_masked: str
    photo: bool
    fingers_captured: int
    fingers_excepted: int
    signature: bool


class StationService:
    """Facade over the store, the region table and the freeze gates for the screens."""

    def __init__(self, store: Store, regions: RegionTable) -> None:
        self.store = store
        self.regions = regions
        self.settings = store.settings

    # --- accounts ---------------------------------------------------------------------

    def has_accounts(self) -> bool:
        return accounts.has_any_user(self.store)

    def authenticate(self, username: str, pin: str) -> User:
        """The user, or LoginFailed / AccountLocked / AccountDisabled."""
        return accounts.authenticate(self.store, username.strip().lower(), pin)

    def authenticate_role(self, username: str, pin: str, action: str) -> User:
        """Like authenticate, and the user's role must allow `action` (PermissionDenied)."""
        user = self.authenticate(username, pin)
        if not user.can(action):
            raise accounts.PermissionDenied(user.username, action)
        return user

    def first_run_setup(
        self, settings_path: Path, station_number: str, kecamatan: str, timezone: str,
        daily_cap: int, username: str, display_name: str, pin: str,
    ) -> User:
        return accounts.first_run_setup(
            self.store, settings_path, station_number, kecamatan, timezone, daily_cap,
            username.strip().lower(), display_name, pin,
        )

    def all_kecamatan(self) -> list[Region]:
        """Every kecamatan in the loaded region tables (the setup wizard's list)."""
        out: list[Region] = []
        # Province codes are two digits (11 Aceh .. 9x Papua); the table has no root node.
        for pp in range(11, 100):
            for reg in self.regions.children(f"{pp:02d}"):
                out += self.regions.children(reg.code)
        return out

    # --- home ------------------------------------------------------------------------

    def freeze_reasons(self) -> list[Msg]:
        """Reasons the station must not start a recording (gates), empty when none."""
        from kiosk.app import gates

        return [getattr(r, "msg", r) for r in gates.freeze_reasons(self.store)]

    def home(self) -> HomeView:
        cap = self.store.cap_status()
        blocked: list[Msg] = []
        if cap.reached:
            blocked.append(_cap_msg(cap))
        blocked += self.freeze_reasons()
        total, waiting = self.store.outbox.rejected_counts()
        return HomeView(cap=cap, blocked=blocked, backlog=self.store.backlog(),
                        rerecord_total=total, rerecord_waiting=waiting)

    def today(self) -> dt.date:
        return self.store.today()

    def cap_status(self) -> CapStatus:
        return self.store.cap_status()

    def start_recording(self) -> Draft:
        """A fresh draft; DailyCapReached / KeyringUnavailable when one must not start."""
        self.store.check_can_start()
        return Draft(seal=self.store.seal_items)

    def set_sync_paused(self, user: User, paused: bool) -> None:
        """A supervisor holds (or resumes) delivery: checked against `user`'s current account
        (PermissionDenied otherwise, a role changed or an account disabled since login
        counts), and audited. The caller then tells the sync worker."""
        current = accounts.require(self.store, user.username, "sync_pause")
        self.store.audit(current.username, "sync.paused" if paused else "sync.resumed", {})

    def override_cap(self, cap: int, reason: str, actor: str) -> CapStatus:
        self.store.override_cap(cap, reason, actor)
        return self.store.cap_status()

    # --- the data step -----------------------------------------------------------------

    def kecamatan_choices(self) -> list[Region]:
        """Kecamatan of the station's regency (the applicant's address)."""
        return self.regions.children(self.settings["station.kecamatan"][:4])

    def kelurahan_choices(self, kecamatan: str) -> list[Region]:
        return self.regions.children(kecamatan) if kecamatan else []

    def validate(self, applicant: Applicant, today: dt.date | None = None) -> list[Problem]:
        return validate_applicant(applicant, self.regions, today or self.store.today())

    def earlier_recordings(self, nik: str) -> list[dict[str, Any]]:
        """Recordings of this NIK at this station (duplicate warning); [] for a partial NIK."""
        return self.store.nik_seen(nik)

    # --- saving and the receipt -------------------------------------------------------

    def save(self, draft: Draft, operator: str) -> SavedRecord:
        """One transaction; returns only after the commit (then the UI may say Tersimpan)."""
        return self.store.save_recording(draft.to_recording(), operator)

    def receipt(self, saved: SavedRecord, draft: Draft) -> ReceiptView:
        tz = self.settings.timezone
        created = dt.datetime.fromisoformat(saved.created_at).astimezone(tz)
        return ReceiptView(
            regno=saved.regno,
            record_id=saved.record_id,
            saved_at=created,
            station_name=self.settings["station.name"],
            station_code=f"{self.settings['station.kecamatan']}-{self.settings['station.number']}",
            applicant_name=draft.applicant.nama,
            nik_masked=mask_nik(draft.applicant.nik),
            photo=draft.photo is not None,
            fingers_captured=len(draft.fingers.results()) if draft.fingers else 0,
            fingers_excepted=len(draft.fingers.exceptions) if draft.fingers else 0,
            signature=draft.signature_png is not None and not draft.signature_exception,
        )

    # --- status lookup ----------------------------------------------------------------

    def lookup(self, query: str) -> list[dict[str, Any]]:
        """Records by registration number, record id or NIK (newest first)."""
        return self.store.find(query)

    def local_time(self, iso_text: str | None) -> dt.datetime | None:
        if not iso_text:
            return None
        return dt.datetime.fromisoformat(iso_text).astimezone(self.settings.timezone)


def _cap_msg(cap: CapStatus) -> Msg:
    return Msg(
        f"Batas harian tercapai ({cap.count} dari {cap.cap}). Kuota dibuka lagi besok pukul "
        "00.00. Pengawas dapat menaikkan batas hari ini dengan alasan.",
        f"Daily cap reached ({cap.count} of {cap.cap}). It opens again tomorrow at 00:00. A "
        "supervisor can raise today's cap with a reason.",
    )
