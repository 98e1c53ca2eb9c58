"""The simulator's demo PKI: a demo MOSIP "device-provider" root CA and a demo "FTM" root CA,
an FTM chip certificate (signs deviceInfo / digitalId, as an L1 device's chip does) and a device
certificate (signs each capture's `data`) for one serial number.

Created once in a folder and reused, so a restarted simulator keeps the same CAs and a station
that trusts them keeps working. Private keys are PEM files mode 0600 in a 0700 folder; they are
demo keys and protect nothing. Put `ca_certs()` (or `write_trust_folder`) in a station's trust
store. `rogue()` and `expired_device()` give tests a look-alike CA and a lapsed certificate.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from ektp_protocol import x5c

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
CA_YEARS = 10
LEAF_YEARS = 5
BACKDATE = timedelta(days=7)  # tolerate a station clock a few days behind
PROVIDER_CA = "Demo e-KTP Device Provider Root CA"
FTM_CA = "Demo e-KTP FTM Root CA"
_SAFE = re.compile(r"[^A-Za-z0-9._-]")


def _name(common: str, org: str, serial: str | None = None) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
             x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
             x509.NameAttribute(NameOID.COMMON_NAME, common)]
    if serial is not None:
        attrs.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, serial))
    return x509.Name(attrs)


def new_key(algorithm: str = "RS256") -> PrivateKey:
    """An RSA 2048 key for RS256, a P-256 key for ES256."""
    if algorithm == "RS256":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if algorithm == "ES256":
        return ec.generate_private_key(ec.SECP256R1())
    raise ValueError(f"unknown algorithm {algorithm!r}; RS256 or ES256")


def issue(subject: x509.Name, key: PrivateKey, issuer: x509.Certificate | None,
          issuer_key: PrivateKey, *, ca: bool, not_before: datetime,
          not_after: datetime) -> x509.Certificate:
    """A SHA-256 X.509 v3 certificate for `key` under `subject`, signed by `issuer_key`
    (self-signed when `issuer` is None). CAs get basicConstraints CA and keyCertSign, leaves
    digitalSignature; both get key identifiers, so look-alike CAs are told apart."""
    issuer_name = subject if issuer is None else issuer.subject
    issuer_public = key.public_key() if issuer is None else issuer.public_key()
    usage = dict(digital_signature=not ca, content_commitment=False, key_encipherment=False,
                 data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                 encipher_only=False, decipher_only=False)
    builder = (x509.CertificateBuilder()
               .subject_name(subject).issuer_name(issuer_name).public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(not_before).not_valid_after(not_after)
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
               .add_extension(x509.KeyUsage(**usage), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                              critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_public),
                              critical=False))
    return builder.sign(issuer_key, hashes.SHA256())


@dataclass(frozen=True)
class Leaf:
    """A signing key with its certificate; `chain` is what goes in x5c (the leaf only, as
    MockMDS sends it)."""

    key: PrivateKey
    cert: x509.Certificate

    @property
    def chain(self) -> tuple[x509.Certificate, ...]:
        return (self.cert,)

    def sign(self, payload: bytes | dict[str, Any]) -> str:
        """A JWS of `payload` by this key, x5c = [this certificate]."""
        return x5c.sign(payload, self.key, self.chain)


def _write(path: Path, data: bytes, mode: int) -> None:
    """Write atomically with `mode` from the start (a key is never briefly world-readable)."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.chmod(tmp, mode)
    os.replace(tmp, path)


def _save(folder: Path, stem: str, leaf: Leaf) -> None:
    key_pem = leaf.key.private_bytes(serialization.Encoding.PEM,
                                     serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption())
    _write(folder / f"{stem}.key.pem", key_pem, 0o600)
    _write(folder / f"{stem}.pem", leaf.cert.public_bytes(serialization.Encoding.PEM), 0o644)


