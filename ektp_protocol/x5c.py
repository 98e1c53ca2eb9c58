"""JWS compact tokens (RFC 7515) signed RS256 or ES256 with an x5c certificate chain, as MOSIP
SBI 0.9.5 devices send `deviceInfo`, `digitalId` and each biometric `data`.

Trust comes only from a `TrustStore` of MOSIP device-provider / FTM CA certificates: the leaf
(x5c[0]) must chain, link by verified link, to a certificate IN the store; a key inside the
token (`jwk`) is never trusted. `sign` writes the header as MockMDS (jose4j) does. Used by the
station's SBI client, its simulator and the central server; imports nothing of the project.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature as _dss_split
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature as _dss_join
from cryptography.hazmat.primitives.serialization import Encoding

ALGORITHMS = ("RS256", "ES256")
MAX_DEPTH = 6  # certificates in a path, leaf and anchor included
MIN_RSA_BITS = 2048  # RFC 7518 section 3.3
TRUST_SUFFIXES = (".pem", ".crt", ".cer", ".der")
_B64URL = re.compile(r"^[A-Za-z0-9_-]*={0,2}$")
_PARSE_ERRORS = (ValueError, TypeError, UnicodeError, RecursionError, OverflowError,
                 UnsupportedAlgorithm)

_WORDS: dict[str, tuple[str, str]] = {  # {subj}: the certificate, or the token if none
    "unsigned": ("{subj} tidak ditandatangani.", "{subj} is not signed."),
    "malformed": ("{subj} rusak: {detail}.", "{subj} is malformed: {detail}."),
    "algorithm": ("{subj}: algoritma tidak diterima ({detail}).",
                  "{subj}: algorithm not accepted ({detail})."),
    "no_chain": ("{subj} tidak membawa rantai sertifikat x5c.",
                 "{subj} carries no x5c certificate chain."),
    "untrusted": ("{subj} tidak diterbitkan oleh CA di daftar kepercayaan stasiun.",
                  "{subj} was not issued by a CA in the station's trust store."),
    "expired": ("{subj} kedaluwarsa sejak {when}.", "{subj} expired on {when}."),
    "not_yet_valid": ("{subj} baru berlaku mulai {when}.", "{subj} is not valid until {when}."),
    "signature": ("{subj}: tanda tangannya tidak sah (diubah?).",
                  "{subj}: its signature does not verify (altered?)."),
    "mismatch": ("{subj} tidak cocok dengan perangkat: {detail}.",
                 "{subj} does not match the device: {detail}."),
}
REASONS = tuple(_WORDS)  # "mismatch" is for callers (a certificate not of the reported device)


class TokenRefused(ValueError):
    """A token the station must not accept. `reason` is one of REASONS, `subject` the RFC 4514
    subject of the certificate concerned ("" if none), `detail` a short English explanation,
    `when` the validity bound that was crossed (expired / not_yet_valid)."""

    def __init__(self, reason: str, detail: str = "", subject: str = "",
                 when: datetime | None = None) -> None:
        if reason not in REASONS:
            raise ValueError(f"unknown refusal reason {reason!r}")
        self.reason, self.detail, self.subject, self.when = reason, detail, subject, when
        super().__init__(f"{reason}: {detail}" + (f" [{subject}]" if subject else ""))

    def words(self) -> tuple[str, str]:
        """One sentence in Bahasa Indonesia and one in English naming the certificate and why it
        failed, for a technician's self-test."""
        subj_id = f"Sertifikat '{self.subject}'" if self.subject else "Token"
        subj_en = f"Certificate '{self.subject}'" if self.subject else "The token"
        fill = dict(when=f"{self.when:%Y-%m-%d}" if self.when else "?",
                    detail=self.detail or self.reason)
        id_t, en_t = _WORDS[self.reason]
        return id_t.format(subj=subj_id, **fill), en_t.format(subj=subj_en, **fill)


class TrustStoreError(ValueError):
    """A trust folder that cannot be used; the message is bilingual and names the path."""


def fingerprint(cert: x509.Certificate) -> str:
    """SHA-256 of the certificate's DER, colon-separated uppercase hex (as openssl shows it)."""
    return ":".join(f"{b:02X}" for b in cert.fingerprint(hashes.SHA256()))


def _der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(Encoding.DER)


def _read_certs(path: Path) -> list[x509.Certificate]:
    """Every certificate in one file: a PEM bundle (one or more) or a single DER certificate."""
    data = path.read_bytes()
    pem = b"-----BEGIN" in data
    return x509.load_pem_x509_certificates(data) if pem else [x509.load_der_x509_certificate(data)]


