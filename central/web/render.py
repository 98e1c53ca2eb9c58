"""Rendering the centre's pages: Jinja2 templates (central/web/templates, autoescaped), the
words in both languages, local times as people read them, and the headers every page gets.

The language is Bahasa Indonesia unless the visitor chose English (`?lang=en`, kept in a
`lang` cookie); every word on a page comes from `WORDS` through `t(key)`, so a page never
mixes the two. Times are shown in the zone of the office concerned (WIB, WITA, WIT)."""

from __future__ import annotations

import datetime as dt
import urllib.parse
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse

LANGS = ("id", "en")
WORDS: dict[str, tuple[str, str]] = {  # key -> (Bahasa Indonesia, English); pages add theirs
    "lang.switch": ("English", "Bahasa Indonesia"),
    "site.name": ("Perekaman KTP-el", "e-KTP recording"),
    "error.title": ("Maaf, terjadi kesalahan di server", "Sorry, the server failed"),
    "error.text": ("Permintaan Anda tidak dapat diselesaikan. Kesalahan ini sudah dicatat; "
                   "silakan coba lagi sebentar lagi.",
                   "Your request could not be completed. The failure is on record; please "
                   "try again in a moment."),
    "error.busy": ("Server sedang tidak dapat melayani. Coba lagi dalam beberapa menit.",
                   "The server cannot answer right now. Try again in a few minutes."),
    "form.bad": ("Isian formulir tidak terbaca. Silakan coba lagi.",
                 "The form could not be read. Please try again."),
}
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
          "September", "Oktober", "November", "Desember")
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")
ZONES = {"Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA",
         "Asia/Jayapura": "WIT"}
# No script, no frames, no third party: the pages are forms and text (and, for approvers,
# one photo served by the console itself).
SECURITY_HEADERS = {
    "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; "
                               "img-src 'self' data:; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
}

_env = jinja2.Environment(
    loader=jinja2.PackageLoader("central.web", "templates"),
    autoescape=jinja2.select_autoescape(["html"]),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,  # the templates ship with the code: no disk check on every page
)


def language(request: Request) -> str:
    """`?lang=` when given (and valid), else the `lang` cookie, else Bahasa Indonesia."""
    asked = request.query_params.get("lang")
    if asked in LANGS:
        return asked
    kept = request.cookies.get("lang")
    return kept if kept in LANGS else "id"


def word(key: str, lang: str, **values: Any) -> str:
    """The text of `key` in `lang`, with its `{name}` fields filled in."""
    text = WORDS[key][LANGS.index(lang)]
    return text.format(**values) if values else text


def local_time(iso: str | None, zone: str | None, lang: str = "id",
               with_time: bool = True) -> str:
    """"7 Desember 2026 08.31 WIB": an ISO time in the office's zone (WIB when unknown)."""
    if not iso:
        return "-"
    try:
        moment = dt.datetime.fromisoformat(iso)
        tz = ZoneInfo(zone or "Asia/Jakarta")
    except (ValueError, KeyError):
        return str(iso)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    local = moment.astimezone(tz)
    month = (MONTHS if lang == "id" else MONTHS_EN)[local.month - 1]
    day = f"{local.day} {month} {local.year}"
    if not with_time:
        return day
    sep = "." if lang == "id" else ":"
    return f"{day} {local.hour:02d}{sep}{local.minute:02d} {ZONES.get(tz.key, tz.key)}"


def _switch_url(request: Request, other: str) -> str:
    """This page's path and query in the other language (a prefilled number stays)."""
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    return request.url.path + "?" + urllib.parse.urlencode([*query, ("lang", other)])


def page(request: Request, template: str, status: int = 200,
         headers: dict[str, str] | None = None, **context: Any) -> HTMLResponse:
    """`template` rendered in the visitor's language, with the security headers; a
    `?lang=` choice is kept in a cookie."""
    lang = language(request)
    other = "en" if lang == "id" else "id"
    html = _env.get_template(template).render(
        lang=lang, other_lang=other, path=request.url.path,
        switch_url=_switch_url(request, other), words=WORDS,
        t=lambda key, **v: word(key, lang, **v),
        when=lambda iso, zone=None, with_time=True: local_time(iso, zone, lang, with_time),
        **context)
    response = HTMLResponse(html, status_code=status,
                            headers={**SECURITY_HEADERS, **(headers or {})})
    if request.query_params.get("lang") in LANGS:
        response.set_cookie("lang", lang, max_age=365 * 86400, samesite="lax",
                            secure=True, httponly=True)
    return response