def _load(folder: Path, stem: str) -> Leaf | None:
    """The key and certificate saved under `stem`, or None when absent, unreadable or not a
    pair (then the caller makes new ones)."""
    try:
        key = serialization.load_pem_private_key((folder / f"{stem}.key.pem").read_bytes(), None)
        cert = x509.load_pem_x509_certificate((folder / f"{stem}.pem").read_bytes())
    except (OSError, ValueError, TypeError):
        return None
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        return None
    if cert.public_key() != key.public_key():
        return None
    return Leaf(key, cert)


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """Serialise creation between processes sharing the folder (POSIX; a no-op elsewhere)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on the station's Linux
        yield
        return
    with open(folder / ".lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _issued_by(leaf: Leaf, ca: Leaf, now: datetime) -> bool:
    try:
        leaf.cert.verify_directly_issued_by(ca.cert)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return leaf.cert.not_valid_before_utc <= now < leaf.cert.not_valid_after_utc


class DemoPki:
    """The demo CAs and the two signing leaves of one simulated device (serial `serial`)."""

    def __init__(self, folder: Path, serial: str, algorithm: str, provider_ca: Leaf,
                 ftm_ca: Leaf, chip: Leaf, device: Leaf) -> None:
        self.folder = folder
        self.serial = serial
        self.algorithm = algorithm
        self.provider_ca = provider_ca
        self.ftm_ca = ftm_ca
        self.chip = chip
        self.device = device

    @classmethod
    def load_or_create(cls, folder: str | Path, serial: str = "1234567890",
                       algorithm: str = "RS256") -> DemoPki:
        """The PKI saved in `folder`, making (once) whatever is missing, unreadable, not issued
        by the saved CA or no longer valid. `algorithm` "ES256" gives the device (capture) key
        P-256; the CAs and the FTM chip stay RSA 2048 (deviceInfo is RS256 in SBI 0.9.5)."""
        if algorithm not in x5c.ALGORITHMS:
            raise ValueError(f"unknown algorithm {algorithm!r}; RS256 or ES256")
        path = Path(folder)
        path.mkdir(parents=True, exist_ok=True)
        os.chmod(path, 0o700)
        now = datetime.now(UTC)
        with _locked(path):
            provider = cls._ca(path, "provider-ca", PROVIDER_CA, "Demo Device Provider", now)
            ftm = cls._ca(path, "ftm-ca", FTM_CA, "Demo FTM", now)
            safe = _SAFE.sub("_", serial)
            chip = cls._leaf(path, f"ftm-chip-{safe}", ftm, "RS256", now,
                             _name(f"Demo FTM chip {serial}", "Demo FTM", serial))
            device = cls._leaf(path, f"device-{safe}-{algorithm}", provider, algorithm, now,
                               _name(f"Demo e-KTP device {serial}", "Demo Device Provider",
                                     serial))
        return cls(path, serial, algorithm, provider, ftm, chip, device)

    @staticmethod
    def _ca(folder: Path, stem: str, common: str, org: str, now: datetime) -> Leaf:
        saved = _load(folder, stem)
        if saved is not None and saved.cert.not_valid_after_utc > now + timedelta(days=30):
            return saved
        key = new_key("RS256")
        name = _name(common, org)
        ca = Leaf(key, issue(name, key, None, key, ca=True, not_before=now - BACKDATE,
                             not_after=now + timedelta(days=365 * CA_YEARS)))
        _save(folder, stem, ca)
        return ca

    @staticmethod
    def _leaf(folder: Path, stem: str, ca: Leaf, algorithm: str, now: datetime,
              subject: x509.Name) -> Leaf:
        saved = _load(folder, stem)
        if saved is not None and _issued_by(saved, ca, now):
            return saved
        key = new_key(algorithm)
        end = min(now + timedelta(days=365 * LEAF_YEARS), ca.cert.not_valid_after_utc)
        leaf = Leaf(key, issue(subject, key, ca.cert, ca.key, ca=False,
                               not_before=now - BACKDATE, not_after=end))
        _save(folder, stem, leaf)
        return leaf

    def ca_certs(self) -> tuple[x509.Certificate, x509.Certificate]:
        """The device-provider and FTM root certificates, for a station's trust store."""
        return (self.provider_ca.cert, self.ftm_ca.cert)

    def trust_store(self) -> x5c.TrustStore:
        """A trust store of exactly the two demo roots."""
        return x5c.TrustStore.from_certs(self.ca_certs())

    def write_trust_folder(self, path: str | Path) -> list[Path]:
        """Write the two roots as PEM files into folder `path` (made if missing); returns them.
        Never writes a private key there."""
        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for name, cert in (("demo-device-provider-ca.pem", self.provider_ca.cert),
                           ("demo-ftm-ca.pem", self.ftm_ca.cert)):
            _write(folder / name, cert.public_bytes(serialization.Encoding.PEM), 0o644)
            written.append(folder / name)
        return written

    def sign_info(self, payload: bytes | dict[str, Any]) -> str:
        """deviceInfo / digitalId token, signed by the FTM chip key (x5c = [chip certificate])."""
        return self.chip.sign(payload)

    def sign_capture(self, payload: bytes | dict[str, Any]) -> str:
        """A biometric `data` token, signed by the device key (x5c = [device certificate])."""
        return self.device.sign(payload)

    def rogue(self) -> tuple[x509.Certificate, Leaf]:
        """A look-alike device-provider CA (same subject name, its own key, NOT in the trust
        folder) and a leaf it issued with the device certificate's subject. Made fresh in
        memory each call; for tests that a name alone earns no trust."""
        now = datetime.now(UTC)
        ca_key = new_key("RS256")
        ca_cert = issue(self.provider_ca.cert.subject, ca_key, None, ca_key, ca=True,
                        not_before=now - BACKDATE, not_after=now + timedelta(days=365))
        key = new_key("ES256")
        cert = issue(self.device.cert.subject, key, ca_cert, ca_key, ca=False,
                     not_before=now - BACKDATE, not_after=now + timedelta(days=365))
        return ca_cert, Leaf(key, cert)

    def expired_device(self) -> Leaf:
        """The device key with a certificate from the real demo CA whose validity ended
        yesterday (for tests of the "expired" refusal)."""
        now = datetime.now(UTC)
        cert = issue(self.device.cert.subject, self.device.key, self.provider_ca.cert,
                     self.provider_ca.key, ca=False, not_before=now - timedelta(days=3),
                     not_after=now - timedelta(days=1))
        return Leaf(self.device.key, cert)
