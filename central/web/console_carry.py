"""The console's drive import (issue 16): an approver uploads the `ektp-carry-...` folder a
station without a link wrote on a flashdisk, the centre stores its records exactly as
`kiosk-central carry import` does (central/carry.py), and the officer downloads the signed
receipts to copy back onto the drive for the station to read.

The upload is streamed to disk as it arrives (a big export is hundreds of MB; the gate lets
this one route take central.gate.MAX_CARRY_UPLOAD), into a fresh folder of the server's own:
only `index.json` and `*.ektp` packets are kept, each by its base name alone, so no client
path ever names a file here. The CSRF field must come before the first file (the form puts it
first), so nothing is written for a forged form; the folder goes once imported. Every
import's receipts are kept in the database (ImportLog, table carry_imports), so any process
of the centre shows them and serves them again from the page's list."""

from __future__ import annotations

import datetime as dt
import errno
import logging
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any, BinaryIO

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.concurrency import run_in_threadpool

from central import officers
from central.carry import import_folder
from central.database import Database, now_iso
from central.gate import MAX_CARRY_UPLOAD
from central.officers import Session
from central.web.console import PATH, Console, _go, _logged_in, _sync
from central.web.forms import same_token
from central.web.render import SECURITY_HEADERS
from ektp_protocol import carry

CARRY = f"{PATH}/carry"
MAX_FILES = 20_000
MAX_INDEX = 16 * 1024 * 1024  # a signed list of ~200 bytes a packet: 80,000 packets
FLUSH = 1024 * 1024  # body bytes handed to the parser (on a worker thread) at a time
RECENT = 20  # imports listed on the page
FOLDER_RE = re.compile(r"ektp-carry-[A-Za-z0-9][A-Za-z0-9_-]{0,80}")
PACKET_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,100}\.ektp")
IMPORT_RE = re.compile(r"[1-9][0-9]{0,17}")
# what a drive holds beside an export and is no part of it: an earlier receipts file, the
# station's half-written `.name.part` files (any dot file), what Windows leaves in folders
IGNORED = {carry.RECEIPTS, "thumbs.db", "desktop.ini"}
log = logging.getLogger("central.web.carry")


class NotAnExport(ValueError):
    """The upload is not one export folder: `key` is the console's sentence, `name` the file
    it is about (if any)."""

    def __init__(self, key: str, name: str = "") -> None:
        super().__init__(key)
        self.key, self.name = key, name[:80]


class Upload:
    """One multipart body written into `folder` (index.json, packets/*.ektp) as it arrives.
    A problem stops the writing, not the reading: the body is read to its end, so the
    browser, still sending, hears the answer."""

    def __init__(self, folder: Path, boundary: bytes, csrf: str) -> None:
        self.folder, self.expected_csrf = folder, csrf
        self.csrf_ok = False
        self.problem: NotAnExport | None = None
        self.names: set[str] = set()
        self.files, self.client_folder = 0, ""
        self._field, self._value = bytearray(), bytearray()
        self._headers: dict[bytes, bytes] = {}
        self._token: bytearray | None = None
        self._sink: BinaryIO | None = None
        self._left = 0
        (folder / carry.PACKETS).mkdir(parents=True)
        self.parser = MultipartParser(boundary, callbacks={  # type: ignore[arg-type]
            "on_part_begin": self._begin, "on_header_field": self._header_field,
            "on_header_value": self._header_value, "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished, "on_part_data": self._data,
            "on_part_end": self._end})

    def feed(self, data: bytes) -> None:
        """Parse the next piece of the body (on a worker thread: it writes files)."""
        self.parser.write(data)

    def close(self) -> None:
        if self._sink is not None:
            self._sink.close()
            self._sink = None

    def _begin(self) -> None:
        self._headers, self._token = {}, None

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _header_end(self) -> None:
        self._headers[bytes(self._field).lower()] = bytes(self._value)
        self._field, self._value = bytearray(), bytearray()

    def _headers_finished(self) -> None:
        _, params = parse_options_header(self._headers.get(b"content-disposition", b""))
        filename = params.get(b"filename")
        if filename is None:
            if params.get(b"name") == b"csrf":
                self._token = bytearray()
            return
        if filename and self.problem is None:
            try:
                self._open(filename.decode("utf-8", "replace"))
            except NotAnExport as exc:
                self.problem = exc

    def _open(self, path: str) -> None:
        """Start writing the file the browser named `path` (a relative path for a folder
        chosen whole, else a bare name): where, by its base name alone, or refuse it."""
        if not self.csrf_ok:
            raise NotAnExport("c.csrf")
        self.files += 1
        if self.files > MAX_FILES:
            raise NotAnExport("cy.problem.many")
        *folders, base = [p for p in re.split(r"[\\/]", path) if p] or [""]
        self.client_folder = next((f for f in reversed(folders) if FOLDER_RE.fullmatch(f)),
                                  self.client_folder)
        if base.startswith(".") or base.lower() in IGNORED:
            return
        if base == carry.INDEX:
            if base in self.names:
                raise NotAnExport("cy.problem.two")
            target, self._left = self.folder / carry.INDEX, MAX_INDEX
        elif PACKET_RE.fullmatch(base):
            if base in self.names:
                raise NotAnExport("cy.problem.twice", base)
            # one byte over the cap is kept, so the import refuses it as too large
            target, self._left = self.folder / carry.PACKETS / base, carry.MAX_PACKET + 1
        else:
            raise NotAnExport("cy.problem.foreign", base)
        self.names.add(base)
        self._sink = open(target, "xb")  # noqa: SIM115 (closed at the part's end)

    def _data(self, data: bytes, start: int, end: int) -> None:
        if self._token is not None:
            self._token += data[start:min(end, start + 256 - len(self._token))]
        elif self._sink is not None and self.problem is None and self._left > 0:
            piece = data[start:min(end, start + self._left)]
            self._sink.write(piece)
            self._left -= len(piece)

    def _end(self) -> None:
        if self._token is not None:
            self.csrf_ok = same_token(self._token.decode("ascii", "replace"),
                                      self.expected_csrf)
            self._token = None
        self.close()


