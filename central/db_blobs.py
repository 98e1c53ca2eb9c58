"""The `blobs` table: which station uploaded which blob, how big, and when the blob store last
vouched for its bytes (`confirmed_at`). A part of `central.database.Database`, kept apart to be
read on its own.

`confirmed_at` is set when the store acknowledged the write (a row is only inserted after the
bytes are durable) and again whenever the store is asked and still has the bytes. Asking costs
one HEAD per blob on S3, so reconciliation and `blobs:missing` ask only about blobs last vouched
for longer ago than the server's `recheck_after`; a blob the store no longer has loses its
rows (`forget_blobs`), which makes every record naming it incomplete, so its station sends it
again. The scrubber (central/scrub.py) re-reads every blob in address order (`blobs_after`);
a new row of a blob it found missing or damaged heals that finding (`insert_blobs`).
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any

from central.db_types import IN_CHUNK, Tx, now_iso


def chunks(items: Sequence[str]) -> Iterator[list[str]]:
    """`items` once each, in slices of at most IN_CHUNK (one query each)."""
    unique = list(dict.fromkeys(items))
    for i in range(0, len(unique), IN_CHUNK):
        yield unique[i:i + IN_CHUNK]


class BlobRows:
    """Queries on `blobs` (mixed into Database, which supplies the connections)."""

    @abstractmethod
    def transaction(self) -> AbstractContextManager[Tx]: ...

    @abstractmethod
    def read(self) -> AbstractContextManager[Tx]: ...

    @abstractmethod
    def in_list(self, column: str, values: Sequence[Any]) -> tuple[str, list[Any]]: ...

    def insert_blobs(self, station_id: int, sizes: Mapping[str, int]) -> set[str]:
        """Rows for these stored blobs (sha256 -> size) in one transaction, confirmed now;
        the addresses whose row is new. Inserted in address order, so two processes
        inserting overlapping sets at once cannot deadlock."""
        if not sizes:
            return set()
        with self.transaction() as tx:
            return self._insert_blobs(tx, station_id, sizes)

    def _insert_blobs(self, tx: Tx, station_id: int, sizes: Mapping[str, int]) -> set[str]:
        """insert_blobs inside the transaction `tx`."""
        at = now_iso()
        rows = sorted(sizes.items())
        new: set[str] = set()
        for i in range(0, len(rows), IN_CHUNK // 5):
            part = rows[i:i + IN_CHUNK // 5]
            values = ", ".join(["(?, ?, ?, ?, ?)"] * len(part))
            params = [v for sha, size in part for v in (station_id, sha, size, at, at)]
            new.update(sha for (sha,) in tx.execute(
                "INSERT INTO blobs (station, sha256, size, stored_at, confirmed_at) "
                f"VALUES {values} ON CONFLICT (station, sha256) DO NOTHING "
                "RETURNING sha256", params))
        # A new row means the store just took (and checked) these bytes: a scrubber's
        # finding about them is healed, in the same commit that makes them count again.
        for chunk in chunks(sorted(new)):
            cond, params = self.in_list("sha256", chunk)
            tx.execute(f"UPDATE scrub_findings SET healed_at = ? "
                       f"WHERE healed_at IS NULL AND {cond}", [at, *params])
        return new

    def insert_blob(self, station_id: int, sha256: str, size: int) -> bool:
        """Record that the station's blob is stored; True when the row is new."""
        return bool(self.insert_blobs(station_id, {sha256: size}))

    def blob_sizes(self, station_id: int, shas: Sequence[str]) -> dict[str, int]:
        """Size of each of these blobs the station has a row for (absent ones left out)."""
        return {sha: size for sha, (size, _) in self.blob_rows(station_id, shas).items()}

    def blob_rows(self, station_id: int,
                  shas: Sequence[str]) -> dict[str, tuple[int, str | None]]:
        """(size, confirmed_at) of each of these blobs the station has a row for."""
        out: dict[str, tuple[int, str | None]] = {}
        with self.read() as tx:
            for chunk in chunks(shas):
                out.update(self._blob_rows(tx, station_id, chunk))
        return out

    def _blob_rows(self, tx: Tx, station_id: int,
                   shas: list[str]) -> dict[str, tuple[int, str | None]]:
        cond, params = self.in_list("sha256", shas)
        rows = tx.execute(f"SELECT sha256, size, confirmed_at FROM blobs "
                          f"WHERE station = ? AND {cond}", [station_id, *params])
        return {sha: (int(size), at) for sha, size, at in rows}

    def record_blobs(self, record_ids: Sequence[str]) -> dict[str, dict[str, str | None]]:
        """For each of these records, its blobs and when each was last confirmed (None: the
        owning station has no row for it), in one query per IN_CHUNK ids."""
        out: dict[str, dict[str, str | None]] = {rid: {} for rid in record_ids}
        with self.read() as tx:
            for chunk in chunks(record_ids):
                cond, params = self.in_list("rb.record_id", chunk)
                for rid, sha, at in tx.execute(
                        "SELECT rb.record_id, rb.sha256, b.confirmed_at FROM record_blobs rb "
                        "JOIN records r ON r.record_id = rb.record_id "
                        "LEFT JOIN blobs b ON b.station = r.station AND b.sha256 = rb.sha256 "
                        f"WHERE {cond}", params):
                    out[rid][sha] = at
        return out

    def confirm_blobs(self, shas: Sequence[str], at: str | None = None) -> None:
        """The store was asked and has these blobs: every row of them is confirmed `at`."""
        at = at or now_iso()
        with self.transaction() as tx:
            for chunk in chunks(sorted(shas)):
                cond, params = self.in_list("sha256", chunk)
                tx.execute(f"UPDATE blobs SET confirmed_at = ? WHERE {cond}", [at, *params])

    def confirm_rows(self, rows: Mapping[int, Sequence[str]], at: str | None = None) -> None:
        """Like confirm_blobs, for rows named station -> shas, each found by its primary
        key."""
        at = at or now_iso()
        with self.transaction() as tx:
            for station in sorted(rows):
                for chunk in chunks(sorted(rows[station])):
                    cond, params = self.in_list("sha256", chunk)
                    tx.execute(f"UPDATE blobs SET confirmed_at = ? WHERE station = ? AND {cond}",
                               [at, station, *params])

    def blobs_after(self, after: str, upto: str | None = None,
                    limit: int = 64) -> list[tuple[str, dict[int, int]]]:
        """The next `limit` blob addresses above `after` (and at most `upto`) in address
        order, each with its rows (station -> size); empty at the end. Two ranges of the
        index on sha256 (migration 6), however many stations there are."""
        bound = "AND sha256 <= ? " if upto is not None else ""
        params = [after, *([upto] if upto is not None else [])]
        with self.read() as tx:
            rows = tx.execute(
                "SELECT sha256, station, size FROM blobs WHERE sha256 IN (SELECT DISTINCT "
                f"sha256 FROM blobs WHERE sha256 > ? {bound}ORDER BY sha256 LIMIT ?) "
                "ORDER BY sha256", [*params, max(1, limit)]).fetchall()
        found: dict[str, dict[int, int]] = {}
        for sha, station, size in rows:
            found.setdefault(sha, {})[int(station)] = int(size)
        return sorted(found.items())

    def forget_blobs(self, shas: Sequence[str]) -> int:
        """The store no longer has these blobs: drop every station's row of them, so the
        records naming them are incomplete and `blobs:missing` asks for them again. Returns
        how many rows went."""
        gone = 0
        with self.transaction() as tx:
            for chunk in chunks(sorted(shas)):
                cond, params = self.in_list("sha256", chunk)
                gone += max(0, tx.execute(f"DELETE FROM blobs WHERE {cond}", params).rowcount)
        return gone