class TrustStore:
    """The CA certificates (MOSIP device-provider and FTM roots or intermediates) a token's chain
    must end at. `warnings` lists files `from_folder` skipped, one bilingual sentence each."""

    def __init__(self, certs: Iterable[x509.Certificate], warnings: Sequence[str] = ()) -> None:
        unique: dict[bytes, x509.Certificate] = {}
        for cert in certs:
            unique.setdefault(_der(cert), cert)
        self._certs = tuple(unique.values())
        self._ders = frozenset(unique)
        self.warnings: tuple[str, ...] = tuple(warnings)

    @classmethod
    def from_certs(cls, certs: Iterable[x509.Certificate]) -> TrustStore:
        """A store of exactly `certs` (duplicates dropped)."""
        return cls(certs)

    @classmethod
    def from_folder(cls, path: str | Path, *, strict: bool = False) -> TrustStore:
        """Every *.pem, *.crt, *.cer, *.der certificate in folder `path` (not recursive).
        A file that cannot be read as certificates is skipped and named in `warnings`, or, with
        `strict`, raises TrustStoreError naming it. A missing folder always raises."""
        folder = Path(path)
        if not folder.is_dir():
            raise TrustStoreError(f"Folder sertifikat tepercaya tidak ada: {folder} / "
                                  f"Trust certificate folder does not exist: {folder}")
        certs: list[x509.Certificate] = []
        warnings = []
        for file in sorted(folder.iterdir()):
            if not file.is_file() or file.suffix.lower() not in TRUST_SUFFIXES:
                continue
            try:
                certs.extend(_read_certs(file))
            except (OSError, *_PARSE_ERRORS) as exc:
                message = (f"Berkas sertifikat tidak terbaca, dilewati: {file.name} / "
                           f"Unreadable certificate file, skipped: {file.name} ({exc})")
                if strict:
                    raise TrustStoreError(message) from None
                warnings.append(message)
        return cls(certs, warnings)

    @property
    def certs(self) -> tuple[x509.Certificate, ...]:
        return self._certs  # in the order first loaded

    def __len__(self) -> int:
        return len(self._certs)

    def __contains__(self, cert: object) -> bool:
        return isinstance(cert, x509.Certificate) and _der(cert) in self._ders

    def describe(self) -> list[tuple[str, datetime, str]]:
        """(subject RFC 4514, not_valid_after UTC, SHA-256 fingerprint) per certificate, for
        the technician's screen."""
        return [(c.subject.rfc4514_string(), c.not_valid_after_utc, fingerprint(c))
                for c in self._certs]


@dataclass(frozen=True)
class Verified:
    """A verified token: header, payload bytes as signed, claims (the payload as a JSON object),
    chain (leaf first, ending at the trust-store anchor) and signer (leaf subject, RFC 4514)."""

    header: dict[str, Any]
    payload: bytes
    claims: dict[str, Any]
    chain: tuple[x509.Certificate, ...] = field(repr=False)
    signer: str


def b64url(data: bytes) -> str:
    """Base64url without padding (RFC 7515 section 2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64url(text: str, what: str) -> bytes:
    bare = text.rstrip("=")
    if not _B64URL.match(text) or len(bare) % 4 == 1:  # then it always decodes
        raise TokenRefused("malformed", f"{what} is not base64url")
    return base64.urlsafe_b64decode(bare + "=" * (-len(bare) % 4))


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    if len({k for k, _ in pairs}) != len(pairs):  # RFC 7515 4: reject duplicate names
        raise ValueError("duplicate member")
    return dict(pairs)


def _json_object(data: bytes, what: str) -> dict[str, Any]:
    try:
        obj = json.loads(data.decode("utf-8"), object_pairs_hook=_no_duplicates)
    except _PARSE_ERRORS:
        raise TokenRefused("malformed", f"{what} is not JSON") from None
    if not isinstance(obj, dict):
        raise TokenRefused("malformed", f"{what} is not a JSON object")
    return obj


def _compact(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _parts(token: object) -> list[str]:
    if not isinstance(token, str):
        raise TokenRefused("malformed", "the token is not text")
    return token.strip().split(".")


def peek(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and claims of `token` WITHOUT verifying anything, for diagnostics and for a
    digitalId sent as plain base64url JSON (then the header is {}). TokenRefused("malformed")
    on anything else."""
    parts = _parts(token)
    if len(parts) not in (1, 2, 3):
        raise TokenRefused("malformed", f"{len(parts)} dot-separated parts")
    header = _json_object(_unb64url(parts[0], "header"), "header") if len(parts) > 1 else {}
    return header, _json_object(_unb64url(parts[min(1, len(parts) - 1)], "payload"), "payload")


