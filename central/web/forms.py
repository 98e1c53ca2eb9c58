"""Reading an HTML form's body (application/x-www-form-urlencoded) without a multipart
library: bounded (the gate caps it too), strict UTF-8, first value of each field."""

from __future__ import annotations

import hmac
import urllib.parse

from fastapi import Request

MAX_FORM = 16 * 1024


class BadForm(ValueError):
    """A body that is not a readable form."""


async def read_form(request: Request, limit: int = MAX_FORM) -> dict[str, str]:
    """The submitted fields (name -> first value); BadForm for a body over `limit`, not
    UTF-8, or not urlencoded."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise BadForm("form too large")
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if body and kind not in ("application/x-www-form-urlencoded", ""):
        raise BadForm(f"not a form ({kind})")
    try:
        pairs = urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True,
                                       strict_parsing=False, max_num_fields=64)
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadForm(str(exc)) from None
    out: dict[str, str] = {}
    for name, value in pairs:
        out.setdefault(name, value)
    return out


def same_token(given: str | None, expected: str | None) -> bool:
    """Constant-time comparison of a CSRF (or other) token; False when either is missing."""
    return bool(given) and bool(expected) and hmac.compare_digest(str(given), str(expected))
