"""A simulated MOSIP SBI 0.9.5 fingerprint device service: a real HTTP server on 127.0.0.1.

    python -m kiosk.devices.sim.sbi [--port 4501] [--host 127.0.0.1] [--pki DIR]

It answers MOSIPDISC, MOSIPDINFO, RCAPTURE and STREAM like an L1 slap scanner (sub-ids 1 left,
2 right, 3 thumbs), in the format real devices and MOSIP's mock device service use:

- tokens are JWS RS256 with `x5c`: `deviceInfo` and `digitalId` signed by an FTM chip key,
  captures by a separate device key, both issued by a demo CA it creates once in its PKI
  folder (kiosk.devices.sim.pki; `write_trust(folder)` gives a station the two CA
  certificates to trust);
- requests are read with MockMDS's rules: numbers where the spec has strings answer 123
  (RCAPTURE) or 610 (STREAM), a bad transaction id 112, a wrong count 109;
- fingers are synthetic ridge images (kiosk.devices.sim.synthetic) as ISO/IEC 19794-4:2011
  records with JPEG 2000 lossless images, and the hash chain continues from `previousHash`.

It can be told to misbehave, from Python (`SbiSimulator.control(...)`) or over HTTP
(`POST /control` with the same fields as JSON): status ("Ready", "Busy", "Not Ready",
"Not Registered"), delay_s (slow), quality (0..1, or a list used one capture at a time),
error_code (any SBI code, for every capture until reset to 0), tamper_hash / tamper_signature
(corrupt the response), signer ("device"; "rogue": a look-alike CA the station does not
trust; "expired": an expired device certificate; "jwk": the old self-signed EdDSA token with
its key in a `jwk` header), record_format ("2011-jpeg2000", "2011-raw", "2005-wsq").
`stop()` closes open connections too, as an unplugged device would.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import socket
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from ektp_protocol import x5c
from kiosk.devices import iso19794
from kiosk.devices.sbi_protocol import (
    BIO_SUB_TYPE,
    EMPTY_HASH,
    ENVIRONMENTS,
    POSITION,
    SPEC_VERSION,
    SUB_ID_POSITIONS,
    b64url,
    chain_hash,
    error_info,
)
from kiosk.devices.sim import synthetic
from kiosk.devices.sim.pki import DemoPki, Leaf

TRANSACTION_RE = re.compile(r"[A-Za-z0-9-]{4,50}")
SIGNERS = ("device", "rogue", "expired", "jwk")
RECORD_FORMATS = {"2011-jpeg2000": ("2011", "jpeg2000_lossless"), "2011-raw": ("2011", "raw"),
                  "2005-wsq": ("2005", "wsq")}
# RCAPTURE fields MockMDS reads with its String/Integer deserializers: JSON numbers refused
_STRING_FIELDS = ("env", "purpose", "specVersion", "timeout", "captureTime", "transactionId")
_BIO_STRING_FIELDS = ("type", "count", "requestedScore", "deviceId", "deviceSubId")


@dataclass
class SimState:
    """What the simulator is told to do; change it with `SbiSimulator.control`."""

    status: str = "Ready"
    delay_s: float = 0.0
    quality: float | list[float] = 1.0
    error_code: int = 0
    tamper_hash: bool = False
    tamper_signature: bool = False
    signer: str = "device"
    record_format: str = "2011-jpeg2000"
    captures: int = 0
    requests: list[dict[str, Any]] = field(default_factory=list)


@lru_cache(maxsize=4)
def default_pki(serial: str) -> DemoPki:
    """One demo PKI per serial for this process (tests, ad-hoc runs), in a private temp
    folder; the demo passes its own folder so restarts keep the same CA."""
    return DemoPki.load_or_create(Path(tempfile.mkdtemp(prefix="sbi-sim-pki-")), serial)


class SbiSimulator:
    """The device service; `start()` serves on a thread, `stop()` unplugs it."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, serial: str = "SIM-0001",
                 seed: int = 0, pki: DemoPki | None = None,
                 pki_dir: str | Path | None = None) -> None:
        self.host, self.port, self.serial, self.seed = host, port, serial, seed
        self.state = SimState()
        self.pki = pki or (DemoPki.load_or_create(pki_dir, serial) if pki_dir is not None
                           else default_pki(serial))
        self._lock = threading.Lock()
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._conns: set[socket.socket] = set()
        self._odd_signers: dict[str, Leaf] = {}

    # --- control ---------------------------------------------------------------------

    def control(self, **changes: Any) -> SimState:
        """Change behaviour (fields of SimState); returns the state after the change."""
        with self._lock:
            for name, value in changes.items():
                if name not in SimState.__dataclass_fields__ or name in ("captures", "requests"):
                    raise ValueError(f"unknown control {name!r}")
                if name == "signer" and value not in SIGNERS:
                    raise ValueError(f"signer must be one of {SIGNERS}")
                if name == "record_format" and value not in RECORD_FORMATS:
                    raise ValueError(f"record_format must be one of {list(RECORD_FORMATS)}")
                setattr(self.state, name, value)
            return self.state

    def _next_quality(self) -> float:
        with self._lock:
            q = self.state.quality
            if isinstance(q, list):
                return float(q.pop(0)) if q else 1.0
            return float(q)

    def trust(self) -> x5c.TrustStore:
        """A trust store holding the simulator's two demo CA certificates."""
        return self.pki.trust_store()

    def write_trust(self, folder: str | Path) -> list[Path]:
        """Put the demo CA certificates into a station's trust-store folder."""
        return self.pki.write_trust_folder(folder)

    # --- life cycle ------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> SbiSimulator:
        from kiosk.devices.sim.sbi_http import serve

        self._stopping.clear()
        self._server = serve(self)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True,
                                        name=f"sbi-sim-{self.port}")
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and drop every open connection (mid-capture clients see a reset)."""
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        with self._lock:
            conns, self._conns = list(self._conns), set()
        for conn in conns:
            with suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=2.0)
            self._thread = None

    def __enter__(self) -> SbiSimulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- device description -----------------------------------------------------------

    def device_id(self) -> str:
        return f"{self.serial}-FINGER"

    def digital_id(self) -> dict[str, Any]:
        return {"serialNo": self.serial, "make": "KioskSim", "model": "SLAP-442",
                "type": "Finger", "deviceSubType": "Slap", "deviceProviderId": "kiosk.sim",
                "deviceProvider": "e-KTP kiosk",
                "dateTime": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")}

    def discovery(self) -> dict[str, Any]:
        """One MOSIPDISC entry (digitalId unsigned base64url JSON, as the spec says)."""
        return {
            "deviceId": self.device_id(), "deviceStatus": self.state.status,
            "certification": "L1", "serviceVersion": SPEC_VERSION,
            "deviceSubId": ["1", "2", "3"], "callbackId": self.url + "/",
            "digitalId": b64url(json.dumps(self.digital_id()).encode()),
            "deviceCode": self.serial, "specVersion": [SPEC_VERSION], "purpose": "Registration",
            "error": {"errorCode": "0", "errorInfo": "Success"},
        }

    def device_info(self) -> dict[str, Any]:
        """One MOSIPDINFO entry: signed by the FTM chip key, or unsigned when not registered."""
        info = self.discovery()
        error = info.pop("error")
        info["firmware"] = "sim-2.0"
        info["env"] = "Staging"
        if self.state.status == "Not Registered":
            info["digitalId"] = b64url(json.dumps(self.digital_id()).encode())
            return {"deviceInfo": b64url(json.dumps(info).encode()),
                    "error": {"errorCode": "100", "errorInfo": error_info(100)}}
        info["digitalId"] = self.pki.sign_info(self.digital_id())
        return {"deviceInfo": self.pki.sign_info(info), "error": error}

    # --- capture ---------------------------------------------------------------------

    def capture(self, req: dict[str, Any]) -> dict[str, Any]:
        """The RCAPTURE answer for one request (runs on a handler thread)."""
        with self._lock:
            self.state.requests.append(req)
            status, forced, delay = self.state.status, self.state.error_code, self.state.delay_s
        code = _request_error(req) or {"Busy": 111, "Not Ready": 110,
                                       "Not Registered": 100}.get(status, 0) or forced
        if code:
            return error_response(code)
        bio = req["bio"][0]
        sub_id = int(bio["deviceSubId"])
        if delay and self._stopping.wait(delay):
            return error_response(106)  # unplugged while waiting (connection dropped anyway)
        exceptions = {POSITION.get(name) for name in bio.get("exception") or []}
        positions = [p for p in SUB_ID_POSITIONS[sub_id] if p not in exceptions]
        with self._lock:
            self.state.captures += 1
            fmt = RECORD_FORMATS[self.state.record_format]
        quality = self._next_quality()
        previous = str(bio.get("previousHash") or "") or EMPTY_HASH
        out = []
        for pos in positions:
            img = synthetic.ridge_image(self.seed * 100 + pos, quality=quality)
            score = synthetic.quality_proxy(img)
            record = iso19794.encode(pos, score, img, edition=fmt[0], compression=fmt[1])
            token = self._sign_capture(self._payload(req, pos, record, score))
            if self.state.tamper_signature:
                token = token[:-6] + ("AAAAAA" if not token.endswith("AAAAAA") else "BBBBBB")
            digest = chain_hash(previous, record)
            if self.state.tamper_hash:
                digest = chain_hash(EMPTY_HASH, b"tampered")
            out.append({"specVersion": SPEC_VERSION, "data": token, "hash": digest,
                        "error": {"errorCode": "0", "errorInfo": "Success"}})
            previous = digest
        return {"biometrics": out}

    def _payload(self, req: dict[str, Any], pos: int, record: bytes,
                 score: int) -> dict[str, Any]:
        """The biometric's data, field for field as MockMDS's BioMetricsDataDto."""
        bio = req["bio"][0]
        return {
            "digitalId": self.pki.sign_info(self.digital_id()), "deviceCode": self.serial,
            "deviceServiceVersion": SPEC_VERSION, "bioType": "Finger",
            "bioSubType": BIO_SUB_TYPE[pos], "purpose": "Registration", "env": req["env"],
            "bioValue": b64url(record), "transactionId": req["transactionId"],
            "timestamp": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "requestedScore": f"{float(bio['requestedScore']):.1f}",
            "qualityScore": f"{float(score):.1f}",
        }

    def _sign_capture(self, payload: dict[str, Any]) -> str:
        signer = self.state.signer
        if signer == "device":
            return self.pki.sign_capture(payload)
        if signer == "jwk":
            return _jwk_token(payload)
        with self._lock:
            if signer not in self._odd_signers:
                self._odd_signers[signer] = (self.pki.rogue()[1] if signer == "rogue"
                                             else self.pki.expired_device())
            leaf = self._odd_signers[signer]
        return leaf.sign(payload)

    def preview_jpeg(self, sub_id: int, n: int) -> bytes:
        """One STREAM frame: the slap's first finger, with a moving mark so frames differ."""
        import cv2

        pos = SUB_ID_POSITIONS.get(sub_id, (2,))[0]
        img = synthetic.ridge_image(self.seed * 100 + pos, quality=self._peek_quality())
        img = cv2.resize(img, (160, 208))
        cv2.putText(img, str(n), (8, 24), cv2.FONT_HERSHEY_SIMPLEX, 0.7, 0, 2)
        ok, jpg = cv2.imencode(".jpg", img)
        return jpg.tobytes()

    def _peek_quality(self) -> float:
        q = self.state.quality
        return float(q[0]) if isinstance(q, list) and q else (1.0 if isinstance(q, list)
                                                               else float(q))


