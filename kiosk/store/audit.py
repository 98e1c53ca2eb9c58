"""The audit log: append-only (triggers refuse UPDATE/DELETE) and hash-chained.

Each row's hash covers the previous row's hash and its own content, so editing a row breaks its
hash, deleting one breaks the chain (or, for the newest, the recorded head), and `verify` names
the first bad row.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from kiosk.store.db import iso, utcnow

GENESIS = "0" * 64


def canonical(obj: Any) -> bytes:
    """Canonical JSON: sorted keys, UTF-8, no insignificant space."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _row_hash(prev_hash: str, seq: int, ts: str, actor: str, action: str, detail: str) -> str:
    body = canonical([seq, ts, actor, action, detail])
    return hashlib.sha256(prev_hash.encode() + b"\n" + body).hexdigest()


def append(db: sqlite_utils.Database, actor: str, action: str, detail: dict[str, Any]) -> int:
    """Append one row; call inside the write transaction of the change it records."""
    conn = db.conn
    last = conn.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    prev_hash = last[1] if last else GENESIS
    seq = (last[0] if last else 0) + 1
    ts = iso(utcnow())
    detail_txt = canonical(detail).decode()
    h = _row_hash(prev_hash, seq, ts, actor, action, detail_txt)
    conn.execute(
        "INSERT INTO audit (seq, ts, actor, action, detail, prev_hash, hash) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [seq, ts, actor, action, detail_txt, prev_hash, h],
    )
    # meta.audit_head follows by the audit_head trigger (schema v002).
    return seq


@dataclass(frozen=True)
class AuditFault:
    """The first row where the chain breaks, and why."""

    seq: int
    reason: str

    def __str__(self) -> str:
        return f"audit row {self.seq}: {self.reason}"


def verify(db: sqlite_utils.Database) -> AuditFault | None:
    """Walk the chain; None when intact, else the first bad row."""
    expected_seq = 1
    prev_hash = GENESIS
    for seq, ts, actor, action, detail, stored_prev, stored_hash in db.execute(
        "SELECT seq, ts, actor, action, detail, prev_hash, hash FROM audit ORDER BY seq"
    ):
        if seq != expected_seq:
            return AuditFault(expected_seq, "row is missing (deleted)")
        if stored_prev != prev_hash:
            return AuditFault(seq, "previous-hash link broken (a row before it was changed)")
        if _row_hash(prev_hash, seq, ts, actor, action, detail) != stored_hash:
            return AuditFault(seq, "content does not match its hash (edited)")
        prev_hash = stored_hash
        expected_seq += 1
    last_seq = expected_seq - 1
    head = db.execute("SELECT value FROM meta WHERE key = 'audit_head'").fetchone()
    seq_row = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'audit'").fetchone()
    high_water = max(int(head[0].split(":")[0]) if head else 0, int(seq_row[0]) if seq_row else 0)
    if high_water > last_seq:
        return AuditFault(last_seq + 1, "row is missing (deleted from the end)")
    if head and head[0] != f"{last_seq}:{prev_hash}":
        return AuditFault(last_seq, "newest row does not match the recorded head")
    return None


def rows(db: sqlite_utils.Database, limit: int = 100) -> list[dict[str, Any]]:
    """The newest rows, newest first."""
    return list(
        db.query(
            "SELECT seq, ts, actor, action, detail FROM audit ORDER BY seq DESC LIMIT ?", [limit]
        )
    )
