"""The central server's durable state: SQLite for stations and records, a content-addressed
blob folder, and the server's Ed25519 signing key.

A blob is written to a temporary file, fsynced and renamed into place before its row commits;
a record row (and its signed receipt) commits only when every blob it names is on disk.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import secrets
import sqlite3
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ektp_protocol as protocol
from central import schema
from ektp_protocol import ProcessingStatus

CHANGES_PAGE = 500  # status changes in one answer at most


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


class HashMismatch(ValueError):
    """Uploaded bytes whose SHA-256 is not the one in the URL."""


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


class CentralStore:
    """One server data directory: `central.db`, `blobs/ab/abcd...`, `server-key`."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self.blob_dir = self.data_dir / "blobs"
        self.db_path = self.data_dir / "central.db"
        schema.keep_private(self.data_dir, self.blob_dir, self.db_path)
        self._local = threading.local()
        schema.migrate(self.conn())
        self.private_key = self._load_or_create_key()
        self.public_key = protocol.public_key_of(self.private_key)

    # --- plumbing ---------------------------------------------------------------------

    def conn(self) -> sqlite3.Connection:
        """This thread's connection (FastAPI runs sync work on a thread pool)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.db_path, timeout=30.0, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA busy_timeout=30000")
            self._local.conn = conn
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        conn = self.conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        else:
            conn.execute("COMMIT")

    def _load_or_create_key(self) -> str:
        path = self.data_dir / "server-key"
        if path.exists():
            return path.read_text(encoding="ascii").strip()
        key = protocol.new_private_key()
        fd, tmp = tempfile.mkstemp(dir=self.data_dir)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(key)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
        return key

    def blob_path(self, sha256: str) -> Path:
        return self.blob_dir / sha256[:2] / sha256

    # --- stations ---------------------------------------------------------------------

    def add_station(self, name: str) -> str:
        """Create a station and return its token (only its hash is stored)."""
        # 128 random bits (22 characters): ample for a bearer token, and it rides on every
        # request a station makes over a thin link (14 a record; bench/sync_overhead.py).
        token = secrets.token_urlsafe(16)
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO stations (name, token_hash, created_at) VALUES (?, ?, ?)",
                [name, hash_token(token), now_iso()],
            )
        return token

    def stations(self) -> list[dict[str, Any]]:
        cur = self.conn().execute(
            "SELECT s.name, s.created_at, s.public_key IS NOT NULL, "
            "(SELECT COUNT(*) FROM records r WHERE r.station = s.id) FROM stations s ORDER BY s.id"
        )
        return [
            {"name": n, "created_at": c, "key_registered": bool(k), "records": r}
            for n, c, k, r in cur
        ]

    def station_by_token(self, token: str) -> Station | None:
        row = self.conn().execute(
            "SELECT id, name, public_key, revoked_at FROM stations WHERE token_hash = ?",
            [hash_token(token)],
        ).fetchone()
        return Station(*row) if row else None

    def register_key(self, station: Station, public_key: str) -> bool:
        """Register the station's manifest-signing key; False if a different one is there."""
        protocol.load_public_key(public_key)
        with self.transaction() as conn:
            row = conn.execute(
                "SELECT public_key FROM stations WHERE id = ?", [station.id]
            ).fetchone()
            if row[0] and row[0] != public_key:
                return False
            conn.execute(
                "UPDATE stations SET public_key = ? WHERE id = ?", [public_key, station.id]
            )
        return True

    def revoke_station(self, name: str, actor: str) -> str:
        """Revoke a station's token at once, audited (`actor`, when); returns since when."""
        with self.transaction() as conn:
            rows = conn.execute("UPDATE stations SET revoked_at = COALESCE(revoked_at, ?) WHERE "
                                "name = ? RETURNING id, revoked_at", [now_iso(), name]).fetchall()
            if not rows:
                raise UnknownStation(name)
            conn.execute("INSERT INTO station_audit (station, action, actor, at) VALUES "
                         "(?, 'revoke', ?, ?)", [rows[0][0], actor, now_iso()])
        return str(rows[0][1])

    def reset_key(self, name: str) -> None:
        """Forget a station's key so it can register a new one (technician action)."""
        with self.transaction() as conn:
            cur = conn.execute("UPDATE stations SET public_key = NULL WHERE name = ?", [name])
            if cur.rowcount != 1:
                raise UnknownStation(name)

    # --- blobs ------------------------------------------------------------------------

    def _has_blob(self, conn: sqlite3.Connection, station: Station, sha256: str) -> bool:
        row = conn.execute(
            "SELECT 1 FROM blobs WHERE station = ? AND sha256 = ?", [station.id, sha256]
        ).fetchone()
        return row is not None and self.blob_path(sha256).exists()

    def missing_blobs(self, station: Station, shas: list[str]) -> list[str]:
        conn = self.conn()
        seen: set[str] = set()
        out = []
        for sha in shas:
            if sha not in seen and not self._has_blob(conn, station, sha):
                out.append(sha)
            seen.add(sha)
        return out

    def put_blob(self, station: Station, sha256: str, data: bytes) -> bool:
        """Store verified bytes; True when newly stored, False when already there."""
        if hashlib.sha256(data).hexdigest() != sha256:
            raise HashMismatch(sha256)
        path = self.blob_path(sha256)
        with self.transaction() as conn:
            if self._has_blob(conn, station, sha256):
                return False
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                    fh.flush()
                    os.fsync(fh.fileno())
                os.replace(tmp, path)
                dfd = os.open(path.parent, os.O_RDONLY)
                try:
                    os.fsync(dfd)
                finally:
                    os.close(dfd)
            conn.execute(
                "INSERT OR REPLACE INTO blobs (station, sha256, size, stored_at) "
                "VALUES (?, ?, ?, ?)",
                [station.id, sha256, len(data), now_iso()],
            )
        return True

    def read_blob(self, sha256: str) -> bytes:
        return self.blob_path(sha256).read_bytes()

    # --- records ----------------------------------------------------------------------

    def _receipt(self, row: tuple[Any, ...]) -> protocol.Receipt:
        seq, record_id, sha, received_at, sig = row
        return protocol.Receipt(record_id, sha, seq, received_at, sig)

    def put_record(
        self, station: Station, manifest: dict[str, Any], body: bytes, signature: str
    ) -> tuple[protocol.Receipt, bool]:
        """Store a verified manifest; (receipt, created). Idempotent for the same manifest."""
        record_id = manifest["record_id"]
        sha = protocol.sha256_hex(body)
        shas = sorted({b["sha256"] for b in manifest["blobs"]})
        with self.transaction() as conn:
            row = conn.execute(
                "SELECT station, manifest_sha256 FROM records WHERE record_id = ?", [record_id]
            ).fetchone()
            if row and row[0] != station.id:
                raise WrongStation(record_id)
            if row and row[1] != sha:
                raise ManifestConflict(record_id)
            if conn.execute(f"SELECT 1 FROM records WHERE {schema.CLAIMED_STATION_ID} = ? AND "
                            "station != ?", [manifest["station_id"], station.id]).fetchone():
                raise StationIdClaimed(manifest["station_id"])
            held = dict(conn.execute("SELECT sha256, size FROM blobs WHERE station = ? AND sha256 "
                                     f"IN ({','.join('?' * len(shas))})", [station.id, *shas]))
            if missing := [s for s in shas if s not in held or not self.blob_path(s).exists()]:
                raise MissingBlobs(missing)
            if wrong := sorted({b["sha256"] for b in manifest["blobs"]  # stated != held
                                if held[b["sha256"]] != b["size"]}):
                raise protocol.ProtocolError(f"blob sizes differ from the uploads: {wrong}")
            if row:
                existing = conn.execute(
                    "SELECT seq, record_id, manifest_sha256, received_at, receipt_signature "
                    "FROM records WHERE record_id = ?", [record_id],
                ).fetchone()
                return self._receipt(existing), False
            received_at = now_iso()
            cur = conn.execute(
                "INSERT INTO records (record_id, station, manifest, manifest_sha256, "
                "station_signature, received_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [record_id, station.id, body, sha, signature, received_at,
                 str(manifest.get("created_at") or "")],
            )
            seq = int(cur.lastrowid or 0)
            receipt = protocol.make_receipt(self.private_key, record_id, sha, seq, received_at)
            conn.execute(
                "UPDATE records SET receipt_signature = ? WHERE seq = ?", [receipt.signature, seq]
            )
            conn.executemany(
                "INSERT INTO record_blobs (record_id, sha256) VALUES (?, ?)",
                [(record_id, s) for s in shas],
            )
        return receipt, True

    def record(self, record_id: str) -> dict[str, Any] | None:
        """One record's receipt, owner and processing status (None when absent)."""
        row = self.conn().execute(
            "SELECT seq, record_id, manifest_sha256, received_at, receipt_signature, station, "
            "status, reject_reason FROM records WHERE record_id = ?", [record_id],
        ).fetchone()
        if row is None:
            return None
        return {
            "receipt": self._receipt(row[:5]),
            "station": row[5],
            "status": ProcessingStatus(row[6]),
            "reject_reason": row[7],
        }

    def _complete(self, conn: sqlite3.Connection, station: Station, record_id: str) -> bool:
        """True when every blob of the record is still held (rows and files)."""
        return all(
            self._has_blob(conn, station, sha)
            for (sha,) in conn.execute(
                "SELECT sha256 FROM record_blobs WHERE record_id = ?", [record_id]
            )
        )

    def reconcile(self, station: Station, record_ids: list[str]) -> dict[str, Any]:
        """Which of these records the server holds complete, with receipts and statuses."""
        conn = self.conn()
        present: dict[str, Any] = {}
        status: dict[str, Any] = {}
        missing: list[str] = []
        for rid in dict.fromkeys(record_ids):
            info = self.record(rid)
            held = info is not None and info["station"] == station.id
            if not held or not self._complete(conn, station, rid):
                missing.append(rid)
                continue
            present[rid] = info["receipt"].to_json()
            if info["status"].decided:
                status[rid] = {"status": info["status"], "reason": info["reject_reason"]}
        return {"present": present, "missing": missing, "status": status}

    def set_status(
        self, record_id: str, status: ProcessingStatus | str, reason: str | None
    ) -> None:
        """Processing decision for one record (accepted, or rejected with a reason)."""
        status = ProcessingStatus(status)  # ValueError for a word that is not a status
        at = now_iso()
        with self.transaction() as conn:
            cur = conn.execute(
                "UPDATE records SET status = ?, reject_reason = ?, status_at = ? "
                "WHERE record_id = ?",
                [status.value, reason, at, record_id],
            )
            if cur.rowcount != 1:
                raise KeyError(record_id)
            # the same transaction: a station paging the log never misses a decision
            conn.execute(
                "INSERT INTO status_changes (station, record_id, status, reason, at) "
                "SELECT station, record_id, ?, ?, ? FROM records WHERE record_id = ?",
                [status.value, reason, at, record_id],
            )

    def status_changes(self, station: Station, since: int,
                       limit: int = CHANGES_PAGE) -> dict[str, Any]:
        """This station's processing decisions after cursor `since`, oldest first, at most
        `limit`; `cursor` is where the next call starts, `more` whether one is due at once."""
        limit = max(1, min(limit, CHANGES_PAGE))
        rows = self.conn().execute(
            "SELECT seq, record_id, status, reason FROM status_changes "
            "WHERE station = ? AND seq > ? ORDER BY seq LIMIT ?", [station.id, since, limit + 1],
        ).fetchall()
        more = len(rows) > limit
        rows = rows[:limit]
        changes = [{"record_id": r, "status": st, "reason": why, "cursor": seq}
                   for seq, r, st, why in rows]
        return {"changes": changes, "cursor": rows[-1][0] if rows else since, "more": more}

    def station_summary(self, station: Station) -> dict[str, Any]:
        """How many records the server holds from this station, and the registration number
        of the newest (by the station's save time); None when it holds none."""
        conn = self.conn()
        count = conn.execute("SELECT COUNT(*) FROM records WHERE station = ?",
                             [station.id]).fetchone()[0]
        row = conn.execute(
            "SELECT manifest FROM records WHERE station = ? ORDER BY created_at DESC, seq DESC "
            "LIMIT 1", [station.id]).fetchone()
        regno = json.loads(row[0]).get("regno") if row else None
        return {"records": int(count), "last_regno": regno if isinstance(regno, str) else None}

    def manifest(self, record_id: str) -> dict[str, Any]:
        row = self.conn().execute(
            "SELECT manifest FROM records WHERE record_id = ?", [record_id]
        ).fetchone()
        if row is None:
            raise KeyError(record_id)
        return json.loads(row[0])

    def counts(self) -> dict[str, int]:
        conn = self.conn()
        return {
            "records": conn.execute("SELECT COUNT(*) FROM records").fetchone()[0],
            "blobs": conn.execute("SELECT COUNT(*) FROM blobs").fetchone()[0],
        }
