"""HTTP client of sync protocol v1 (requests). Every answer is checked for shape: a bare 200
from a captive portal or a garbled body is an error, never a success."""

from __future__ import annotations

import gzip
import logging
import re
import threading
import time
from typing import Any

import requests

import ektp_protocol as protocol
from ektp_protocol import bundle as wire

GZIP_MIN = 512  # bodies shorter than this are not worth compressing
BUNDLE_PATH = "/v1/blobs:bundle"
REPORT_PATH = "/v1/station/report"
STATUS_URL_RE = re.compile(r"https?://[^\s/]+(/\S*)?")  # as central/reports.py checks it
BUNDLE_MAX = 8 * 1024 * 1024  # bytes of blobs per bundle we send (servers take 64 MiB)
NOT_OFFERED = (404, 405, 413)  # an older server: no route, or its gate caps the body at 0

log = logging.getLogger(__name__)


class SyncError(Exception):
    """Base of the client's failures."""


class Unreachable(SyncError):
    """No answer: connection refused or reset, TLS failure, timeout."""


class BadAnswer(SyncError):
    """An answer that is not protocol v1 (garbage, wrong hash, bad signature)."""


class ServerBusy(SyncError):
    """429/503: the server sheds load; wait `retry_after` seconds (None: not said)."""

    def __init__(self, status: int, retry_after: float | None) -> None:
        super().__init__(f"server busy ({status}), retry after {retry_after}")
        self.retry_after = retry_after


class AuthRejected(SyncError):
    """401/403: the token (or the station key) is not accepted."""


class Conflict(SyncError):
    """409: the server holds a different manifest under this record id."""


class Refused(SyncError):
    """422 (other than missing blobs): the server will not take this request as it is."""


