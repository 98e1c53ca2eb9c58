"""The scrubber: a server that checks its own blobs (issue 15).

Bytes the store once acknowledged can still rot on a disk or vanish from a bucket, and
reconciliation only asks whether a blob exists. The scrubber re-reads every blob the database
knows, in address order, hashing it as it streams (1 MiB at a time, never whole in memory), and
compares it with its address and the size its rows state. A sound blob is confirmed
(`confirmed_at`). A missing or damaged one gets a finding (central/scrub_state.py) naming its
records and stations; damaged bytes are put aside (kept as evidence, out of the address, so the
station's upload can be written there again: the stores write an address once); then its rows
are forgotten, so every record naming it is incomplete and the station's next reconciliation
sends it again from its own copy, with no one recorded again. The new row heals the finding.

A pass resumes from the cursor in `scrub_state`, so a background scrub across restarts covers
every blob. A blob store that cannot be read stops the pass (BlobStoreUnreadable) before
anything is recorded of the blob at hand: a store that is down, or a folder whose disk is not
mounted, is never taken for lost blobs. `--mb-per-s` keeps the average read rate at or under a
limit. One process scrubs at a time (`Lease`); `serve --scrub-mb-per-s` runs BackgroundScrubber.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from central.blobstore import BlobNotFound, BlobStoreError
from central.blobstore_file import FileBlobStore
from central.database import DatabaseError, now_iso
from central.scrub_aside import AsideFailed, aside_target, put_aside
from central.scrub_state import (
    CURSOR,
    LAST_PASS,
    MB,
    PASS,
    Lease,
    PassFigures,
    add_findings,
    affected,
    holder_name,
    read_state,
    write_state,
)

if TYPE_CHECKING:
    from central.storage import CentralStore

__all__ = ["BackgroundScrubber", "BlobStoreUnreadable", "Lease", "ScrubError",
           "ScrubLeaseHeld", "ScrubRun", "Scrubber", "scrub_now"]

PIECE = 1 << 20  # bytes read and hashed at once
FLUSH_BLOBS, FLUSH_SECONDS = 256, 5.0  # progress is committed at least this often
REST_SECONDS = 900.0  # a background scrub waits this long after a pass before the next
RETRY_SECONDS = 60.0  # ... and this long after a failure (store or database down)
log = logging.getLogger("central.scrub")


class ScrubError(Exception):
    """The scrub could not go on (the message says why, for a person)."""


class BlobStoreUnreadable(ScrubError):
    """The blob store could not be read (down, refusing, not mounted): the scrub stopped
    where it was and recorded nothing of the blob it was reading."""


class ScrubLeaseHeld(ScrubError):
    """Another process is scrubbing (it holds the lease)."""


@dataclass
class ScrubRun:
    """What one `Scrubber.run` did; `problems` lists each blob found missing or damaged
    ({sha256, problem, records, records_total, stations})."""

    blobs: int = 0
    bytes: int = 0
    seconds: float = 0.0
    problems: list[dict[str, Any]] = field(default_factory=list)
    passes_finished: int = 0
    cursor: str = ""
    stopped_early: bool = False  # by --limit or a stop request, before the end of its walk

    @property
    def mb_per_s(self) -> float | None:
        return round(self.bytes / MB / self.seconds, 2) if self.seconds > 0 else None

    def to_json(self) -> dict[str, Any]:
        return {"blobs": self.blobs, "bytes": self.bytes, "seconds": round(self.seconds, 3),
                "mb_per_s": self.mb_per_s, "passes_finished": self.passes_finished,
                "cursor": self.cursor, "stopped_early": self.stopped_early,
                "missing": sum(p["problem"] == "missing" for p in self.problems),
                "damaged": sum(p["problem"] == "damaged" for p in self.problems),
                "problems": self.problems}

    def summary(self) -> str:
        """The run in sentences, a line per problem."""
        lines = [f"Checked {self.blobs} blobs ({self.bytes / MB:.1f} MB) in "
                 f"{self.seconds:.1f} s ({self.mb_per_s or 0:.1f} MB/s)."]
        if self.problems:
            lines.append(f"{len(self.problems)} blobs missing or damaged: their records are "
                         "incomplete until their stations send them again (next reconciliation).")
        for p in self.problems:
            records = ", ".join(p["records"]) or "no record yet"
            more = p["records_total"] - len(p["records"])
            lines.append(f"  {p['problem']} {p['sha256']}: records {records}"
                         f"{f' and {more} more' if more > 0 else ''}; stations "
                         f"{', '.join(p['stations']) or 'none'}")
        lines.append(f"Stopped before the end: the next scrub continues after "
                     f"{self.cursor[:16]}." if self.stopped_early else
                     "Every blob was checked once.")
        return "\n".join(lines)


@dataclass(frozen=True)
class _Found:
    """A blob that is not what its rows say: its problem and what the finding keeps."""

    sha256: str
    problem: str
    detail: dict[str, Any]
    put_aside: bool  # damaged bytes to move out of the address


class Scrubber:
    """Checks the store's blobs from where the last scrub stopped (see the module)."""

    def __init__(self, store: CentralStore, *, mb_per_s: float = 0.0,
                 lease: Lease | None = None, stop: threading.Event | None = None) -> None:
        self.db, self.blobs = store.db, store.blobs
        self.mb_per_s = mb_per_s
        self.lease = lease
        self.stop = stop or threading.Event()
        self._buffer = bytearray(PIECE)

    def run(self, limit: int | None = None, *, whole: bool = True) -> ScrubRun:
        """Check `limit` blobs, or else every blob once (`whole`: a pass resumed half way
        is finished, then the next one is walked up to where this run began) or only up to
        the end of the pass under way (not `whole`: the background's turn)."""
        self._renew()
        self._check_root()
        with self.db.read() as tx:
            state = read_state(tx, CURSOR, PASS)
        run = ScrubRun(cursor=state.get(CURSOR, ""))
        figures = PassFigures.parse(state.get(PASS))
        start, upto = run.cursor, None
        self._begin(run)
        while True:
            batch = self.db.blobs_after(run.cursor, upto)
            if not batch:
                self._flush(run, figures)
                if upto is not None:
                    break  # back where this run began
                figures = self._finish_pass(figures)
                run.cursor, run.passes_finished = "", run.passes_finished + 1
                if not whole or not start:
                    break
                upto = start
                continue
            for sha, sizes in batch:
                if self.stop.is_set() or (limit is not None and run.blobs >= limit):
                    run.stopped_early = True
                    self._flush(run, figures)
                    return run
                self._check_one(run, figures, sha, sizes)
        return run

    def resting_for(self, rest: float) -> float:
        """Seconds left of the rest after the last complete pass (0: time to scrub)."""
        with self.db.read() as tx:
            state = read_state(tx, CURSOR, PASS, LAST_PASS)
        if state.get(CURSOR) or PassFigures.parse(state.get(PASS)).blobs or \
                LAST_PASS not in state:
            return 0.0
        finished = dt.datetime.fromisoformat(json.loads(state[LAST_PASS])["finished_at"])
        return max(0.0, rest - (dt.datetime.now(dt.UTC) - finished).total_seconds())

    # --- one blob ----------------------------------------------------------------------

    def _begin(self, run: ScrubRun) -> None:
        self._t0 = self._flushed = time.monotonic()
        self._ok: dict[int, list[str]] = {}
        self._found: list[_Found] = []
        self._since_flush = 0

    def _check_one(self, run: ScrubRun, figures: PassFigures, sha: str,
                   sizes: dict[int, int]) -> None:
        found, read = self._read(sha, sizes)
        run.blobs += 1
        figures.blobs += 1
        if found is None:
            for station in sizes:
                self._ok.setdefault(station, []).append(sha)
        else:
            self._found.append(found)
            setattr(figures, found.problem, getattr(figures, found.problem) + 1)
        run.bytes += read
        figures.bytes += read
        run.cursor = sha
        self._since_flush += 1
        if self._since_flush >= FLUSH_BLOBS or \
                time.monotonic() - self._flushed >= FLUSH_SECONDS:
            self._flush(run, figures)
        self._pace(run)

    def _read(self, sha: str, sizes: dict[int, int]) -> tuple[_Found | None, int]:
        """Stream the blob through SHA-256: (None when it is what its rows say, else what
        is wrong; the bytes read)."""
        expected = sorted(set(sizes.values()))
        try:
            stream = self.blobs.open(sha)
        except BlobNotFound:
            self._check_root(sha)
            return _Found(sha, "missing", {"size": expected[0]}, False), 0
        except BlobStoreError as exc:
            raise BlobStoreUnreadable(f"the blob store cannot be read ({exc}); the scrub "
                                      f"stopped at {sha[:16]} and recorded nothing of it") from None
        digest, total, view = hashlib.sha256(), 0, memoryview(self._buffer)
        try:
            with stream:
                while n := stream.readinto(view):
                    digest.update(view[:n])
                    total += n
        except _read_errors() as exc:
            raise BlobStoreUnreadable(f"the blob store failed while {sha[:16]} was read "
                                      f"({str(exc)[:200]}); the scrub stopped and recorded "
                                      "nothing of it") from None
        actual = digest.hexdigest()
        if actual == sha and expected == [total]:
            return None, total
        return _Found(sha, "damaged", {"size": expected[0], "sizes": expected,
                                       "read_size": total, "read_sha256": actual},
                      put_aside=actual != sha), total  # right bytes, wrong row: none moved

    def _check_root(self, sha: str = "") -> None:
        """A folder store whose root or shard folder is gone is not the store (an unmounted
        disk, a moved folder): every blob would look missing, so nothing is recorded. Shard
        folders are never removed once a blob was put in one."""
        if not isinstance(self.blobs, FileBlobStore):
            return
        root = self.blobs.root
        if not root.is_dir() or (sha and not (root / sha[:2]).is_dir()):
            where = root if not root.is_dir() else root / sha[:2]
            raise BlobStoreUnreadable(f"the blob folder {where} is not there (disk not "
                                      "mounted? folder moved?): the scrub stopped and recorded "
                                      "nothing")

    # --- progress, findings, pace -------------------------------------------------------

    def _flush(self, run: ScrubRun, figures: PassFigures) -> None:
        """Record the problems found (finding, bytes put aside, rows forgotten: in that order,
        so a crash half way leaves a finding and a blob found again), confirm the sound
        blobs, then move the cursor: a crash before it only re-reads a few blobs."""
        self._renew()  # lost (stuck past its expiry): another may scrub now, write nothing
        now = time.monotonic()
        run.seconds += now - self._flushed
        figures.seconds += now - self._flushed
        self._flushed, self._since_flush = now, 0
        if self._found:
            run.problems.extend(self._record(self._found))
            self._found = []
        if self._ok:
            self.db.confirm_rows(self._ok)
            self._ok = {}
        with self.db.transaction() as tx:
            write_state(tx, {CURSOR: run.cursor, PASS: json.dumps(figures.to_json())})

    def _record(self, found: list[_Found]) -> list[dict[str, Any]]:
        at = now_iso()
        who = affected(self.db, [f.sha256 for f in found])
        aside = {f.sha256: aside_target(self.blobs, f.sha256, at) for f in found if f.put_aside}
        for f in found:
            f.detail.update(who[f.sha256])
            if f.put_aside:
                f.detail["put_aside"] = aside[f.sha256][1]
        new = set(add_findings(self.db, {f.sha256: (f.problem, f.detail) for f in found}, at))
        try:
            for sha, (target, _) in aside.items():
                put_aside(self.blobs, sha, target)
        except AsideFailed as exc:  # rows kept: the next scrub finds it and tries again
            raise BlobStoreUnreadable(str(exc)) from None
        self.db.forget_blobs([f.sha256 for f in found])
        for f in found:
            log.warning("scrub: blob %s %s%s; records %s of stations %s are incomplete until "
                        "sent again", f.sha256, f.problem, "" if f.sha256 in new else
                        " (already found)", f.detail["records"], f.detail["stations"])
        return [{"sha256": f.sha256, "problem": f.problem,
                 **{k: f.detail[k] for k in ("records", "records_total", "stations")}}
                for f in found]

    def _finish_pass(self, figures: PassFigures) -> PassFigures:
        """The pass is complete: its figures become `last_pass`, a new one begins at "" ."""
        done = {**figures.to_json(), "finished_at": now_iso()}
        fresh = PassFigures(started_at=now_iso())
        with self.db.transaction() as tx:
            write_state(tx, {LAST_PASS: json.dumps(done), CURSOR: "",
                             PASS: json.dumps(fresh.to_json())})
        log.info("scrub: pass complete, %d blobs, %.1f MB in %.1f s, %d missing, %d damaged",
                 figures.blobs, figures.bytes / MB, figures.seconds, figures.missing,
                 figures.damaged)
        return fresh

    def _pace(self, run: ScrubRun) -> None:
        """Sleep until the run's average is at the limit (renewing the lease meanwhile)."""
        if self.mb_per_s <= 0:
            return
        ahead = run.bytes / (self.mb_per_s * MB) - (time.monotonic() - self._t0)
        while ahead > 0 and not self.stop.is_set():
            step = min(ahead, FLUSH_SECONDS)
            self.stop.wait(step)
            ahead -= step
            self._renew()

    def _renew(self) -> None:
        if self.lease is not None and not self.lease.take():
            held = Lease.current(self.db) or {}
            raise ScrubLeaseHeld(f"another process is scrubbing ({held.get('holder', '?')}, "
                                 f"lease until {held.get('expires_at', '?')})")


