"""MockMDS's wire rules for the fake in mockmds.py: Jackson/Java parsing and printing, JWS, texts.

It answers as mosip-mock-services MockMDS (commit f88d19e) does: raw HTTP/1.1 200 answers with
SBIResponseInfo's headers, routing by substring of the whole request (SBIWorker.run,
SBIServiceResponse.getServiceresponse), Jackson field order, error shapes, codes and texts
(application.properties), jose4j JWS (header x5c, alg, typ) with the slap's .p12 keys, the hash
chain, and the Ready/Busy/capture-info state machine, including the states MockMDS gets stuck in.
Nothing here imports kiosk: the station is tested against MockMDS, not against itself.
"""

from __future__ import annotations

import base64
import json
import re
import struct
from pathlib import Path
from typing import Any, NamedTuple

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.serialization import pkcs12

DATA = Path(__file__).parent / "data" / "mockmds"
CORS = '"OPTIONS, RCAPTURE, CAPTURE, MOSIPDINFO, MOSIPDISC, STREAM, GET, POST"'
BD, FINGER, READY, BUSY, NOT_READY, NOT_REG = ("Biometric Device", "Finger", "Ready", "Busy",
                                               "Not Ready", "Not Registered")
ENVS = ("Staging", "Developer", "Pre-Production", "Production")
SLAP = {1: ("Left IndexFinger", "Left MiddleFinger", "Left RingFinger", "Left LittleFinger"),
        2: ("Right IndexFinger", "Right MiddleFinger", "Right RingFinger", "Right LittleFinger"),
        3: ("Left Thumb", "Right Thumb")}
EXCEPTION_NAMES = {n for names in SLAP.values() for n in names}  # bioExceptionsArrayFinger
SUBTYPE_NAMES = EXCEPTION_NAMES | {"UNKNOWN"}  # bioSubtypesArrayFinger
STATUS_CODE = {NOT_READY: "110", BUSY: "111", NOT_REG: "100"}
ERRORS = dict(e.split("=", 1) for e in """0=Success|100=Device not registered|106=Device not found
109=Requested number of biometric (Finger/IRIS) not supported|110=Device is not ready
111=Device is busy|112=Invalid Transaction ID|114=Device Type Mismatch('Finger', 'Iris', 'Face')
115=Env values Mismatch('Staging', 'Developer', 'Pre-Production', 'Production')
120=Device Type MisMatch for given deviceId|121=Purpose Value Mismatch('Registration', 'Auth')
122=BioSubType/Exception MisMatch for given Biometric Type|500=Invalid URL
502=Biometric Type values Mismatch('Biometric Device', 'Finger', 'Face', 'Iris')
503=Devices are not Connected, please connect devices
504=Device Status values Mismatch ('Ready', 'Busy', 'Not Ready', 'Not Registered')
505=Quality Score can not be empty and greater than 100 or lesser than 0
506=Delay can not empty and lesser than 0 milliseconds
507=Method array can contain values only MOSIPDISC, MOSIPDINFO, CAPTURE, STREAM, RCAPTURE
604=Device Id value not present in Livestream request object
605=Device is not connected or not Registered for the deviceId given in Livestream request object
606=Device connected purpose should be for Registration only for Livestream
607=Device Status is Not Ready or Busy|609=Live Stream timeout|610=Live streaming unknown error
700=RCapture Failed because Live streaming was stopped
701=RCapture Failed because Capture Timeout has happened
702=RCapture Failed because Live streaming DeviceId and DeviceSubId different
703=RCapture process already in progress, try after sometime
704=Device Id value not present in RCapture request object
705=Device is not connected or not Registered for the deviceId given in RCapture request object
706=Device connected purpose should be for Registration only for RCapture
708=No BioMetric information present for the given Biotype and BioSubType Id
710=RCapture unknown error|809=Auth Capture request can not be done for Registration Devices
999=Unknown Error""".replace("\n", "|").split("|"))
NPE_STREAM = ('Cannot invoke "io.mosip.registration.mdm.dto.StreamingRequestDetail.getDeviceId()"'
              ' because "requestObject" is null')


class Bad(Exception):
    """What MockMDS's Jackson parse, DTO validation or Java number parsing would throw."""


class Num(str):
    """A JSON number kept as its text, so 'must be a string, not a number' can be applied."""


class Received(NamedTuple):
    """One request as it arrived: request line parts, raw body bytes, body parsed (or None)."""
    method: str
    path: str
    body: bytes
    json: Any


def jtrim(s: str) -> str:
    return s.strip("".join(map(chr, range(33))))  # java.lang.String.trim


def err(code: str, extra: str = "") -> dict:
    """ErrorInfo as SBIJsonInfo builds it: description + " " + exception message, trimmed."""
    text = ERRORS.get(code, "No Description available.") + " " + extra
    return {"errorCode": code, "errorInfo": text.strip()}


def jdumps(o: Any) -> str:
    """Jackson's compact JSON: no spaces, raw UTF-8, upper-case \\u escapes for control chars."""
    if o is None or isinstance(o, bool):
        return {None: "null", True: "true", False: "false"}[o]
    if isinstance(o, dict):
        return "{" + ",".join(jdumps(str(k)) + ":" + jdumps(v) for k, v in o.items()) + "}"
    if isinstance(o, list | tuple):
        return "[" + ",".join(map(jdumps, o)) + "]"
    esc = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b",
           "\f": "\\f"}
    return '"' + "".join(esc.get(c) or (f"\\u{ord(c):04X}" if ord(c) < 32 else c)
                         for c in str(o)) + '"'


