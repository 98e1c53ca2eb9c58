"""Both blob stores behave alike: content addresses checked while streaming, written once,
durable before `put` returns, batched existence, named errors when the store is down, and a
20 MB blob read as a stream (and written as one on files; gathered once for one S3 PUT). The
S3 store runs on a real SeaweedFS, and the bucket is checked with another client (boto3)."""

from __future__ import annotations

import hashlib
import os
import stat
import threading
import time
import tracemalloc

import pytest

from central.blobstore import (
    BlobNotFound,
    BlobStore,
    BlobStoreError,
    BlobStoreUnavailable,
    HashMismatch,
    open_blob_store,
)
from central.blobstore_file import STAGING, STALE_STAGED, FileBlobStore
from central.blobstore_s3 import S3BlobStore


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(params=["file", "s3"])
def store(request, tmp_path) -> BlobStore:
    if request.param == "s3":
        s3_store = request.getfixturevalue("s3_store")
        s3_store.services = request.getfixturevalue("s3")  # to list the bucket with boto3
        yield s3_store
        return
    blobs = FileBlobStore(tmp_path / "blobs")
    yield blobs
    blobs.close()


def _stored_names(store) -> list[str]:
    """Everything the backend holds, temporary files and objects included (the bucket
    listed with boto3: another client than the store's own)."""
    if isinstance(store, FileBlobStore):
        return sorted(str(p.relative_to(store.root)) for p in store.root.rglob("*")
                      if p.is_file())
    listed = store.services.client().list_objects_v2(Bucket=store.bucket)
    return sorted(o["Key"] for o in listed.get("Contents", []))


def test_put_get_open_exists_many_delete(store):
    blobs = {sha(d): d for d in (b"photo", b"finger" * 5000, b"")}
    for address, data in blobs.items():
        assert store.put(address, data) is True
    for address, data in blobs.items():
        assert store.get(address) == data
        with store.open(address) as stream:
            assert stream.read() == data
    absent = sha(b"never sent")
    assert store.exists_many([*blobs, absent, *blobs]) == set(blobs)
    assert store.exists_many([]) == set()
    photo = sha(b"photo")
    assert store.delete(photo) is True and store.delete(photo) is False
    assert store.exists_many([photo]) == set()
    with pytest.raises(BlobNotFound):
        store.get(photo)
    assert store.put(photo, [b"ph", b"oto"]) is True  # the amnesia case: stored again


def test_second_put_returns_false_and_keeps_the_first(store):
    data = b"x" * 100_000
    assert store.put(sha(data), data) is True
    assert store.put(sha(data), iter([data[:10], data[10:]]), size=len(data)) is False
    assert store.get(sha(data)) == data
    assert len(_stored_names(store)) == 1


def test_concurrent_puts_of_one_blob_store_it_once(store):
    data = os.urandom(300_000)
    results: list[bool] = []
    threads = [threading.Thread(target=lambda: results.append(store.put(sha(data), data)))
               for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False] * 7 + [True]
    assert store.get(sha(data)) == data


def test_hash_mismatch_leaves_nothing_behind(store):
    claimed = sha(b"what the manifest says")
    with pytest.raises(HashMismatch) as wrong:
        store.put(claimed, [b"what ", b"was sent"])
    assert wrong.value.expected == claimed and wrong.value.actual == sha(b"what was sent")
    with pytest.raises(HashMismatch, match="3 were announced"):
        store.put(sha(b"abcd"), b"abcd", size=3)
    assert _stored_names(store) == []
    assert store.exists_many([claimed, sha(b"abcd")]) == set()


def test_a_checked_put_is_not_hashed_again_but_its_size_still_is(store, monkeypatch):
    """`checked`: the caller (the drive import) hashed these very bytes as it opened them."""
    data = os.urandom(100_000)
    address = sha(data)
    with pytest.raises(HashMismatch, match="99999 were announced"):
        store.put(address, data, size=99_999, checked=True)
    assert _stored_names(store) == []
    hashed = []
    real = hashlib.sha256
    monkeypatch.setattr(hashlib, "sha256", lambda *a: hashed.append(1) or real(*a))
    assert store.put(address, data, len(data), checked=True) is True
    assert hashed == []  # the blob store hashed nothing
    monkeypatch.undo()
    assert store.get(address) == data and store.exists_many([address]) == {address}


@pytest.mark.parametrize("bad", ["../" * 21 + "etc", "A" * 64, "a" * 63, "a" * 64 + "\n", ""])
def test_a_malformed_address_is_refused_before_any_io(store, bad):
    for call in (lambda: store.put(bad, b"x"), lambda: store.get(bad),
                 lambda: store.exists_many([bad]), lambda: store.delete(bad)):
        with pytest.raises(ValueError, match="not a blob address"):
            call()