def sign(payload: bytes | dict[str, Any], key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
         chain: Sequence[x509.Certificate]) -> str:
    """Compact JWS of `payload` (a dict becomes compact JSON) by `key`, RS256 (RSA) or ES256
    (P-256); header x5c (base64 DER, chain[0] = key's certificate), alg, typ, as jose4j."""
    if not chain:
        raise ValueError("sign needs the signer's certificate in chain[0]")
    rsa_key = isinstance(key, rsa.RSAPrivateKey)
    if not rsa_key and not (isinstance(key, ec.EllipticCurvePrivateKey)
                            and key.curve.name == "secp256r1"):
        raise ValueError("only RSA (RS256) and P-256 (ES256) keys can sign")
    alg = "RS256" if rsa_key else "ES256"
    if chain[0].public_key() != key.public_key():
        raise ValueError("chain[0] is not the certificate of this key")
    header = {"x5c": [base64.b64encode(_der(c)).decode("ascii") for c in chain],
              "alg": alg, "typ": "JWT"}
    body = payload if isinstance(payload, bytes) else _compact(payload)
    signing_input = f"{b64url(_compact(header))}.{b64url(body)}".encode("ascii")
    if rsa_key:
        signature = key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    else:
        r, s = _dss_split(key.sign(signing_input, ec.ECDSA(hashes.SHA256())))
        signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    return f"{signing_input.decode('ascii')}.{b64url(signature)}"


def _subject(cert: x509.Certificate) -> str:
    return cert.subject.rfc4514_string()


def _parse_x5c(header: dict[str, Any]) -> list[x509.Certificate]:
    x5c = header["x5c"]
    if not isinstance(x5c, list) or not 0 < len(x5c) <= 2 * MAX_DEPTH or not all(
            isinstance(c, str) for c in x5c):
        raise TokenRefused("malformed", "x5c is not a short list of base64 certificates")
    certs = []
    for i, text in enumerate(x5c):
        try:
            certs.append(x509.load_der_x509_certificate(
                base64.b64decode("".join(text.split()), validate=True)))
        except (binascii.Error, *_PARSE_ERRORS):
            raise TokenRefused("malformed", f"x5c[{i}] is not a base64 DER certificate") from None
    return certs