def jfloat(v: float) -> str:
    """java.lang.Float.toString (Java 21 shortest form), as `qualityScore + ""` prints it."""
    f = struct.unpack("f", struct.pack("f", v))[0]
    if f != f or abs(f) == float("inf"):
        return "NaN" if f != f else ("Infinity" if f > 0 else "-Infinity")
    same = struct.pack("f", f)
    p = next(p for p in range(1, 10) if struct.pack("f", float(f"{f:.{p}g}")) == same)
    if f == 0 or 1e-3 <= abs(f) < 1e7:
        return repr(float(f"{f:.{p}g}"))
    mant, exp = f"{f:.{p - 1}e}".split("e")
    return f"{mant if '.' in mant else mant + '.0'}E{int(exp)}"


def java_int(s: str | None, bits: int = 32) -> int:
    """Integer.parseInt / Long.parseLong, raising Bad with NumberFormatException's message."""
    if s is None:
        raise Bad("Cannot parse null string: null")
    if not re.fullmatch(r"[+-]?\d+", s) or not -2**(bits - 1) <= int(s) < 2**(bits - 1):
        raise Bad(f'For input string: "{s}"')
    return int(s)


def java_float(s: str) -> float:
    """Float.parseFloat for decimal forms: surrounding whitespace, f/d suffix, NaN, Infinity."""
    t = jtrim(s)
    if not re.fullmatch(r"[+-]?(NaN|Infinity|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[fFdD]?)", t):
        raise Bad(f'For input string: "{s}"')
    return float(t.rstrip("fFdD").replace("Infinity", "inf"))


def b64u(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()  # kernel CryptoUtil, no padding


def _no_constants(_: str) -> None:
    raise ValueError("NaN/Infinity are not JSON for Jackson")


def parse_body(raw: str) -> Any:
    """getRequestJson: Jackson from the first '{' of the whole request, trailing text ignored,
    any failure swallowed into null."""
    if "{" not in raw:
        return None
    dec = json.JSONDecoder(parse_int=Num, parse_float=Num, parse_constant=_no_constants)
    try:
        return dec.raw_decode(raw[raw.index("{"):])[0]
    except ValueError:
        return None


def field(o: dict, key: str, kind: str = "custom") -> Any:
    """One DTO field: 'custom' = MockMDS's String/IntegerDeserializer (refuse numbers and
    blanks), 'plain' = Jackson String (coerces scalars), 'array' = String[]. null stays None, as
    Jackson never calls a deserializer for null."""
    v = o.get(key)
    if v is None:
        return None
    if kind == "array":
        if not isinstance(v, list) or any(isinstance(x, dict | list) for x in v):
            raise Bad(key)
        return [None if x is None else field({key: x}, key, "plain") for x in v]
    if isinstance(v, bool):
        return "true" if v else "false"
    if kind == "plain":
        if isinstance(v, dict | list):
            raise Bad(key)
        return str(v)
    if isinstance(v, Num) or not isinstance(v, str) or not jtrim(v):
        raise Bad(f"{key} must be a string, not a number, and not empty")
    return v


def capture_request(raw: str) -> dict:
    """CaptureRequestDto read + validateCaptureRequest; Bad here is MockMDS's error 123."""
    o = parse_body(raw)
    if not isinstance(o, dict):
        raise Bad("no request object")
    r = {k: field(o, k) for k in ("env", "purpose", "specVersion", "timeout", "captureTime",
                                  "transactionId")}
    bio = o.get("bio")
    if bio is not None and not isinstance(bio, list) or any(
            x is not None and not isinstance(x, dict) for x in bio or []):
        raise Bad("bio")
    r["bio"] = None if bio is None else [None if b is None else dict(
        {k: field(b, k) for k in ("type", "count", "requestedScore", "deviceId", "deviceSubId")},
        previousHash=field(b, "previousHash", "plain"), exception=field(b, "exception", "array"),
        bioSubType=field(b, "bioSubType", "array")) for b in bio]
    if any(r[k] is None for k in ("env", "purpose", "timeout", "captureTime", "transactionId",
                                  "bio")):
        raise Bad("required field missing")
    for b in r["bio"]:
        if b is None or None in [b[k] for k in ("type", "count", "requestedScore", "deviceId",
                                                 "deviceSubId", "previousHash")]:
            raise Bad("bio field missing")
        if b["exception"] and None in b["exception"]:  # validateStringArray; bioSubType isn't
            raise Bad("exception elements must be Strings")  # reached: `||` short-circuits
    return r


class Keys:
    """A .p12 key pair and JwtUtility.getJwt over it (jose4j compact JWS, RS256)."""
    def __init__(self, stem: str) -> None:
        key, cert, _ = pkcs12.load_key_and_certificates(
            (DATA / "keys" / f"{stem}.p12").read_bytes(), stem.encode())
        self.key, self.cert = key, cert
        x5c = base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()
        self.header = b64u(jdumps({"x5c": [x5c], "alg": "RS256", "typ": "JWT"}).encode())
    def jwt(self, payload: str) -> str:
        signing = f"{self.header}.{b64u(payload.encode())}"
        sig = self.key.sign(signing.encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{signing}.{b64u(sig)}"


def json_file(name: str, order: str, **changes: Any) -> dict:
    """A MockMDS device JSON file read into its DTO, then written back in field order."""
    d = {**json.loads((DATA / name).read_text(encoding="utf-8")), **changes}
    return {k: d.get(k) for k in order.split()}


def frame_header(n: int) -> bytes:
    return (f"--BoundaryString\r\nAccess-Control-Allow-Origin:*\r\nContent-Type:image/jpeg\r\n"
            f"Content-Length:{n}\r\n\r\n").encode("ascii")
