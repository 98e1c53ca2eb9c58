"""MOSIP SBI 0.9.5 client: discovery over the local port range, device info, capture, preview.

Every call has a timeout: discovery probes each port for at most `scan_timeout`, a capture
waits the capture timeout plus a small margin. A device service that goes away mid-call
raises `DeviceUnavailable`; discovery finds it again when it comes back (no restart needed).
Every SBI error code maps to a named error (`error_for`), the response hash chain and the
device signatures are checked (see kiosk.devices.sbi_protocol).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import secrets
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import requests

from kiosk.devices import iso19794
from kiosk.devices.base import (
    CaptureFailed,
    CaptureTimeout,
    DeviceBusy,
    DeviceError,
    DeviceInfo,
    DeviceUnavailable,
)
from kiosk.devices.sbi_protocol import (
    BIO_SUB_TYPE,
    EMPTY_HASH,
    POSITION,
    SPEC_VERSION,
    BadToken,
    chain_hash,
    error_info,
    unb64url,
    verify,
)
from kiosk.domain.messages import Msg

DEV = "finger"
_HINTS: dict[int, tuple[type[DeviceError], str, str]] = {
    100: (DeviceUnavailable, "Pemindai belum terdaftar pada layanan perangkat",
          "The scanner is not registered with its device service"),
    101: (CaptureFailed, "Jari tidak terdeteksi, letakkan jari rata di kaca pemindai",
          "No finger detected, place the fingers flat on the scanner glass"),
    102: (CaptureFailed, "Gagal mengolah gambar sidik jari, ulangi",
          "The fingerprint image could not be processed, try again"),
    103: (DeviceUnavailable, "Pemindai terdeteksi dibongkar (tamper), hubungi teknisi",
          "Scanner tampering detected, call the technician"),
    104: (DeviceUnavailable, "Layanan perangkat tidak dapat menghubungi server manajemen",
          "The device service cannot reach its management server"),
    105: (CaptureFailed, "Posisi jari salah, letakkan tegak lurus di kaca",
          "Wrong finger orientation, place the fingers upright on the glass"),
    106: (DeviceUnavailable, "Pemindai sidik jari tidak ditemukan",
          "Fingerprint scanner not found"),
    107: (DeviceUnavailable, "Kunci perangkat kedaluwarsa, hubungi teknisi",
          "The device key has expired, call the technician"),
    108: (DeviceUnavailable, "Kunci domain perangkat belum ada, hubungi teknisi",
          "The device domain key is missing, call the technician"),
    109: (CaptureFailed, "Jumlah jari yang diminta tidak didukung pemindai",
          "The scanner does not support the requested number of fingers"),
    110: (DeviceUnavailable, "Pemindai belum siap, tunggu sebentar",
          "The scanner is not ready yet, wait a moment"),
    111: (DeviceBusy, "Pemindai sedang sibuk", "The scanner is busy"),
    112: (CaptureFailed, "Nomor transaksi ditolak pemindai", "The scanner rejected the "
          "transaction id"),
}

# Codes about how the applicant placed the fingers: the scanner works, so no device incident.
PLACEMENT_CODES = frozenset({101, 105})


def error_for(code: int, detail: str = "") -> DeviceError:
    """The named error for an SBI error code (5xx and unknown codes: CaptureFailed)."""
    info = detail or error_info(code)
    if code in _HINTS:
        cls, hid, hen = _HINTS[code]
        if cls is CaptureFailed:
            return CaptureFailed(DEV, f"SBI {code}: {info}", code,
                                 hint=Msg(f"{hid} (kode {code}).", f"{hen} (code {code})."))
        err = cls(DEV, f"SBI {code}: {info}", code)
        err.msg = Msg(f"{hid} (kode {code}).", f"{hen} (code {code}).")
        err.args = (str(err.msg),)
        return err
    return CaptureFailed(DEV, f"SBI {code}: {info}", code,
                         hint=Msg(f"Pemindai melaporkan galat {code}: {info}. Ulangi perekaman.",
                                  f"The scanner reported error {code}: {info}. Capture again."))


@dataclass(frozen=True)
class SbiDevice:
    """One discovered SBI device."""

    port: int
    device_id: str
    status: str
    sub_ids: tuple[int, ...]
    serial: str
    make: str
    model: str
    firmware: str
    callback: str

    def info(self) -> DeviceInfo:
        return DeviceInfo("finger", self.make, self.model, self.serial, self.firmware,
                          self.status, self.callback)


@dataclass(frozen=True)
class CapturedFinger:
    """One finger from a capture: position 1-10, ISO 19794-4 WSQ record, device quality."""

    position: int
    record: bytes
    quality: int
    requested_score: int
    transaction_id: str


def _digital_id(text: str) -> dict[str, Any]:
    """digitalId is a JWS once registered and plain base64url JSON in discovery."""
    try:
        return verify(text)[0] if text.count(".") == 2 else _json64(text)
    except (BadToken, ValueError):
        return {}


def _json64(text: str) -> dict[str, Any]:
    import json

    value = json.loads(unb64url(text))
    return value if isinstance(value, dict) else {}


class SbiClient:
    """Talks to the SBI device services on `host`, ports `port_first`..`port_last`."""

    def __init__(self, host: str = "127.0.0.1", port_first: int = 4501, port_last: int = 4600,
                 *, scan_timeout: float = 0.5, info_timeout: float = 3.0) -> None:
        self.host, self.port_first, self.port_last = host, port_first, port_last
        self.scan_timeout, self.info_timeout = scan_timeout, info_timeout
        self._http = requests.Session()
        self._http.trust_env = False  # never send local device traffic through a proxy
        self._keys: dict[str, dict[str, str]] = {}  # device id -> JWK of its deviceInfo

    @classmethod
    def from_settings(cls, settings: Any) -> SbiClient:
        return cls(settings["sbi.host"], settings["sbi.port_first"], settings["sbi.port_last"])

    def _url(self, port: int, path: str) -> str:
        return f"http://{self.host}:{port}{path}"

    # --- discovery -------------------------------------------------------------------

    def _probe(self, port: int, kind: str) -> list[SbiDevice]:
        try:
            r = requests.request("MOSIPDISC", self._url(port, "/device"), json={"type": kind},
                                 timeout=self.scan_timeout)
            items = r.json() if r.status_code == 200 else []
        except (requests.RequestException, ValueError):
            return []
        found = []
        for d in items if isinstance(items, list) else []:
            if not isinstance(d, dict) or "deviceId" not in d:
                continue
            did = _digital_id(str(d.get("digitalId", "")))
            subs = d.get("deviceSubId") or []
            found.append(SbiDevice(
                port, str(d["deviceId"]), str(d.get("deviceStatus", "")),
                tuple(int(s) for s in (subs if isinstance(subs, list) else [subs])),
                str(did.get("serialNo", d.get("deviceCode", ""))), str(did.get("make", "")),
                str(did.get("model", "")), str(d.get("serviceVersion", "")),
                str(d.get("callbackId", self._url(port, "/")))))
        return found

    def discover(self, kind: str = "Finger") -> list[SbiDevice]:
        """Every device of `kind` answering on the port range (probed in parallel)."""
        ports = range(self.port_first, self.port_last + 1)
        with ThreadPoolExecutor(max_workers=min(32, len(ports))) as pool:
            results = list(pool.map(lambda p: self._probe(p, kind), ports))
        return [d for found in results for d in found]

    def find(self, kind: str = "Finger") -> SbiDevice:
        """The first device found; DeviceUnavailable when there is none."""
        devices = self.discover(kind)
        if not devices:
            raise DeviceUnavailable(
                DEV, f"no SBI {kind} device on {self.host}:{self.port_first}-{self.port_last}")
        return devices[0]

    def device_info(self, device: SbiDevice) -> dict[str, Any]:
        """MOSIPDINFO, signature checked; remembers the device key for capture checks."""
        items = self._call("MOSIPDINFO", device, "/info", None, self.info_timeout)
        if not isinstance(items, list) or not items:
            raise CaptureFailed(DEV, "MOSIPDINFO answered no device")
        item = items[0]
        self._raise_for(item.get("error"))
        try:
            payload, jwk = verify(str(item.get("deviceInfo", "")))
        except BadToken as exc:
            raise CaptureFailed(DEV, f"deviceInfo signature: {exc}") from None
        self._keys[device.device_id] = jwk
        return payload

    # --- capture ---------------------------------------------------------------------

    def capture(self, device: SbiDevice, sub_id: int, positions: list[int],
                exceptions: list[int] | None = None, *, requested_score: int = 40,
                timeout_ms: int = 10000, previous_hash: str = "") -> list[CapturedFinger]:
        """RCAPTURE one slap: `positions` wanted, `exceptions` skipped (not on the hand)."""
        if device.device_id not in self._keys:
            self.device_info(device)
        txn = "KIOSK-" + secrets.token_hex(8)
        exc_names = [BIO_SUB_TYPE[p] for p in exceptions or []]
        wanted = [p for p in positions if p not in (exceptions or [])]
        body = {
            "env": "Staging", "purpose": "Registration", "specVersion": SPEC_VERSION,
            "timeout": timeout_ms, "captureTime": dt.datetime.now(dt.UTC).isoformat(),
            "transactionId": txn, "domainUri": self._url(device.port, ""),
            "bio": [{"type": "Finger", "count": len(wanted),
                     "bioSubType": [BIO_SUB_TYPE[p] for p in wanted], "exception": exc_names,
                     "requestedScore": requested_score, "deviceId": device.device_id,
                     "deviceSubId": sub_id, "previousHash": previous_hash}],
            "customOpts": None,
        }
        answer = self._call("RCAPTURE", device, "/capture", body, timeout_ms / 1000 + 2.0)
        items = answer.get("biometrics") if isinstance(answer, dict) else None
        if not isinstance(items, list) or not items:
            raise CaptureFailed(DEV, "RCAPTURE answered no biometrics")
        out: list[CapturedFinger] = []
        prev = previous_hash or EMPTY_HASH
        for item in items:
            self._raise_for(item.get("error"))
            try:
                payload, jwk = verify(str(item.get("data", "")))
            except BadToken as exc:
                raise CaptureFailed(DEV, f"capture signature: {exc}") from None
            if jwk != self._keys.get(device.device_id):
                raise CaptureFailed(DEV, "capture signed with a key other than the device's")
            if payload.get("transactionId") != txn:
                raise CaptureFailed(DEV, "capture belongs to another transaction")
            record = unb64url(str(payload.get("bioValue", "")))
            expected = chain_hash(prev, record)
            if str(item.get("hash", "")).upper() != expected:
                raise CaptureFailed(DEV, "response hash chain broken")
            prev = expected
            position = POSITION.get(str(payload.get("bioSubType")))
            if position is None or position not in wanted:
                raise CaptureFailed(DEV, f"unexpected finger {payload.get('bioSubType')!r}")
            quality = int(float(payload.get("qualityScore", 0)))
            out.append(CapturedFinger(position, _as_wsq_record(position, quality, record),
                                      quality, requested_score, txn))
        if sorted(f.position for f in out) != sorted(wanted):
            raise CaptureFailed(DEV, f"asked for {wanted}, got {[f.position for f in out]}")
        return out

    def stream(self, device: SbiDevice, sub_id: int, *, timeout: float = 10.0,
               max_frames: int | None = None) -> Iterator[bytes]:
        """JPEG preview frames from STREAM (multipart/x-mixed-replace) until `timeout`."""
        body = {"deviceId": device.device_id, "deviceSubId": sub_id,
                "timeout": int(timeout * 1000)}
        try:
            r = self._http.request("STREAM", self._url(device.port, "/stream"), json=body,
                                   stream=True, timeout=(self.scan_timeout, 3.0))
        except requests.RequestException as exc:
            raise DeviceUnavailable(DEV, f"STREAM: {exc}") from None
        with r:
            if not r.headers.get("Content-Type", "").startswith("multipart/"):
                with contextlib.suppress(ValueError):
                    self._raise_for(r.json().get("error"))
                raise CaptureFailed(DEV, f"STREAM answered {r.headers.get('Content-Type')}")
            n = 0
            try:
                for part in _multipart_parts(r.raw):
                    yield part
                    n += 1
                    if max_frames is not None and n >= max_frames:
                        return
            except (requests.RequestException, OSError) as exc:
                raise DeviceUnavailable(DEV, f"STREAM interrupted: {exc}") from None

    # --- plumbing --------------------------------------------------------------------

    def _call(self, verb: str, device: SbiDevice, path: str, body: Any, timeout: float) -> Any:
        try:
            r = self._http.request(verb, self._url(device.port, path), json=body,
                                   timeout=(self.scan_timeout, timeout))
        except requests.ReadTimeout:
            raise CaptureTimeout(DEV, f"{verb} took longer than {timeout:.1f} s") from None
        except requests.RequestException as exc:
            raise DeviceUnavailable(DEV, f"{verb} {path}: {type(exc).__name__}") from None
        if r.status_code != 200:
            raise CaptureFailed(DEV, f"{verb} answered HTTP {r.status_code}")
        try:
            return r.json()
        except ValueError:
            raise CaptureFailed(DEV, f"{verb} answered something other than JSON") from None

    @staticmethod
    def _raise_for(error: Any) -> None:
        if not isinstance(error, dict):
            return
        try:
            code = int(str(error.get("errorCode", "0")))
        except ValueError:
            raise CaptureFailed(DEV, f"bad error code {error.get('errorCode')!r}") from None
        if code:
            raise error_for(code, str(error.get("errorInfo", "")))


def _as_wsq_record(position: int, quality: int, record: bytes) -> bytes:
    """Keep a WSQ record as the device sent it; re-encode other compressions to WSQ."""
    try:
        finger = iso19794.decode(record)
    except iso19794.InvalidFingerRecord as exc:
        raise CaptureFailed(DEV, f"finger record: {exc}") from None
    if finger.position != position:
        raise CaptureFailed(DEV, "finger record position differs from bioSubType")
    if record[iso19794.GENERAL_HEADER.size - 3] == iso19794.COMPRESSION_WSQ:
        return record
    return iso19794.encode(position, quality, finger.pixels, finger.ppi)


def _multipart_parts(raw: Any) -> Iterator[bytes]:
    """Bodies of a multipart/x-mixed-replace stream, read by their Content-Length."""
    while True:
        line = raw.readline(1024)
        if not line:
            return
        if not line.startswith(b"--"):
            continue
        length = 0
        while True:
            header = raw.readline(1024)
            if not header:
                return
            if header in (b"\r\n", b"\n"):
                break
            name, _, value = header.decode("latin-1").partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip())
        data = raw.read(length) if length else b""
        if len(data) < length:
            return
        yield data
