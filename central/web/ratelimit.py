"""Fixed-window rate limits kept in the database (`rate_counters`), so every server process
sharing one database counts the same attempts: an applicant, or someone guessing birth dates,
gets the same allowance whichever process answers.

An attempt counts against each of its limits (the client's address, the registration number
asked) in ONE statement: an upsert per key that answers the new counts. On a busy page the
attempts that arrive together share that statement and its commit (`hit_async`). A key is an HMAC of
what it counts, keyed with a secret every process of the server shares (derived from the
receipt-signing key), so the table never holds an address or a registration number, and a
copy of the database alone cannot tell which addresses asked for which numbers (both are
small spaces a plain hash would not hide). Windows end on multiples of their length; each
process deletes the counters of ended windows once a window."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import math
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from central.database import Database


@dataclass(frozen=True)
class Limit:
    """At most `most` attempts per window for `value` (an address, a number) of `kind`."""

    kind: str
    value: str
    most: int


@dataclass(frozen=True)
class Verdict:
    """Whether the attempt may go on, and in how many seconds the current window ends."""

    allowed: bool
    retry_after: int

    @property
    def minutes(self) -> int:
        """Whole minutes until the window ends, as a person is told ("dalam 4 menit")."""
        return max(1, math.ceil(self.retry_after / 60))


def secret_from_key(private_key: str) -> bytes:
    """The counters' HMAC key from the server's signing key: the same in every process of
    one server (they share the key file), never stored anywhere."""
    return hashlib.sha256(b"ektp-rate-counters-v1|" + private_key.encode()).digest()


class RateLimiter:
    """Counts attempts in `window_s`-second windows in `db` (`clock`: seconds since the
    epoch, the wall clock unless a test gives its own)."""

    def __init__(self, db: Database, secret: bytes, window_s: int,
                 clock: Callable[[], float] = time.time) -> None:
        if window_s < 1:
            raise ValueError("a rate window lasts at least one second")
        self.db, self.window, self._secret, self._clock = db, int(window_s), secret, clock
        self._swept = -1  # start of the window whose predecessors this process deleted
        # SQLite takes one writer at a time and makes the others poll with growing sleeps
        # (1, 2, 5 ... 100 ms): waiting on a lock here instead wakes the next writer at once.
        # PostgreSQL's upserts on distinct keys run side by side.
        self._writer: Any = threading.Lock() if db.dialect == "sqlite" \
            else contextlib.nullcontext()
        # hit_async's batch: attempts waiting for the next write, on this event loop
        self._loop: asyncio.AbstractEventLoop | None = None
        self._queue: list[tuple[Sequence[Limit], asyncio.Future[Verdict]]] = []
        self._draining = False
        self._drainer: asyncio.Task[None] | None = None  # kept: a task nobody holds may go

    def key(self, kind: str, value: str) -> str:
        """The counter's key for `value`: its kind in clear, the value as an HMAC."""
        digest = hmac.new(self._secret, f"{kind}|{value}".encode(), hashlib.sha256)
        return f"{kind}:{digest.hexdigest()[:32]}"

    def hit(self, limits: Sequence[Limit]) -> Verdict:
        """Count one attempt against every limit; refused when any is now over its most.
        Attempts refused still count (whoever keeps trying keeps being refused)."""
        return self._write([limits])[0]

    async def hit_async(self, limits: Sequence[Limit]) -> Verdict:
        """`hit` for the event loop: the attempts that arrive while one write is under way
        go together in the next (one transaction, one commit, one thread hop for all of
        them), so a busy page pays one disk flush per batch rather than per attempt."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # a new loop (tests): nothing of the old one is pending
            self._loop, self._queue, self._draining = loop, [], False
        done: asyncio.Future[Verdict] = loop.create_future()
        self._queue.append((limits, done))
        if not self._draining:
            self._draining = True
            self._drainer = loop.create_task(self._drain())
        return await done

    async def _drain(self) -> None:
        try:
            while self._queue:
                batch, self._queue = self._queue, []
                try:
                    verdicts = await asyncio.to_thread(self._write, [b[0] for b in batch])
                except Exception as exc:  # DatabaseUnavailable: each caller answers it
                    for _, done in batch:
                        if not done.done():
                            done.set_exception(exc)
                    continue
                for (_, done), verdict in zip(batch, verdicts, strict=True):
                    if not done.done():  # its request may have gone (client disconnected)
                        done.set_result(verdict)
        finally:
            self._draining = False

    def _write(self, attempts: Sequence[Sequence[Limit]]) -> list[Verdict]:
        """Count `attempts` (in order) in ONE upsert and commit; each one's verdict as if
        counted alone: its count of a key is the key's count before the batch plus the
        attempts up to and including it."""
        now = self._clock()
        start = int(now // self.window) * self.window
        keyed = [[(self.key(lim.kind, lim.value), lim.most) for lim in limits]
                 for limits in attempts]
        added = Counter(k for keys in keyed for k, _ in keys)
        if not added:
            return [Verdict(True, 0) for _ in attempts]
        rows = ", ".join("(?, ?, ?)" for _ in added)
        params = [p for k, n in added.items() for p in (k, start, n)]
        sweep = start > self._swept
        with self._writer, self.db.transaction() as tx:
            totals = dict(tx.execute(
                f"INSERT INTO rate_counters (key, window_start, hits) VALUES {rows} "
                "ON CONFLICT (key, window_start) DO UPDATE SET "
                "hits = rate_counters.hits + excluded.hits RETURNING key, hits",
                params).fetchall())
            if sweep:
                tx.execute("DELETE FROM rate_counters WHERE window_start < ?", [start])
        if sweep:
            self._swept = max(self._swept, start)
        seen = {k: int(totals[k]) - n for k, n in added.items()}  # counts before this batch
        retry = max(1, math.ceil(start + self.window - now))
        verdicts = []
        for keys in keyed:
            over = False
            for k, most in keys:
                seen[k] += 1
                over = over or seen[k] > most
            verdicts.append(Verdict(not over, retry))
        return verdicts

    def hits(self, kind: str, value: str) -> int:
        """Attempts counted for `value` in the current window (0 when none)."""
        start = int(self._clock() // self.window) * self.window
        with self.db.read() as tx:
            row = tx.execute("SELECT hits FROM rate_counters WHERE key = ? AND window_start = ?",
                             [self.key(kind, value), start]).fetchone()
        return int(row[0]) if row else 0
