"""The central server's durable state: a database (stations, records, statuses), a blob store
(content-addressed bytes) and the server's Ed25519 receipt-signing key.

`CentralStore(data_dir)` is the embedded default, exactly as before: `data_dir/central.db`
(SQLite), `data_dir/blobs/ab/abcd...` and `data_dir/server-key` (made on first start).
`CentralStore.open(database_url, blob_store_url, key=...)` is the production path: PostgreSQL
and S3 (or any mix of central.database / central.blobstore URLs) shared by any number of
stateless server processes, which therefore must share one signing key: it comes from a file or
the environment (`load_key`), and is never generated there.

A blob's bytes are stored (and durable) before its row commits; a record row (and its signed
receipt) commits only when the station holds a row for every blob it names. Reconciliation
trusts the database and then confirms the bytes in the blob store (`exists_many`), so a blob
lost from the store makes its records incomplete and the station sends them again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import secrets
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ektp_protocol as protocol
from central import schema
from central.blobstore import BlobStore, FileBlobStore, HashMismatch, open_blob_store
from central.database import Database, RecordRow, open_database
from ektp_protocol import ProcessingStatus

CHANGES_PAGE = 500  # status changes in one answer at most
KEY_ENV = "KIOSK_CENTRAL_KEY"  # the receipt-signing key itself (base64), for shared servers

__all__ = [
    "CHANGES_PAGE", "CentralStore", "HashMismatch", "KeyMissing", "ManifestConflict",
    "MissingBlobs", "Station", "StationIdClaimed", "UnknownStation", "WrongStation",
    "hash_token", "load_key", "now_iso",
]


class UnknownStation(LookupError):
    """No station with that name or token."""


class WrongStation(PermissionError):
    """The record belongs to another station."""


class StationIdClaimed(WrongStation):
    """The manifest's `station_id` is one another station delivers records under."""


class ManifestConflict(ValueError):
    """A different manifest is already stored under this record id."""


