"""The station store: one data directory, its SQLite database and its sealed contents.

`Store` is the handle every layer above is given. What it does is kept in small modules
beside it: saving (kiosk.store.save), the daily cap (kiosk.store.cap), delivery states and the
outbox (kiosk.store.outbox), the audit chain (kiosk.store.audit), accounts (kiosk.store.users).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import sqlite_utils

from kiosk.domain.applicant import Applicant
from kiosk.domain.cap import local_day
from kiosk.domain.messages import Msg
from kiosk.domain.recording import Blob, Recording, is_record_id, is_regno
from kiosk.domain.sealing import SealContext
from kiosk.settings import Settings
from kiosk.store import anchors, audit, cap, datadir, save
from kiosk.store.cap import CapStatus
from kiosk.store.crypto import DecryptionFailed, Sealer
from kiosk.store.db import DB_NAME, connect, iso, utcnow, write_transaction
from kiosk.store.errors import DatabaseMissing, DatabaseReplaced
from kiosk.store.keys import (
    RECORDING,
    DataKeyMismatch,
    KeyringUnavailable,
    load_or_create_data_key,
)
from kiosk.store.outbox import Outbox
from kiosk.store.save import SavedRecord

KEY_CHECK = b"ektp-kiosk key check v1"
# meta key: station clock minus the server's, in seconds, at the last contact (sync writes it,
# the freeze gate reads it)
SERVER_CLOCK_SKEW = "server_clock_skew_seconds"
# meta key: the registration number of the newest record the central server holds from this
# station, as the server said at the last contact (sync writes it; the database-replaced
# check compares it with the records here)
SERVER_LAST_REGNO = anchors.SERVER_LAST_REGNO


class Store:
    """One station's data directory: the SQLite database and its sealed contents.

    `read_only=True`: opened with SQLite's `mode=ro`, for commands that only read: no
    migration runs (a schema too old is SchemaTooOld), no write lock is ever taken (a writer
    never makes it wait), the station id is read, never created, and a missing database is
    DatabaseMissing instead of a new one. Every writing method then fails (query_only).
    Either way a data folder that is not a plain folder on a data disk is DataDirRefused, and
    every disk or database fault is a named StorageError (kiosk.store.errors)."""

    def __init__(
        self,
        data_dir: Path,
        settings: Settings,
        *,
        clock: Callable[[], dt.datetime] = utcnow,
        read_only: bool = False,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.settings = settings
        self.clock = clock
        self.read_only = read_only
        path = datadir.prepare(self.data_dir, DB_NAME, create=not read_only)
        if read_only and not path.exists():
            if anchors.was_here(self.data_dir):
                raise DatabaseReplaced(Msg(f"{DB_NAME} tidak ada lagi di folder stasiun ini",
                                           f"{DB_NAME} is gone from this station's folder"))
            raise DatabaseMissing(str(path))
        if read_only and path.stat().st_size == 0:  # emptied: a real one never is
            raise DatabaseReplaced(Msg(f"{DB_NAME} kosong (0 bita)", f"{DB_NAME} is empty "
                                       "(0 bytes)"))
        self.db: sqlite_utils.Database = connect(path, read_only=read_only)
        try:
            self.station_id = self._read_station_id() if read_only else self._ensure_station_id()
        except BaseException:
            self.db.close()
            raise
        self.outbox = Outbox(self.db)
        self._sealer: Sealer | None = None

    def close(self) -> None:
        anchors.close_anchor_file(self)
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- identity and keys -------------------------------------------------------------

    def _read_station_id(self) -> str:
        sid = self.meta("station_id")
        if sid is None:
            raise DatabaseMissing("station.db: no station id / tanpa id stasiun")
        return sid

    def _ensure_station_id(self) -> str:
        """The station id; on a new database (under the write lock) the one anchored for this
        folder, marked replaced (kiosk.store.anchors), else a new one, then anchored."""
        sid = self.meta("station_id")
        if sid is not None:
            return sid  # the usual opening: no write lock
        anchored = anchors.anchored_station(self.data_dir)
        with write_transaction(self.db):
            sid = self.meta("station_id")
            if sid is not None:
                return sid
            sid = anchored or str(uuid.uuid4())
            self.db.execute("INSERT INTO meta (key, value) VALUES ('station_id', ?)", [sid])
            if anchored:
                self.db.execute("INSERT INTO meta (key, value) VALUES (?, ?)",
                                [anchors.REPLACED_META, json.dumps({"at": iso(self.clock())})])
        if not anchored:
            anchors.anchor_station(self.data_dir, sid)
        return sid

    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with write_transaction(self.db):
            self.db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [key, value],
            )

    def delete_meta(self, key: str) -> None:
        with write_transaction(self.db):
            self.db.execute("DELETE FROM meta WHERE key = ?", [key])

    def sealer(self) -> Sealer:
        """The station's sealer; KeyringUnavailable or DataKeyMismatch when it cannot be had."""
        if self._sealer is not None:
            return self._sealer
        check = self.meta("key_check")
        if check is None and self.read_only:  # nothing was sealed here yet: nothing to check
            self._sealer = Sealer(load_or_create_data_key(self.station_id, create=False))
            return self._sealer
        if check is None:
            # First use: create the key under the write lock, so that two processes starting
            # together agree on one key.
            with write_transaction(self.db):
                check = self.meta("key_check")
                if check is None:
                    sealer = Sealer(load_or_create_data_key(self.station_id, create=True))
                    self.db.execute(
                        "INSERT INTO meta (key, value) VALUES ('key_check', ?)",
                        [sealer.seal(KEY_CHECK, SealContext.KEY_CHECK).hex()],
                    )
                    self._sealer = sealer
                    return sealer
        sealer = Sealer(load_or_create_data_key(self.station_id, create=False))
        try:
            if sealer.open(bytes.fromhex(check), SealContext.KEY_CHECK) != KEY_CHECK:
                raise DataKeyMismatch()
        except DecryptionFailed:
            raise DataKeyMismatch() from None
        self._sealer = sealer
        return sealer

    # --- time and the daily cap ---------------------------------------------------------

    def today(self, now: dt.datetime | None = None) -> dt.date:
        return local_day(now or self.clock(), self.settings.timezone)

    def cap_status(self, now: dt.datetime | None = None) -> CapStatus:
        return cap.cap_status(self, now)

    def replaced(self) -> Msg | None:
        """Why this database is younger than its anchors (lost, emptied, swapped), or None."""
        return anchors.problem(self)

    def check_can_start(self, now: dt.datetime | None = None) -> CapStatus:
        """Before a recording starts: the keyring works, the database is the one anchored
        (DatabaseReplaced otherwise) and today's cap is not used up."""
        try:
            self.sealer()
        except KeyringUnavailable as exc:
            raise exc.doing(RECORDING) from None
        anchors.refuse_if_replaced(self)
        status = self.cap_status(now)
        cap.refuse_if_reached(status)
        return status

    def override_cap(
        self, cap_value: int, reason: str, actor: str, now: dt.datetime | None = None
    ) -> None:
        """Set today's cap (raise or lower) with a reason; audited. Who may: kiosk.app."""
        cap.change_cap(self, cap_value, reason, actor, self.today(now))

    def set_standing_cap(self, cap_value: int, reason: str, actor: str) -> None:
        """Change the cap for every day without an override; audited. Who may: kiosk.app."""
        cap.change_cap(self, cap_value, reason, actor, None)

    def cap_history(self) -> list[dict[str, Any]]:
        return cap.cap_history(self)

    # --- saving -----------------------------------------------------------------------

    def seal_items(self, record_id: str, blobs: Iterable[Blob], into: dict[str, bytes]) -> None:
        """Seal captured items for `record_id` into `into` (context -> ciphertext), skipping
        those already there: the recording flow calls this as each item is accepted, so the
        save at the end only writes (see Recording.sealed)."""
        save.seal_items(self.sealer(), record_id, blobs, into)

    def save_recording(
        self, rec: Recording, operator: str, now: dt.datetime | None = None
    ) -> SavedRecord:
        """Seal and save a complete recording in one transaction; DailyCapReached past the cap."""
        return save.save_recording(self, rec, operator, now)

    # --- reading ----------------------------------------------------------------------

    def find(self, query: str) -> list[dict[str, Any]]:
        """Records by id, registration number or NIK (newest first); no personal columns."""
        q = query.strip()
        cols = (
            "id, regno, local_date, created_at, operator, state, summary, manifest_sha256, "
            "received_at, verified_at, processing_status, reject_reason, purged_at, "
            "carried_at, carry_receipt_at"  # "dibawa": left on a drive (kiosk.sync.carry)
        )
        if is_record_id(q):
            rows = self.db.query(f"SELECT {cols} FROM records WHERE id = ?", [q.lower()])
        elif is_regno(q):
            rows = self.db.query(f"SELECT {cols} FROM records WHERE regno = ?", [q])
        elif q.isdigit() and len(q) == 16:
            rows = self.db.query(
                f"SELECT {cols} FROM records WHERE nik_hash = ? ORDER BY created_at DESC",
                [self.sealer().nik_hash(q)],
            )
        else:
            return []
        return list(rows)

    def nik_seen(self, nik: str) -> list[dict[str, Any]]:
        """Earlier recordings of this NIK at this station (duplicate warning)."""
        return self.find(nik) if nik.isdigit() and len(nik) == 16 else []

    def applicant(self, record_id: str) -> tuple[Applicant, dict[str, str]]:
        """The decrypted applicant and the recording's exceptions."""
        row = self.db.execute("SELECT biodata FROM records WHERE id = ?", [record_id]).fetchone()
        if row is None:
            raise KeyError(record_id)
        data = json.loads(self.sealer().open(row[0], SealContext.biodata(record_id)))
        return Applicant.from_dict(data["applicant"]), data["exceptions"]

    def blob_rows(self, record_id: str) -> list[dict[str, Any]]:
        # length(sealed), not sealed itself: SQLite then reads the blob's size from the row
        # header instead of its whole overflow chain (10x faster for a record's 13 blobs)
        return list(
            self.db.query(
                "SELECT kind, sha256, size, content_type, length(sealed) IS NULL AS purged "
                "FROM blobs WHERE record_id = ? ORDER BY kind",
                [record_id],
            )
        )

    def blob(self, record_id: str, kind: str, *, check_hash: bool = True) -> bytes:
        """Decrypted blob bytes, checked against their SHA-256. Their seal is bound to that
        address already (SealContext.blob), so `check_hash` False spares the pass where a
        reader checks it again anyway (the centre does, for every blob it takes)."""
        row = self.db.execute(
            "SELECT sha256, sealed FROM blobs WHERE record_id = ? AND kind = ?", [record_id, kind]
        ).fetchone()
        if row is None or row[1] is None:
            raise KeyError(f"{record_id}/{kind}")
        data = self.sealer().open(row[1], SealContext.blob(record_id, kind, row[0]))
        if check_hash and hashlib.sha256(data).hexdigest() != row[0]:
            raise DecryptionFailed(f"{record_id}/{kind}: hash mismatch")
        return data

    def backlog(self) -> dict[str, int]:
        """Record count per delivery state (every state listed, zeros included)."""
        return self.outbox.backlog()

    def audit(self, actor: str, action: str, detail: dict[str, Any]) -> int:
        """Record one action in the audit log (own transaction)."""
        with write_transaction(self.db):
            return audit.append(self.db, actor, action, detail)

    # --- incidents and self-tests ------------------------------------------------------

    def add_incident(
        self,
        kind: str,
        device: str,
        detail: str,
        *,
        started: dt.datetime | None = None,
        ended: dt.datetime | None = None,
    ) -> int:
        with write_transaction(self.db):
            cur = self.db.execute(
                "INSERT INTO incidents (started_at, ended_at, kind, device, detail) "
                "VALUES (?, ?, ?, ?, ?)",
                [iso(started or self.clock()), iso(ended) if ended else None, kind, device, detail],
            )
            audit.append(self.db, "system", "incident", {"kind": kind, "device": device})
            return int(cur.lastrowid or 0)

    def end_incident(self, incident_id: int, ended: dt.datetime | None = None) -> None:
        with write_transaction(self.db):
            self.db.execute(
                "UPDATE incidents SET ended_at = ? WHERE id = ? AND ended_at IS NULL",
                [iso(ended or self.clock()), incident_id],
            )

    def incidents(self, since: str | None = None) -> list[dict[str, Any]]:
        return list(
            self.db.query(
                "SELECT * FROM incidents WHERE started_at >= ? ORDER BY started_at DESC",
                [since or ""],
            )
        )

    def save_selftest(self, passed: bool, results: list[dict[str, Any]]) -> int:
        with write_transaction(self.db):
            cur = self.db.execute(
                "INSERT INTO selftests (ts, passed, results) VALUES (?, ?, ?)",
                [iso(self.clock()), int(passed), json.dumps(results)],
            )
            return int(cur.lastrowid or 0)

    def last_selftest(self) -> dict[str, Any] | None:
        rows = list(self.db.query("SELECT * FROM selftests ORDER BY id DESC LIMIT 1"))
        if not rows:
            return None
        row = rows[0]
        row["results"] = json.loads(row["results"])
        return row