def test_a_20_mb_blob_is_held_at_most_once_and_read_as_a_stream(store):
    piece = os.urandom(1 << 20)
    count = 20
    address = hashlib.sha256(piece * count).hexdigest()

    def pieces():
        for _ in range(count):
            yield piece

    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        started = time.perf_counter()
        assert store.put(address, pieces(), size=count * len(piece)) is True
        put_seconds = time.perf_counter() - started
        _, put_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        digest = hashlib.sha256()
        with store.open(address) as stream:
            while block := stream.read(1 << 20):
                digest.update(block)
        _, read_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert digest.hexdigest() == address
    print(f"\n20 MiB via {type(store).__name__}: put {put_seconds:.2f} s, "
          f"peak {put_peak / 2**20:.1f} MiB put, {read_peak / 2**20:.1f} MiB read")
    # the blob is 20 MiB: a file store streams it; one S3 PUT carries the checksum of the
    # whole body in its head, so the body is gathered once (never copied again)
    assert put_peak < (6 if isinstance(store, FileBlobStore) else 26) * 2**20, put_peak
    assert read_peak < 6 * 2**20, read_peak


def test_file_store_modes_and_layout(tmp_path):
    root = tmp_path / "blobs"
    store = FileBlobStore(root)
    data = b"applicant photo"
    store.put(sha(data), data)
    path = root / sha(data)[:2] / sha(data)
    assert path.read_bytes() == data and store.path(sha(data)) == path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    assert [p.name for p in path.parent.iterdir()] == [sha(data)]  # no temporary file left


def test_a_stopped_seaweed_raises_unavailable_then_works_after_start(s3, s3_store):
    kept = b"stored before the outage"
    s3_store.put(sha(kept), kept)
    s3.stop()
    try:
        for call in (lambda: s3_store.put(sha(b"during"), b"during"),
                     lambda: s3_store.get(sha(kept)),
                     lambda: s3_store.exists_many([sha(kept)])):
            with pytest.raises(BlobStoreUnavailable) as down:
                call()
            assert down.value.retry_after > 0 and "unreachable" in str(down.value)
    finally:
        started = time.perf_counter()
        s3.start()
        print(f"\nSeaweedFS back in {time.perf_counter() - started:.1f} s")
    assert s3_store.get(sha(kept)) == kept
    assert s3_store.put(sha(b"during"), b"during") is True


def test_s3_credentials_come_only_from_the_environment(s3, s3_store, monkeypatch, tmp_path):
    nowhere = str(tmp_path / "none")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", nowhere)
    monkeypatch.setenv("AWS_CONFIG_FILE", nowhere)
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    bare = S3BlobStore(s3_store.bucket, "blobs", endpoint_url=s3.endpoint_url, region=s3.region)
    with pytest.raises(BlobStoreError, match="no S3 credentials"):
        bare.exists_many([sha(b"x")])
    bare.close()
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", s3.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wrong-" + s3.secret_key)
    forged = S3BlobStore(s3_store.bucket, "blobs", endpoint_url=s3.endpoint_url,
                         region=s3.region)
    with pytest.raises(BlobStoreError) as refused:
        forged.put(sha(b"x"), b"x")
    forged.close()
    assert not isinstance(refused.value, BlobStoreUnavailable)
    assert "403" in str(refused.value) and s3.secret_key not in str(refused.value)


def test_open_blob_store_urls(tmp_path, s3, s3_env):
    file_store = open_blob_store(f"file://{tmp_path}/blobs")
    assert isinstance(file_store, FileBlobStore) and file_store.root == tmp_path / "blobs"
    s3_store = open_blob_store(f"s3://{s3.bucket}/central/blobs/",
                               endpoint_url=s3.endpoint_url, region=s3.region)
    assert isinstance(s3_store, S3BlobStore)
    assert s3_store.key("ab" * 32) == f"central/blobs/ab/{'ab' * 32}"
    assert s3_store.put(sha(b"via url"), b"via url") is True
    s3_store.close()
    for url, message in [("http://example.org/x", "unsupported blob store URL"),
                         ("s3://", "s3://BUCKET"), ("file://host/x", "file:///ABSOLUTE"),
                         ("/plain/path", "unsupported"), ("s3://b/p?x=1", "s3://BUCKET")]:
        with pytest.raises(ValueError, match=message):
            open_blob_store(url)
    with pytest.raises(ValueError, match="must not carry credentials") as leaked:
        open_blob_store("s3://AKID:topsecret@bucket")
    assert "topsecret" not in str(leaked.value)


def test_exists_many_figures(store):
    shas = [sha(str(i).encode()) for i in range(200)]
    held = {sha(str(i).encode()) for i in range(0, 200, 2)}
    for i in range(0, 200, 2):
        store.put(sha(str(i).encode()), str(i).encode())
    started = time.perf_counter()
    assert store.exists_many(shas) == held
    print(f"\nexists_many(200) via {type(store).__name__}: "
          f"{(time.perf_counter() - started) * 1000:.0f} ms")


