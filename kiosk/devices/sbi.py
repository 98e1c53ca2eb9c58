"""MOSIP SBI 0.9.5 client: discovery over the local port range, device info, capture, preview.

Every call has a timeout: discovery probes each port for at most `scan_timeout`, a capture
waits the capture timeout plus a small margin. A device service that goes away mid-call
raises `DeviceUnavailable`; discovery finds it again when it comes back (no restart needed).
Every SBI error code maps to a named error (kiosk.devices.sbi_errors).

Trust: `deviceInfo`, the `digitalId` inside it and every biometric's `data` must each verify
against a certificate chain ending in the station's trust store (setting `sbi.trust_store`, a
folder of MOSIP device-provider and FTM CA certificates). The device-info token is signed by
the FTM chip key (L1) or the device key (L0) and captures by the device key: they need not be
the same key, but every capture must name the same device (its digitalId's serial, make,
model, provider) as the device info did. The records come back byte for byte as signed, with
the tokens and the hash chain, so the recording can carry the device's proof
(ektp_protocol.sbi_evidence).
"""

from __future__ import annotations

import binascii
import contextlib
import hashlib
import json
import secrets
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from ektp_protocol import x5c
from ektp_protocol.sbi_evidence import DEVICE_CLAIMS
from kiosk.devices import iso19794
from kiosk.devices.base import CaptureFailed, CaptureTimeout, DeviceInfo, DeviceUnavailable
from kiosk.devices.sbi_errors import DEV, DeviceUntrusted, error_for
from kiosk.devices.sbi_protocol import (
    BIO_SUB_TYPE,
    EMPTY_HASH,
    POSITION,
    BadErrorObject,
    capture_request,
    chain_hash,
    find_error,
    score,
    stream_request,
    sub_ids,
    unb64url,
)

__all__ = ["CapturedFinger", "DeviceTrust", "SbiCapture", "SbiClient", "SbiDevice",
           "error_for", "load_trust", "load_trust_folder"]


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
    certification: str = ""

    def info(self) -> DeviceInfo:
        return DeviceInfo("finger", self.make, self.model, self.serial, self.firmware,
                          self.status, self.callback)


@dataclass(frozen=True)
class DeviceTrust:
    """A device whose info token verified: what it said and who signed it."""

    token: str  # deviceInfo exactly as sent
    info: dict[str, Any]
    digital_id: dict[str, Any]
    signer: str  # subject of the deviceInfo signer (FTM chip for L1, device key for L0)
    chain: tuple[str, ...]  # subjects from that signer to the trust anchor


@dataclass(frozen=True)
class CapturedFinger:
    """One finger from a capture: the ISO 19794-4 record exactly as the device signed it."""

    position: int
    record: bytes
    quality: int
    requested_score: int
    transaction_id: str
    token: str = ""  # the biometric's signed `data`
    hash: str = ""  # the chain hash after this finger


@dataclass(frozen=True)
class SbiCapture:
    """One RCAPTURE: its fingers, its entry for the evidence log, and where the chain is."""

    fingers: tuple[CapturedFinger, ...]
    log: dict[str, Any]
    last_hash: str
    device_info: str


def load_trust_folder(settings: Any) -> Path:
    """The folder `sbi.trust_store` names (relative to the settings file's folder)."""
    folder = Path(str(settings["sbi.trust_store"])).expanduser()
    if not folder.is_absolute() and getattr(settings, "path", None) is not None:
        folder = Path(settings.path).parent / folder
    return folder


def load_trust(settings: Any) -> x5c.TrustStore:
    """The trust store in `load_trust_folder`; an empty store when the folder does not exist
    (every device is then refused, by name)."""
    folder = load_trust_folder(settings)
    if not folder.is_dir():
        return x5c.TrustStore.from_certs([])
    return x5c.TrustStore.from_folder(folder)


def _digital_id(text: str) -> dict[str, Any]:
    """digitalId's claims, unverified: plain base64url JSON in discovery, a JWS later."""
    try:
        if text.count(".") == 2:
            return x5c.peek(text)[1]
        value = json.loads(unb64url(text))
    except (x5c.TokenRefused, ValueError, binascii.Error):
        return {}
    return value if isinstance(value, dict) else {}