def _request_error(req: dict[str, Any]) -> int:
    """MockMDS's checks of an RCAPTURE body, in its order: 0 when it is acceptable."""
    bio = req.get("bio")
    if not isinstance(bio, list) or not bio or not isinstance(bio[0], dict):
        return 123
    b = bio[0]
    if any(not isinstance(req.get(k), str) or not req[k].strip() for k in _STRING_FIELDS) or \
            any(not isinstance(b.get(k), str) or not b[k].strip() for k in _BIO_STRING_FIELDS) \
            or not isinstance(b.get("previousHash"), str):
        return 123
    if req["env"] not in ENVIRONMENTS:
        return 115
    if req["purpose"] != "Registration":
        return 121
    if b["type"] != "Finger":
        return 114
    if not TRANSACTION_RE.fullmatch(req["transactionId"]):
        return 112
    try:
        sub_id, count = int(b["deviceSubId"]), int(b["count"])
        float(b["requestedScore"])
        int(req["timeout"])
    except ValueError:
        return 123
    names = list(b.get("bioSubType") or []) + list(b.get("exception") or [])
    if any(n not in POSITION for n in names):
        return 122
    if sub_id not in SUB_ID_POSITIONS or \
            count + len(b.get("exception") or []) != len(SUB_ID_POSITIONS[sub_id]):
        return 109
    return 0


