"""The device's proof behind a recording's fingerprints, kept so anyone can check it later.

A registration scanner (MOSIP SBI 0.9.5) signs every finger it captures: each biometric's
`data` is a JWS (RS256/ES256, certificate chain in `x5c`) over a JSON payload that holds the
ISO/IEC 19794-4 record as `bioValue`, and every capture continues a hash chain over the
applicant's transaction. The station keeps each finger's record byte for byte as a `finger.N`
blob, and this module's evidence blob (`sbi.evidence`, gzip JSON) keeps everything else needed
to rebuild and check the device's tokens from those blobs, without storing the records twice:

- `deviceInfo`: the device-info token as the device sent it (its `digitalId` inside, signed by
  the FTM chip key for L1 devices or the device key for L0);
- `captures`: every RCAPTURE of the applicant in order (kept or not): its transactionId,
  deviceSubId, previousHash, and per biometric the SHA-256 of its record and the device's hash;
- `fingers`: per kept finger, its token cut around the record's base64url text (header,
  payload before and after, signature), so `join_token` rebuilds the exact signed token.

`verify` is what the centre (or an auditor, or the station after storing) can check with the
blobs and a trust store of MOSIP device-provider / FTM CA certificates: each kept finger's
token rebuilt from the stored record verifies against a chain to the trust store, names that
finger (bioSubType), belongs to its capture (transactionId) and to the same device (digitalId
claims equal to the device info's); the device info and its digital id verify; and the hash
chain runs unbroken from SHA-256("") through every capture, through each kept record's SHA-256.
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

FORMAT = "ektp-sbi-evidence/1"
KIND = "sbi.evidence"
CONTENT_TYPE = "application/gzip"
EMPTY_HASH = hashlib.sha256(b"").hexdigest().upper()
FINGER_SUB_TYPES = {
    1: "Right Thumb", 2: "Right IndexFinger", 3: "Right MiddleFinger", 4: "Right RingFinger",
    5: "Right LittleFinger", 6: "Left Thumb", 7: "Left IndexFinger", 8: "Left MiddleFinger",
    9: "Left RingFinger", 10: "Left LittleFinger",
}
# digitalId claims that must be the same in the device info and in every capture
DEVICE_CLAIMS = ("serialNo", "make", "model", "type", "deviceSubType", "deviceProvider",
                 "deviceProviderId")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def chain_hash(previous_hash: str, bio_value: bytes) -> str:
    """The next hash of the capture chain from the record bytes (see the module docstring)."""
    return chain_hash_digest(previous_hash, hashlib.sha256(bio_value).digest())


def chain_hash_digest(previous_hash: str, record_digest: bytes) -> str:
    """The next hash from the record's SHA-256 digest (what the evidence keeps)."""
    previous = bytes.fromhex(previous_hash) if previous_hash else bytes.fromhex(EMPTY_HASH)
    return hashlib.sha256(previous + record_digest).hexdigest().upper()


# --- cutting a token around its record and putting it back ---------------------------------

def split_token(token: str, record: bytes) -> dict[str, str]:
    """The token's parts around the record's base64url text; ValueError if the token does not
    carry this record. Falls back to the whole payload when the device encoded it oddly."""
    head, payload_seg, signature = token.split(".")
    payload = unb64url(payload_seg).decode("utf-8")
    for encoding, text in (("base64url", b64url(record)),
                           ("base64url-padded", base64.urlsafe_b64encode(record).decode())):
        start = payload.find('"' + text + '"')
        if start < 0 or payload.find('"' + text + '"', start + 1) >= 0:
            continue
        part = {"header": head, "payloadPrefix": payload[: start + 1],
                "payloadSuffix": payload[start + 1 + len(text):], "signature": signature,
                "bioValueEncoding": encoding}
        if join_token(part, record) == token:
            return part
    if b64url(record) not in payload and base64.urlsafe_b64encode(record).decode() not in payload:
        raise ValueError("the token does not carry this record")
    return {"header": head, "payload": payload_seg, "signature": signature}


def join_token(part: Mapping[str, str], record: bytes) -> str:
    """The signed token again, from `split_token`'s parts and the stored record."""
    if "payload" in part:
        return f"{part['header']}.{part['payload']}.{part['signature']}"
    text = (b64url(record) if part.get("bioValueEncoding") == "base64url"
            else base64.urlsafe_b64encode(record).decode())
    payload = (part["payloadPrefix"] + text + part["payloadSuffix"]).encode("utf-8")
    return f"{part['header']}.{b64url(payload)}.{part['signature']}"


# --- building (station) ---------------------------------------------------------------------

def build(device_info: str, captures: list[dict[str, Any]],
          kept: Mapping[int, tuple[int, str]], records: Mapping[int, bytes],
          captured_at: dt.datetime) -> bytes:
    """The evidence blob. `captures`: each RCAPTURE as {"transactionId", "deviceSubId",
    "previousHash", "biometrics": [{"position", "bioValueSha256", "hash"}]}; `kept`: position
    -> (index into captures, the finger's data token); `records`: position -> record bytes."""
    fingers = {str(p): {"capture": idx, **split_token(token, records[p])}
               for p, (idx, token) in sorted(kept.items())}
    doc = {"format": FORMAT, "specVersion": "0.9.5",
           "capturedAt": captured_at.astimezone(dt.UTC).isoformat(timespec="seconds"),
           "deviceInfo": device_info, "captures": captures, "fingers": fingers}
    raw = json.dumps(doc, separators=(",", ":"), sort_keys=True).encode()
    return gzip.compress(raw, compresslevel=9, mtime=0)


