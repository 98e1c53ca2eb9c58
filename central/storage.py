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
import logging
import secrets
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import ektp_protocol as protocol
from central import schema
from central.blobstore import BlobStore, HashMismatch, open_blob_store
from central.blobstore_file import FileBlobStore
from central.database import Database, open_database
from central.keys import KeyMissing, load_key, write_new_key
from central.storage_records import (
    ManifestConflict,
    MissingBlobs,
    RecordWrites,
    Station,
    StationIdClaimed,
    WrongStation,
)
from ektp_protocol import ProcessingStatus

CHANGES_PAGE = 500  # status changes in one answer at most
# How long a blob the store acknowledged or confirmed is trusted before a reconciliation asks
# the store again: a file store is asked every time (a stat); an object store once an hour
# (one HEAD a blob: a full reconciliation of a month's records would otherwise HEAD every one
# of their blobs, every half hour, from every station). The scrubber re-reads them all anyway.
RECHECK_FILE = 0.0
RECHECK_OBJECT_STORE = 3600.0
HEALTH_TTL = 1.0  # seconds a health answer is reused: load balancers and stations poll it
log = logging.getLogger("central.storage")

__all__ = [
    "CHANGES_PAGE", "CentralStore", "HashMismatch", "KeyMissing", "ManifestConflict",
    "MissingBlobs", "Station", "StationIdClaimed", "UnknownStation", "WrongStation",
    "hash_token", "load_key", "now_iso",
]


class UnknownStation(LookupError):
    """No station with that name or token."""


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class CentralStore(RecordWrites):
    """The server's state: `db` (central.database), `blobs` (central.blobstore), the key."""

    data_dir: Path | None = None

    def __init__(self, data_dir: Path, *, recheck_after: float = RECHECK_FILE) -> None:
        """The embedded default: one data directory, migrated on open, key made once."""
        self.recheck_after = recheck_after
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
             pool_size: int = 10, recheck_after: float | None = None) -> CentralStore:
        """The production path: the database and blob store the URLs name, signing with
        `key` (see load_key). The schema is checked (SchemaOutOfDate / SchemaTooNew), or
        brought up to date first when `migrate`. `recheck_after`: seconds a blob the store
        vouched for is trusted (default: RECHECK_FILE for file:, RECHECK_OBJECT_STORE else)."""
        self = cls.__new__(cls)
        self.recheck_after = recheck_after if recheck_after is not None else (
            RECHECK_FILE if blob_store_url.startswith("file:") else RECHECK_OBJECT_STORE)
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
        self._health: tuple[float, dict[str, str]] = (-HEALTH_TTL, {})
        self._health_lock = threading.Lock()

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
        """`{"database": "ok"|"down", "blob_store": "ok"|"down"}`, asked at most once every
        HEALTH_TTL seconds (the answer in between is the last one)."""
        with self._health_lock:
            at, last = self._health
            if time.monotonic() - at < HEALTH_TTL:
                return dict(last)
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
            self._health = (time.monotonic(), out)
            return dict(out)

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
        store no longer holds (asked only for rows not vouched for within `recheck_after`)."""
        unique = list(dict.fromkeys(shas))
        rows = self.db.blob_rows(station.id, unique)
        lost = self.recheck({sha: at for sha, (_, at) in rows.items()})
        return [s for s in unique if s not in rows or s in lost]

    def recheck(self, confirmed: dict[str, str | None]) -> set[str]:
        """Ask the store about the blobs (sha256 -> last confirmed) not vouched for since
        `recheck_after` seconds ago, in one `exists_many`: those it has are confirmed now,
        those it lost lose their rows (their records become incomplete). Returns the lost."""
        if self.recheck_after > 0:
            cutoff = (dt.datetime.now(dt.UTC) - dt.timedelta(seconds=self.recheck_after)
                      ).isoformat(timespec="microseconds")
            stale = sorted(sha for sha, at in confirmed.items() if at is None or at < cutoff)
        else:
            stale = sorted(confirmed)
        if not stale:
            return set()
        there = self.blobs.exists_many(stale)
        if there and self.recheck_after > 0:  # with 0 every question asks the store anyway
            self.db.confirm_blobs(sorted(there))
        lost = set(stale) - there
        if lost:
            log.warning("%d blobs are no longer in the blob store (first %s); their records "
                        "are incomplete until their stations send them again", len(lost),
                        min(lost)[:16])
            self.db.forget_blobs(sorted(lost))
        return lost

    def put_blob(self, station: Station, sha256: str, data: bytes) -> bool:
        """Store verified bytes; True when newly stored (bytes or this station's row), False
        when both were already there. The bytes are durable before the row commits."""
        stored = self.store_bytes(sha256, data, durable=True)
        return bool(self.db.insert_blobs(station.id, {sha256: len(data)})) or stored

    def store_bytes(self, sha256: str, data: bytes, *, durable: bool = False,
                    flush: bool = True, checked: bool = False) -> bool:
        """Write bytes to the blob store, which checks them against `sha256` as it writes
        (HashMismatch, nothing kept); True when newly stored. Not `durable`: the store may
        leave part of the durability to `commit_blobs` (a file store's folder fsync), which
        must come before anyone is told the blob is here. Not `flush` (a batch: see
        `put_records`): all of it, and the blob may reach its address only then (a file
        store: staged, unflushed). Written once, however often sent. `checked`: the caller
        has just hashed these bytes against `sha256` (the store need not again)."""
        if not flush:
            return self.blobs.put(sha256, data, len(data), durable=False, flush=False,
                                  checked=checked)
        return self.blobs.put(sha256, data, len(data), durable=durable, checked=checked)

    def commit_blobs(self, station: Station, sizes: dict[str, int]) -> set[str]:
        """Make blobs written with `store_bytes` durable, then give the station their rows, in
        one transaction (sha256 -> size); the addresses whose row is new."""
        if not sizes:
            return set()
        self.blobs.sync(sorted(sizes))
        return self.db.insert_blobs(station.id, sizes)

    def read_blob(self, sha256: str) -> bytes:
        return self.blobs.get(sha256)

    # --- records (writes: central/storage_records.py) ---------------------------------

    def record(self, record_id: str) -> dict[str, Any] | None:
        """One record's receipt, owner and processing status (None when absent)."""
        row = self.db.record(record_id)
        if row is None:
            return None
        return {"receipt": self._receipt(row), "station": row.station,
                "status": ProcessingStatus(row.status), "reject_reason": row.reject_reason}

    def reconcile(self, station: Station, record_ids: list[str]) -> dict[str, Any]:
        """Which of these records the server holds complete, with receipts and statuses.
        The database answers in one query per batch; then the blobs of the records it holds
        complete that were not vouched for within `recheck_after` are asked of the blob store
        in one `exists_many` (a blob it lost makes its record missing)."""
        ids = list(dict.fromkeys(record_ids))
        held = self.db.reconcile(station.id, ids)
        complete = [rid for rid in ids if rid in held and held[rid][1]]
        names = self.db.record_blobs(complete) if complete else {}
        lost = self.recheck({sha: at for blobs in names.values() for sha, at in blobs.items()})
        present: dict[str, Any] = {}
        status: dict[str, Any] = {}
        missing: list[str] = []
        for rid in ids:
            if rid not in names or any(sha in lost for sha in names[rid]):
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
