"""A simulated MOSIP SBI 0.9.5 fingerprint device service: a real HTTP server on 127.0.0.1.

    python -m kiosk.devices.sim.sbi [--port 4501] [--host 127.0.0.1]

It answers MOSIPDISC, MOSIPDINFO, RCAPTURE and STREAM like a slap scanner (sub-ids 1 left,
2 right, 3 thumbs) with synthetic ridge images (kiosk.devices.sim.synthetic) as ISO/IEC 19794-4
WSQ records, signed with a per-run Ed25519 device key. It can be told to misbehave, from
Python (`SbiSimulator.control(...)`) or over HTTP (`POST /control` with the same fields as
JSON): status ("Ready", "Busy", "Not Ready", "Not Registered"), delay_s (slow), quality (0..1,
or a list used one capture at a time), error_code (any SBI code, for every capture until reset
to 0), tamper_hash / tamper_signature (corrupt the response). `stop()` closes open connections
too, as an unplugged device would.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import cv2
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.devices import iso19794
from kiosk.devices.sbi_protocol import (
    BIO_SUB_TYPE,
    EMPTY_HASH,
    POSITION,
    SPEC_VERSION,
    SUB_ID_POSITIONS,
    b64url,
    chain_hash,
    error_info,
    sign,
)
from kiosk.devices.sim import synthetic

TRANSACTION_RE = re.compile(r"^[A-Za-z0-9-]{4,50}$")


@dataclass
class SimState:
    """What the simulator is told to do; change it with `SbiSimulator.control`."""

    status: str = "Ready"
    delay_s: float = 0.0
    quality: float | list[float] = 1.0
    error_code: int = 0
    tamper_hash: bool = False
    tamper_signature: bool = False
    captures: int = 0
    requests: list[dict[str, Any]] = field(default_factory=list)


class SbiSimulator:
    """The device service; `start()` serves on a thread, `stop()` unplugs it."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, serial: str = "SIM-0001",
                 seed: int = 0) -> None:
        self.host, self.port, self.serial, self.seed = host, port, serial, seed
        self.state = SimState()
        self.key = Ed25519PrivateKey.generate()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._conns: set[socket.socket] = set()

    # --- control ---------------------------------------------------------------------

    def control(self, **changes: Any) -> SimState:
        """Change behaviour (fields of SimState); returns the state after the change."""
        with self._lock:
            for name, value in changes.items():
                if name not in SimState.__dataclass_fields__ or name in ("captures", "requests"):
                    raise ValueError(f"unknown control {name!r}")
                setattr(self.state, name, value)
            return self.state

    def _next_quality(self) -> float:
        with self._lock:
            q = self.state.quality
            if isinstance(q, list):
                value = float(q.pop(0)) if q else 1.0
                return value
            return float(q)

    # --- life cycle ------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> SbiSimulator:
        sim = self

        class Handler(_Handler):
            simulator = sim

        self._stopping.clear()
        self._server = ThreadingHTTPServer((self.host, self.port), Handler)
        self._server.daemon_threads = True
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
                "type": "Finger", "deviceSubType": "Slap", "deviceProvider": "e-KTP kiosk",
                "deviceProviderId": "kiosk.sim",
                "dateTime": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")}

    def discovery(self) -> dict[str, Any]:
        return {
            "deviceId": self.device_id(), "deviceStatus": self.state.status,
            "certification": "L0", "serviceVersion": SPEC_VERSION, "deviceSubId": [1, 2, 3],
            "callbackId": self.url + "/", "digitalId": b64url(json.dumps(self.digital_id())
                                                              .encode()),
            "deviceCode": self.serial, "specVersion": [SPEC_VERSION], "purpose": "Registration",
            "firmware": "sim-1.0", "error": {"errorCode": "0", "errorInfo": "Success"},
        }

    # --- capture ---------------------------------------------------------------------

    def capture(self, req: dict[str, Any]) -> dict[str, Any]:
        """The RCAPTURE answer for one request (runs on a handler thread)."""
        with self._lock:
            self.state.requests.append(req)
            status, forced = self.state.status, self.state.error_code
            delay = self.state.delay_s
        code = {"Busy": 111, "Not Ready": 110, "Not Registered": 100}.get(status, 0) or forced
        txn = str(req.get("transactionId", ""))
        if not code and not TRANSACTION_RE.match(txn):
            code = 112
        bio = (req.get("bio") or [{}])[0]
        sub_id = int(bio.get("deviceSubId", req.get("deviceSubId", 0)) or 0)
        if not code and sub_id not in SUB_ID_POSITIONS:
            code = 109
        if code:
            return _error_response(code)
        if delay and self._stopping.wait(delay):
            return _error_response(106)  # unplugged while waiting (connection dropped anyway)
        exceptions = {POSITION.get(name) for name in bio.get("exception", []) or []}
        positions = [p for p in SUB_ID_POSITIONS[sub_id] if p not in exceptions]
        if int(bio.get("count", len(positions))) != len(positions):
            return _error_response(109)
        with self._lock:
            self.state.captures += 1
            n = self.state.captures
        quality = self._next_quality()
        previous = str(bio.get("previousHash") or req.get("previousHash") or "") or EMPTY_HASH
        out = []
        for pos in positions:
            img = synthetic.ridge_image(self.seed * 100 + pos, quality=quality)
            score = synthetic.quality_proxy(img)
            record = iso19794.encode(pos, score, img)
            payload = {
                "digitalId": sign(self.digital_id(), self.key), "deviceCode": self.serial,
                "deviceServiceVersion": SPEC_VERSION, "bioType": "Finger",
                "bioSubType": BIO_SUB_TYPE[pos], "purpose": "Registration",
                "env": req.get("env", "Staging"), "bioValue": b64url(record),
                "transactionId": txn, "timestamp": dt.datetime.now(dt.UTC).isoformat(),
                "requestedScore": bio.get("requestedScore", 0),
                "qualityScore": score, "captureNumber": n,
            }
            token = sign(payload, self.key)
            if self.state.tamper_signature:
                token = token[:-6] + ("AAAAAA" if not token.endswith("AAAAAA") else "BBBBBB")
            digest = chain_hash(previous, record)
            if self.state.tamper_hash:
                digest = chain_hash(EMPTY_HASH, b"tampered")
            out.append({"specVersion": SPEC_VERSION, "data": token, "hash": digest,
                        "error": {"errorCode": "0", "errorInfo": "Success"}})
            previous = digest
        return {"biometrics": out}

    def preview_jpeg(self, sub_id: int, n: int) -> bytes:
        """One STREAM frame: the slap's first finger, with a moving mark so frames differ."""
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