def load(evidence: bytes) -> dict[str, Any]:
    """The evidence document; ValueError for anything that is not one."""
    try:
        doc = json.loads(gzip.decompress(evidence))
    except (OSError, EOFError, ValueError) as exc:
        raise ValueError(f"not an evidence blob: {exc}") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ValueError("not an evidence blob of format " + FORMAT)
    return doc


# --- checking (centre, auditor, station) ---------------------------------------------------

@dataclass
class EvidenceReport:
    """What `verify` found: `ok` only when there are no problems and every finger checked."""

    fingers_verified: list[int] = field(default_factory=list)
    signers: set[str] = field(default_factory=set)
    captures: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.fingers_verified)


def verify(evidence: bytes, records: Mapping[int, bytes], trust: Any,
           *, at: dt.datetime | None = None) -> EvidenceReport:
    """Check the evidence against the stored finger records (position -> bytes) and a trust
    store (ektp_protocol.x5c.TrustStore). Certificates are checked at the capture time the
    station recorded unless `at` is given. Never raises for bad evidence: see `problems`."""
    from ektp_protocol import x5c

    report = EvidenceReport()
    try:
        doc = load(evidence)
        when = at or dt.datetime.fromisoformat(str(doc["capturedAt"]))
        info = x5c.verify(str(doc["deviceInfo"]), trust, at=when)
        report.signers.add(info.signer)
        device = x5c.verify(str(info.claims.get("digitalId", "")), trust, at=when).claims
        captures = list(doc["captures"])
        fingers = dict(doc["fingers"])
    except x5c.TokenRefused as exc:
        report.problems.append(f"device info: {exc.words()[1]}")
        return report
    except (ValueError, KeyError, TypeError) as exc:
        report.problems.append(f"evidence unreadable: {exc}")
        return report
    report.captures = len(captures)
    report.problems += _chain_problems(captures, records, fingers)
    for key, part in sorted(fingers.items(), key=lambda kv: int(kv[0])):
        problem = _finger_problem(int(key), part, captures, records, device, trust, when,
                                  report)
        if problem:
            report.problems.append(f"finger {key}: {problem}")
        else:
            report.fingers_verified.append(int(key))
    missing = sorted(set(records) - {int(k) for k in fingers})
    if missing:
        report.problems.append(f"fingers without device evidence: {missing}")
    return report


def _chain_problems(captures: list[Any], records: Mapping[int, bytes],
                    fingers: Mapping[str, Any]) -> list[str]:
    running, problems = EMPTY_HASH, []
    for n, cap in enumerate(captures):
        if str(cap.get("previousHash", "")).upper() != running:
            problems.append(f"capture {n}: previousHash does not continue the chain")
        running = str(cap.get("previousHash", "")).upper() or EMPTY_HASH
        for bio in cap.get("biometrics", []):
            running = chain_hash_digest(running, bytes.fromhex(str(bio["bioValueSha256"])))
            if str(bio.get("hash", "")).upper() != running:
                problems.append(f"capture {n}: hash of finger {bio.get('position')} broken")
                running = str(bio.get("hash", "")).upper()
    for key, part in fingers.items():
        idx = int(part.get("capture", -1))
        bios = captures[idx].get("biometrics", []) if 0 <= idx < len(captures) else []
        digest = hashlib.sha256(records.get(int(key), b"")).hexdigest()
        if not any(int(b.get("position", 0)) == int(key) and b.get("bioValueSha256") == digest
                   for b in bios):
            problems.append(f"finger {key}: stored record is not the one in capture {idx}")
    return problems


def _finger_problem(position: int, part: Mapping[str, Any], captures: list[Any],
                    records: Mapping[int, bytes], device: Mapping[str, Any], trust: Any,
                    when: dt.datetime, report: EvidenceReport) -> str:
    from ektp_protocol import x5c

    record = records.get(position)
    if record is None:
        return "no stored record"
    try:
        data = x5c.verify(join_token(part, record), trust, at=when)
        ident = x5c.verify(str(data.claims.get("digitalId", "")), trust, at=when).claims
    except x5c.TokenRefused as exc:
        return exc.words()[1]
    except (KeyError, ValueError) as exc:
        return f"token parts unreadable: {exc}"
    report.signers.add(data.signer)
    claims = data.claims
    capture = captures[int(part["capture"])]
    if claims.get("bioSubType") != FINGER_SUB_TYPES.get(position):
        return f"signed as {claims.get('bioSubType')!r}"
    if claims.get("transactionId") != capture.get("transactionId"):
        return "signed for another transaction"
    if unb64url(str(claims.get("bioValue", ""))) != record:
        return "signed record differs from the stored one"
    if any(ident.get(k) != device.get(k) for k in DEVICE_CLAIMS):
        return "captured by another device than the device info names"
    return ""
