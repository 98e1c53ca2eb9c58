"""The Disdukcapil console under `/console`: officers log in (central/officers.py) and see
every station (silent ones and old backlogs first), find records and see each one whole,
and, when they are approvers, accept or reject a record with a reason and see its photo.
Every decision and every photo view is audited with the officer's name.

Sessions ride in a Secure, HttpOnly, SameSite=Strict cookie; every form carries the
session's CSRF token (the login form a double-submit token of its own), checked before
anything is done. Pages need no JavaScript."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from central import officers
from central.blobstore import BlobNotFound
from central.officers import LoginRefused, Session
from central.storage import CentralStore
from central.web import console_data as data
from central.web import console_words  # noqa: F401 (the console's words)
from central.web.forms import BadForm, read_form, same_token
from central.web.render import page
from central.web.settings import WebSettings
from ektp_protocol import RECORD_ID_RE

COOKIE = "console"
LOGIN_COOKIE = "console_login"  # the login form's double-submit CSRF token
PATH = "/console"


def _cookie(response: Response, name: str, value: str, max_age: int | None) -> None:
    response.set_cookie(name, value, max_age=max_age, path=PATH, secure=True, httponly=True,
                        samesite="strict")


def _go(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


class Console:
    """The console's handlers over one store (the routes are registered by add_routes)."""

    def __init__(self, store: CentralStore, web: WebSettings) -> None:
        self.store, self.db, self.web = store, store.db, web

    # --- sessions -------------------------------------------------------------------

    def session(self, request: Request) -> Session | None:
        return officers.session(self.db, request.cookies.get(COOKIE))

    def show(self, request: Request, template: str, session: Session, status: int = 200,
             **context: Any) -> HTMLResponse:
        return page(request, template, status=status, officer=session.officer,
                    csrf=session.csrf, web=self.web, **context)

    def refuse(self, request: Request, session: Session | None, key: str,
               status: int) -> HTMLResponse:
        return page(request, "console_refused.html", status=status, message_key=key,
                    officer=session.officer if session else None,
                    csrf=session.csrf if session else "", web=self.web)

    async def posted(self, request: Request,
                     session: Session) -> dict[str, str] | HTMLResponse:
        """The form of a POST, or the refusal: unreadable (400) or without this session's
        CSRF token (403)."""
        try:
            form = await read_form(request)
        except BadForm:
            return self.refuse(request, session, "form.bad", 400)
        if not same_token(form.get("csrf"), session.csrf):
            return self.refuse(request, session, "c.csrf", 403)
        return form

    # --- login ----------------------------------------------------------------------

    def login_form(self, request: Request, message: str | None = None,
                   until: str | None = None, status: int = 200) -> HTMLResponse:
        token = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(24)
        response = page(request, "console_login.html", status=status, csrf=token,
                        message=message, until=until, officer=None, web=self.web)
        _cookie(response, LOGIN_COOKIE, token, 3600)
        return response

    async def login(self, request: Request) -> Response:
        try:
            form = await read_form(request)
        except BadForm:
            return self.login_form(request, "form.bad", status=400)
        if not same_token(form.get("csrf"), request.cookies.get(LOGIN_COOKIE)):
            return self.login_form(request, "c.csrf", status=403)
        client = request.client.host if request.client else "?"
        outcome = await run_in_threadpool(
            officers.login, self.db, form.get("name", "").strip(), form.get("password", ""),
            max_failures=self.web.max_failures, lockout_minutes=self.web.lockout_minutes,
            session_hours=self.web.session_hours, client=client)
        if isinstance(outcome, LoginRefused):
            if outcome.locked_until:
                return self.login_form(request, "c.login.locked", outcome.locked_until, 401)
            return self.login_form(request, "c.login.wrong", status=401)
        token, _ = outcome
        response = _go(f"{PATH}/stations")
        _cookie(response, COOKIE, token, int(self.web.session_hours * 3600))
        response.delete_cookie(LOGIN_COOKIE, path=PATH)
        return response

    async def logout(self, request: Request, session: Session) -> Response:
        form = await self.posted(request, session)
        if isinstance(form, HTMLResponse):
            return form
        await run_in_threadpool(officers.logout, self.db, request.cookies[COOKIE],
                                session.officer.name)
        response = _go(f"{PATH}/login")
        response.delete_cookie(COOKIE, path=PATH)
        return response

    # --- records --------------------------------------------------------------------

    def record_page(self, request: Request, session: Session, record_id: str,
                    status: int = 200, **extra: Any) -> HTMLResponse:
        record = data.record(self.db, record_id)
        if record is None:
            return self.refuse(request, session, "c.notfound", 404)
        return self.show(request, "console_record.html", session, status=status,
                         record=record, audit=officers.audit_of(self.db, record_id),
                         **{"photo": None, "message": None, "problem": None, **extra})

    async def decide(self, request: Request, session: Session, record_id: str) -> Response:
        form = await self.posted(request, session)
        if isinstance(form, HTMLResponse):
            return form
        if not session.officer.approver:
            return self.refuse(request, session, "c.forbidden", 403)
        action, reason = form.get("action"), form.get("reason", "").strip()
        if action not in ("accept", "reject"):
            return self.refuse(request, session, "form.bad", 400)
        if action == "reject" and not 3 <= len(reason) <= 500:
            return await run_in_threadpool(self.record_page, request, session, record_id, 422,
                                           problem="d.reason.needed")
        status = "accepted" if action == "accept" else "rejected"

        def apply() -> bool:
            try:
                self.store.set_status(record_id, status, reason if status == "rejected"
                                      else None)
            except KeyError:
                return False
            officers.audit(self.db, session.officer.name, f"record.{action}", record_id,
                           reason or None)
            return True

        if not await run_in_threadpool(apply):
            return self.refuse(request, session, "c.notfound", 404)
        return _go(f"{PATH}/records/{quote(record_id)}?decided={status}")

    async def photo(self, request: Request, session: Session, record_id: str) -> Response:
        form = await self.posted(request, session)
        if isinstance(form, HTMLResponse):
            return form
        if not session.officer.approver:
            return self.refuse(request, session, "c.forbidden", 403)

        def show() -> HTMLResponse:
            sha = data.photo_sha(self.db, record_id)
            if sha is None:
                return self.record_page(request, session, record_id, problem="d.photo.none")
            try:
                image = self.store.blobs.get(sha)
            except BlobNotFound:
                return self.record_page(request, session, record_id, problem="d.photo.gone")
            officers.audit(self.db, session.officer.name, "photo.view", record_id, sha[:16])
            url = "data:image/jpeg;base64," + base64.b64encode(image).decode()
            return self.record_page(request, session, record_id, photo=url)

        return await run_in_threadpool(show)


