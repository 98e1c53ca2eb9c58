"""A faithful stand-in for MOSIP MockMDS (purpose Registration, finger slap only), for tests.

It answers as mosip-mock-services MockMDS (commit f88d19e) does: raw HTTP/1.1 200 answers with
SBIResponseInfo's headers, routing by substring of the whole request (SBIWorker.run,
SBIServiceResponse.getServiceresponse), Jackson field order, error shapes and texts, jose4j JWS
signed with the slap's .p12 keys, the hash chain, and the Ready/Busy/capture-info state machine,
including the states MockMDS gets stuck in. The Java/Jackson rules live in mockmds_wire.py.
Nothing here imports kiosk: the station is tested against MockMDS, not against itself.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import re
import socket
import socketserver
import threading
import time
from datetime import UTC, datetime
from http.server import ThreadingHTTPServer
from typing import Any

from tests.devices import mockmds_wire as w


class _Conn(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        self.server.mds._serve(self.connection, self.rfile, self.wfile)  # type: ignore[attr-defined]


class MockMds:
    """MockMDS on 127.0.0.1 serving one Registration finger slap. `ftm=True` signs deviceInfo
    and its digitalId with the FTM key (as an L1 device would); `data` is always the device
    key's."""
    def __init__(self, port: int = 0, ftm: bool = False, stream_limit: float = 10.0) -> None:
        self.requested_port, self.stream_limit, self.requests = port, stream_limit, []
        self.status, self.cap, self.dev_id, self.sub_id = w.READY, None, "", 0
        self.profile = "Default"
        self.score, self.from_iso, self.delays = 0.0, False, {}
        self.device = w.Keys("mosipfingerslap")
        self.info_keys = w.Keys("mosipfingerslapftm") if ftm else self.device
        self.lock, self._stop, self._conns = threading.RLock(), threading.Event(), set()
        self._server: ThreadingHTTPServer | None = None
    def start(self) -> MockMds:
        self._server = ThreadingHTTPServer(("127.0.0.1", self.requested_port), _Conn)
        self._server.mds = self  # type: ignore[attr-defined]
        self._server.block_on_close = False
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self
    def stop(self) -> None:
        self._stop.set()
        if self._server:
            self._server.shutdown()
            for c in list(self._conns):
                with contextlib.suppress(OSError):
                    c.shutdown(socket.SHUT_RDWR)
            self._server.server_close()
    def __enter__(self) -> MockMds:
        return self.start()
    def __exit__(self, *exc: object) -> None:
        self.stop()
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"
    def _serve(self, conn: socket.socket, rfile: Any, wfile: Any) -> None:
        """SBIWorker.run: header lines concatenated, Content-Length by substring(16), body, then
        the method name checked against the w.CORS list by substring and the answer written."""
        self._conns.add(conn)
        lines, length = [], 0
        try:
            while (line := rfile.readline(65537).decode("utf-8", "replace").rstrip("\r\n")):
                if "content-length:" in line or "Content-Length:" in line:
                    try:
                        length = w.java_int(line[16:])
                    except w.Bad:
                        break
                lines.append(line)
            body = rfile.read(length) if length > 0 else b""
            raw = "".join(lines) + body.decode("utf-8", "replace")
            first = (lines[0].split(" ") + ["", ""]) if lines else ["", ""]
            with contextlib.suppress(ValueError):
                parsed = None
                parsed = json.loads(body)
            self.requests.append(w.Received(first[0], first[1], body, parsed))
            name = w.jtrim(w.jtrim(re.split("HTTP/1.1", raw)[0]).split("/")[0])
            if name not in w.CORS:
                wfile.write(self._http(w.jdumps([{"error": w.err("500")}]), "405 OK"))
            elif name == "OPTIONS":
                wfile.write(b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin:*\r\nAccess-Control-"
                            b"Allow-Headers:Content-Type\r\nAccess-Control-Allow-Methods:"
                            + w.CORS.strip('"').encode() + b"\r\nCACHE-CONTROL:no-cache\r\n"
                            b"Connection: Keep-Alive\r\n\r\n")
            else:
                wfile.write(self._http(self._route(raw, wfile)))
            wfile.flush()
        except OSError:
            pass
        finally:
            self._conns.discard(conn)
    def _http(self, body: str, status: str = "200 OK") -> bytes:
        """SBIResponseInfo.generateResponse: Content-Length counts UTF-16 units, as Java does."""
        return (f"HTTP/1.1 {status}\r\nAccess-Control-Allow-Headers:DNT,X-Mx-ReqToken,Keep-Alive,"
                "User-Agent,X-Requested-With,If-Modified-Since,Cache-Control,Content-Type,"
                "X-PINGOTHER,Authorization\r\nAccess-Control-Allow-Origin: *\r\nAccess-Control-"
                f"Allow-Methods: {w.CORS}\r\nAccess-Control-Allow-Credentials: true\r\n"
                f"CACHE-CONTROL:no-cache\r\nContent-Length: {len(body.encode('utf-16-le')) // 2}"
                f"\r\nContent-Type: application/json\r\nLOCATION: HTTP://127.0.0.1:{self.port}/"
                f"\r\nConnection: close\r\n\r\n{body}\r\n\r\n").encode()
    def _route(self, raw: str, wfile: Any) -> str:
        """getServiceresponse: the first verb string the whole request contains wins."""
        if any(v in raw for v in ("POST / HTTP", "GET / HTTP", "MOSIPDISC /device HTTP")):
            return self._discover(raw)
        if "MOSIPDINFO /info HTTP" in raw:
            self._delay("MOSIPDINFO")
            with self.lock:
                return w.jdumps([self._info_dto()])
        if "STREAM /stream HTTP" in raw:
            return self._stream(raw, wfile)
        if "RCAPTURE /capture HTTP" in raw:
            return self._rcapture(raw)
        if "CAPTURE /capture HTTP" in raw:
            return self._capture_error("809", "", rcapture=False)
        for api in ("status", "score", "delay", "profile"):
            if f"POST /admin/{api} HTTP" in raw:
                return w.jdumps(self._admin(api, w.parse_body(raw)))
        return self._http(w.jdumps([{"error": w.err("500")}]), "405 OK").decode()
    def _delay(self, method: str) -> None:
        time.sleep(self.delays.get(method, 0) / 1000)
    def _digital_id(self) -> str:
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return w.jdumps(w.json_file("DigitalId.json", "serialNo make model type deviceSubType "
                                 "deviceProviderId deviceProvider dateTime", dateTime=now))
    def _device_info(self) -> dict:
        """SBIDeviceHelper.getDeviceInfo: digitalId signed, or base64url and ids blanked."""
        reg, did = self.status != w.NOT_REG, self._digital_id()
        blank = {} if reg else {"deviceId": "", "deviceCode": "", "purpose": ""}
        return w.json_file("DeviceInfo.json", "specVersion env digitalId deviceId deviceCode "
                          "purpose serviceVersion deviceStatus firmware certification deviceSubId "
                          "callbackId", digitalId=self.info_keys.jwt(did) if reg else w.b64u(
                              did.encode()), deviceStatus=self.status, **{"purpose": "Registration",
                          "callbackId": f"http://127.0.0.1:{self.port}/", **blank})
    def _info_dto(self) -> dict:
        """getDeviceInfoDto: deviceInfo a JWS, or unsigned base64url JSON when Not Registered."""
        text = w.jdumps(self._device_info())
        info = w.b64u(text.encode()) if self.status == w.NOT_REG else self.info_keys.jwt(text)
        return {"deviceInfo": info, "error": w.err(w.STATUS_CODE.get(self.status, "0"))}
    def _discover(self, raw: str) -> str:
        """processDeviceDicoveryInfo + getDiscoverInfo, the slap being the only device here."""
        o = w.parse_body(raw)
        try:
            t = w.field(o, "type", "plain") if isinstance(o, dict) else None
        except w.Bad:
            t = None
        if not t or not w.jtrim(t) or t not in (w.BD, w.FINGER, "Face", "Iris"):
            return w.jdumps([{"error": w.err("502")}])
        if t not in (w.BD, w.FINGER):
            return w.jdumps([{"error": w.err("503")}])
        self._delay("MOSIPDISC")
        with self.lock:
            blank = {} if self.status != w.NOT_REG else {"deviceId": "", "deviceCode": "",
                                                        "purpose": ""}
            return w.jdumps([w.json_file(
                "DeviceDiscovery.json", "deviceId deviceStatus certification serviceVersion "
                "callbackId digitalId deviceCode purpose error specVersion deviceSubId",
                digitalId=w.b64u(self._digital_id().encode()), deviceStatus=self.status,
                error=w.err(w.STATUS_CODE.get(self.status, "0")), **{
                    "purpose": "Registration", "callbackId": f"http://127.0.0.1:{self.port}/",
                    **blank})])
    def _capture_error(self, code: str, spec: str | None, rcapture: bool = True) -> str:
        """SBIJsonInfo.getCaptureErrorJson (NON_NULL: a null specVersion is left out)."""
        b = {"specVersion": spec, "data": "", "hash": ""}
        b.update({} if rcapture else {"sessionKey": "", "thumbprint": ""}, error=w.err(code))
        return w.jdumps({"biometrics": [{k: v for k, v in b.items() if v is not None}]})
    def _rcapture_checks(self, r: dict) -> str | tuple:
        """processRCaptureInfo's checks in its order; an error code, or what capture needs."""
        b = r["bio"][0] if r["bio"] else {}
        dev_id, dtype, env, purpose = (b.get("deviceId", ""), b.get("type", ""),
                                       r["env"] if b else "", r["purpose"] if b else "")
        sub = w.java_int(b["deviceSubId"]) if b else 0
        if env not in w.ENVS:
            return "115"
        if w.jtrim(purpose) and purpose != "Registration":
            return "121"
        if not w.jtrim(dev_id) or not w.jtrim(dtype) or dtype not in (w.FINGER, "Iris", "Face"):
            return "704" if not w.jtrim(dev_id) else "114"
        info = self._device_info()
        if info["deviceId"] != dev_id:
            return "705"
        if dtype != w.FINGER or info["purpose"] != "Registration":
            return "120" if dtype != w.FINGER else "706"
        if self.cap and dev_id.lower() != self.dev_id.lower() and self.sub_id != sub:
            return "702"
        if self.status in (w.NOT_REG, w.NOT_READY):
            return w.STATUS_CODE[self.status]
        if not re.fullmatch(r"[a-zA-Z0-9-]{4,50}", r["transactionId"]):
            return "112"
        exc, subs, count = b["exception"] or [], b["bioSubType"] or [], w.java_int(b["count"])
        if not set(subs) <= w.SUBTYPE_NAMES or not set(exc) <= w.EXCEPTION_NAMES:
            return "122"
        if {1: 4, 2: 4, 3: 2}.get(sub, count + len(exc)) != count + len(exc):
            return "109"
        if self.status == w.READY:
            self._init_device()
            self.dev_id, self.sub_id, self.status = dev_id, sub, w.BUSY
        elif self.cap is None or self.cap["started"]:
            return "703"
        return info, sub, exc, w.java_int(r["timeout"]), w.java_float(b["requestedScore"])
    def _rcapture(self, raw: str) -> str:
        """processRCaptureInfo: parse (123), checks, capture loop (701/700), biometrics (708)."""
        spec = ""
        try:
            r = w.capture_request(raw)
        except w.Bad:
            return self._capture_error("123", "", rcapture=False)
        try:
            with self.lock:
                checked = self._rcapture_checks(r)
            if isinstance(checked, str):
                return self._capture_error(checked, spec)
            info, sub, exc, timeout, _score = checked
            spec, end, out = r["specVersion"], time.time() * 1000 + timeout, None
            with self.lock:
                self.cap["exceptions"] |= {w.jtrim(e) for e in exc}
                self.cap["started"] = True
            while out is None:
                self._delay("RCAPTURE")
                with self.lock:
                    if time.time() * 1000 > end:
                        out = self._capture_error("701", spec)
                    elif self.cap is None:
                        out = self._capture_error("700", spec)
                    elif self._bio_capture():
                        bios = self._biometrics(r, info, sub, spec)
                        out = w.jdumps({"biometrics": bios}) if bios else self._capture_error(
                            "708", spec)
                        self.cap, self.status = None, w.READY
                if out is None:
                    time.sleep(0.03)
            with self.lock:
                if self.cap is not None:
                    self.cap["exceptions"] = set()
                    if self.cap["live"]:
                        self.cap.update(started=False, completed=True)
                    else:
                        self.cap, self.status = None, w.READY
            return out
        except (w.Bad, binascii.Error, ValueError):
            return self._capture_error("710", spec)
    def _init_device(self) -> None:
        self.cap = {"started": False, "live": False, "captured": {}, "values": {},
                    "exceptions": set()}
    def _bio_capture(self) -> bool:
        """SBIFingerSlapHelper.getBioCapture for the helper's sub id: each ISO read only once."""
        cap, names = self.cap, w.SLAP.get(self.sub_id, ())
        for name in names:
            if name in cap["exceptions"]:
                cap["captured"][name] = True
            elif not cap["captured"].get(name):
                path = w.DATA / "iso" / (name.replace("Finger", "").replace(" ", "_") + ".iso")
                iso = path.read_bytes() if self.profile == "Default" and path.exists() else b""
                q = (iso[35] if iso[34:35] > b"\0" else -1) if self.from_iso else self._quality()
                cap["values"][name], cap["captured"][name] = (w.b64u(iso) or None, float(q)), True
        return any(cap["captured"].get(n) for n in names)
    def _quality(self) -> float:
        if not 0.0 < self.score <= 100.0:
            self.score = 44.0  # mosip.mock.sbi.quality.score=44.00
        return self.score
    def _biometrics(self, r: dict, info: dict, sub: int, spec: str | None) -> list:
        """getBioMetricsDtoList + getBiometricData / getBiometricErrorData, in the slap's order."""
        b, out = r["bio"][0], []
        prev, req = b["previousHash"], float(w.java_int(b["requestedScore"]))
        for name in (n for n in w.SLAP.get(sub, ()) if n not in self.cap["exceptions"]):
            value, score = self.cap["values"].get(name, (None, 0.0))
            if not value:
                dto = {"specVersion": spec, "data": "", "hash": "", "error": w.err("701")}
            else:
                data = {"digitalId": info["digitalId"], "deviceCode": info["deviceCode"],
                        "deviceServiceVersion": info["serviceVersion"], "bioType": b["type"],
                        "bioSubType": name, "purpose": r["purpose"], "env": r["env"],
                        "bioValue": value, "transactionId": r["transactionId"],
                        "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                        "requestedScore": w.jfloat(req), "qualityScore": w.jfloat(score)}
                p = hashlib.sha256(b"").digest() if not w.jtrim(prev) else binascii.unhexlify(prev)
                h = hashlib.sha256(p + hashlib.sha256(base64.urlsafe_b64decode(
                    value + "=" * (-len(value) % 4))).digest()).hexdigest().upper()
                dto = {"specVersion": spec, "data": self.device.jwt(w.jdumps(data)), "hash": h,
                       "error": w.err("0")}
            out.append({k: v for k, v in dto.items() if v is not None})
            prev = dto["hash"]
        return out
    def _stream(self, raw: str, wfile: Any) -> str:
        """processLiveStreamInfo: checks, MJPEG frames until timeout (609) or the capture info
        goes, then the bare ErrorInfo that SBIWorker writes after the frames."""
        try:
            o = w.parse_body(raw)
            try:
                dev_id, sub_s, tmo = (w.field(o, k) for k in ("deviceId", "deviceSubId", "timeout"))
            except (w.Bad, AttributeError):
                raise w.Bad(w.NPE_STREAM) from None
            sub = w.java_int(sub_s)
            timeout = w.java_int(w.jtrim(tmo), 64) if tmo is not None and w.jtrim(tmo) else 0
            if dev_id is not None and not w.jtrim(dev_id):
                return w.jdumps(w.err("604"))
            with self.lock:
                info = self._device_info()
                code = "605" if info["deviceId"] != dev_id else w.STATUS_CODE.get(self.status)
                if code or self.status != w.READY:
                    return w.jdumps(w.err(code or "607"))
                self._init_device()
                self.status, self.dev_id, self.sub_id, self.cap["live"] = w.BUSY, dev_id, sub, True
            wfile.write((f"HTTP/1.0 200 OK\r\nServer: http://127.0.0.1:{self.port}\r\nAccess-"
                         "Control-Allow-Origin:*\r\nConnection: close\r\nMax-Age: 0\r\nExpires: "
                         "0\r\nCache-Control: no-cache, private\r\nPragma: no-cache\r\nContent-"
                         "Type: multipart/x-mixed-replace; boundary=--BoundaryString\r\n\r\n"
                         ).encode())
            timed_out = self._frames(wfile, time.time() * 1000 + timeout if timeout > 0 else None)
            with self.lock:
                if self.cap is not None:
                    self.cap, self.status = None, w.READY
            return w.jdumps(w.err("609" if timed_out else "0"))
        except (w.Bad, OSError) as e:
            return w.jdumps(w.err("610", str(e)))
    def _frames(self, wfile: Any, end: float | None) -> bool:
        """The stream loop: one JPEG of the helper's sub id per turn; True when timed out."""
        limit = time.monotonic() + self.stream_limit  # the fake's bound; MockMDS has none
        while not self._stop.is_set() and time.monotonic() < limit:
            self._delay("STREAM")
            if end is not None and time.time() * 1000 > end:
                return True
            with self.lock:
                path = w.DATA / "stream" / f"{self.sub_id}.jpeg"
                if self.cap is None or self.sub_id not in w.SLAP or not path.exists():
                    return False
                image = path.read_bytes()
            try:
                wfile.write(w.frame_header(len(image)) + image + b"\r\n\r\n")
                wfile.flush()
            except OSError:
                return False
            time.sleep(0.03)
        return False
    def _admin(self, api: str, o: Any) -> dict:
        """processSetStatus / SetQualityScore / SetDelay / SetProfileInfo: a bare ErrorInfo."""
        kinds = {"status": {"type": "plain", "deviceStatus": "plain"}, "profileId": {},
                 "score": {"type": "plain", "qualityScore": "custom"}, "profile": {
                     "profileId": "plain"}, "delay": {"type": "plain", "delay": "plain",
                                                      "method": "array"}}[api]
        try:
            f = {k: w.field(o, k, kind) for k, kind in kinds.items()} if isinstance(o, dict) else {}
            iso = o.get("fromIso", False) if isinstance(o, dict) else False
            if not isinstance(iso, bool) and not isinstance(iso, w.Num):
                raise w.Bad("fromIso")
        except w.Bad:
            f, iso = {}, False
        f = {k: (v if v else None) for k, v in f.items()}  # `x != null && x.length() > 0`
        try:
            with self.lock:
                return self._admin_apply(api, f, bool(iso and iso != "0"))
        except w.Bad as e:
            return w.err("999", str(e))
    def _admin_apply(self, api: str, f: dict, from_iso: bool) -> dict:
        if api == "profile":
            self.profile = f.get("profileId") or "Default"
            return w.err("0")
        t, mine = f.get("type"), f.get("type") in (w.BD, w.FINGER)
        if not t or not w.jtrim(t) or t not in (w.BD, w.FINGER, "Face", "Iris"):
            return w.err("502")
        if api == "status":
            if f["deviceStatus"] is None:
                raise w.Bad('Cannot invoke "String.equals(Object)" because "status" is null')
            if f["deviceStatus"] not in (w.READY, w.BUSY, w.NOT_READY, w.NOT_REG):
                return w.err("504")
            self.status = f["deviceStatus"] if mine else w.READY
        elif api == "score":
            q = f["qualityScore"]
            if q is None or not w.jtrim(q) or not 0.0 <= w.java_float(q) <= 100.0:
                return w.err("505")
            self.from_iso, self.score = from_iso and mine, w.java_float(q) if mine else 44.0
        else:
            d, methods = f["delay"], f["method"] or w.CORS.split(",")
            if d is None or not w.jtrim(d) or w.java_int(d, 64) < 0:
                return w.err("506")
            if None in methods:
                raise w.Bad('Cannot invoke "String.trim()" because "method[index]" is null')
            if any(w.jtrim(m) not in w.CORS for m in methods):
                return w.err("507")
            self.delays = {}
            for m in methods if mine else ():
                self.delays.setdefault(m, w.java_int(d, 64))  # untrimmed keys, as MockMDS's
        return w.err("0")
