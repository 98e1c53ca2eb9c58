"""The applicant's status page, `GET /cek` (public): to be built out (issue 15 point 1)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse

from central.storage import CentralStore
from central.web.render import WORDS, page
from central.web.settings import WebSettings

WORDS.update({
    "cek.title": ("Cek status perekaman KTP-el", "Check your e-KTP recording"),
})


def add_routes(api: FastAPI, store: CentralStore, web: WebSettings) -> None:
    @api.get("/cek", include_in_schema=False, response_class=HTMLResponse)
    def cek_form(request: Request) -> HTMLResponse:
        return page(request, "cek.html")
