"""The centre's web pages: the applicant's status page (`/cek`, public) and the Disdukcapil
console (`/console`, officers logged in). Server-rendered HTML (Jinja2, autoescaped), no
JavaScript needed, Bahasa Indonesia first with an English switch (central/web/render.py)."""

from __future__ import annotations

from fastapi import FastAPI

from central.storage import CentralStore
from central.web.settings import WebSettings


def add_web_routes(api: FastAPI, store: CentralStore, web: WebSettings) -> None:
    """Register every page on `api` (the gate treats /cek and /console as public paths: no
    bearer token; the console checks its own session)."""
    from central.web import console, status

    status.add_routes(api, store, web)
    console.add_routes(api, store, web)
