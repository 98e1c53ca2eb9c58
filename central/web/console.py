"""The Disdukcapil console under `/console` (officers, logged in): to be built out (issue 15
point 2)."""

from __future__ import annotations

from fastapi import FastAPI

from central.storage import CentralStore
from central.web.settings import WebSettings


def add_routes(api: FastAPI, store: CentralStore, web: WebSettings) -> None:
    return None
