"""The server's change log of processing decisions (`GET /v1/status-changes`), what it holds
of a station (`GET /v1/station`), and the migration of a database made before either."""

from __future__ import annotations

import hashlib
import sqlite3
import uuid

import ektp_protocol as protocol
from central.schema import BASE, VERSION
from central.storage import CentralStore


def _deliver(client, st, regno: str, created_at: str) -> str:
    rid = str(uuid.uuid4())
    data = rid.encode()
    sha = hashlib.sha256(data).hexdigest()
    assert client.put(f"/v1/blobs/{sha}", content=data, headers=st.headers).status_code == 201
    body = protocol.canonical({
        # each station delivers under its own station_id (the server refuses a claimed one)
        "protocol": "v1", "record_id": rid, "station_id": f"s-{st.token[:8]}", "regno": regno,
        "local_date": created_at[:10], "created_at": created_at, "operator": "o",
        "applicant": {}, "exceptions": {}, "summary": {},
        "blobs": [{"kind": "k", "sha256": sha, "size": len(data), "content_type": "x"}],
    })
    r = client.put(f"/v1/records/{rid}", content=body,
                   headers={**st.headers, "Kiosk-Signature": protocol.sign(st.key, body)})
    assert r.status_code == 201
    return rid


def test_status_changes_page_through_one_stations_decisions_in_order(app_client, stations):
    """Each decision is one change with a rising cursor; another station sees none of them;
    pages are bounded and say when more are waiting."""
    a, b = stations
    ids = [_deliver(app_client, a, f"r{i}", f"2026-01-01T00:00:0{i}") for i in range(3)]
    other = _deliver(app_client, b, "b0", "2026-01-01T00:00:00")
    store = app_client.store
    store.set_status(ids[1], "rejected", "foto buram")
    store.set_status(other, "accepted", None)
    store.set_status(ids[0], "accepted", None)
    store.set_status(ids[1], "accepted", None)  # an officer changed their mind

    r = app_client.get("/v1/status-changes?since=0", headers=a.headers)
    assert r.status_code == 200
    doc = r.json()
    got = [(c["record_id"], c["status"], c["reason"]) for c in doc["changes"]]
    assert got == [(ids[1], "rejected", "foto buram"), (ids[0], "accepted", None),
                   (ids[1], "accepted", None)]
    cursors = [c["cursor"] for c in doc["changes"]]
    assert cursors == sorted(cursors) and doc["cursor"] == cursors[-1] and not doc["more"]

    first = app_client.get("/v1/status-changes?since=0&limit=2", headers=a.headers).json()
    assert len(first["changes"]) == 2 and first["more"]
    rest = app_client.get(f"/v1/status-changes?since={first['cursor']}",
                          headers=a.headers).json()
    assert [c["cursor"] for c in first["changes"] + rest["changes"]] == cursors
    assert rest["changes"] and not rest["more"]

    none = app_client.get(f"/v1/status-changes?since={doc['cursor']}", headers=a.headers)
    assert none.json() == {"changes": [], "cursor": doc["cursor"], "more": False}
    theirs = app_client.get("/v1/status-changes", headers=b.headers).json()["changes"]
    assert [(c["record_id"], c["status"]) for c in theirs] == [(other, "accepted")]


def test_status_changes_and_station_need_a_token_and_a_sane_cursor(app_client, stations):
    assert app_client.get("/v1/status-changes").status_code == 401
    assert app_client.get("/v1/station").status_code == 401
    a = stations[0]
    for bad in ("-1", "x", "1e99"):
        r = app_client.get(f"/v1/status-changes?since={bad}", headers=a.headers)
        assert r.status_code == 422
    r = app_client.get("/v1/status-changes?limit=100000", headers=a.headers)
    assert r.status_code == 422


def test_station_summary_names_the_newest_record_by_save_time(app_client, stations):
    """Not the last one received: a record re-sent late is older than the newest saved."""
    a, b = stations
    assert app_client.get("/v1/station", headers=a.headers).json() == {
        "records": 0, "last_regno": None}
    _deliver(app_client, a, "627104-01-20260102-002", "2026-01-02T09:00:00+00:00")
    _deliver(app_client, a, "627104-01-20260102-001", "2026-01-02T08:00:00+00:00")
    _deliver(app_client, b, "627104-02-20260105-001", "2026-01-05T08:00:00+00:00")
    assert app_client.get("/v1/station", headers=a.headers).json() == {
        "records": 2, "last_regno": "627104-01-20260102-002"}


def test_a_database_from_before_the_change_log_is_migrated_once_keeping_decisions(tmp_path):
    """An old central.db (no change log, no save times) opens: decisions already taken are
    in the log in their order, save times are filled in, and opening again adds nothing."""
    data = tmp_path / "central"
    data.mkdir()
    old = sqlite3.connect(data / "central.db")
    old.executescript(BASE)
    old.execute("INSERT INTO stations (id, name, token_hash, created_at) "
                "VALUES (1, 's', 'h', 't')")
    for seq, (status, at) in enumerate([("rejected", "2026-01-03"), ("received", None),
                                        ("accepted", "2026-01-02")], start=1):
        manifest = protocol.canonical({"regno": f"r{seq}", "created_at": f"2026-01-0{seq}"})
        old.execute(
            "INSERT INTO records (seq, record_id, station, manifest, manifest_sha256, "
            "station_signature, received_at, status, reject_reason, status_at) "
            "VALUES (?, ?, 1, ?, 'x', 'x', '2026-01-01', ?, ?, ?)",
            [seq, f"id{seq}", manifest, status, "blur" if status == "rejected" else None, at])
    old.commit()
    old.close()

    for _ in range(2):
        store = CentralStore(data)
        conn = store.conn()
        assert conn.execute("PRAGMA user_version").fetchone()[0] == VERSION
        log = conn.execute("SELECT record_id, status, reason FROM status_changes ORDER BY seq")
        assert log.fetchall() == [("id3", "accepted", None), ("id1", "rejected", "blur")]
        created = conn.execute("SELECT created_at FROM records ORDER BY seq").fetchall()
        assert created == [("2026-01-01",), ("2026-01-02",), ("2026-01-03",)]
        conn.close()
