"""The individual self-test checks. Each takes a SelfTestContext and returns a CheckResult."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import time

import cv2
import numpy as np
import requests

from kiosk.devices.base import BUSY, READY, DeviceBusy, DeviceError, DeviceUnavailable
from kiosk.devices.camera import OpenCVCamera
from kiosk.devices.fingerprint import threshold
from kiosk.devices.sbi import SbiClient, load_trust_folder
from kiosk.devices.sbi_errors import DeviceUntrusted
from kiosk.devices.sbi_protocol import SUB_ID_POSITIONS, SUB_THUMBS
from kiosk.selftest.engine import CheckResult, SelfTestContext
from kiosk.selftest.holders import describe, device_path, holders
from kiosk.store import integrity
from kiosk.store.keys import get_secret

FRAME_MEAN = (40.0, 220.0)  # a frame outside this is a covered lens or a blown-out scene
FRAME_MAX_CLIPPED = 0.25


def camera(ctx: SelfTestContext) -> CheckResult:
    """Opens, delivers frames at a usable rate and resolution, and a frame is exposed."""
    s = ctx.settings
    cam = OpenCVCamera(s["camera.source"], s["camera.width"], s["camera.height"])
    try:
        cam.open()
        first, frame = cam.latest(timeout=3.0)
        t0 = time.monotonic()
        seq = first
        while time.monotonic() - t0 < s["selftest.camera_seconds"]:
            seq, frame = cam.latest(timeout=2.0, after=seq)
        fps = (seq - first) / (time.monotonic() - t0)
    except DeviceUnavailable as exc:
        in_use = camera_in_use(str(s["camera.source"]), exc.detail)
        if in_use is None:
            raise
        return in_use
    finally:
        cam.close()
    grey = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    mean = float(grey.mean())
    clipped = float(np.count_nonzero((grey <= 5) | (grey >= 250))) / grey.size
    h, w = grey.shape
    value = {"fps": round(fps, 1), "resolution": f"{w}x{h}", "mean": round(mean, 1),
             "clipped": round(clipped, 3), "source": str(s["camera.source"])}
    threshold_text = (f"fps >= {s['selftest.min_fps']}, >= {s['camera.width']}x"
                      f"{s['camera.height']}, mean {FRAME_MEAN[0]:.0f}-{FRAME_MEAN[1]:.0f}, "
                      f"clipped <= {FRAME_MAX_CLIPPED}")
    if fps < s["selftest.min_fps"]:
        hint = (f"Kamera lambat ({fps:.0f} fps). Periksa kabel USB dan cahaya ruangan.",
                f"Camera is slow ({fps:.0f} fps). Check the USB cable and the room light.")
    elif w < s["camera.width"] or h < s["camera.height"]:
        hint = (f"Resolusi kamera terlalu rendah ({w}x{h}).",
                f"Camera resolution too low ({w}x{h}).")
    elif not FRAME_MEAN[0] <= mean <= FRAME_MEAN[1] or clipped > FRAME_MAX_CLIPPED:
        hint = ("Gambar kamera terlalu gelap atau terlalu terang. Buka tutup lensa, atur cahaya.",
                "Camera picture too dark or too bright. Uncover the lens, adjust the light.")
    else:
        return CheckResult("camera", True, value, threshold_text)
    return CheckResult("camera", False, value, threshold_text, *hint)


def camera_in_use(source: str, detail: str) -> CheckResult | None:
    """The camera could not be read because another program holds it open: a busy result
    naming that program; None when nobody else holds it (then it is a failure)."""
    path = device_path(source)
    found = holders(path) if path is not None else []
    if not found:
        return None
    who = describe(found)
    return CheckResult(
        "camera", False, {"source": source, "held_by": who, "error": detail},
        "camera free to open",
        f"Kamera sedang dipakai program lain: {who} (misalnya jendela stasiun). Jalankan "
        "swauji dari layar teknisi di jendela itu, atau tutup program itu lalu ulangi.",
        f"The camera is in use by another program: {who} (the station window, say). Run the "
        "self-test from that window's technician screen, or close that program and try "
        "again.", busy=True)


def scanner_in_use(value: dict[str, object]) -> CheckResult:
    """The SBI service says the scanner is busy (another program is capturing with it)."""
    return CheckResult(
        "fingerprint", False, value, "Ready",
        "Pemindai sidik jari sedang dipakai (status 'Busy'), mungkin oleh jendela stasiun. "
        "Tunggu sampai perekaman itu selesai, lalu ulangi.",
        "The fingerprint scanner is in use (status 'Busy'), perhaps by the station window. "
        "Wait until that recording is done, then try again.", busy=True)


def fingerprint(ctx: SelfTestContext) -> CheckResult:
    """An SBI scanner is found, Ready, its signatures chain to the trust store, and a thumbs
    capture meets the threshold."""
    s = ctx.settings
    client = SbiClient.from_settings(s)
    need = threshold(1, s)
    threshold_text = f"Ready, signed by a trusted CA, thumbs quality >= {need}"
    devices = client.discover("Finger")
    if not devices:
        return CheckResult(
            "fingerprint", False, {"ports": f"{s['sbi.port_first']}-{s['sbi.port_last']}"},
            threshold_text, "Pemindai sidik jari tidak ditemukan. Periksa kabel dan layanan "
            "perangkatnya (SBI).", "No fingerprint scanner found. Check its cable and its "
            "device service (SBI).")
    dev = devices[0]
    value: dict[str, object] = {"port": dev.port, "status": dev.status, "serial": dev.serial,
                                "model": f"{dev.make} {dev.model}".strip(),
                                "trust_store": f"{len(client.trust)} CA"}
    if dev.status == BUSY:
        return scanner_in_use(value)
    if dev.status != READY:
        return CheckResult("fingerprint", False, value, threshold_text,
                           f"Pemindai berstatus '{dev.status}', belum siap.",
                           f"The scanner reports '{dev.status}', not ready.")
    if not len(client.trust):
        folder = load_trust_folder(s)
        return CheckResult(
            "fingerprint", False, value, threshold_text,
            f"Belum ada sertifikat CA perangkat (MOSIP device provider / FTM) di {folder}. "
            "Salin sertifikat dari penyedia pemindai ke folder itu.",
            f"No device CA certificate (MOSIP device provider / FTM) in {folder}. Copy the "
            "scanner provider's certificates into that folder.")
    try:
        value["signed_by"] = _common_name(client.trusted(dev).signer)
        fingers = client.capture(dev, SUB_THUMBS, list(SUB_ID_POSITIONS[SUB_THUMBS]),
                                 requested_score=need,
                                 timeout_ms=int(s["sbi.capture_timeout_ms"])).fingers
    except DeviceError as exc:
        value["error"] = exc.detail
        if isinstance(exc, DeviceUntrusted):
            value["certificate"] = exc.subject or "-"
            value["refused"] = exc.reason
        if isinstance(exc, DeviceBusy):
            return scanner_in_use(value)
        return CheckResult("fingerprint", False, value, threshold_text, exc.msg.id, exc.msg.en)
    value["quality"] = [f.quality for f in fingers]
    low = min(f.quality for f in fingers)
    if low < need:
        return CheckResult("fingerprint", False, value, threshold_text,
                           f"Kualitas uji rendah ({low}). Bersihkan kaca pemindai.",
                           f"Low test quality ({low}). Clean the scanner glass.")
    return CheckResult("fingerprint", True, value, threshold_text)


def _common_name(subject: str) -> str:
    """'2.5.4.5=SIM-0001,CN=Demo FTM chip SIM-0001,O=Demo FTM,C=ID' -> 'Demo FTM chip SIM-0001'
    (the whole subject when it has no CN)."""
    match = re.search(r"(?:^|,)CN=((?:[^,\\]|\\.)+)", subject)
    return match.group(1).replace("\\", "") if match else subject


def signature(ctx: SelfTestContext) -> CheckResult:
    """The configured signature input is attached (via the context's probe)."""
    info = ctx.signature_probe(ctx.settings)
    value = {"input": info.model, "device": info.vendor, "status": info.status}
    wanted = ctx.settings["signature.input"]
    if info.status == READY:
        return CheckResult("signature", True, value, f"input '{wanted}' present")
    return CheckResult("signature", False, value, f"input '{wanted}' present",
                       f"Alat tanda tangan ({wanted}) tidak ditemukan. Periksa kabelnya.",
                       f"The signature input ({wanted}) was not found. Check its cable.")


def _parse_time(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def server(ctx: SelfTestContext) -> CheckResult:
    """GET /v1/health: reachable, latency, clock skew; the station token if one is stored."""
    s = ctx.settings
    url = s["sync.server_url"].rstrip("/")
    limit = s["freeze.max_clock_skew_minutes"] * 60
    threshold_text = f"HTTP 200 status ok, |skew| <= {limit} s, token accepted"
    if not url:
        return CheckResult("server", False, None, threshold_text,
                           "Server belum diatur. Jalankan: kiosk setup central URL TOKEN.",
                           "Server not set up. Run: kiosk setup central URL TOKEN.")
    verify: bool | str = s["sync.ca_bundle"] or s["sync.verify_tls"]
    timeout = s["sync.health_timeout"]
    http = requests.Session()
    http.trust_env = False
    t0 = time.time()
    try:
        r = http.get(url + "/v1/health", timeout=timeout, verify=verify)
        t1 = time.time()
        body = r.json()
    except (requests.RequestException, ValueError) as exc:
        return CheckResult("server", False, {"url": url, "error": type(exc).__name__},
                           threshold_text, "Server pusat tidak dapat dihubungi. Periksa jaringan.",
                           "The central server cannot be reached. Check the network.")
    value: dict[str, object] = {"url": url, "latency_ms": round((t1 - t0) * 1000, 1),
                                "http": r.status_code}
    if r.status_code != 200 or not isinstance(body, dict) or body.get("status") != "ok":
        # a captive portal or a proxy answers 200 too: the body must be the server's
        return CheckResult("server", False, value, threshold_text,
                           "Jawaban server tidak sah (mungkin portal Wi-Fi atau proxy).",
                           "The server's answer is not valid (perhaps a Wi-Fi portal or proxy).")
    try:
        skew = (_parse_time(str(body["server_time"])).timestamp() - (t0 + t1) / 2)
    except (KeyError, ValueError):
        return CheckResult("server", False, value, threshold_text,
                           "Server tidak mengirim waktunya.", "The server sent no time.")
    value["clock_skew_s"] = round(skew, 1)
    token = get_secret(f"api-token:{ctx.store.station_id}")
    value["auth"] = "no token"
    if token:
        try:
            a = http.post(url + "/v1/blobs:missing", json={"sha256": []}, timeout=timeout,
                          verify=verify, headers={"Authorization": f"Bearer {token}"})
            value["auth"] = "rejected" if a.status_code in (401, 403) else (
                "accepted" if a.status_code < 500 else f"HTTP {a.status_code}")
        except requests.RequestException as exc:
            value["auth"] = type(exc).__name__
    if abs(skew) > limit:
        return CheckResult("server", False, value, threshold_text,
                           f"Jam stasiun selisih {skew:+.0f} detik dari server. Setel jam.",
                           f"The station clock is {skew:+.0f} s off the server's. Set the clock.")
    if value["auth"] not in ("accepted", "no token"):
        return CheckResult("server", False, value, threshold_text,
                           "Token stasiun ditolak server. Jalankan ulang kiosk setup central.",
                           "The server refused the station token. Run kiosk setup central again.")
    return CheckResult("server", True, value, threshold_text)


def disk(ctx: SelfTestContext) -> CheckResult:
    """Free space, and the days of recording it leaves at the last week's pace."""
    s, store = ctx.settings, ctx.store
    free_mb = shutil.disk_usage(store.data_dir).free / 1e6
    today = store.today()
    week_ago = (today - dt.timedelta(days=6)).isoformat()
    recent = store.db.execute("SELECT COUNT(*) FROM records WHERE local_date >= ?",
                              [week_ago]).fetchone()[0]
    # no history yet: assume a full-cap day, the pace the station is configured for
    pace = recent / 7 if recent else float(s["cap.daily"])
    days = free_mb / (max(pace, 1.0) * s["freeze.record_size_mb"])
    need = s["selftest.min_disk_days"]
    value = {"free_mb": round(free_mb), "pace_per_day": round(pace, 1), "days_left": int(days)}
    if days >= need:
        return CheckResult("disk", True, value, f"days_left >= {need}")
    return CheckResult("disk", False, value, f"days_left >= {need}",
                       f"Ruang disk cukup untuk {int(days)} hari saja. Kosongkan disk.",
                       f"Disk space lasts only {int(days)} days. Free some space.")


def database(ctx: SelfTestContext) -> CheckResult:
    """SQLite integrity, every sealed item decrypts and matches, the audit chain holds."""
    faults = integrity.check(ctx.store)
    value = {"faults": len(faults), "first": faults[0] if faults else ""}
    if not faults:
        return CheckResult("database", True, value, "faults == 0")
    return CheckResult("database", False, value, "faults == 0",
                       f"Basis data rusak ({len(faults)} temuan). Hubungi teknisi: {faults[0]}",
                       f"Database damaged ({len(faults)} faults). Call the technician: "
                       f"{faults[0]}")
