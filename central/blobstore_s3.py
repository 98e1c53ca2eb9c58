"""`s3://BUCKET[/PREFIX]`: the blob store on any S3-compatible object store (SeaweedFS in the
tests), through obstore. The protocol, the errors and the file store: central/blobstore.py."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import IO, Any

from central.blobstore import (
    CHUNK,
    BlobNotFound,
    BlobStoreError,
    BlobStoreUnavailable,
    _Discard,
    _hash_into,
    check_sha256,
)


class S3BlobStore:
    """Blobs as objects `PREFIX/ab/abcd...` in one bucket of an S3-compatible store, through
    obstore (Rust's object_store): a PUT costs the server about a fifth of the CPU botocore
    takes (bench figures in docs/central-production.md), and no call holds the GIL.

    Written once: `If-None-Match: *` (412 -> already there). With `conditional_put=False` (a
    store that ignores the header) it HEADs first, then PUTs: a race between two writers
    then stores the same bytes twice, harmless for content-addressed keys. Every PUT carries
    `x-amz-checksum-sha256`, so the store itself refuses bytes damaged on the way.
    `exists_many` HEADs each blob in a small thread pool: S3 has no batched existence call,
    and a listing of a shard prefix grows with the store, not with the batch. Credentials:
    boto3's default chain (environment, shared files, instance role), asked when needed.
    """

    def __init__(self, bucket: str, prefix: str = "", *, endpoint_url: str | None = None,
                 region: str | None = None, exists_workers: int = 16,
                 conditional_put: bool = True) -> None:
        from obstore.store import S3Store  # imported here: a file store never needs it

        self.bucket = bucket
        self.prefix = f"{prefix.strip('/')}/" if prefix.strip("/") else ""
        self.conditional_put = conditional_put
        config: dict[str, Any] = {"checksum_algorithm": "sha256"}
        if conditional_put:
            config["conditional_put"] = "etag"  # PutMode.Create sends If-None-Match: *
        if endpoint_url:
            config["endpoint"] = endpoint_url
        if region:
            config["region"] = region
        self._store = S3Store(
            bucket, config=config, credential_provider=_AwsChain(),
            client_options={"connect_timeout": timedelta(seconds=3),
                            "timeout": timedelta(seconds=30),
                            "allow_http": bool(endpoint_url and endpoint_url.startswith("http:"))},
            retry_config={"max_retries": 2, "retry_timeout": timedelta(seconds=5),
                          "backoff": {"init_backoff": timedelta(milliseconds=50),
                                      "max_backoff": timedelta(seconds=1), "base": 2}})
        self._pool = ThreadPoolExecutor(max_workers=exists_workers,
                                        thread_name_prefix="s3-exists")

    def key(self, sha256: str) -> str:
        check_sha256(sha256)
        return f"{self.prefix}{sha256[:2]}/{sha256}"

    def put(self, sha256: str, chunks: Iterable[bytes] | bytes, size: int | None = None,
            *, durable: bool = True, flush: bool = True, checked: bool = False) -> bool:
        """Hash (unless the caller `checked` it), then one conditional PUT the store verifies
        by checksum (durable when the store acknowledges it, whatever `durable` or `flush`
        say). A blob given in pieces is gathered first: a single PUT carries its checksum in
        the head (blobs are at most 10 MiB)."""
        import obstore

        key = self.key(sha256)
        if isinstance(chunks, bytes | bytearray | memoryview):
            body = chunks
            _hash_into(_Discard(), sha256, chunks, size, checked)
        else:  # one PUT with its checksum needs the whole body: held once, as the API does
            sink = io.BytesIO()
            _hash_into(sink, sha256, chunks, size)
            body = sink.getbuffer()
        if not self.conditional_put and self._head(key):
            return False
        with self._errors(sha256) as outcome:
            obstore.put(self._store, key, body, use_multipart=False,
                        mode="create" if self.conditional_put else "overwrite")
        return outcome.get("status") not in (409, 412)

    def get(self, sha256: str) -> bytes:
        with self.open(sha256) as stream:
            return stream.read()

    def open(self, sha256: str) -> IO[bytes]:
        import obstore

        with self._errors(sha256) as outcome:
            result = obstore.get(self._store, self.key(sha256))
            return io.BufferedReader(_ObjectReader(iter(result.stream(CHUNK))), CHUNK)
        raise BlobNotFound(f"no blob {sha256}") if outcome.get("status") == 404 else \
            BlobStoreError(f"blob store answered {outcome.get('status')} for {sha256}")

    def _head(self, key: str) -> bool:
        import obstore

        with self._errors(key) as outcome:
            obstore.head(self._store, key)
            return True
        if outcome.get("status") == 404:
            return False
        raise BlobStoreError(f"blob store answered {outcome.get('status')} to HEAD {key}")

    def exists_many(self, shas: list[str]) -> set[str]:
        keys = {sha: self.key(sha) for sha in shas}  # every address checked before any call
        wanted = sorted(keys)
        found = self._pool.map(lambda sha: self._head(keys[sha]), wanted)
        return {sha for sha, there in zip(wanted, found, strict=True) if there}

    def sync(self, shas: list[str]) -> None:
        """Nothing to do: an acknowledged PUT is durable."""

    def discard(self, shas: list[str]) -> None:
        """Nothing to do: a PUT is at its address at once (an unreferenced blob is harmless,
        as any blob stored before its record)."""

    def copy_to(self, sha256: str, key: str) -> bool:
        """Copy the blob's object to `key` (in the same bucket, outside the addresses: the
        scrubber keeps damaged bytes there as evidence); False when it is gone already."""
        import obstore

        with self._errors(sha256) as outcome:
            obstore.copy(self._store, self.key(sha256), key)
        return outcome.get("status") != 404

    def delete(self, sha256: str) -> bool:
        import obstore

        key = self.key(sha256)
        there = self._head(key)
        with self._errors(sha256):
            obstore.delete(self._store, key)
        return there

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    def _errors(self, what: str) -> _S3Errors:
        return _S3Errors(self.bucket, what)


class _ObjectReader(io.RawIOBase):
    """A readable stream over obstore's chunks of one object."""

    def __init__(self, chunks: Iterator[Any]) -> None:
        self._chunks = chunks
        self._left = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._left:
            try:
                self._left = memoryview(bytes(next(self._chunks)))
            except StopIteration:
                return 0
        n = min(len(buffer), len(self._left))
        buffer[:n] = self._left[:n]
        self._left = self._left[n:]
        return n


