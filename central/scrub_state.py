"""What the scrubber (central/scrub.py) keeps in the database, and the report the console shows.

`scrub_state` (name -> text) holds `cursor`, the last blob address the pass under way checked
("" before its first); `pass`, that pass's figures so far; `last_pass`, those of the last
complete pass (both JSON); and `lease`, which process may scrub now and until when.
`scrub_findings` holds a row per problem: a blob missing or damaged, when, the records and
stations it belongs to (`detail`, JSON), and `healed_at` once a station sent the blob again
(set by `insert_blobs` in central/db_blobs.py, in the transaction that stores its new row).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import socket
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from central.database import Database, Tx, now_iso
from central.db_blobs import chunks

CURSOR, PASS, LAST_PASS, LEASE = "cursor", "pass", "last_pass", "lease"
LEASE_SECONDS = 60.0  # a holder that stops renewing (crashed, hung) is replaced after this
MB = 1_000_000  # MB/s as `sha256sum`'s readers and disk vendors count it
RECORDS_NAMED = 100  # record ids a finding lists at most (the total is kept beside)


def read_state(tx: Tx, *names: str) -> dict[str, str]:
    """The values of these scrub_state names that are set."""
    rows = tx.execute(f"SELECT name, value FROM scrub_state WHERE name IN "
                      f"({', '.join('?' * len(names))})", list(names))
    return {str(n): str(v) for n, v in rows if v is not None}


def write_state(tx: Tx, values: Mapping[str, str]) -> None:
    """Set these scrub_state names (inserted or replaced)."""
    for name, value in values.items():
        tx.execute("INSERT INTO scrub_state (name, value) VALUES (?, ?) "
                   "ON CONFLICT (name) DO UPDATE SET value = excluded.value", [name, value])


@dataclass
class PassFigures:
    """One pass over every blob: what it has read so far (time spent scrubbing only)."""

    started_at: str
    blobs: int = 0
    bytes: int = 0
    seconds: float = 0.0
    missing: int = 0
    damaged: int = 0

    @classmethod
    def parse(cls, text: str | None) -> PassFigures:
        """The figures kept as JSON (a new pass starting now when there are none)."""
        doc = json.loads(text) if text else {}
        fields = {k: doc[k] for k in ("blobs", "bytes", "seconds", "missing", "damaged")
                  if k in doc}
        return cls(started_at=str(doc.get("started_at") or now_iso()), **fields)

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["seconds"] = round(self.seconds, 3)
        out["mb_per_s"] = round(self.bytes / MB / self.seconds, 2) if self.seconds > 0 else None
        return out


def holder_name() -> str:
    """This process, as a lease names its holder (host, pid and a random tag)."""
    return f"{socket.gethostname()} pid {os.getpid()} {secrets.token_hex(3)}"


class Lease:
    """The right to scrub, held by one process at a time however many share the database: a
    `lease` row naming its holder and an expiry, renewed while working, taken over only once
    it has expired. Taken in a transaction that locks the row (SELECT ... FOR UPDATE on
    PostgreSQL; SQLite's BEGIN IMMEDIATE already admits one writer), so two processes asking
    at once cannot both get it. Expiry is read on each process's clock: the servers' clocks
    must agree within a fraction of LEASE_SECONDS (NTP), as for the stations' skew checks."""

    def __init__(self, db: Database, holder: str | None = None,
                 seconds: float = LEASE_SECONDS) -> None:
        self.db = db
        self.holder = holder or holder_name()
        self.seconds = seconds

    def take(self) -> bool:
        """Take the lease, or renew it if ours; False while another holder's is unexpired."""
        lock = " FOR UPDATE" if self.db.dialect == "postgresql" else ""
        with self.db.transaction() as tx:
            tx.execute("INSERT INTO scrub_state (name, value) VALUES (?, ?) "
                       "ON CONFLICT (name) DO NOTHING", [LEASE, "{}"])
            row = tx.execute(f"SELECT value FROM scrub_state WHERE name = ?{lock}",
                             [LEASE]).fetchone()
            held = json.loads(row[0] or "{}") if row else {}
            now = dt.datetime.now(dt.UTC)
            if held.get("holder") not in (None, self.holder) and \
                    str(held.get("expires_at") or "") > now.isoformat(timespec="microseconds"):
                return False
            until = now + dt.timedelta(seconds=self.seconds)
            write_state(tx, {LEASE: json.dumps({
                "holder": self.holder, "expires_at": until.isoformat(timespec="microseconds"),
                "since": held["since"] if held.get("holder") == self.holder else now_iso()})})
        return True

    def release(self) -> None:
        """Give the lease up at once (the next process need not wait for it to expire)."""
        with self.db.transaction() as tx:
            held = json.loads(read_state(tx, LEASE).get(LEASE) or "{}")
            if held.get("holder") == self.holder:
                write_state(tx, {LEASE: "{}"})

    @staticmethod
    def current(db: Database) -> dict[str, str] | None:
        """Who holds the lease now ({holder, expires_at, since}); None when nobody does."""
        with db.read() as tx:
            held = json.loads(read_state(tx, LEASE).get(LEASE) or "{}")
        if not held.get("holder") or str(held.get("expires_at")) <= now_iso():
            return None
        return {k: str(held[k]) for k in ("holder", "expires_at", "since") if k in held}


def affected(db: Database, shas: Sequence[str]) -> dict[str, dict[str, Any]]:
    """For each blob, the records naming it and the stations holding or owning it: what a
    finding shows an officer (read before the blob's rows are forgotten)."""
    records: dict[str, list[str]] = {sha: [] for sha in shas}
    stations: dict[str, set[str]] = {sha: set() for sha in shas}
    with db.read() as tx:
        for chunk in chunks(shas):
            cond, params = db.in_list("rb.sha256", chunk)
            for sha, rid, name in tx.execute(
                    "SELECT rb.sha256, rb.record_id, s.name FROM record_blobs rb "
                    "JOIN records r ON r.record_id = rb.record_id "
                    f"JOIN stations s ON s.id = r.station WHERE {cond} ORDER BY rb.record_id",
                    params):
                records[sha].append(str(rid))
                stations[sha].add(str(name))
            cond, params = db.in_list("b.sha256", chunk)
            for sha, name in tx.execute("SELECT b.sha256, s.name FROM blobs b JOIN stations s "
                                        f"ON s.id = b.station WHERE {cond}", params):
                stations[sha].add(str(name))
    return {sha: {"records": records[sha][:RECORDS_NAMED], "records_total": len(records[sha]),
                  "stations": sorted(stations[sha])} for sha in shas}


def add_findings(db: Database, found: Mapping[str, tuple[str, dict[str, Any]]],
                 at: str) -> list[str]:
    """A finding per blob (sha256 -> (problem, detail)) unless one is still open for it;
    the blobs that got a new one."""
    with db.transaction() as tx:
        already: set[str] = set()
        for chunk in chunks(sorted(found)):
            cond, params = db.in_list("sha256", chunk)
            already.update(sha for (sha,) in tx.execute(
                f"SELECT sha256 FROM scrub_findings WHERE healed_at IS NULL AND {cond}", params))
        new = [sha for sha in sorted(found) if sha not in already]
        tx.executemany("INSERT INTO scrub_findings (sha256, problem, found_at, detail) "
                       "VALUES (?, ?, ?, ?)",
                       [(sha, found[sha][0], at, json.dumps(found[sha][1])) for sha in new])
    return new


def _finding(row: Sequence[Any]) -> dict[str, Any]:
    seq, sha, problem, found_at, healed_at, detail = row
    doc = json.loads(detail) if detail else {}
    out = {"seq": int(seq), "sha256": sha, "problem": problem, "found_at": found_at,
           "records": doc.get("records", []), "records_total": doc.get("records_total", 0),
           "stations": doc.get("stations", []), "detail": doc}
    if healed_at is not None:
        out["healed_at"] = healed_at
    return out


def scrub_report(db: Database, limit: int = 50) -> dict[str, Any]:
    """What the scrubber found and what was healed, for the console. Shape:

    - `last_pass`: the last complete pass, or None: {started_at, finished_at, blobs, bytes,
      seconds, mb_per_s, missing, damaged} (seconds spent scrubbing; MB = 10^6 bytes);
    - `current`: the pass under way: {started_at, cursor (the last address checked, "" before
      the first), progress (0..1, the cursor's place in the address space: addresses are
      uniform, so it is the share checked), blobs, bytes, seconds, mb_per_s, missing, damaged};
    - `scrubbing`: the process scrubbing now {holder, expires_at, since}, or None;
    - `open`: findings not healed yet, newest first, at most `limit`: {seq, sha256, problem
      ("missing" | "damaged"), found_at, records (ids, at most 100), records_total, stations
      (names), detail (all the finding keeps: expected size, what was read, where the
      damaged bytes were put aside)}; `open_total`: how many there are in all;
    - `healed`: findings healed, most recently healed first, at most `limit`: the same keys
      and `healed_at`.
    """
    cols = "seq, sha256, problem, found_at, healed_at, detail"
    with db.read() as tx:
        state = read_state(tx, CURSOR, PASS, LAST_PASS)
        open_rows = tx.execute(f"SELECT {cols} FROM scrub_findings WHERE healed_at IS NULL "
                               "ORDER BY seq DESC LIMIT ?", [limit]).fetchall()
        (open_total,) = tx.execute("SELECT COUNT(*) FROM scrub_findings "
                                   "WHERE healed_at IS NULL").fetchone() or (0,)
        healed_rows = tx.execute(f"SELECT {cols} FROM scrub_findings WHERE healed_at IS NOT "
                                 "NULL ORDER BY healed_at DESC, seq DESC LIMIT ?",
                                 [limit]).fetchall()
    cursor = state.get(CURSOR, "")
    current = {**PassFigures.parse(state.get(PASS)).to_json(), "cursor": cursor,
               "progress": round(int(cursor[:12], 16) / 16 ** 12, 4) if cursor else 0.0}
    if PASS not in state:
        current["started_at"] = None  # no scrub has run yet
    return {"last_pass": json.loads(state[LAST_PASS]) if LAST_PASS in state else None,
            "current": current, "scrubbing": Lease.current(db),
            "open": [_finding(r) for r in open_rows], "open_total": int(open_total),
            "healed": [_finding(r) for r in healed_rows]}