def error_response(code: int) -> dict[str, Any]:
    """The RCAPTURE error answer (MockMDS's getCaptureErrorJson shape)."""
    return {"biometrics": [{"specVersion": SPEC_VERSION, "data": "", "hash": "",
                            "error": {"errorCode": str(code), "errorInfo": error_info(code)}}]}


def _jwk_token(payload: dict[str, Any]) -> str:
    """The station's old format: EdDSA, the signer's own key in a `jwk` header (no chain)."""
    key = Ed25519PrivateKey.generate()
    raw = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    header = {"alg": "EdDSA", "typ": "JWT", "jwk": {"kty": "OKP", "crv": "Ed25519",
                                                    "x": b64url(raw)}}
    signing_input = (b64url(json.dumps(header, separators=(",", ":")).encode()) + "."
                     + b64url(json.dumps(payload, separators=(",", ":")).encode()))
    return signing_input + "." + b64url(key.sign(signing_input.encode("ascii")))


@contextmanager
def running(port: int = 0, **control: Any) -> Iterator[SbiSimulator]:
    """A simulator on a free (or given) 127.0.0.1 port for the duration of the block."""
    sim = SbiSimulator(port=port).start()
    try:
        if control:
            sim.control(**control)
        yield sim
    finally:
        sim.stop()


def main(argv: list[str] | None = None) -> None:
    from kiosk.devices.sim.sbi_http import run_forever

    parser = argparse.ArgumentParser(prog="python -m kiosk.devices.sim.sbi",
                                     description="Simulated MOSIP SBI 0.9.5 slap scanner.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4501)
    parser.add_argument("--serial", default="SIM-0001")
    parser.add_argument("--pki", type=Path, default=None,
                        help="folder of its demo CA and keys (made once, then reused)")
    parser.add_argument("--trust-out", type=Path, default=None,
                        help="write the CA certificates a station must trust into this folder")
    args = parser.parse_args(argv)
    sim = SbiSimulator(args.host, args.port, serial=args.serial, pki_dir=args.pki)
    if args.trust_out is not None:
        sim.write_trust(args.trust_out)
    run_forever(sim)


if __name__ == "__main__":
    main()
