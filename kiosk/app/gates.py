"""Freeze gates: conditions under which the station refuses to start a new recording.

The home screen shows every reason `freeze_reasons` returns (Bahasa Indonesia first) and
disables "Perekaman Baru" while the list is non-empty. Each gate lifts by itself once its
condition clears. The gates:

- disk: free space in the data directory is below one more day at the cap in force
  (cap x freeze.record_size_mb) plus freeze.disk_margin_mb;
- unsent: the oldest record the server does not hold yet (saved or being sent) is older than
  freeze.max_unsent_days;
- clock: |station clock - server clock| measured at the last contact exceeds
  freeze.max_clock_skew_minutes. The sync engine writes that measurement at every health
  contact as Store meta key `server_clock_skew_seconds` (CLOCK_SKEW_META): a float in seconds,
  station minus server. Absent (never contacted) or unreadable: this gate stays open;
- self-test: the last self-test has a failed result for a device the recording needs
  (a result whose 'name' is, or starts with, camera / fingerprint / signature); a device
  that was busy (in use by another program, e.g. the running station window) is not failed;
- database: the database is younger than its anchors (kiosk.store.anchors: lost, emptied or
  replaced by an older copy): "database hilang atau diganti: pulihkan cadangan". Lifts once
  the backup is restored (`kiosk restore`, which re-anchors).
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
from collections.abc import Callable
from typing import Any

from kiosk.domain.messages import Msg
from kiosk.store.errors import DatabaseReplaced
from kiosk.store.figures import CapHistory
from kiosk.store.station import SERVER_CLOCK_SKEW, Store

log = logging.getLogger(__name__)

CLOCK_SKEW_META = SERVER_CLOCK_SKEW
RECORDING_DEVICES = {"camera": "kamera", "fingerprint": "pemindai sidik jari",
                     "signature": "alat tanda tangan"}
MB = 1024 * 1024

DiskUsage = Callable[[Any], Any]  # shutil.disk_usage's shape: returns an object with .free


def disk_reason(store: Store, now: dt.datetime, disk_usage: DiskUsage) -> Msg | None:
    s = store.settings
    cap = CapHistory(store).cap_on(store.today(now))
    need = cap * float(s["freeze.record_size_mb"]) * MB + float(s["freeze.disk_margin_mb"]) * MB
    free = disk_usage(store.data_dir).free
    if free >= need:
        return None
    free_mb, need_mb = free / MB, need / MB
    return Msg(
        f"Ruang disk tinggal {free_mb:.0f} MB, kurang dari {need_mb:.0f} MB yang dibutuhkan "
        "untuk satu hari perekaman lagi. Kosongkan disk atau hubungi teknisi.",
        f"Only {free_mb:.0f} MB of disk is free, less than the {need_mb:.0f} MB one more day "
        "of recordings needs. Free some space or call the technician.",
    )


def unsent_reason(store: Store, now: dt.datetime) -> Msg | None:
    oldest = store.outbox.oldest_unsent()
    if oldest is None:
        return None
    age = now - oldest
    limit = int(store.settings["freeze.max_unsent_days"])
    if age <= dt.timedelta(days=limit):
        return None
    return Msg(
        f"Ada rekaman yang belum terkirim ke server sejak {age.days} hari (batas {limit} hari). "
        "Periksa sambungan ke server sebelum merekam lagi.",
        f"A recording has not reached the server for {age.days} days (limit {limit} days). "
        "Check the server link before recording again.",
    )


def clock_reason(store: Store) -> Msg | None:
    raw = store.meta(CLOCK_SKEW_META)
    if raw is None:
        return None
    try:
        skew = float(raw)
    except ValueError:
        log.warning("ignoring unreadable %s=%r", CLOCK_SKEW_META, raw)
        return None
    limit = int(store.settings["freeze.max_clock_skew_minutes"])
    if abs(skew) <= limit * 60:
        return None
    minutes = abs(skew) / 60
    ahead_id, ahead_en = ("lebih cepat", "ahead of") if skew > 0 else ("lebih lambat", "behind")
    return Msg(
        f"Jam stasiun {minutes:.0f} menit {ahead_id} dari jam server (batas {limit} menit). "
        "Betulkan jam stasiun.",
        f"The station clock is {minutes:.0f} minutes {ahead_en} the server's (limit {limit} "
        "minutes). Correct the station clock.",
    )


def selftest_reason(store: Store) -> Msg | None:
    last = store.last_selftest()
    if not last:
        return None
    failed = []
    for result in last.get("results") or []:
        name = str(result.get("name", ""))
        device = next((d for d in RECORDING_DEVICES if name == d or name.startswith(d)), None)
        broken = not result.get("passed", False) and not result.get("busy", False)
        if device and broken and device not in failed:
            failed.append(device)
    if not failed:
        return None
    words = ", ".join(RECORDING_DEVICES[d] for d in failed)
    return Msg(
        f"Swauji terakhir gagal pada: {words}. Teknisi perlu memperbaiki lalu menjalankan "
        "swauji lagi.",
        f"The last self-test failed on: {', '.join(failed)}. A technician must fix it and run "
        "the self-test again.",
    )


def database_reason(store: Store) -> Msg | None:
    why = store.replaced()
    return None if why is None else DatabaseReplaced(why).msg


def freeze_reasons(
    store: Store, now: dt.datetime | None = None, *, disk_usage: DiskUsage = shutil.disk_usage
) -> list[Msg]:
    """Why new recordings are refused right now (empty: recording may start)."""
    now = now or store.clock()
    reasons = [
        database_reason(store),
        disk_reason(store, now, disk_usage),
        unsent_reason(store, now),
        clock_reason(store),
        selftest_reason(store),
    ]
    return [r for r in reasons if r is not None]
