"""The centre's web pages: the applicant's status page (`/cek`, public) and the Disdukcapil
console (`/console`, officers logged in). Server-rendered HTML (Jinja2, autoescaped), no
JavaScript needed, Bahasa Indonesia first with an English switch (central/web/render.py)."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.requests import ClientDisconnect

from central.storage import CentralStore
from central.web.settings import WebSettings

log = logging.getLogger("central.web")


def add_web_routes(api: FastAPI, store: CentralStore, web: WebSettings) -> None:
    """Register every page on `api` (the gate treats /cek and /console as public paths: no
    bearer token; the console checks its own session)."""
    from central.web import console, status

    status.add_routes(api, store, web)
    console.add_routes(api, store, web)
    api.add_exception_handler(ClientDisconnect, _gone)
    api.add_exception_handler(Exception, _unexpected)


async def _gone(request: Request, exc: Exception) -> Response:
    """The client left mid-body (a link cut, a pulled cable): nobody is there to answer and
    nothing is wrong here, so one line in the log and no traceback."""
    log.info("client %s left during %s %s", (request.client or ("?",))[0], request.method,
             request.url.path)
    return Response(status_code=400)


async def _unexpected(request: Request, exc: Exception) -> Response:
    """A failure nobody named: its traceback goes to the server's log, the person gets a
    sentence (a page on the web pages, JSON on the API), never the traceback."""
    from central.web.render import page

    route = getattr(request.scope.get("route"), "path", "?")  # the template: /cek/{regno}
    log.error("unexpected failure on %s %s", request.method, route, exc_info=exc)
    if request.url.path.startswith(("/cek", "/console")):
        return page(request, "error.html", status=500)
    return JSONResponse({"detail": "internal error; it is in the server's log"},
                        status_code=500)
