"""The station store: saving recordings (one transaction), the daily cap, lookup, integrity.

A recording is sealed in memory first, then one `BEGIN IMMEDIATE` transaction counts today's
recordings against the cap, takes the next sequence number and writes the record row, its
blobs, its outbox row and its audit row. "Tersimpan" is true only once that commits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils

from kiosk.domain.applicant import Applicant
from kiosk.domain.cap import DailyCapReached, local_day, next_reset
from kiosk.domain.logfacts import log_facts
from kiosk.domain.messages import DomainError, Msg
from kiosk.domain.recording import Blob, Recording, format_regno, is_record_id, is_regno
from kiosk.settings import Settings
from kiosk.store import audit
from kiosk.store.crypto import DecryptionFailed, Sealer
from kiosk.store.db import DB_NAME, connect, iso, utcnow, write_transaction
from kiosk.store.keys import DataKeyMismatch, load_or_create_data_key

KEY_CHECK = b"ektp-kiosk key check v1"
# meta key: station clock minus the server's, in seconds, at the last contact (sync writes it,
# the freeze gate reads it)
SERVER_CLOCK_SKEW = "server_clock_skew_seconds"
DELIVERY_STATES = ("saved", "uploading", "received", "verified")
IDENT_SEP = "\x1f"  # between NIK and name in a record's sealed `ident`


def blob_context(record_id: str, blob: Blob) -> str:
    """The associated data a blob is sealed under: its record, kind and digest."""
    return f"blob:{record_id}:{blob.kind}:{blob.sha256}"


def log_time(t: dt.datetime, tz: dt.tzinfo) -> str:
    """'YYYY-MM-DD HH:MM:SS' in the station's zone: how the daily log shows a time."""
    t = t.astimezone(tz)
    return (
        f"{t.year:04d}-{t.month:02d}-{t.day:02d} {t.hour:02d}:{t.minute:02d}:{t.second:02d}"
    )


def open_ident(
    sealer: Sealer, record_id: str, ident: bytes | None, biodata: bytes
) -> tuple[str, str]:
    """(NIK, name) of a record: from its small sealed `ident`, or from its biodata for a
    record saved before schema v003 had one."""
    if ident is not None:
        nik, _, name = sealer.open(ident, f"ident:{record_id}").decode().partition(IDENT_SEP)
        return nik, name
    applicant = json.loads(sealer.open(biodata, f"biodata:{record_id}"))["applicant"]
    return applicant.get("nik", ""), applicant.get("nama", "")


class IncompleteRecording(DomainError):
    """A recording missing items that were neither captured nor excused."""

    def __init__(self, missing: list[str]) -> None:
        names = ", ".join(missing)
        super().__init__(
            Msg(
                f"Perekaman belum lengkap, belum ada: {names}. Rekam atau catat pengecualiannya.",
                f"The recording is incomplete, still missing: {names}. Capture them or record "
                "an exception.",
            )
        )
        self.missing = missing


@dataclass(frozen=True)
class SavedRecord:
    """What the operator learns once the save committed."""

    record_id: str
    regno: str
    local_date: dt.date
    created_at: str


@dataclass(frozen=True)
class CapStatus:
    """Today's use of the daily cap."""

    day: dt.date
    count: int
    cap: int
    standing_cap: int
    override_reason: str | None
    resets_at: dt.datetime

    @property
    def reached(self) -> bool:
        return self.count >= self.cap

    @property
    def remaining(self) -> int:
        return max(0, self.cap - self.count)


