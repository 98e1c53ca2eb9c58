"""The simulator's HTTP side: SBI's custom verbs on a threading server bound to 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from kiosk.devices.sbi_protocol import error_info

if TYPE_CHECKING:
    from kiosk.devices.sim.sbi import SbiSimulator


def _stream_error(req: dict[str, Any], status: str) -> int:
    """MockMDS's STREAM checks: string fields (610 when not), then the device's status."""
    if any(not isinstance(req.get(k), str) for k in ("deviceId", "deviceSubId")) or \
            not isinstance(req.get("timeout", ""), str):
        return 610
    if not req["deviceSubId"].strip().isdigit():
        return 610
    return {"Ready": 0, "Busy": 111, "Not Registered": 100}.get(status, 110)


class Handler(BaseHTTPRequestHandler):
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
        self._json([self.simulator.device_info()])

    def do_RCAPTURE(self) -> None:  # noqa: N802
        self._json(self.simulator.capture(self._body()))

    def do_STREAM(self) -> None:  # noqa: N802
        req, sim = self._body(), self.simulator
        code = _stream_error(req, sim.state.status)
        if code:
            self._json({"error": {"errorCode": str(code), "errorInfo": error_info(code)}})
            return
        sub_id = int(req["deviceSubId"])
        timeout = min(60.0, float(req.get("timeout") or 300000) / 1000.0)
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
                    "signer": state.signer, "record_format": state.record_format,
                    "captures": state.captures})


def serve(sim: SbiSimulator) -> ThreadingHTTPServer:
    """A bound (not yet serving) server for `sim`."""

    class Bound(Handler):
        simulator = sim

    server = ThreadingHTTPServer((sim.host, sim.port), Bound)
    server.daemon_threads = True
    return server


def run_forever(sim: SbiSimulator) -> None:
    """Serve until interrupted, printing where (the `python -m` entry)."""
    sim.start()
    print(json.dumps({"url": sim.url, "device_id": sim.device_id()}), flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()