class MissingOnServer(SyncError):
    """422 with missing_blobs: upload these, then the manifest again."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__(f"{len(missing)} blobs missing on the server")
        self.missing = missing


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, min(float(value), 3600.0))
    except ValueError:
        return None  # an HTTP date: rare, and our own backoff covers it


def _cut(exc: requests.exceptions.RequestException) -> bool:
    """A connection reset or closed under a request or its answer (worth one retry at once);
    not refused, timed out or TLS (away or slow: the engine's backoff answers those)."""
    if isinstance(exc, requests.exceptions.Timeout | requests.exceptions.SSLError):
        return False
    return isinstance(exc, requests.exceptions.ChunkedEncodingError) or (
        isinstance(exc, requests.exceptions.ConnectionError) and "Connection aborted" in str(exc))


class CentralClient:
    """One station's link to the central server; safe to share between threads."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        verify: bool | str = True,
        health_timeout: float = 3.0,
        request_timeout: float = 60.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.verify = verify
        self.health_timeout = health_timeout
        self.request_timeout = request_timeout
        self._local = threading.local()
        # Retry-After applies to the whole link: every sender thread waits it out.
        self.pause_until = 0.0
        # Bundle upload: None until asked (once, by the first sender thread that needs it).
        self.offers_bundle: bool | None = None
        self._probe = threading.Lock()

    def _session(self) -> requests.Session:
        s = getattr(self._local, "session", None)
        if s is None:
            s = requests.Session()
            # Only what the server needs: on a 1 Mbit/s link every header byte is paid for.
            s.headers.clear()
            s.headers["Authorization"] = f"Bearer {self.token}"
            s.verify = self.verify
            self._local.session = s
        return s

    def close(self) -> None:
        s = getattr(self._local, "session", None)
        if s is not None:
            s.close()

    def _request(
        self, method: str, path: str, *, body: bytes | None = None, json_body: Any = None,
        headers: dict[str, str] | None = None, timeout: float | None = None,
    ) -> requests.Response:
        hdrs = dict(headers or {})
        if not path.startswith("/v1/blobs/"):  # blob answers are empty: nothing to compress
            hdrs["Accept-Encoding"] = "gzip"
        if json_body is not None:
            body = protocol.canonical(json_body)
            hdrs["Content-Type"] = "application/json"
        if body is not None and hdrs.get("Content-Type") == "application/json" \
                and len(body) >= GZIP_MIN:
            body = gzip.compress(body, compresslevel=6, mtime=0)
            hdrs["Content-Encoding"] = "gzip"
        pause = self.pause_until - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        try:
            try:
                resp = self._send(method, path, body, hdrs, timeout)
            except requests.exceptions.RequestException as exc:
                if path == BUNDLE_PATH or not _cut(exc):
                    raise
                # cut under a request (each call is idempotent): once more at once, so a lost
                # packet does not cost a round. Not a bundle: the server kept its complete
                # parts; the next round sends only the rest (docs/bundle.md)
                log.info("%s %s: cut (%s), once more", method, path, type(exc).__name__)
                resp = self._send(method, path, body, hdrs, timeout)
        except requests.exceptions.SSLError as exc:
            raise Unreachable(f"TLS: {exc}") from None
        except requests.exceptions.ContentDecodingError as exc:
            raise BadAnswer(f"undecodable body: {exc}") from None
        except requests.exceptions.RequestException as exc:
            raise Unreachable(f"{type(exc).__name__}: {exc}") from None
        if resp.status_code in (429, 503):
            after = _retry_after(resp.headers.get("Retry-After"))
            if after:
                self.pause_until = max(self.pause_until, time.monotonic() + after)
            raise ServerBusy(resp.status_code, after)
        if resp.status_code in (401, 403):
            raise AuthRejected(f"{resp.status_code}: {resp.text[:200]}")
        return resp

    def _send(self, method: str, path: str, body: bytes | None, hdrs: dict[str, str],
              timeout: float | None) -> requests.Response:
        return self._session().request(
            method, self.base_url + path, data=body, headers=hdrs,
            # per request: a session-level CA bundle loses to REQUESTS_CA_BUNDLE
            verify=self.verify,
            timeout=(self.health_timeout, timeout or self.request_timeout),
        )

    @staticmethod
    def _json(resp: requests.Response, *statuses: int) -> Any:
        if resp.status_code not in statuses:
            raise BadAnswer(f"unexpected status {resp.status_code}: {resp.text[:200]!r}")
        if not resp.headers.get("Content-Type", "").startswith("application/json"):
            raise BadAnswer(f"not JSON ({resp.headers.get('Content-Type')!r})")
        try:
            return resp.json()
        except ValueError as exc:
            raise BadAnswer(f"garbled JSON: {exc}") from None

    # --- endpoints ----------------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        doc = self._json(self._request("GET", "/v1/health", timeout=self.health_timeout), 200)
        if not isinstance(doc, dict) or doc.get("status") != "ok":
            raise BadAnswer(f"health answer is not ok: {doc!r:.200}")
        return doc

    def server_key(self) -> str:
        """The server's Ed25519 public key (pinned at set-up)."""
        return self.server_identity()[0]

    def server_identity(self) -> tuple[str, str | None]:
        """(the server's public key, the applicant's status page or None): what set-up keeps.
        An older server sends no `status_url`: None, as from a server that has no page."""
        doc = self._json(self._request("GET", "/v1/server-key"), 200)
        if not isinstance(doc, dict) or not isinstance(doc.get("public_key"), str):
            raise BadAnswer("no public_key in the answer")
        try:
            protocol.load_public_key(doc["public_key"])
        except (protocol.ProtocolError, ValueError) as exc:
            raise BadAnswer(f"server key is not Ed25519: {exc}") from None
        url = doc.get("status_url")
        # printed on every receipt and put in its QR code: a web address, nothing else
        if url is not None and not (isinstance(url, str) and len(url) <= 200
                                    and STATUS_URL_RE.fullmatch(url)):
            raise BadAnswer("status_url is not a web address")
        return doc["public_key"], url or None

    def register_key(self, public_key: str) -> None:
        resp = self._request("PUT", "/v1/station/key", json_body={"public_key": public_key})
        if resp.status_code == 409:
            raise Conflict("the server holds a different key for this station")
        self._json(resp, 200)

    def missing_blobs(self, shas: list[str]) -> list[str]:
        resp = self._request("POST", "/v1/blobs:missing", json_body={"sha256": shas})
        doc = self._json(resp, 200)
        missing = doc.get("missing") if isinstance(doc, dict) else None
        if not isinstance(missing, list) or not set(missing) <= set(shas):
            raise BadAnswer("blobs:missing answer does not match the question")
        return missing

    def put_blob(self, sha256: str, data: bytes) -> None:
        # no Content-Type: the URL says what it is, and 13 headers a record add up on 1 Mbit/s
        resp = self._request("PUT", f"/v1/blobs/{sha256}", body=data)
        if resp.status_code == 422:
            raise Refused(f"blob {sha256[:12]}: {resp.text[:200]}")
        if resp.status_code not in (200, 201) or resp.content:
            raise BadAnswer(f"blob upload answered {resp.status_code} {resp.content[:100]!r}")

    # --- bundle upload (negotiated; docs/bundle.md) ------------------------------------

    def send_blobs(self, blobs: dict[str, bytes], shas: list[str]) -> None:
        """Upload the blobs `shas` of `blobs`: in bundles when the server takes them (two or
        more; one blob is one PUT either way), else, or for any the bundle did not land,
        one PUT each."""
        rest = list(dict.fromkeys(shas))
        if len(rest) > 1 and self.bundle_offered():
            held: set[str] = set()
            for group in _groups(rest, blobs):
                got = self.put_bundle({sha: blobs[sha] for sha in group})
                if got is None:  # this server (or this process of it) has no bundles
                    break
                held |= got
            rest = [sha for sha in rest if sha not in held]
        for sha in rest:
            self.put_blob(sha, blobs[sha])

    def bundle_offered(self) -> bool:
        """Whether the server takes bundles: asked once with an empty bundle (12 bytes, so a
        server that refuses it unread loses nothing), then remembered for this client."""
        with self._probe:
            if self.offers_bundle is None:
                self.offers_bundle = self.put_bundle({}) is not None
        return self.offers_bundle

    def put_bundle(self, blobs: dict[str, bytes]) -> set[str] | None:
        """Upload `blobs` (sha256 -> bytes) in one request; the addresses the server now
        holds, or None when it has no bundle route (remembered) or will not take this one
        (413). Refused when it refused a part (bytes that do not match their address)."""
        resp = self._request("POST", BUNDLE_PATH, body=b"".join(wire.encode(blobs.items())),
                             headers={"Content-Type": wire.CONTENT_TYPE})
        if resp.status_code in NOT_OFFERED:
            if resp.status_code != 413 or not blobs:
                self.offers_bundle = False
            return None
        if resp.status_code in (400, 422):
            raise Refused(f"bundle: {resp.text[:200]}")
        doc = self._json(resp, 200)
        stored = doc.get("stored") if isinstance(doc, dict) else None
        refused = doc.get("refused") if isinstance(doc, dict) else None
        if not (isinstance(stored, list) and set(stored) <= set(blobs)
                and isinstance(refused, list)
                and all(isinstance(r, dict) and r.get("sha256") in blobs for r in refused)):
            raise BadAnswer("bundle answer does not match the parts sent")
        if refused:
            raise Refused(f"blob {refused[0]['sha256'][:12]}: {refused[0].get('reason')!r:.100}")
        return set(stored)

    def put_record(self, record_id: str, manifest: bytes, signature: str) -> dict[str, Any]:
        """The receipt document (unchecked: the caller verifies it against the pinned key)."""
        resp = self._request(
            "PUT", f"/v1/records/{record_id}", body=manifest,
            headers={"Content-Type": "application/json", protocol.SIGNATURE_HEADER: signature},
        )
        if resp.status_code == 409:
            raise Conflict(f"record {record_id}: {resp.text[:200]}")
        if resp.status_code == 422:
            doc = self._json(resp, 422)
            if isinstance(doc, dict) and isinstance(doc.get("missing_blobs"), list):
                raise MissingOnServer(doc["missing_blobs"])
            raise Refused(f"record {record_id}: {doc!r:.200}")
        doc = self._json(resp, 200, 201)
        if not isinstance(doc, dict):
            raise BadAnswer("receipt is not an object")
        return doc

    def reconcile(self, record_ids: list[str]) -> dict[str, Any]:
        resp = self._request("POST", "/v1/reconcile", json_body={"record_ids": record_ids})
        doc = self._json(resp, 200)
        if not (isinstance(doc, dict) and isinstance(doc.get("present"), dict)
                and isinstance(doc.get("missing"), list)
                and isinstance(doc.get("status", {}), dict)):
            raise BadAnswer("reconcile answer has the wrong shape")
        asked = set(record_ids)
        answered = set(doc["present"]) | set(doc["missing"])
        if answered != asked:
            raise BadAnswer("reconcile answer does not cover exactly the ids asked")
        return doc

    def record(self, record_id: str) -> dict[str, Any] | None:
        resp = self._request("GET", f"/v1/records/{record_id}")
        if resp.status_code == 404:
            return None
        return self._json(resp, 200)

    # --- negotiated: None from a server that does not offer them (404) -------------------

    def carry_key(self, server_public_key: str) -> str | None:
        """The centre's key for records carried on a drive (X25519), checked against the
        server key the station pinned; None from a server that has none (an older one)."""
        from ektp_protocol.carry import check_carry_key

        doc = self._json(self._request("GET", "/v1/server-key"), 200)
        if not isinstance(doc, dict) or doc.get("carry_key") is None:
            return None
        try:
            return check_carry_key(str(doc["carry_key"]), str(doc.get("carry_key_signature")),
                                   server_public_key)
        except (protocol.ProtocolError, ValueError) as exc:
            raise BadAnswer(f"the carry key is not signed by the pinned server key: {exc}") \
                from None

    def report(self, doc: dict[str, Any]) -> dict[str, Any] | None:
        """Send the station's report of itself (kiosk.sync.report); the server's answer
        (`{"status_url": str | None}`), or None when it takes no reports (404/405, or 413
        from an older gate that caps an unknown route's body at 0)."""
        resp = self._request("PUT", REPORT_PATH, json_body=doc)
        if resp.status_code in NOT_OFFERED:
            return None
        if resp.status_code == 422:
            raise Refused(f"report: {resp.text[:200]}")
        answer = self._json(resp, 200)
        if not (isinstance(answer, dict) and isinstance(answer.get("status_url"), str | None)):
            raise BadAnswer("report answer has the wrong shape")
        return answer

    def status_changes(self, since: int, timeout: float | None = None) -> dict[str, Any] | None:
        """`{"changes": [{record_id, status, reason, cursor}], "cursor", "more"}` after cursor
        `since`, checked for shape; None when the server has no such call. `timeout`: the
        read timeout (default the request timeout)."""
        resp = self._request("GET", f"/v1/status-changes?since={int(since)}", timeout=timeout)
        if resp.status_code == 404:
            return None
        doc = self._json(resp, 200)
        changes = doc.get("changes") if isinstance(doc, dict) else None
        if not (isinstance(changes, list) and isinstance(doc.get("cursor"), int)
                and all(_is_change(c) for c in changes)):
            raise BadAnswer("status-changes answer has the wrong shape")
        return doc

    def station(self) -> dict[str, Any] | None:
        """`{"records": N, "last_regno": str | None}`: what the server holds from this
        station; None when the server has no such call."""
        resp = self._request("GET", "/v1/station")
        if resp.status_code == 404:
            return None
        doc = self._json(resp, 200)
        if not (isinstance(doc, dict) and isinstance(doc.get("records"), int)
                and isinstance(doc.get("last_regno"), str | None)):
            raise BadAnswer("station answer has the wrong shape")
        return doc


def _groups(shas: list[str], blobs: dict[str, bytes]) -> list[list[str]]:
    """`shas` in order, cut into bundles of at most BUNDLE_MAX bytes (a bigger blob alone)."""
    out: list[list[str]] = []
    size = 0
    for sha in shas:
        if not out or size + len(blobs[sha]) > BUNDLE_MAX:
            out.append([])
            size = 0
        out[-1].append(sha)
        size += len(blobs[sha])
    return out


def _is_change(c: Any) -> bool:
    return (isinstance(c, dict) and isinstance(c.get("record_id"), str)
            and isinstance(c.get("status"), str) and isinstance(c.get("cursor"), int)
            and isinstance(c.get("reason"), str | None))
