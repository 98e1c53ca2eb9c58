"""The scrubber (central/scrub.py) on BOTH backends: the embedded one (SQLite + a blob
folder) and the production one (PostgreSQL + S3 on SeaweedFS, real servers). Records arrive
through the API; blobs are damaged or deleted behind the server's back, as a disk or a bucket
would; the scrubber finds them, the records become incomplete, and an upload heals them."""

from __future__ import annotations

import os
import threading
import time
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import ektp_protocol as protocol
from central.app import create_app
from central.blobstore import BlobNotFound
from central.blobstore_file import FileBlobStore
from central.scrub import BlobStoreUnreadable, Scrubber, ScrubLeaseHeld, scrub_now
from central.scrub_state import Lease, add_findings, scrub_report
from central.storage import CentralStore
from tests.central.test_backends_api import (
    _blobs,
    _closed_port,
    _manifest,
    _missing,
    _put_record,
    _reconcile,
    _Station,
)


class Backend:
    """A server store with a TestClient, and the means to hurt its blob store."""

    def __init__(self, client: TestClient, store: CentralStore, s3=None,
                 reopen=None) -> None:
        self.client, self.store, self.s3 = client, store, s3
        self.reopen = reopen  # () -> the same database, its blob store unreachable

    def damage(self, sha: str) -> bytes:
        """Flip bytes in the middle of the stored blob (in the file, or by overwriting the
        object as a broken disk under the bucket would); the damaged bytes."""
        data = bytearray(self.store.blobs.get(sha))
        for i in range(len(data) // 2, len(data) // 2 + 4):
            data[i] ^= 0xFF
        if isinstance(self.store.blobs, FileBlobStore):
            self.store.blobs.path(sha).write_bytes(data)
        else:
            self.s3.client().put_object(Bucket=self.store.blobs.bucket,
                                        Key=self.store.blobs.key(sha), Body=bytes(data))
        return bytes(data)

    def stored(self, sha: str) -> bytes | None:
        try:
            return self.store.blobs.get(sha)
        except BlobNotFound:
            return None

    def aside(self, where: str) -> bytes:
        """The bytes a finding says were put aside (a path, or an s3:// key)."""
        if where.startswith("s3://"):
            bucket, _, key = where[len("s3://"):].partition("/")
            return self.s3.client().get_object(Bucket=bucket, Key=key)["Body"].read()
        assert os.stat(where).st_mode & 0o777 == 0o600
        return Path(where).read_bytes()


@pytest.fixture(params=["sqlite+file", "postgresql+s3"])
def backend(request, tmp_path):
    s3 = reopen = None
    if request.param == "sqlite+file":
        store = CentralStore(tmp_path / "central")
    else:
        request.getfixturevalue("s3_env")
        s3, dsn = request.getfixturevalue("s3"), request.getfixturevalue("pg_dsn")
        bucket = s3.create_bucket(f"t-{uuid.uuid4().hex[:16]}")
        key = protocol.new_private_key()

        def reopen(endpoint: str | None = None) -> CentralStore:
            return CentralStore.open(dsn, f"s3://{bucket}/blobs", key=key, migrate=True,
                                     blob_options={"endpoint_url": endpoint or s3.endpoint_url,
                                                   "region": s3.region})
        store = reopen()
    with TestClient(create_app(store=store, max_inflight=0)) as c:
        c.store = store
        yield Backend(c, store, s3, reopen)
    store.close()


def _embedded(path: Path) -> Backend:
    """The embedded server over `path` (its TestClient started; close the store after)."""
    store = CentralStore(path)
    client = TestClient(create_app(store=store, max_inflight=0))
    client.store = store
    return Backend(client, store)


def _deliver(backend: Backend, st: _Station, n: int, tag: str) -> dict[str, dict]:
    """n records of 3 blobs each through the API: record id -> {blobs, receipt}."""
    out = {}
    for i in range(n):
        blobs, rid = _blobs(3, f"{tag}{i}"), str(uuid.uuid4())
        for sha, data in blobs.items():
            r = backend.client.put(f"/v1/blobs/{sha}", content=data, headers=st.headers)
            assert r.status_code == 201
        receipt = _put_record(backend.client, st, rid, _manifest(rid, blobs))
        assert receipt.status_code == 201
        out[rid] = {"blobs": blobs, "receipt": receipt.json()}
    return out


def test_a_damaged_and_a_missing_blob_are_found_and_an_upload_heals_them(backend):
    """Both become findings naming their record and station; the damaged bytes leave the
    address (kept aside); reconcile and blobs:missing ask for exactly those blobs; the
    station's uploads heal the findings and the records are whole again, same receipts."""
    st = _Station(backend.client, "kec-a")
    records = _deliver(backend, st, 3, "scrub")
    ids = list(records)
    damaged, lost = sorted(records[ids[0]]["blobs"])[1], sorted(records[ids[1]]["blobs"])[0]
    bad_bytes = backend.damage(damaged)
    assert backend.store.blobs.delete(lost)

    run = scrub_now(backend.store)

    assert run.blobs == 9 and run.passes_finished == 1
    assert sorted((p["sha256"], p["problem"], tuple(p["records"]), tuple(p["stations"]))
                  for p in run.problems) == sorted([(damaged, "damaged", (ids[0],), ("kec-a",)),
                                                   (lost, "missing", (ids[1],), ("kec-a",))])
    report = scrub_report(backend.store.db)
    found = {f["sha256"]: f for f in report["open"]}
    assert report["open_total"] == 2 and report["healed"] == []
    assert (found[damaged]["problem"], found[lost]["problem"]) == ("damaged", "missing")
    assert found[damaged]["detail"]["read_size"] == len(bad_bytes)
    assert report["last_pass"]["blobs"] == 9 and report["last_pass"]["missing"] == 1
    assert backend.stored(damaged) is None  # out of the address, so an upload can land
    assert backend.aside(found[damaged]["detail"]["put_aside"]) == bad_bytes
    ans = _reconcile(backend.client, st, ids)
    assert sorted(ans["missing"]) == sorted(ids[:2]) and list(ans["present"]) == [ids[2]]
    every = [sha for r in records.values() for sha in r["blobs"]]
    assert sorted(_missing(backend.client, st, every)) == sorted([damaged, lost])

    for sha, rid in ((damaged, ids[0]), (lost, ids[1])):
        r = backend.client.put(f"/v1/blobs/{sha}", content=records[rid]["blobs"][sha],
                               headers=st.headers)
        assert r.status_code == 201
    report = scrub_report(backend.store.db)
    assert report["open"] == [] and report["open_total"] == 0
    assert sorted(f["sha256"] for f in report["healed"]) == sorted([damaged, lost])
    assert all(f["healed_at"] > f["found_at"] for f in report["healed"])
    ans = _reconcile(backend.client, st, ids)
    assert ans["present"] == {rid: records[rid]["receipt"] for rid in ids}
    assert backend.stored(damaged) == records[ids[0]]["blobs"][damaged]
    again = scrub_now(backend.store)
    assert again.problems == [] and again.blobs == 9


def test_a_blob_store_that_is_down_stops_the_scrub_and_records_nothing(backend, tmp_path):
    """No false "missing": an unreachable S3, a blob folder gone or an empty folder where the
    disk should be mounted stop the scrub with a sentence, and no row or finding changes."""
    st = _Station(backend.client, "kec-a")
    records = _deliver(backend, st, 2, "down")
    before = _reconcile(backend.client, st, list(records))["present"]
    if backend.s3 is not None:
        down = backend.reopen(f"http://127.0.0.1:{_closed_port()}")
        with pytest.raises(BlobStoreUnreadable, match="cannot be read"):
            scrub_now(down)
        down.close()
    else:
        root = backend.store.blobs.root
        root.rename(tmp_path / "elsewhere")
        with pytest.raises(BlobStoreUnreadable, match="not there"):
            scrub_now(backend.store)
        root.mkdir()  # a mount point whose disk is not mounted
        with pytest.raises(BlobStoreUnreadable, match="not there"):
            scrub_now(backend.store)
        root.rmdir()
        (tmp_path / "elsewhere").rename(root)
    report = scrub_report(backend.store.db)
    assert report["open"] == [] and report["last_pass"] is None
    assert report["current"]["cursor"] == ""
    assert _reconcile(backend.client, st, list(records))["present"] == before
    assert scrub_now(backend.store).problems == []


def test_the_lease_admits_one_scrubber_at_a_time(backend):
    """Of processes asking at once exactly one gets the lease; the others cannot scrub
    until it is given up or has expired."""
    _deliver(backend, _Station(backend.client, "kec-a"), 1, "lease")
    db = backend.store.db
    leases = [Lease(db, holder=f"p{i}") for i in range(6)]
    barrier, got = threading.Barrier(len(leases)), []

    def ask(lease: Lease) -> None:
        barrier.wait()
        if lease.take():
            got.append(lease)

    threads = [threading.Thread(target=ask, args=(le,)) for le in leases]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(got) == 1
    holder = got[0]
    assert Lease.current(db)["holder"] == holder.holder
    with pytest.raises(ScrubLeaseHeld, match=holder.holder):
        scrub_now(backend.store)
    assert scrub_report(db)["current"]["blobs"] == 0  # nothing was read
    assert holder.take()  # renewed by its holder
    holder.release()
    assert Lease.current(db) is None
    brief = Lease(db, holder="brief", seconds=0.2)
    assert brief.take() and not holder.take()
    deadline = time.monotonic() + 10
    while not holder.take():  # taken over once it expired
        assert time.monotonic() < deadline
        time.sleep(0.05)
    holder.release()
    assert scrub_now(backend.store).blobs == 3


def _confirmed(store: CentralStore) -> dict[str, str]:
    with store.db.read() as tx:
        return dict(tx.execute("SELECT sha256, confirmed_at FROM blobs").fetchall())


def test_the_cursor_resumes_in_address_order_across_restarts(tmp_path):
    """A scrub stopped after N blobs has checked the N lowest addresses; a new process goes
    on from there, and a whole run wraps round to where it began."""
    local = _embedded(tmp_path / "central")
    store = local.store
    _deliver(local, _Station(local.client, "kec-a"), 3, "cursor")
    with store.db.transaction() as tx:
        tx.execute("UPDATE blobs SET confirmed_at = '2000'")
    shas = sorted(_confirmed(store))
    first = Scrubber(store).run(limit=4)
    assert first.stopped_early and first.cursor == shas[3]
    assert sorted(s for s, at in _confirmed(store).items() if at > "2000") == shas[:4]
    assert scrub_report(store.db)["current"]["cursor"] == shas[3]
    store.close()

    store = CentralStore(tmp_path / "central")  # a restart
    assert Scrubber(store).run(limit=3).cursor == shas[6]
    assert sorted(s for s, at in _confirmed(store).items() if at > "2000") == shas[:7]
    whole = Scrubber(store).run()
    assert whole.blobs == 9 and whole.passes_finished == 1 and not whole.stopped_early
    report = scrub_report(store.db)
    assert report["last_pass"]["blobs"] == 9  # 4 + 3 + the last 2
    assert report["current"]["cursor"] == shas[6] and report["current"]["blobs"] == 7
    assert 0 < report["current"]["progress"] < 1
    store.close()


def test_the_pace_keeps_the_average_read_rate_at_the_limit(tmp_path):
    """--mb-per-s: the run takes as long as its bytes at that rate, not much longer."""
    local = _embedded(tmp_path / "central")
    store, st = local.store, _Station(local.client, "kec-a")
    for i in range(8):
        data = os.urandom(250_000) + bytes([i])
        r = local.client.put(f"/v1/blobs/{protocol.sha256_hex(data)}", content=data,
                             headers=st.headers)
        assert r.status_code == 201
    fast = Scrubber(store).run()
    paced = Scrubber(store, mb_per_s=2.0).run()
    assert paced.bytes == fast.bytes == 8 * 250_001
    assert paced.seconds >= paced.bytes / 2e6 * 0.98
    assert paced.mb_per_s <= 2.0 and paced.seconds < paced.bytes / 2e6 + 1.0
    store.close()


def test_the_background_scrubber_finds_a_damaged_blob_and_gives_the_lease_up(tmp_path):
    """What `serve --scrub-mb-per-s` runs: a pass at once, then a rest; stopping it frees
    the lease for another process."""
    from central.scrub import BackgroundScrubber

    local = _embedded(tmp_path / "central")
    store = local.store
    records = _deliver(local, _Station(local.client, "kec-a"), 2, "bg")
    damaged = sorted(next(iter(records.values()))["blobs"])[0]
    local.damage(damaged)
    bg = BackgroundScrubber(store, 50.0, rest=3600).start()
    try:
        deadline = time.monotonic() + 30
        while scrub_report(store.db)["last_pass"] is None:
            assert time.monotonic() < deadline and bg.thread.is_alive()
            time.sleep(0.05)
        assert Lease.current(store.db)["holder"] == bg.lease.holder
    finally:
        bg.stop()
    report = scrub_report(store.db)
    assert [(f["sha256"], f["problem"]) for f in report["open"]] == [(damaged, "damaged")]
    assert report["last_pass"]["blobs"] == 6 and report["scrubbing"] is None
    assert not bg.thread.is_alive()
    store.close()


def test_the_walk_gives_every_address_once_in_order_whatever_the_stations_hold(backend):
    """`blobs_after` walks the addresses in order: addresses several stations hold come once
    with every station's row, none is skipped at a batch's edge, `upto` bounds."""
    db = backend.store.db
    a, b, c = (db.add_station(n, f"token-{n}") for n in ("a", "b", "c"))
    shas = [protocol.sha256_hex(str(i).encode()) for i in range(60)]
    db.insert_blobs(a, {s: 1 for s in shas[:50]})
    db.insert_blobs(b, {s: 2 for s in shas[50:55]})
    db.insert_blobs(c, {s: 3 for s in shas[40:60]})
    walked, cursor = [], ""
    while batch := db.blobs_after(cursor, limit=4):
        walked.extend(batch)
        cursor = batch[-1][0]
    assert [sha for sha, _ in walked] == sorted(shas)
    rows = dict(walked)
    assert rows[shas[0]] == {a: 1} and rows[shas[45]] == {a: 1, c: 3}
    assert rows[shas[52]] == {b: 2, c: 3} and rows[shas[58]] == {c: 3}
    middle = sorted(shas)[30]
    assert [s for s, _ in db.blobs_after("", middle, limit=100)] == sorted(shas)[:31]


def test_a_blob_found_again_before_it_was_healed_keeps_one_open_finding(backend):
    """A scrub stopped between its finding and forgetting the rows finds the blob again:
    still one finding; once healed, a new problem is a new finding."""
    db, sha = backend.store.db, "ab" * 32
    assert add_findings(db, {sha: ("damaged", {})}, "2026-01-01T00:00:00+00:00") == [sha]
    assert add_findings(db, {sha: ("missing", {})}, "2026-01-02T00:00:00+00:00") == []
    assert [(f["problem"], f["found_at"][:10]) for f in scrub_report(db)["open"]] == [
        ("damaged", "2026-01-01")]
    db.insert_blobs(db.add_station("a", "token-a"), {sha: 1})  # the station sent it again
    assert add_findings(db, {sha: ("missing", {})}, "2026-01-03T00:00:00+00:00") == [sha]
    report = scrub_report(db)
    assert [f["problem"] for f in report["open"]] == ["missing"]
    assert [f["problem"] for f in report["healed"]] == ["damaged"]