def _names_issuer(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    """Whether `issuer` is the one `cert` names: same name and, when both carry them, the
    same key identifier (so a look-alike CA with another key is not even a candidate)."""
    try:
        aki = cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
        ski = issuer.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    except x509.ExtensionNotFound:
        return cert.issuer == issuer.subject
    return cert.issuer == issuer.subject and aki.key_identifier in (None, ski.digest)


def _may_issue(issuer: x509.Certificate, below: int) -> bool:
    """CA constraints: basicConstraints CA (when present), path length, keyCertSign."""
    try:
        bc = issuer.extensions.get_extension_for_class(x509.BasicConstraints).value
        if not bc.ca or (bc.path_length is not None and below > bc.path_length):
            return False
    except x509.ExtensionNotFound:
        pass
    try:
        return issuer.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign
    except x509.ExtensionNotFound:
        return True


def _paths(path: list[x509.Certificate], trust: TrustStore,
           helpers: list[x509.Certificate], bad: list[TokenRefused]):
    """Paths from path[-1] up to the store, depth first; bad links go to `bad` ("signature")."""
    current = path[-1]
    if current in trust:
        yield list(path)
        return
    if len(path) >= MAX_DEPTH:
        return
    for issuer in [*trust.certs, *helpers]:
        if any(issuer == p for p in path):  # no loops, and self-signed is not "issued"
            continue
        if not _names_issuer(current, issuer) or not _may_issue(issuer, len(path) - 1):
            continue
        try:
            current.verify_directly_issued_by(issuer)
        except (InvalidSignature, *_PARSE_ERRORS):
            bad.append(TokenRefused("signature", "not signed by its issuer", _subject(current)))
            continue
        yield from _paths([*path, issuer], trust, helpers, bad)


def _validity(chain: list[x509.Certificate], at: datetime) -> TokenRefused | None:
    for cert in chain:
        end, start = cert.not_valid_after_utc, cert.not_valid_before_utc
        if at > end or at < start:
            late = at > end
            return TokenRefused("expired" if late else "not_yet_valid",
                                f"valid {start:%Y-%m-%d} to {end:%Y-%m-%d}", _subject(cert),
                                end if late else start)
    return None


def build_chain(certs: Sequence[x509.Certificate], trust: TrustStore,
                at: datetime | None = None) -> tuple[x509.Certificate, ...]:
    """Path from the leaf certs[0] to a certificate in `trust` (certs[1:] only helpers), links
    verified, all valid at `at` (default now, UTC); else TokenRefused."""
    at = datetime.now(UTC) if at is None else at if at.tzinfo else at.replace(tzinfo=UTC)
    leaf, helpers = certs[0], list(certs[1:])
    bad: list[TokenRefused] = []
    first_failure: TokenRefused | None = None
    for path in _paths([leaf], trust, helpers, bad):
        if (failure := _validity(path, at)) is None:
            return tuple(path)
        first_failure = first_failure or failure
    if first_failure or bad:
        raise first_failure or bad[0]
    raise TokenRefused("untrusted", "no path to a trusted CA", _subject(leaf))


def _check_signature(alg: str, cert: x509.Certificate, signing_input: bytes,
                     signature: bytes) -> None:
    key = cert.public_key()
    subject = _subject(cert)
    try:
        if alg == "RS256":
            if not isinstance(key, rsa.RSAPublicKey) or key.key_size < MIN_RSA_BITS:
                raise TokenRefused("algorithm", "RS256 needs an RSA key >= 2048 bits", subject)
            key.verify(signature, signing_input, padding.PKCS1v15(), hashes.SHA256())
            return
        if not (isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name == "secp256r1"):
            raise TokenRefused("algorithm", "ES256 needs a P-256 key", subject)
        if len(signature) != 64:
            raise TokenRefused("signature", "an ES256 signature is 64 bytes (r||s)", subject)
        der = _dss_join(int.from_bytes(signature[:32], "big"),
                                   int.from_bytes(signature[32:], "big"))
        key.verify(der, signing_input, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise TokenRefused("signature", "the token signature does not verify", subject) from None


def _header_of(parts: list[str]) -> tuple[dict[str, Any], bytes, str]:
    """The header, the decoded signature and the accepted alg of a three-part token."""
    header = _json_object(_unb64url(parts[0], "header"), "header")
    alg = header.get("alg")
    signature = _unb64url(parts[2], "signature")
    if not isinstance(alg, str):
        raise TokenRefused("malformed", "the header has no alg")
    if alg.lower() == "none" or not signature:
        raise TokenRefused("unsigned", f"alg {alg!r}, {len(signature)}-byte signature")
    if "x5c" not in header:  # before the alg: an EdDSA+jwk token is refused for trusting itself
        what = "a jwk header instead of x5c" if "jwk" in header else "no x5c header"
        raise TokenRefused("no_chain", what)
    if alg not in ALGORITHMS:
        raise TokenRefused("algorithm", f"alg {alg!r}")
    if "crit" in header:
        raise TokenRefused("malformed", "critical header extensions are not understood")
    return header, signature, alg


def verify(token: str, trust: TrustStore, *, at: datetime | None = None) -> Verified:
    """Verify compact JWS `token` against `trust` at `at` (default now, UTC): RS256 or ES256,
    the x5c leaf chained to the store, then the token signature with the leaf's key, then the
    payload as a JSON object. Returns Verified or raises TokenRefused, never anything else."""
    parts = _parts(token)
    if len(parts) != 3:
        raise TokenRefused("unsigned", f"{len(parts)} dot-separated part(s), not 3")
    header, signature, alg = _header_of(parts)
    certs = _parse_x5c(header)
    try:
        chain = build_chain(certs, trust, at)
        payload = _unb64url(parts[1], "payload")
        signing_input = f"{parts[0]}.{parts[1]}".encode("ascii")
        _check_signature(alg, chain[0], signing_input, signature)
    except TokenRefused:
        raise
    except _PARSE_ERRORS as exc:  # a certificate cryptography parses lazily and then rejects
        raise TokenRefused("malformed", f"unusable certificate: {exc}") from None
    claims = _json_object(payload, "payload")
    return Verified(header=header, payload=payload, claims=claims, chain=chain,
                    signer=_subject(chain[0]))