def _read_errors() -> tuple[type[BaseException], ...]:
    """What reading a blob's stream raises when the store fails half way."""
    try:
        from obstore.exceptions import BaseError
    except ImportError:  # pragma: no cover - obstore is a dependency of the S3 store only
        return (OSError, BlobStoreError)
    return (OSError, BlobStoreError, BaseError)


def scrub_now(store: CentralStore, *, mb_per_s: float = 0.0, limit: int | None = None,
              stop: threading.Event | None = None) -> ScrubRun:
    """`kiosk-central scrub`: every blob once (or `limit`), holding the lease meanwhile
    (ScrubLeaseHeld while a server process is scrubbing)."""
    lease = Lease(store.db, holder=f"kiosk-central scrub, {holder_name()}")
    try:
        return Scrubber(store, mb_per_s=mb_per_s, lease=lease, stop=stop).run(limit)
    finally:
        try:
            lease.release()
        except DatabaseError as exc:  # it expires by itself
            log.warning("scrub: the lease could not be given up: %s", exc)


class BackgroundScrubber:
    """`serve --scrub-mb-per-s`: scrubs continuously in a daemon thread at that pace, in
    whichever server process holds the lease, resting REST_SECONDS after each pass. Every
    failure is logged and retried later; none reaches the server."""

    def __init__(self, store: CentralStore, mb_per_s: float, *, rest: float = REST_SECONDS,
                 retry: float = RETRY_SECONDS, lease: Lease | None = None) -> None:
        self.rest, self.retry = rest, retry
        self.lease = lease or Lease(store.db)
        self._stop = threading.Event()
        self.scrubber = Scrubber(store, mb_per_s=mb_per_s, lease=self.lease, stop=self._stop)
        self.thread = threading.Thread(target=self._loop, name="central-scrub", daemon=True)

    def start(self) -> BackgroundScrubber:
        self.thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the blob at hand and give the lease up."""
        self._stop.set()
        self.thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._stop.wait(self._turn())
        try:
            self.lease.release()
        except DatabaseError as exc:
            log.warning("scrub: the lease could not be given up (it expires): %s", exc)

    def _turn(self) -> float:
        """One turn of the loop; the seconds to wait before the next."""
        try:
            if not self.lease.take():
                return self.lease.seconds / 2
            resting = self.scrubber.resting_for(self.rest)
            if resting > 0:
                return min(resting, self.lease.seconds / 3)
            self.scrubber.run(whole=False)
            return 0.0
        except ScrubLeaseHeld:
            return self.lease.seconds / 2
        except (ScrubError, DatabaseError) as exc:
            log.warning("scrub paused for %.0f s: %s", self.retry, exc)
            return self.retry
        except Exception:  # noqa: BLE001 - logged with its traceback; the server goes on
            log.exception("scrub: unexpected error; trying again in %.0f s", self.retry)
            return self.retry