class Store:
    """One station's data directory: the SQLite database and its sealed contents."""

    def __init__(
        self,
        data_dir: Path,
        settings: Settings,
        *,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.settings = settings
        self.clock = clock
        self.db: sqlite_utils.Database = connect(self.data_dir / DB_NAME)
        self.station_id = self._ensure_station_id()
        self._sealer: Sealer | None = None

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- identity and keys -------------------------------------------------------------

    def _ensure_station_id(self) -> str:
        with write_transaction(self.db):
            row = self.db.execute("SELECT value FROM meta WHERE key = 'station_id'").fetchone()
            if row:
                return row[0]
            sid = str(uuid.uuid4())
            self.db.execute("INSERT INTO meta (key, value) VALUES ('station_id', ?)", [sid])
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

    def sealer(self) -> Sealer:
        """The station's sealer; KeyringUnavailable or DataKeyMismatch when it cannot be had."""
        if self._sealer is not None:
            return self._sealer
        check = self.meta("key_check")
        if check is None:
            # First use: create the key under the write lock, so that two processes starting
            # together agree on one key.
            with write_transaction(self.db):
                check = self.meta("key_check")
                if check is None:
                    sealer = Sealer(load_or_create_data_key(self.station_id, create=True))
                    self.db.execute(
                        "INSERT INTO meta (key, value) VALUES ('key_check', ?)",
                        [sealer.seal(KEY_CHECK, "key-check").hex()],
                    )
                    self._sealer = sealer
                    return sealer
        sealer = Sealer(load_or_create_data_key(self.station_id, create=False))
        try:
            if sealer.open(bytes.fromhex(check), "key-check") != KEY_CHECK:
                raise DataKeyMismatch()
        except DecryptionFailed:
            raise DataKeyMismatch() from None
        self._sealer = sealer
        return sealer

    # --- time and the daily cap ---------------------------------------------------------

    def today(self, now: dt.datetime | None = None) -> dt.date:
        return local_day(now or self.clock(), self.settings.timezone)

    def _standing_cap(self) -> int:
        row = self.db.execute(
            "SELECT cap FROM cap_changes WHERE local_date IS NULL ORDER BY id DESC LIMIT 1"
        ).fetchone()
        return int(row[0]) if row else int(self.settings["cap.daily"])

    def cap_status(self, now: dt.datetime | None = None) -> CapStatus:
        day = self.today(now)
        count = self.db.execute(
            "SELECT COUNT(*) FROM records WHERE local_date = ?", [day.isoformat()]
        ).fetchone()[0]
        standing = self._standing_cap()
        override = self.db.execute(
            "SELECT cap, reason FROM cap_changes WHERE local_date = ? ORDER BY id DESC LIMIT 1",
            [day.isoformat()],
        ).fetchone()
        return CapStatus(
            day=day,
            count=int(count),
            cap=int(override[0]) if override else standing,
            standing_cap=standing,
            override_reason=override[1] if override else None,
            resets_at=next_reset(day, self.settings.timezone),
        )

    def check_can_start(self, now: dt.datetime | None = None) -> CapStatus:
        """Before a recording starts: the keyring works and today's cap is not used up."""
        self.sealer()
        status = self.cap_status(now)
        if status.reached:
            raise DailyCapReached(status.count, status.cap, status.resets_at)
        return status

    def override_cap(
        self, cap: int, reason: str, actor: str, now: dt.datetime | None = None
    ) -> None:
        """Supervisor: set today's cap (raise or lower) with a reason; audited."""
        self._change_cap(cap, reason, actor, self.today(now))

    def set_standing_cap(self, cap: int, reason: str, actor: str) -> None:
        """Supervisor: change the cap for every day without an override; audited."""
        self._change_cap(cap, reason, actor, None)

    def _change_cap(self, cap: int, reason: str, actor: str, day: dt.date | None) -> None:
        if not reason.strip():
            raise ValueError("a reason is required / alasan wajib diisi")
        if not 1 <= cap <= 1000:
            raise ValueError("cap must be 1..1000 / batas harus 1..1000")
        with write_transaction(self.db):
            self.db.execute(
                "INSERT INTO cap_changes (ts, local_date, cap, reason, actor) "
                "VALUES (?, ?, ?, ?, ?)",
                [iso(self.clock()), day.isoformat() if day else None, cap, reason.strip(), actor],
            )
            audit.append(
                self.db,
                actor,
                "cap.override" if day else "cap.standing",
                {"date": day.isoformat() if day else None, "cap": cap, "reason": reason.strip()},
            )

    def cap_history(self) -> list[dict[str, Any]]:
        return list(self.db.query("SELECT * FROM cap_changes ORDER BY id DESC"))

    # --- saving -----------------------------------------------------------------------

    def seal_items(self, record_id: str, blobs: Iterable[Blob], into: dict[str, bytes]) -> None:
        """Seal captured items for `record_id` into `into` (context -> ciphertext), skipping
        those already there: the recording flow calls this as each item is accepted, so the
        save at the end only writes (see Recording.sealed)."""
        sealer = self.sealer()
        for b in blobs:
            context = blob_context(record_id, b)
            if context not in into:
                into[context] = bytes(sealer.seal(b.data, context))

    def save_recording(
        self, rec: Recording, operator: str, now: dt.datetime | None = None
    ) -> SavedRecord:
        """Seal and save a complete recording in one transaction; DailyCapReached past the cap."""
        missing = rec.missing_items()
        if missing:
            raise IncompleteRecording(missing)
        sealer = self.sealer()
        now = now or self.clock()
        day = self.today(now)
        rid = rec.record_id
        biodata = {
            "applicant": rec.applicant.to_dict(),
            "exceptions": rec.exceptions,
        }
        sealed_biodata = sealer.seal(json.dumps(biodata).encode(), f"biodata:{rid}")
        # Each Blob was hashed when it was captured, and the flow seals each item as it is
        # accepted (seal_items); what is not sealed yet is sealed here.
        pre = rec.sealed
        blob_rows = []
        for b in rec.blobs:
            context = blob_context(rid, b)
            sealed = pre.get(context)
            if sealed is None:
                sealed = sealer.seal(b.data, context)
            blob_rows.append((rid, b.kind, b.sha256, len(b.data), b.content_type, sealed))
        summary = {
            "items": sorted(b.kind for b in rec.blobs),
            "exceptions": {k: v.split(":", 1)[0] for k, v in rec.exceptions.items()},
            "quality": rec.quality,
        }
        # What the daily log shows of this record, ready for it (see schema v003).
        log_tail = log_facts(summary["items"], summary["exceptions"], rec.quality).csv_tail(
            operator
        )
        local_time = log_time(now, self.settings.timezone)
        ident = sealer.seal(
            f"{rec.applicant.nik}{IDENT_SEP}{rec.applicant.nama}".encode(), f"ident:{rid}"
        )
        nik_hash = sealer.nik_hash(rec.applicant.nik)
        created = iso(now)
        day_iso = day.isoformat()
        conn = self.db.conn
        with write_transaction(self.db):
            # Today's count, the next sequence number and the cap in force, in one query
            # under the write lock (cap_status() builds the full picture only on refusal).
            count, last_seq, override, standing = conn.execute(
                "SELECT COUNT(*), COALESCE(MAX(seq), 0), "
                "(SELECT cap FROM cap_changes WHERE local_date = ?1 ORDER BY id DESC LIMIT 1), "
                "(SELECT cap FROM cap_changes WHERE local_date IS NULL ORDER BY id DESC LIMIT 1) "
                "FROM records WHERE local_date = ?1",
                [day_iso],
            ).fetchone()
            cap = override if override is not None else standing
            if cap is None:
                cap = int(self.settings["cap.daily"])
            if count >= cap:
                status = self.cap_status(now)
                raise DailyCapReached(status.count, status.cap, status.resets_at)
            seq = last_seq + 1
            regno = format_regno(
                self.settings["station.kecamatan"], self.settings["station.number"], day, seq
            )
            # Plain SQL on this hot path: sqlite-utils' per-insert introspection cost more
            # than the encryption (bench/save.py).
            conn.execute(
                "INSERT INTO records (id, regno, local_date, seq, created_at, operator, nik_hash, "
                "biodata, summary, ident, log_head, log_tail, state) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'saved')",
                [
                    rid,
                    regno,
                    day_iso,
                    seq,
                    created,
                    operator,
                    nik_hash,
                    sealed_biodata,
                    json.dumps(summary, sort_keys=True),
                    ident,
                    f"{local_time},{regno}",
                    log_tail,
                ],
            )
            conn.executemany(
                "INSERT INTO blobs (record_id, kind, sha256, size, content_type, sealed) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                blob_rows,
            )
            # The outbox row is written by the records_enqueue trigger (schema v002).
            audit.append(self.db, operator, "record.saved", {"record_id": rid, "regno": regno})
        return SavedRecord(rid, regno, day, created)

    # --- reading ----------------------------------------------------------------------

    def find(self, query: str) -> list[dict[str, Any]]:
        """Records by id, registration number or NIK (newest first); no personal columns."""
        q = query.strip()
        cols = (
            "id, regno, local_date, created_at, operator, state, summary, manifest_sha256, "
            "received_at, verified_at, processing_status, reject_reason, purged_at"
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
        data = json.loads(self.sealer().open(row[0], f"biodata:{record_id}"))
        return Applicant.from_dict(data["applicant"]), data["exceptions"]

    def blob_rows(self, record_id: str) -> list[dict[str, Any]]:
        return list(
            self.db.query(
                "SELECT kind, sha256, size, content_type, sealed IS NULL AS purged "
                "FROM blobs WHERE record_id = ? ORDER BY kind",
                [record_id],
            )
        )

    def blob(self, record_id: str, kind: str) -> bytes:
        """Decrypted blob bytes, checked against their SHA-256."""
        row = self.db.execute(
            "SELECT sha256, sealed FROM blobs WHERE record_id = ? AND kind = ?", [record_id, kind]
        ).fetchone()
        if row is None or row[1] is None:
            raise KeyError(f"{record_id}/{kind}")
        data = self.sealer().open(row[1], f"blob:{record_id}:{kind}:{row[0]}")
        if hashlib.sha256(data).hexdigest() != row[0]:
            raise DecryptionFailed(f"{record_id}/{kind}: hash mismatch")
        return data

    def backlog(self) -> dict[str, int]:
        """Record count per delivery state (every state listed, zeros included)."""
        counts = {s: 0 for s in DELIVERY_STATES}
        for state, n in self.db.execute("SELECT state, COUNT(*) FROM records GROUP BY state"):
            counts[state] = n
        return counts

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