class SbiClient:
    """Talks to the SBI device services on `host`, ports `port_first`..`port_last`."""

    def __init__(self, host: str = "127.0.0.1", port_first: int = 4501, port_last: int = 4600,
                 *, trust: x5c.TrustStore | None = None, scan_timeout: float = 0.5,
                 info_timeout: float = 3.0, env: str = "Staging") -> None:
        self.host, self.port_first, self.port_last = host, port_first, port_last
        self.scan_timeout, self.info_timeout, self.env = scan_timeout, info_timeout, env
        self.trust = trust if trust is not None else x5c.TrustStore.from_certs([])
        self._http = requests.Session()
        self._http.trust_env = False  # never send local device traffic through a proxy
        self._trusted: dict[str, DeviceTrust] = {}

    @classmethod
    def from_settings(cls, settings: Any) -> SbiClient:
        return cls(settings["sbi.host"], settings["sbi.port_first"], settings["sbi.port_last"],
                   trust=load_trust(settings), env=str(settings["sbi.env"]))

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
            # a device that is not registered answers with its ids blanked (MockMDS): listed,
            # so the technician sees "Not Registered" rather than no scanner at all
            if not isinstance(d, dict) or not (d.get("deviceId") or d.get("deviceStatus")):
                continue
            did = _digital_id(str(d.get("digitalId") or ""))
            found.append(SbiDevice(
                port, str(d.get("deviceId") or ""), str(d.get("deviceStatus", "")),
                sub_ids(d.get("deviceSubId") or []),
                str(did.get("serialNo") or d.get("deviceCode", "")), str(did.get("make", "")),
                str(did.get("model", "")), str(d.get("serviceVersion", "")),
                str(d.get("callbackId") or self._url(port, "/")),
                str(d.get("certification", ""))))
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

    # --- trust -----------------------------------------------------------------------

    def _verified(self, what: str, token: str) -> x5c.Verified:
        try:
            return x5c.verify(token, self.trust)
        except x5c.TokenRefused as exc:
            raise DeviceUntrusted(what, exc.reason, exc.words(), exc.subject) from None

    def device_info(self, device: SbiDevice) -> dict[str, Any]:
        """MOSIPDINFO with its signature and digital id checked; remembered for captures."""
        items = self._call("MOSIPDINFO", device, "/info", None, self.info_timeout)
        self._raise_for(items)
        if not isinstance(items, list) or not items or not isinstance(items[0], dict):
            raise CaptureFailed(DEV, "MOSIPDINFO answered no device")
        token = str(items[0].get("deviceInfo") or "")
        info = self._verified("deviceInfo", token)
        ident = self._verified("digitalId", str(info.claims.get("digitalId") or ""))
        if str(info.claims.get("deviceId", device.device_id)) != device.device_id:
            raise DeviceUntrusted("deviceInfo", "mismatch", (
                "info ini untuk perangkat lain.", "this info is another device's."))
        if ident.claims.get("type") != "Finger":
            raise DeviceUntrusted("digitalId", "mismatch", (
                f"perangkat ini bertipe {ident.claims.get('type')!r}, bukan sidik jari.",
                f"this device is of type {ident.claims.get('type')!r}, not a finger scanner."))
        self._trusted[device.device_id] = DeviceTrust(
            token, dict(info.claims), dict(ident.claims), info.signer,
            tuple(c.subject.rfc4514_string() for c in info.chain))
        return dict(info.claims)

    def trusted(self, device: SbiDevice) -> DeviceTrust:
        """The device's verified info (asking it once)."""
        if device.device_id not in self._trusted:
            self.device_info(device)
        return self._trusted[device.device_id]

    # --- capture ---------------------------------------------------------------------

    def capture(self, device: SbiDevice, sub_id: int, positions: list[int],
                exceptions: list[int] | None = None, *, requested_score: int = 40,
                timeout_ms: int = 10000, previous_hash: str = "") -> SbiCapture:
        """RCAPTURE one slap: `positions` wanted, `exceptions` skipped (not on the hand).
        `previous_hash` continues the applicant's chain (empty: the first capture)."""
        trust = self.trusted(device)
        txn = "KIOSK-" + secrets.token_hex(8)
        wanted = [p for p in positions if p not in (exceptions or [])]
        first = previous_hash.upper() or EMPTY_HASH
        body = capture_request(
            device_id=device.device_id, sub_id=sub_id, wanted=wanted,
            excused=[p for p in exceptions or [] if p in BIO_SUB_TYPE],
            requested_score=requested_score, timeout_ms=timeout_ms, transaction_id=txn,
            previous_hash=first, env=self.env)
        answer = self._call("RCAPTURE", device, "/capture", body, timeout_ms / 1000 + 2.0)
        items = answer.get("biometrics") if isinstance(answer, dict) else None
        if not isinstance(items, list) or not items:
            raise CaptureFailed(DEV, "RCAPTURE answered no biometrics")
        self._raise_for(items)
        out: list[CapturedFinger] = []
        log: list[dict[str, Any]] = []
        prev = first
        for item in items:
            finger = self._finger(item, trust, txn, prev, wanted, requested_score)
            prev = finger.hash
            out.append(finger)
            log.append({"position": finger.position, "hash": finger.hash,
                        "bioValueSha256": hashlib.sha256(finger.record).hexdigest()})
        if sorted(f.position for f in out) != sorted(wanted):
            raise CaptureFailed(DEV, f"asked for {wanted}, got {[f.position for f in out]}")
        entry = {"transactionId": txn, "deviceSubId": str(sub_id), "previousHash": first,
                 "biometrics": log}
        return SbiCapture(tuple(out), entry, prev, trust.token)

    def _finger(self, item: Any, trust: DeviceTrust, txn: str, prev: str, wanted: list[int],
                requested_score: int) -> CapturedFinger:
        """One biometric of a capture answer, checked: signature, device, transaction, hash
        chain, finger and record."""
        if not isinstance(item, dict):
            raise CaptureFailed(DEV, "a biometric is not an object")
        token = str(item.get("data") or "")
        claims = self._verified("data", token).claims
        ident = self._verified("digitalId", str(claims.get("digitalId") or "")).claims
        if any(ident.get(k) != trust.digital_id.get(k) for k in DEVICE_CLAIMS):
            raise DeviceUntrusted("data", "mismatch", (
                "hasil rekam ini dari perangkat lain.", "this capture is another device's."))
        if claims.get("transactionId") != txn:
            raise CaptureFailed(DEV, "capture belongs to another transaction")
        try:
            record = unb64url(str(claims.get("bioValue") or ""))
        except (binascii.Error, ValueError):
            raise CaptureFailed(DEV, "bioValue is not base64url") from None
        expected = chain_hash(prev, record)
        if str(item.get("hash", "")).upper() != expected:
            raise CaptureFailed(DEV, "response hash chain broken")
        position = POSITION.get(str(claims.get("bioSubType")))
        if position is None or position not in wanted:
            raise CaptureFailed(DEV, f"unexpected finger {claims.get('bioSubType')!r}")
        try:
            image = iso19794.decode(record)
        except iso19794.InvalidFingerRecord as exc:
            raise CaptureFailed(DEV, f"finger record: {exc}") from None
        if image.position not in (0, position):
            raise CaptureFailed(DEV, "finger record position differs from bioSubType")
        return CapturedFinger(position, record, score(claims.get("qualityScore")),
                              requested_score, txn, token, expected)

    def stream(self, device: SbiDevice, sub_id: int, *, timeout: float = 10.0,
               max_frames: int | None = None) -> Iterator[bytes]:
        """JPEG preview frames from STREAM (multipart/x-mixed-replace) until `timeout`."""
        body = stream_request(device_id=device.device_id, sub_id=sub_id,
                              timeout_ms=int(timeout * 1000))
        try:
            r = self._http.request("STREAM", self._url(device.port, "/stream"), json=body,
                                   stream=True, timeout=(self.scan_timeout, 3.0))
        except requests.RequestException as exc:
            raise DeviceUnavailable(DEV, f"STREAM: {exc}") from None
        with r:
            if not r.headers.get("Content-Type", "").startswith("multipart/"):
                with contextlib.suppress(ValueError):
                    self._raise_for(r.json())
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
    def _raise_for(answer: Any) -> None:
        """Raise the named error of the first error in `answer`, in any shape SBI uses."""
        try:
            found = find_error(answer)
        except BadErrorObject as exc:
            raise CaptureFailed(DEV, str(exc)) from None
        if found:
            raise error_for(*found)


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