def test_unflushed_puts_reach_their_addresses_at_this_threads_sync_only(store):
    kept, dropped, wrong = b"carried" * 1000, b"dropped" * 1000, b"not its address"
    assert store.put(sha(kept), kept, flush=False) is True
    assert store.put(sha(dropped), dropped, flush=False) is True
    with pytest.raises(HashMismatch):
        store.put(sha(b"other"), wrong, flush=False)
    if isinstance(store, FileBlobStore):  # off its address, whoever looks, until synced
        assert store.exists_many([sha(kept), sha(dropped)]) == set()
        other = threading.Thread(target=store.sync, args=([sha(kept)],))
        other.start()
        other.join()  # another thread's sync does not take this thread's blobs
        with pytest.raises(BlobNotFound):
            store.get(sha(kept))
    store.discard([sha(dropped)])
    store.sync([sha(kept)])
    assert store.get(sha(kept)) == kept
    if isinstance(store, FileBlobStore):
        assert store.exists_many([sha(dropped), sha(b"other")]) == set()
        assert _stored_names(store) == [f"{sha(kept)[:2]}/{sha(kept)}"]  # nothing staged
        assert store.put(sha(kept), kept, flush=False) is False  # there: checked, not written
        store.sync([sha(kept)])
        assert _stored_names(store) == [f"{sha(kept)[:2]}/{sha(kept)}"]


def test_each_thread_stages_in_a_folder_of_its_own_and_leaves_none_behind(tmp_path):
    """Two writers creating files in one folder queue for its lock in the kernel: each
    thread stages in its own, which its sync (or discard) removes once empty."""
    store = FileBlobStore(tmp_path / "blobs")
    blobs = {i: f"writer {i} ".encode() * 5000 for i in (0, 1)}
    staged, synced = threading.Barrier(3), threading.Barrier(3)
    errors: list[BaseException] = []

    def writer(i: int) -> None:
        try:
            assert store.put(sha(blobs[i]), blobs[i], flush=False) is True
            staged.wait(timeout=10)
            synced.wait(timeout=10)
            (store.sync if i == 0 else store.discard)([sha(blobs[i])])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(i,)) for i in (0, 1)]
    for t in threads:
        t.start()
    staged.wait(timeout=10)
    folders = sorted((store.root / STAGING).iterdir())
    assert len(folders) == 2 and [len(list(f.iterdir())) for f in folders] == [1, 1]
    synced.wait(timeout=10)
    for t in threads:
        t.join()
    assert errors == []
    assert list((store.root / STAGING).iterdir()) == []  # synced and discarded: no folder
    assert store.get(sha(blobs[0])) == blobs[0]
    assert store.exists_many([sha(blobs[1])]) == set()


def test_a_crashed_batchs_staged_files_are_swept_and_a_live_one_is_kept(tmp_path):
    root = tmp_path / "blobs"
    old = time.time() - STALE_STAGED - 60
    crashed, live, empty = (root / STAGING / name for name in ("11-11", "22-22", "33-33"))
    for folder in (crashed, live, empty):
        folder.mkdir(parents=True)
    (crashed / "aaaa-1").write_bytes(b"left by a crash")
    (live / "bbbb-2").write_bytes(b"a batch still writing")
    flat = root / STAGING / "cccc-99-3"  # an older version staged without folders
    flat.write_bytes(b"left by a crash, long ago")
    for path in (crashed / "aaaa-1", flat, empty):
        os.utime(path, (old, old))
    FileBlobStore(root)
    assert sorted(str(p.relative_to(root / STAGING)) for p in (root / STAGING).rglob("*")) \
        == ["22-22", "22-22/bbbb-2"]


@pytest.mark.parametrize("message, refused", [
    # seen in CI: SeaweedFS stopped mid-upload; "486" is how long the request took, not a
    # status, and the server must answer 503, not take it for a refusal (500)
    ("Generic S3 error: Error performing PUT http://127.0.0.1:58029/b/blobs/55/5569 in "
     "486.179µs - HTTP error: error sending request", None),
    ("Generic S3 error: Error performing PUT http://127.0.0.1:1/b/k in 404ms, after 2 "
     "retries, max_retries: 2, retry_timeout: 5s  - HTTP error: error sending request", None),
    ("Generic S3 error: Error performing PUT http://127.0.0.1:1/b/k in 3.1ms - Server "
     "returned non-2xx status code: 503 Service Unavailable: <Error>SlowDown</Error>", None),
    ("Generic S3 error: Error performing PUT http://127.0.0.1:1/b/k in 401µs - Server "
     "returned non-2xx status code: 400 Bad Request: <Error>InvalidDigest</Error>", "400"),
    ("Generic S3 error: HTTP status client error (413 Payload Too Large) for url", "413"),
])
def test_an_s3_failure_is_a_refusal_only_when_the_store_answered_4xx(message, refused):
    """A refusal (BlobStoreError, the request was wrong) only for a status the store sent;
    anything else (no answer, 5xx) is the store unavailable: 503 + Retry-After upstream."""
    from obstore.exceptions import GenericError

    from central.blobstore_s3 import _S3Errors

    with pytest.raises(BlobStoreError) as caught, _S3Errors("b", "0" * 64):
        raise GenericError(message)
    assert isinstance(caught.value, BlobStoreUnavailable) == (refused is None)
    if refused:
        assert f"refused {'0' * 12}…: {refused}:" in str(caught.value)
