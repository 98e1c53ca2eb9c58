"""Wire framing of the bundle upload (`POST /v1/blobs:bundle`): many blobs in one request body.

Layout (all integers big-endian)::

    header  "EKTPBDL1" (8 bytes)  count: u32          -- how many parts follow
    part    sha256: 32 raw bytes  size: u64  bytes     -- `count` times, nothing after

Why length-prefixed parts and not multipart/form-data: the reader knows each part's length
before its first byte, so it can refuse an oversized part before buffering it, hold at most
one part in memory, and never scan the payload for a boundary (which costs CPU on every byte
and needs a boundary that cannot occur in binary data). The 40-byte part head is less than a
multipart part's headers, and the raw digest is the blob's content address: the reader hashes
the bytes while they arrive and says whether they match it. The count in the header tells a
bundle that ended cleanly after its last part from one cut at a part boundary: a cut stream
parses up to its last complete part, and `Outcome` says how far it got.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ektp_protocol.canonical import SHA256_RE, ProtocolError

MAGIC = b"EKTPBDL1"
CONTENT_TYPE = "application/vnd.ektp.bundle"
HEAD = struct.Struct(">8sI")  # magic, part count
PART = struct.Struct(">32sQ")  # raw sha256, size in bytes


class BundleError(ProtocolError):
    """A bundle that breaks the framing (wrong magic, a part over the cap, bytes after the
    last part): what was read before it stays valid."""


class BundleTooLarge(BundleError):
    """More parts, or a bigger part, than the reader takes (refused before its bytes)."""


@dataclass(frozen=True)
class Part:
    """One complete part: its claimed address, its bytes, and whether they hash to it."""

    sha256: str
    data: bytes
    matches: bool


@dataclass(frozen=True)
class Outcome:
    """How far a bundle got: `complete` when all `declared` parts arrived and nothing more;
    else it was cut after `parts` complete parts, `partial` bytes into the next one."""

    declared: int | None  # None: the stream ended inside the header
    parts: int
    partial: int

    @property
    def complete(self) -> bool:
        return self.declared is not None and self.parts == self.declared and not self.partial


def head(count: int) -> bytes:
    """The bundle header announcing `count` parts."""
    return HEAD.pack(MAGIC, count)


def part_head(sha256: str, size: int) -> bytes:
    """The 40 bytes in front of a part's data."""
    if not SHA256_RE.fullmatch(sha256):
        raise ValueError(f"not a sha256: {sha256!r:.80}")
    return PART.pack(bytes.fromhex(sha256), size)


def encode(parts: Iterable[tuple[str, bytes]]) -> Iterator[bytes]:
    """The bundle of `parts` ((sha256 hex, bytes), in order) as a stream of pieces."""
    items = list(parts)
    yield head(len(items))
    for sha, data in items:
        yield part_head(sha, len(data))
        yield data


def encoded_size(sizes: Iterable[int]) -> int:
    """The length of a bundle whose parts have these sizes (its Content-Length)."""
    sizes = list(sizes)
    return HEAD.size + len(sizes) * PART.size + sum(sizes)


class BundleReader:
    """Incremental parser: `feed()` chunks as they arrive and get the parts they complete;
    `outcome()` at the end. At most one part (`max_part` bytes) is held at a time; a header
    announcing more than `max_parts` parts or a part over `max_part` is refused before its
    bytes are read."""

    def __init__(self, *, max_parts: int, max_part: int) -> None:
        self.max_parts = max_parts
        self.max_part = max_part
        self.declared: int | None = None
        self.parts = 0
        self._buf = bytearray()  # an unfinished header or part head
        self._sha: str | None = None  # the part being read, once its head is in
        self._size = 0
        self._data = bytearray()
        self._hash = hashlib.sha256()
        self.error: BundleError | None = None  # the framing broke (see feed)

    def feed(self, chunk: bytes) -> list[Part]:
        """The parts `chunk` completes. When it breaks the framing, the parts before the
        break are still returned and `error` is set; the next feed() raises it."""
        if self.error is not None:
            raise self.error
        out: list[Part] = []
        view = memoryview(chunk)
        try:
            while view:
                view = self._step(view)
                if self._sha is not None and len(self._data) == self._size:
                    out.append(self._close_part())
        except BundleError as exc:
            self.error = exc
        return out

    def _step(self, view: memoryview) -> memoryview:
        if self.declared is None:
            view = self._fill(view, HEAD.size)
            if len(self._buf) == HEAD.size:
                self._start()
        elif self._sha is None:
            if self.parts == self.declared:
                raise BundleError(f"bytes after the last of {self.declared} parts")
            view = self._fill(view, PART.size)
            if len(self._buf) == PART.size:
                self._open_part()
        else:
            take = view[: self._size - len(self._data)]
            self._data += take
            self._hash.update(take)
            view = view[len(take):]
        return view

    def outcome(self) -> Outcome:
        """Where the stream stands now (call at its end: complete or cut)."""
        partial = len(self._buf) + (PART.size + len(self._data) if self._sha else 0)
        return Outcome(self.declared, self.parts, partial if self.declared is not None else 0)

    def _fill(self, view: memoryview, size: int) -> memoryview:
        take = view[: size - len(self._buf)]
        self._buf += take
        return view[len(take):]

    def _start(self) -> None:
        magic, count = HEAD.unpack(self._buf)
        self._buf.clear()
        if magic != MAGIC:
            raise BundleError("not a bundle (wrong magic)")
        if count > self.max_parts:
            raise BundleTooLarge(f"{count} parts announced; at most {self.max_parts} here")
        self.declared = count

    def _open_part(self) -> None:
        raw, size = PART.unpack(self._buf)
        self._buf.clear()
        if size > self.max_part:
            raise BundleTooLarge(f"part of {size} bytes; at most {self.max_part} here")
        self._sha, self._size = raw.hex(), size

    def _close_part(self) -> Part:
        assert self._sha is not None
        part = Part(self._sha, bytes(self._data), self._hash.hexdigest() == self._sha)
        self._sha, self._size = None, 0
        self._data = bytearray()
        self._hash = hashlib.sha256()
        self.parts += 1
        return part


def parse(data: bytes, *, max_parts: int = 1 << 16,
          max_part: int = 1 << 40) -> tuple[list[Part], Outcome]:
    """All complete parts of `data` and how far it got (a cut bundle: up to the cut);
    BundleError when the framing is broken."""
    reader = BundleReader(max_parts=max_parts, max_part=max_part)
    parts = reader.feed(data)
    if reader.error is not None:
        raise reader.error
    return parts, reader.outcome()
