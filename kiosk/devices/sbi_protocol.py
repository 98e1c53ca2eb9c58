"""MOSIP SBI 0.9.5 wire details shared by the client and the simulator.

Built from the specification (mosip/documentation, docs/biometrics/mds-specification.md) and
checked against MOSIP's reference mock device service (mosip/mosip-mock-services, MockMDS):

- Requests are built as the spec's templates: every scalar is a JSON string, numbers
  included ("timeout": "10000", "count": "4", "requestedScore": "40", "deviceSubId": "2").
  MockMDS refuses numbers there (error 123 for RCAPTURE, 610 for STREAM).
- Tokens (`deviceInfo`, `digitalId`, capture `data`) are JWS compact, RS256 or ES256, with the
  signer's certificate first in `x5c`; trust comes from the station's store of MOSIP
  device-provider and FTM CA certificates (ektp_protocol.x5c), never from the token.
- Errors arrive in several shapes: `{"errorCode": "0", ...}` objects (code a string or a
  number), `null`, wrapped as `{"error": {...}}`, as a list `[{"error": {...}}]` (discovery,
  device info) or bare at the top level (MockMDS's STREAM). `find_error` reads them all.
- Hash chain per transaction: the first capture's `previousHash` is SHA-256 of the empty
  string; each biometric's `hash` = SHA-256(bytes(previousHash) + SHA-256(bioValue bytes)),
  upper-case hex, bioValue bytes being the base64url-decoded ISO record; the next biometric,
  in this capture or the next one of the same applicant, chains from that hash.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ektp_protocol.sbi_evidence import EMPTY_HASH, b64url, chain_hash, unb64url
from kiosk.domain.recording import FINGER_NAMES

__all__ = ["EMPTY_HASH", "b64url", "chain_hash", "unb64url"]

SPEC_VERSION = "0.9.5"
SUB_LEFT, SUB_RIGHT, SUB_THUMBS = 1, 2, 3
SUB_ID_POSITIONS = {SUB_RIGHT: (2, 3, 4, 5), SUB_LEFT: (7, 8, 9, 10), SUB_THUMBS: (1, 6)}
BIO_SUB_TYPE = dict(FINGER_NAMES)  # position -> "Right IndexFinger" ...
POSITION = {v: k for k, v in BIO_SUB_TYPE.items()}
ENVIRONMENTS = ("Staging", "Developer", "Pre-Production", "Production")

ERROR_INFO = {
    0: "Success",
    100: "Device not registered",
    101: "Unable to detect a biometric object",
    102: "Technical error during extraction",
    103: "Device tamper detected",
    104: "Unable to connect to management server",
    105: "Image orientation error",
    106: "Device not found",
    107: "Device public key expired",
    108: "Domain public key missing",
    109: "Requested number of biometrics not supported",
    110: "Device not ready",
    111: "Device busy",
    112: "Invalid transaction id",
}


def error_info(code: int) -> str:
    if code in ERROR_INFO:
        return ERROR_INFO[code]
    return "Vendor-defined device error" if 500 <= code <= 599 else "Unknown error"


def capture_request(*, device_id: str, sub_id: int, wanted: list[int], excused: list[int],
                    requested_score: int, timeout_ms: int, transaction_id: str,
                    previous_hash: str, env: str = "Staging",
                    now: dt.datetime | None = None) -> dict[str, Any]:
    """The RCAPTURE body, field for field as the spec's registration capture template."""
    when = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    return {
        "env": env, "purpose": "Registration", "specVersion": SPEC_VERSION,
        "timeout": str(int(timeout_ms)),
        "captureTime": when.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "transactionId": transaction_id,
        "bio": [{
            "type": "Finger", "count": str(len(wanted)),
            "bioSubType": [BIO_SUB_TYPE[p] for p in wanted],
            "exception": [BIO_SUB_TYPE[p] for p in excused],
            "requestedScore": str(int(requested_score)), "deviceId": device_id,
            "deviceSubId": str(int(sub_id)), "previousHash": previous_hash,
        }],
        "customOpts": None,
    }


def stream_request(*, device_id: str, sub_id: int, timeout_ms: int) -> dict[str, str]:
    """The STREAM body as the spec's template (strings)."""
    return {"deviceId": device_id, "deviceSubId": str(int(sub_id)),
            "timeout": str(int(timeout_ms))}


class BadErrorObject(ValueError):
    """An error object whose code is not a number."""


def parse_error(error: Any) -> tuple[int, str] | None:
    """(code, info) of one error object, None for success or no error (`null`, absent, code 0
    or empty); BadErrorObject when the code is not a number."""
    if not isinstance(error, dict) or "errorCode" not in error:
        return None
    raw = error.get("errorCode")
    if raw is None or str(raw).strip() == "":
        return None
    try:
        code = int(str(raw).strip())
    except ValueError:
        raise BadErrorObject(f"error code {raw!r} is not a number") from None
    info = str(error.get("errorInfo") or "").strip()
    return (code, info or error_info(code)) if code else None


def find_error(answer: Any) -> tuple[int, str] | None:
    """The first error in any shape the spec or MockMDS uses: a bare error object, an object
    with `error`, or a list of those."""
    items = answer if isinstance(answer, list) else [answer]
    for item in items:
        if not isinstance(item, dict):
            continue
        found = parse_error(item.get("error")) if "error" in item else parse_error(item)
        if found:
            return found
    return None


def sub_ids(value: Any) -> tuple[int, ...]:
    """deviceSubId of a discovery or device-info answer: ["1", "2", "3"] (strings in the
    spec's examples and MockMDS), numbers, or one value."""
    values = value if isinstance(value, list) else [value]
    out = []
    for v in values:
        try:
            out.append(int(str(v).strip()))
        except ValueError:
            continue
    return tuple(out)


def score(value: Any) -> int:
    """A quality or requested score sent as a string ("44.0") or a number, as 0..100."""
    try:
        return max(0, min(100, round(float(str(value).strip()))))
    except ValueError:
        return 0