class ImportLog:
    """Every drive imported through the console (table carry_imports, migration 7): what the
    list shows and the signed receipts file it made. In the database every process shares,
    so a download that a load balancer sends to another process finds it."""

    COLS = ("id", "at", "folder", "station", "officer", "imported", "already", "refused")

    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, receipts: bytes, meta: dict[str, Any]) -> int:
        """Keep one import's receipts and what the list shows; its id."""
        with self.db.transaction() as tx:
            (import_id,) = tx.execute(
                "INSERT INTO carry_imports (at, folder, station, officer, imported, already, "
                "refused, receipts) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                [*(meta[k] for k in self.COLS[1:]), receipts]).fetchone()
        return int(import_id)

    def recent(self, n: int = RECENT) -> list[dict[str, Any]]:
        """The last `n` imports, newest first."""
        with self.db.read() as tx:
            rows = tx.execute(f"SELECT {', '.join(self.COLS)} FROM carry_imports "
                              "ORDER BY id DESC LIMIT ?", [n]).fetchall()
        return [dict(zip(self.COLS, r, strict=True)) for r in rows]

    def get(self, import_id: str) -> tuple[bytes, dict[str, Any]] | None:
        """(receipts file, what the list shows) of one import, or None."""
        if not IMPORT_RE.fullmatch(import_id):
            return None
        with self.db.read() as tx:
            row = tx.execute(f"SELECT {', '.join(self.COLS)}, receipts FROM carry_imports "
                             "WHERE id = ?", [int(import_id)]).fetchone()
        if row is None:
            return None
        return bytes(row[-1]), dict(zip(self.COLS, row[:-1], strict=True))


def _folder_name(upload: Upload) -> str:
    """The export folder's name on the drive, for the receipts and the sentence that says
    where to copy them: as the browser named it when the folder was chosen whole, else as
    the station names it (from its index), else a generic one."""
    if upload.client_folder:
        return upload.client_folder
    try:
        index = carry.read_signed((upload.folder / carry.INDEX).read_bytes(), "index")
        at = dt.datetime.fromisoformat(str(index["created_at"])).astimezone(dt.UTC)
        name = f"{carry.FOLDER_PREFIX}{str(index['station_id'])[:8]}-{at:%Y%m%dT%H%M%SZ}"
    except (OSError, carry.CarryError, KeyError, ValueError):
        return "ektp-carry"
    return name if FOLDER_RE.fullmatch(name) else "ektp-carry"


async def receive(request: Request, folder: Path, csrf: str) -> Upload:
    """The upload in `request`, written into `folder`; NotAnExport / BadUpload otherwise."""
    kind, params = parse_options_header(request.headers.get("content-type", ""))
    if kind != b"multipart/form-data" or not params.get(b"boundary"):
        raise NotAnExport("form.bad")
    upload = Upload(folder, params[b"boundary"], csrf)
    pending = bytearray()
    try:
        async for chunk in request.stream():
            pending += chunk
            if len(pending) >= FLUSH:
                await run_in_threadpool(upload.feed, bytes(pending))
                pending.clear()
        await run_in_threadpool(upload.feed, bytes(pending))
        upload.parser.finalize()
    except MultipartParseError:
        raise NotAnExport("form.bad") from None
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise NotAnExport("cy.problem.space") from None
        raise
    finally:
        upload.close()
    return upload


def _import(c: Console, session: Session, upload: Upload, imports: ImportLog) -> int:
    """Import the uploaded folder (as `kiosk-central carry import` does), keep its receipts,
    audit it; the import's id."""
    index = upload.folder / carry.INDEX
    if not index.exists():
        raise NotAnExport("cy.problem.none" if not upload.files else "cy.problem.index")
    try:  # who signed it is the import's question; whether it is an index at all is ours
        carry.read_signed(index.read_bytes(), "index")
    except carry.CarryError:
        raise NotAnExport("cy.problem.unreadable") from None
    folder = upload.folder.rename(upload.folder.with_name(_folder_name(upload)))
    result = import_folder(c.store, folder)
    counts = {k: result.count(k) for k in ("imported", "already", "refused")}
    import_id = imports.add((folder / carry.RECEIPTS).read_bytes(), {
        "at": now_iso(), "folder": folder.name,
        "station": result.station, "officer": session.officer.name, **counts})
    officers.audit(c.db, session.officer.name, "carry.import", None,
                   f"{folder.name} from {result.station}: {counts['imported']} imported, "
                   f"{counts['already']} already, {counts['refused']} refused")
    log.info("officer %s imported %s from the console (import %d)", session.officer.name,
             folder.name, import_id)
    return import_id


def add_routes(api: FastAPI, c: Console) -> None:
    """Register the drive import's pages on `api` (called by console.add_routes)."""
    imports = ImportLog(c.db)
    # beside the data when there is a directory (the same disk), else the system's temporary
    # folder (a PostgreSQL + S3 process has none): either way, removed once imported
    staging = (c.store.data_dir / "carry-uploads") if c.store.data_dir else None

    def form(request: Request, session: Session, status: int = 200,
             problem: NotAnExport | None = None) -> HTMLResponse:
        return c.show(request, "console_carry.html", session, status=status,
                      recent=imports.recent(), problem=problem,
                      max_gb=MAX_CARRY_UPLOAD // 1024**3)

    async def upload(request: Request, session: Session) -> Response:
        if not session.officer.approver:  # refused before a byte of the body is read
            return c.refuse(request, session, "c.forbidden", 403)
        if staging is not None:
            staging.mkdir(mode=0o700, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix="upload-", dir=staging))
        try:
            got = await receive(request, tmp / "export", session.csrf)
            if not got.csrf_ok or (got.problem and got.problem.key == "c.csrf"):
                return c.refuse(request, session, "c.csrf", 403)
            if got.problem is not None:
                raise got.problem
            import_id = await run_in_threadpool(_import, c, session, got, imports)
        except NotAnExport as exc:
            status = 400 if exc.key == "form.bad" else 507 if exc.key.endswith("space") else 422
            return await run_in_threadpool(form, request, session, status, exc)
        finally:
            await run_in_threadpool(shutil.rmtree, tmp, True)
        return _go(f"{CARRY}/{import_id}")

    def result(request: Request, session: Session, import_id: str) -> HTMLResponse:
        kept = imports.get(import_id)
        if kept is None:
            return c.refuse(request, session, "cy.gone", 404)
        results = carry.read_signed(kept[0], "receipts").get("results", [])
        # the refused first: what the officer must tell the station about
        results = sorted(results, key=lambda o: o.get("outcome") != "refused")
        return c.show(request, "console_carry_result.html", session, meta=kept[1],
                      results=results, carry_packets=carry.PACKETS)

    def receipts(request: Request, session: Session, import_id: str) -> Response:
        kept = imports.get(import_id)
        if kept is None:
            return c.refuse(request, session, "cy.gone", 404)
        attachment = f'attachment; filename="{carry.RECEIPTS}"'
        return Response(kept[0], media_type="application/json",
                        headers={**SECURITY_HEADERS, "content-disposition": attachment})

    api.add_api_route(CARRY, _sync(c, form), methods=["GET"], include_in_schema=False)
    api.add_api_route(CARRY, _logged_in(c, upload), methods=["POST"], include_in_schema=False)
    api.add_api_route(f"{CARRY}/{{import_id}}", _sync(c, result), methods=["GET"],
                      include_in_schema=False)
    api.add_api_route(f"{CARRY}/{{import_id}}/{carry.RECEIPTS}", _sync(c, receipts),
                      methods=["GET"], include_in_schema=False)
