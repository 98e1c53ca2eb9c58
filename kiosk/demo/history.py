"""Demo data for the desk screens (screenshots, manual trials): a month of a station's life.

Plain Python: records over `days` days (most delivered, some rejected, the last ones still
waiting), a cap override, server outages and device incidents, and self-tests. Times are
set through the store's clock, so everything lands on the right local day.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import replace

import numpy as np

from kiosk.demo.environment import ensure_demo_accounts
from kiosk.demo.records import demo_applicant, demo_recording
from kiosk.domain.delivery import ProcessingStatus
from kiosk.domain.regions import RegionTable
from kiosk.store.station import Store

REJECT_REASONS = ("sidik jari tidak terbaca", "foto buram", "NIK ganda di pusat",
                  "tanda tangan kosong")


class DemoClock:
    """A settable clock for a Store built to seed history."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def seed_desk_demo(store: Store, days: int = 30, per_day: tuple[int, int] = (2, 9),
                   seed: int = 6) -> None:
    """Fill `store` (fresh, demo accounts created here) with `days` days of history.

    The store's own clock stays as it is; the history is written through a second Store on
    the same data dir whose clock walks through the days.
    """
    ensure_demo_accounts(store)
    rng = np.random.default_rng(seed)
    tz = store.settings.timezone
    regions = RegionTable.load()
    now = store.clock()
    today = store.today(now)
    kec = store.settings["station.kecamatan"]
    template = demo_recording(1, kec, regions, today)
    clock = DemoClock(now)
    hist = Store(store.data_dir, store.settings, clock=clock)
    try:
        clock.now = dt.datetime.combine(today - dt.timedelta(days=days), dt.time(7, 0), tzinfo=tz)
        hist.set_standing_cap(30, "standar kantor kecamatan", "pengawas")
        serial = 0
        for back in range(days - 1, -1, -1):
            day = today - dt.timedelta(days=back)
            open_at = dt.datetime.combine(day, dt.time(8, 0), tzinfo=tz)
            if back == 0:  # today: the last few hours, whatever the time now
                open_at = max(now.astimezone(tz) - dt.timedelta(hours=3),
                              dt.datetime.combine(day, dt.time(0, 5), tzinfo=tz))
            if back == 12:
                clock.now = open_at
                hist.override_cap(40, "pelayanan keliling desa", "pengawas", now=open_at)
            n = int(rng.integers(per_day[0], per_day[1] + 1)) * (2 if back == 12 else 1)
            for i in range(n):
                serial += 1
                when = open_at + dt.timedelta(minutes=20 * i + int(rng.integers(0, 15)))
                if when > now:
                    break
                applicant = demo_applicant(rng, kec, regions, day, serial=serial)
                rec = replace(template, applicant=applicant, record_id=str(uuid.uuid4()))
                clock.now = when
                rid = hist.save_recording(rec, "operator", now=when).record_id
                _deliver(hist, rid, when, back, rng)
            if back in (3, 9, 17, 24):
                start = open_at + dt.timedelta(hours=int(rng.integers(1, 6)))
                hist.add_incident("server_unreachable", "server", "koneksi internet putus",
                                  started=start,
                                  ended=start + dt.timedelta(minutes=int(rng.integers(20, 150))))
            if back in (5, 14):
                start = open_at + dt.timedelta(hours=2, minutes=10)
                hist.add_incident("DeviceUnavailable", "camera", "kamera berhenti mengirim gambar",
                                  started=start, ended=start + dt.timedelta(minutes=7))
            if back in (1, 8):
                start = open_at + dt.timedelta(hours=4)
                hist.add_incident("quality_failures", "fingerprint",
                                  "3 kali mutu di bawah batas berturut-turut", started=start,
                                  ended=start + dt.timedelta(minutes=3))
            if back % 7 == 0:
                clock.now = open_at - dt.timedelta(minutes=30)
                ok = back != 14
                hist.save_selftest(ok, _selftest_results(ok))
    finally:
        hist.close()


def _deliver(store: Store, rid: str, when: dt.datetime, back: int,
             rng: np.random.Generator) -> None:
    """Older records reached the server (a few rejected); the last day's mostly wait."""
    if back == 0 and rng.random() < 0.7:
        return
    received = when + dt.timedelta(minutes=int(rng.integers(2, 90)))
    if back == 0 and received > store.clock() + dt.timedelta(minutes=60):
        return
    if rng.random() < 0.06:
        store.outbox.settle(rid, received, ProcessingStatus.REJECTED,
                            str(rng.choice(REJECT_REASONS)))
    else:
        store.outbox.settle(rid, received, ProcessingStatus.RECEIVED)


def _selftest_results(ok: bool) -> list[dict[str, object]]:
    cam = {"name": "camera", "passed": ok, "threshold": "fps >= 15.0",
           "value": {"fps": 29.8 if ok else 4.2, "resolution": "640x480"},
           "hint_id": "" if ok else "Kamera lambat (4 fps). Periksa kabel USB dan cahaya ruangan.",
           "hint_en": "" if ok else "Camera is slow (4 fps). Check the USB cable and the light.",
           "ms": 1200.0}
    rest = [{"name": n, "passed": True, "threshold": "", "value": None, "hint_id": "",
             "hint_en": "", "ms": 40.0} for n in ("fingerprint", "signature", "server", "disk",
                                                  "database")]
    return [cam, *rest]