def _logged_in(console: Console, handler: Callable[..., Any]) -> Callable[..., Any]:
    """Run `handler(request, session, ...)` for a live session; else to the login page."""
    async def wrapped(request: Request) -> Response:
        session = await run_in_threadpool(console.session, request)
        if session is None:
            return _go(f"{PATH}/login")
        return await handler(request, session, **request.path_params)
    return wrapped


def add_routes(api: FastAPI, store: CentralStore, web: WebSettings) -> None:
    """Register the console's pages on `api`."""
    c = Console(store, web)
    route = api.add_api_route

    async def root(request: Request) -> Response:
        return _go(f"{PATH}/stations")

    def stations(request: Request, session: Session) -> HTMLResponse:
        return c.show(request, "console_stations.html", session, rows=data.stations(c.db))

    def records(request: Request, session: Session) -> HTMLResponse:
        q = request.query_params
        regno, station, day = (q.get("regno", "").strip()[:40], q.get("station", "")[:60],
                               q.get("day", "")[:10])
        rows = data.find_records(c.db, regno=regno, station=station, day=day) \
            if (regno or station or day) else data.find_records(c.db, limit=50)
        names = [s["name"] for s in store.stations()]
        return c.show(request, "console_records.html", session, rows=rows, regno=regno,
                      station=station, day=day, names=names)

    def one(request: Request, session: Session, record_id: str) -> HTMLResponse:
        if not RECORD_ID_RE.fullmatch(record_id):
            return c.refuse(request, session, "c.notfound", 404)
        decided = request.query_params.get("decided")
        return c.record_page(request, session, record_id,
                             message="d.decided" if decided else None, decided=decided)

    def today(request: Request, session: Session) -> HTMLResponse:
        return c.show(request, "console_today.html", session, day=data.today(c.db))

    def blobs(request: Request, session: Session) -> HTMLResponse:
        from central.scrub_state import scrub_report

        return c.show(request, "console_blobs.html", session, scrub=scrub_report(c.db))

    route(PATH, root, methods=["GET"], include_in_schema=False)
    route(f"{PATH}/login", c.login_form, methods=["GET"], include_in_schema=False)
    route(f"{PATH}/login", c.login, methods=["POST"], include_in_schema=False)
    route(f"{PATH}/logout", _logged_in(c, c.logout), methods=["POST"], include_in_schema=False)
    for path, handler in ((f"{PATH}/stations", stations), (f"{PATH}/records", records),
                          (f"{PATH}/records/{{record_id}}", one), (f"{PATH}/today", today),
                          (f"{PATH}/blobs", blobs)):
        route(path, _sync(c, handler), methods=["GET"], include_in_schema=False)
    route(f"{PATH}/records/{{record_id}}/decision", _logged_in(c, c.decide), methods=["POST"],
          include_in_schema=False)
    route(f"{PATH}/records/{{record_id}}/photo", _logged_in(c, c.photo), methods=["POST"],
          include_in_schema=False)
    from central.web import console_carry  # here, not above: it imports this module

    console_carry.add_routes(api, c)


def _sync(console: Console, handler: Callable[..., HTMLResponse]) -> Callable[..., Any]:
    """A GET page: its database reads on a worker thread, behind the login."""
    async def wrapped(request: Request) -> Response:
        session = await run_in_threadpool(console.session, request)
        if session is None:
            return _go(f"{PATH}/login")
        return await run_in_threadpool(handler, request, session, **request.path_params)
    return wrapped