class MissingBlobs(ValueError):
    """The manifest names blobs this station has not uploaded (or the server lost)."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__(f"{len(missing)} blobs missing")
        self.missing = missing


class KeyMissing(ValueError):
    """No usable receipt-signing key was given to a server on a shared database."""


@dataclass(frozen=True)
class Station:
    id: int
    name: str
    public_key: str | None
    revoked_at: str | None = None  # set: the token no longer opens anything


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def load_key(key_file: Path | None = None, environ: dict[str, str] | None = None) -> str:
    """The shared receipt-signing key: from `key_file` (its first line, base64 as
    `kiosk-central new-key` writes it), else from $KIOSK_CENTRAL_KEY. KeyMissing with a
    sentence for a person when neither is there or the key is not an Ed25519 private key."""
    env = os.environ if environ is None else environ
    if key_file is not None:
        try:
            key, where = Path(key_file).read_text(encoding="ascii").strip(), str(key_file)
        except (OSError, UnicodeDecodeError) as exc:
            raise KeyMissing(f"cannot read the server key file {key_file}: "
                             f"{getattr(exc, 'strerror', None) or exc}") from None
    elif env.get(KEY_ENV, "").strip():
        key, where = env[KEY_ENV].strip(), f"${KEY_ENV}"
    else:
        raise KeyMissing("a server on a shared database needs the receipt-signing key every "
                         "process shares: give --key-file FILE (made once with kiosk-central "
                         f"new-key) or set {KEY_ENV}")
    try:
        protocol.public_key_of(key)
    except Exception:  # noqa: BLE001 - any decoding failure is the same sentence
        raise KeyMissing(f"the server key in {where} is not an Ed25519 private key "
                         "(base64 of 32 bytes)") from None
    return key


def write_new_key(path: Path) -> str:
    """Write a fresh private key to `path` (0600, fsynced, atomically); its public key."""
    key = protocol.new_private_key()
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent or Path("."))
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return protocol.public_key_of(key)


class CentralStore:
    """The server's state: `db` (central.database), `blobs` (central.blobstore), the key."""

    data_dir: Path | None = None

    def __init__(self, data_dir: Path) -> None:
        """The embedded default: one data directory, migrated on open, key made once."""
        self.data_dir = Path(data_dir)
        self.blob_dir = self.data_dir / "blobs"
        self.db_path = self.data_dir / "central.db"
        schema.keep_private(self.data_dir, self.blob_dir, self.db_path)
        db = open_database(f"sqlite:///{self.db_path.absolute()}")
        db.migrate()
        self._attach(db, FileBlobStore(self.blob_dir), self._load_or_create_key())

    @classmethod
    def open(cls, database_url: str, blob_store_url: str, *, key: str,
             blob_options: dict[str, Any] | None = None, migrate: bool = False,
             pool_size: int = 10) -> CentralStore:
        """The production path: the database and blob store the URLs name, signing with
        `key` (see load_key). The schema is checked (SchemaOutOfDate / SchemaTooNew), or
        brought up to date first when `migrate`."""
        self = cls.__new__(cls)
        db = open_database(database_url, pool_size=pool_size)
        try:
            db.migrate() if migrate else db.check()
            blobs = open_blob_store(blob_store_url, **(blob_options or {}))
        except BaseException:
            db.close()
            raise
        self._attach(db, blobs, key)
        return self

    def _attach(self, db: Database, blobs: BlobStore, key: str) -> None:
        self.db, self.blobs = db, blobs
        self.private_key = key
        self.public_key = protocol.public_key_of(key)

    def close(self) -> None:
        self.db.close()
        self.blobs.close()

    # --- plumbing ---------------------------------------------------------------------

    def conn(self) -> sqlite3.Connection:
        """A new connection to the embedded SQLite file, for inspection and maintenance
        (the store itself goes through `db`). Only for a data-directory store."""
        if self.data_dir is None:
            raise TypeError("conn() is for a data-directory store; use .db")
        return sqlite3.connect(self.db_path, timeout=30.0, isolation_level=None)

    def _load_or_create_key(self) -> str:
        assert self.data_dir is not None
        path = self.data_dir / "server-key"
        if path.exists():
            return path.read_text(encoding="ascii").strip()
        write_new_key(path)
        return path.read_text(encoding="ascii").strip()

    def blob_path(self, sha256: str) -> Path:
        """Where a blob's file is (a file blob store only)."""
        if not isinstance(self.blobs, FileBlobStore):
            raise TypeError("blob_path() is for a file blob store")
        return self.blobs.path(sha256)

    def health(self) -> dict[str, str]:
        """`{"database": "ok"|"down", "blob_store": "ok"|"down"}`, each asked once now."""
        out = {"database": "ok", "blob_store": "ok"}
        try:
            with self.db.read() as tx:
                tx.execute("SELECT 1")
        except Exception:  # noqa: BLE001 - any failure means it cannot serve now
            out["database"] = "down"
        try:
            self.blobs.exists_many(["0" * 64])
        except Exception:  # noqa: BLE001
            out["blob_store"] = "down"
        return out

    # --- stations ---------------------------------------------------------------------

    def add_station(self, name: str) -> str:
        """Create a station and return its token (only its hash is stored); IntegrityError
        (central.database) when the name is taken."""
        # 128 random bits (22 characters): ample for a bearer token, and it rides on every
        # request a station makes over a thin link (bench/sync_overhead.py).
        token = secrets.token_urlsafe(16)
        while token.startswith("-"):  # an argument `kiosk setup central URL TOKEN` can take
            token = secrets.token_urlsafe(16)
        self.db.add_station(name, hash_token(token))
        return token

    def stations(self) -> list[dict[str, Any]]:
        return self.db.list_stations()

    def station_by_token(self, token: str) -> Station | None:
        """The token's station, revoked ones included (the caller refuses those: 403)."""
        row = self.db.station_by_token_hash(hash_token(token), include_revoked=True)
        return Station(row.id, row.name, row.public_key, row.revoked_at) if row else None

    def register_key(self, station: Station, public_key: str) -> bool:
        """Register the station's manifest-signing key; False if a different one is there."""
        protocol.load_public_key(public_key)
        return self.db.register_key(station.id, public_key)

    def revoke_station(self, name: str, actor: str) -> str:
        """Revoke a station's token at once, audited (`actor`, when); returns since when."""
        row = self.db.revoke_station(name, actor)
        if row is None:
            raise UnknownStation(name)
        return str(row.revoked_at)

    def reset_key(self, name: str) -> None:
        """Forget a station's key so it can register a new one (technician action)."""
        if not self.db.reset_key(name):
            raise UnknownStation(name)

    # --- blobs ------------------------------------------------------------------------

    def missing_blobs(self, station: Station, shas: list[str]) -> list[str]:
        """Which of these the station still has to send: no row, or a row whose bytes the
        store no longer holds (checked only for those with a row)."""
        unique = list(dict.fromkeys(shas))
        rows = self.db.blob_sizes(station.id, unique)
        there = self.blobs.exists_many([s for s in unique if s in rows]) if rows else set()
        return [s for s in unique if s not in there]

    def put_blob(self, station: Station, sha256: str, data: bytes) -> bool:
        """Store verified bytes; True when newly stored (bytes or this station's row), False
        when both were already there. The bytes are durable before the row commits."""
        actual = hashlib.sha256(data).hexdigest()
        if actual != sha256:
            raise HashMismatch(sha256, actual)
        if self.db.blob_sizes(station.id, [sha256]) and self.blobs.exists_many([sha256]):
            return False
        stored = self.blobs.put(sha256, data, len(data))
        return self.db.insert_blob(station.id, sha256, len(data)) or stored

    def read_blob(self, sha256: str) -> bytes:
        return self.blobs.get(sha256)

    # --- records ----------------------------------------------------------------------

    @staticmethod
    def _receipt(row: RecordRow) -> protocol.Receipt:
        return protocol.Receipt(row.record_id, row.manifest_sha256, row.seq, row.received_at,
                                row.receipt_signature)

    def put_record(
        self, station: Station, manifest: dict[str, Any], body: bytes, signature: str
    ) -> tuple[protocol.Receipt, bool]:
        """Store a verified manifest; (receipt, created). Idempotent for the same manifest,
        also when several processes store it at once (one row, one seq, one receipt)."""
        record_id = manifest["record_id"]
        sha = protocol.sha256_hex(body)
        sizes: dict[str, int] = {}
        for b in manifest["blobs"]:
            if sizes.setdefault(b["sha256"], b["size"]) != b["size"]:
                raise protocol.ProtocolError(f"blob {b['sha256']} is listed with two sizes")
        key = self.private_key
        out = self.db.put_record(
            station_id=station.id, record_id=record_id, manifest=body, manifest_sha256=sha,
            station_signature=signature, created_at=str(manifest.get("created_at") or ""),
            blobs=sizes, claimed_station_id=manifest["station_id"],
            sign=lambda seq, at: protocol.make_receipt(key, record_id, sha, seq, at).signature)
        row = out.row
        if row is not None and row.station != station.id:
            raise WrongStation(record_id)
        if row is not None and row.manifest_sha256 != sha:
            raise ManifestConflict(record_id)
        if out.claimed_by is not None:
            raise StationIdClaimed(manifest["station_id"])
        if out.missing:
            raise MissingBlobs(out.missing)
        if out.wrong_sizes:
            raise protocol.ProtocolError(f"blob sizes differ from the uploads: "
                                         f"{sorted(out.wrong_sizes)}")
        assert row is not None
        return self._receipt(row), out.created

    def record(self, record_id: str) -> dict[str, Any] | None:
        """One record's receipt, owner and processing status (None when absent)."""
        row = self.db.record(record_id)
        if row is None:
            return None
        return {"receipt": self._receipt(row), "station": row.station,
                "status": ProcessingStatus(row.status), "reject_reason": row.reject_reason}

    def _blobs_of(self, record_ids: list[str]) -> dict[str, list[str]]:
        """The blobs each of these records names: one query per 500 ids."""
        out: dict[str, list[str]] = {rid: [] for rid in record_ids}
        with self.db.read() as tx:
            for i in range(0, len(record_ids), 500):
                cond, params = self.db.in_list("record_id", record_ids[i:i + 500])
                for rid, sha in tx.execute(
                        f"SELECT record_id, sha256 FROM record_blobs WHERE {cond}", params):
                    out[rid].append(sha)
        return out

    def reconcile(self, station: Station, record_ids: list[str]) -> dict[str, Any]:
        """Which of these records the server holds complete, with receipts and statuses.
        The database answers in one query per batch; the records it holds complete then have
        their bytes confirmed in the blob store (one `exists_many` for all their blobs)."""
        ids = list(dict.fromkeys(record_ids))
        held = self.db.reconcile(station.id, ids)
        complete = [rid for rid in ids if rid in held and held[rid][1]]
        names = self._blobs_of(complete) if complete else {}
        wanted = sorted({sha for shas in names.values() for sha in shas})
        there = self.blobs.exists_many(wanted) if wanted else set()
        present: dict[str, Any] = {}
        status: dict[str, Any] = {}
        missing: list[str] = []
        for rid in ids:
            if rid not in names or not all(sha in there for sha in names[rid]):
                missing.append(rid)
                continue
            row = held[rid][0]
            present[rid] = self._receipt(row).to_json()
            if ProcessingStatus(row.status).decided:
                status[rid] = {"status": ProcessingStatus(row.status),
                               "reason": row.reject_reason}
        return {"present": present, "missing": missing, "status": status}

    def set_status(
        self, record_id: str, status: ProcessingStatus | str, reason: str | None
    ) -> None:
        """Processing decision for one record (accepted, or rejected with a reason)."""
        status = ProcessingStatus(status)  # ValueError for a word that is not a status
        if not self.db.set_status(record_id, status.value, reason):
            raise KeyError(record_id)

    def status_changes(self, station: Station, since: int,
                       limit: int = CHANGES_PAGE) -> dict[str, Any]:
        """This station's processing decisions after cursor `since`, oldest first, at most
        `limit`; `cursor` is where the next call starts, `more` whether one is due at once."""
        limit = max(1, min(limit, CHANGES_PAGE))
        rows = self.db.status_changes(station.id, since, limit + 1)
        more = len(rows) > limit
        rows = rows[:limit]
        changes = [{"record_id": c.record_id, "status": c.status, "reason": c.reason,
                    "cursor": c.seq} for c in rows]
        return {"changes": changes, "cursor": rows[-1].seq if rows else since, "more": more}

    def station_summary(self, station: Station) -> dict[str, Any]:
        """How many records the server holds from this station, and the registration number
        of the newest (by the station's save time); None when it holds none."""
        return self.db.station_summary(station.id)

    def manifest(self, record_id: str) -> dict[str, Any]:
        body = self.db.manifest(record_id)
        if body is None:
            raise KeyError(record_id)
        return json.loads(body)

    def counts(self) -> dict[str, int]:
        return self.db.counts()