class NoCredentials(BlobStoreError):
    """Neither the environment nor the AWS chain gives S3 credentials."""


class _AwsChain:
    """obstore credential provider over boto3's default chain (AWS_* variables, shared
    credential and config files, SSO, instance or container role), resolved when obstore
    first needs credentials and again when those it was given are 5 minutes old."""

    def __init__(self) -> None:
        self._credentials: Any = None

    def __call__(self) -> dict[str, Any]:
        if self._credentials is None:
            import boto3

            self._credentials = boto3.session.Session().get_credentials()
            if self._credentials is None:
                raise NoCredentials("no S3 credentials: set AWS_ACCESS_KEY_ID and "
                                    "AWS_SECRET_ACCESS_KEY or an AWS profile")
        frozen = self._credentials.get_frozen_credentials()
        return {"access_key_id": frozen.access_key, "secret_access_key": frozen.secret_key,
                "token": frozen.token,
                "expires_at": dt.datetime.now(dt.UTC) + timedelta(minutes=5)}


class _S3Errors:
    """Translate obstore failures: the store down or failing (connection, 5xx after the
    retries) -> BlobStoreUnavailable; 404, 409 or 412 -> recorded in the yielded dict
    (`status`) for the caller; credentials refused -> BlobStoreError with a sentence (the
    secret never appears: obstore's messages carry the access key id at most)."""

    def __init__(self, bucket: str, what: str) -> None:
        self.bucket, self.what = bucket, what
        self.outcome: dict[str, int] = {}

    def __enter__(self) -> dict[str, int]:
        return self.outcome

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 _tb: object) -> bool:
        from obstore import exceptions as ox

        if exc is None:
            return False
        if isinstance(exc, NoCredentials):
            return False
        if isinstance(exc, ox.NotFoundError | FileNotFoundError):  # obstore raises the latter
            self.outcome["status"] = 404
            return True
        if isinstance(exc, ox.AlreadyExistsError | ox.PreconditionError):
            self.outcome["status"] = 412
            return True
        cause = _first_line(exc)
        if "no S3 credentials" in str(exc):
            raise NoCredentials("no S3 credentials: set AWS_ACCESS_KEY_ID and "
                                "AWS_SECRET_ACCESS_KEY or an AWS profile") from None
        if isinstance(exc, ox.PermissionDeniedError | ox.UnauthenticatedError):
            raise BlobStoreError(f"S3 bucket {self.bucket} refused {self.what[:12]}…: 403 "
                                 f"(credentials or permissions): {cause}") from None
        if isinstance(exc, ox.BaseError):
            status = _CLIENT_STATUS.search(str(exc))
            if status and "NoSuchBucket" not in str(exc):
                raise BlobStoreError(f"S3 bucket {self.bucket} refused {self.what[:12]}…: "
                                     f"{status.group(1)}: {cause}") from None
            raise BlobStoreUnavailable(f"S3 store of bucket {self.bucket} is unreachable or "
                                       f"failing for {self.what[:12]}…: {cause}") from None
        return False


# obstore's (object_store's) words before an HTTP status: "Server returned non-2xx status
# code: 400 Bad Request", and reqwest's "HTTP status client error (400 Bad Request)". Only
# there: its messages also say how long a request took ("in 486.179µs"), which is no status.
_CLIENT_STATUS = re.compile(r"(?:status code: |client error \()(4\d\d)\b")


def _first_line(exc: BaseException) -> str:
    """obstore's message, first line, cut short (it may be a long chain of causes)."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