def _error_response(code: int) -> dict[str, Any]:
    return {"biometrics": [{"specVersion": SPEC_VERSION, "data": "", "hash": "",
                            "error": {"errorCode": str(code), "errorInfo": error_info(code)}}]}


class _Handler(BaseHTTPRequestHandler):
    simulator: SbiSimulator
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        with self.simulator._lock:
            self.simulator._conns.add(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            with self.simulator._lock:
                self.simulator._conns.discard(self.connection)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib signature)
        return  # quiet: tests and the demo would drown in request lines

    def _body(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        if not length:
            return {}
        try:
            data = json.loads(self.rfile.read(length))
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    def _json(self, obj: Any, status: int = 200) -> None:
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Access-Control-Allow-Origin", "*")
        self.end_headers()
        self.wfile.write(body)

    def do_MOSIPDISC(self) -> None:  # noqa: N802 (the verb is the method name)
        kind = self._body().get("type", "Biometric Device")
        sim = self.simulator
        self._json([sim.discovery()] if kind in ("Biometric Device", "Finger") else [])

    def do_MOSIPDINFO(self) -> None:  # noqa: N802
        sim = self.simulator
        info = sim.discovery()
        info["digitalId"] = sign(sim.digital_id(), sim.key)
        error = info.pop("error")
        self._json([{"deviceInfo": sign(info, sim.key), "error": error}])

    def do_RCAPTURE(self) -> None:  # noqa: N802
        self._json(self.simulator.capture(self._body()))

    def do_STREAM(self) -> None:  # noqa: N802
        req, sim = self._body(), self.simulator
        if sim.state.status != "Ready":
            code = {"Busy": 111, "Not Registered": 100}.get(sim.state.status, 110)
            self._json({"error": {"errorCode": str(code), "errorInfo": error_info(code)}})
            return
        sub_id = int(req.get("deviceSubId", 2) or 2)
        timeout = min(60.0, float(req.get("timeout", 10000)) / 1000.0)
        self.send_response(200)
        self.send_header("Content-Type", "multipart/x-mixed-replace; boundary=frame")
        self.send_header("Connection", "close")
        self.end_headers()
        deadline = dt.datetime.now().timestamp() + timeout
        n = 0
        try:
            while dt.datetime.now().timestamp() < deadline and not sim._stopping.is_set():
                jpg = sim.preview_jpeg(sub_id, n)
                self.wfile.write(b"--frame\r\nContent-Type: image/jpeg\r\nContent-Length: "
                                 + str(len(jpg)).encode() + b"\r\n\r\n" + jpg + b"\r\n")
                self.wfile.flush()
                n += 1
                sim._stopping.wait(0.2)  # 5 fps: the spec asks for at least 3
        except OSError:
            pass  # the client stopped watching
        self.close_connection = True

    def do_POST(self) -> None:  # noqa: N802
        if self.path.rstrip("/") != "/control":
            self._json({"error": "not found"}, 404)
            return
        try:
            state = self.simulator.control(**self._body())
        except (ValueError, TypeError) as exc:
            self._json({"error": str(exc)}, 400)
            return
        self._json({"status": state.status, "delay_s": state.delay_s,
                    "quality": state.quality, "error_code": state.error_code,
                    "captures": state.captures})


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
    parser = argparse.ArgumentParser(prog="python -m kiosk.devices.sim.sbi",
                                     description="Simulated MOSIP SBI 0.9.5 slap scanner.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4501)
    parser.add_argument("--serial", default="SIM-0001")
    args = parser.parse_args(argv)
    sim = SbiSimulator(args.host, args.port, serial=args.serial).start()
    print(json.dumps({"url": sim.url, "device_id": sim.device_id()}), flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()


if __name__ == "__main__":
    main()
