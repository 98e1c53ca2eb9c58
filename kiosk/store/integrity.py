"""`kiosk db check`: the database is the one anchored (not lost, emptied or replaced), SQLite's
own check, every sealed item opens and matches its hash, the audit chain. A damaged file is a
fault named in a sentence, never a traceback."""

from __future__ import annotations

import hashlib
import json

from kiosk.domain.sealing import SealContext
from kiosk.store import audit
from kiosk.store.crypto import DecryptionFailed
from kiosk.store.errors import DatabaseReplaced, StorageError
from kiosk.store.save import open_ident
from kiosk.store.station import Store


def check(store: Store) -> list[str]:
    """Every fault found (empty: the database is sound)."""
    faults: list[str] = []
    try:
        why = store.replaced()
        if why is not None:
            faults.append(str(DatabaseReplaced(why).msg))
        _check(store, faults)
    except StorageError as exc:  # the file is damaged past reading (or the disk fails)
        faults.append(str(exc.msg))
    return faults


def _check(store: Store, faults: list[str]) -> None:
    db = store.db
    result = [r[0] for r in db.execute("PRAGMA integrity_check").fetchall()]
    if result != ["ok"]:
        faults += [f"sqlite integrity_check: {r}" for r in result]
    for r in db.execute("PRAGMA foreign_key_check").fetchall():
        faults.append(f"foreign key broken: table {r[0]} row {r[1]} -> {r[2]}")
    sealer = store.sealer()
    audited = {
        row[0]
        for row in db.execute(
            "SELECT json_extract(detail, '$.record_id') FROM audit WHERE action = 'record.saved'"
        )
    }
    for rid, regno, biodata, summary, purged, ident in db.execute(
        "SELECT id, regno, biodata, summary, purged_at, ident FROM records"
    ).fetchall():
        try:
            applicant = json.loads(sealer.open(biodata, SealContext.biodata(rid)))["applicant"]
        except (DecryptionFailed, ValueError, KeyError):
            faults.append(f"record {regno}: biodata does not decrypt")
        else:
            if ident is not None:
                try:
                    said = open_ident(sealer, rid, ident, biodata)
                except (DecryptionFailed, UnicodeDecodeError):
                    faults.append(f"record {regno}: ident does not decrypt")
                else:
                    if said != (applicant.get("nik", ""), applicant.get("nama", "")):
                        faults.append(f"record {regno}: ident differs from its biodata")
        kinds = set()
        for kind, sha, size, sealed in db.execute(
            "SELECT kind, sha256, size, sealed FROM blobs WHERE record_id = ?", [rid]
        ).fetchall():
            kinds.add(kind)
            if sealed is None:
                if not purged:
                    faults.append(f"record {regno}: blob {kind} is empty but was never purged")
                continue
            try:
                data = sealer.open(sealed, SealContext.blob(rid, kind, sha))
            except DecryptionFailed:
                faults.append(f"record {regno}: blob {kind} does not decrypt")
                continue
            if hashlib.sha256(data).hexdigest() != sha or len(data) != size:
                faults.append(f"record {regno}: blob {kind} does not match its hash")
        expected = set(json.loads(summary)["items"])
        if kinds != expected:
            faults.append(
                f"record {regno}: blobs {sorted(kinds)} differ from the saved list "
                f"{sorted(expected)}"
            )
        if rid not in audited:
            faults.append(f"record {regno}: no audit row for its save")
    fault = audit.verify(db)
    if fault:
        faults.append(str(fault))
