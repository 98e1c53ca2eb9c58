"""The bundle upload end to end: a real station against real `kiosk-central` processes with and
without the bundle route. A new record costs 3 requests where bundles are offered; without
them the station still delivers everything blob by blob; a bundle cut in the middle keeps its
complete parts and the next round sends only the rest.

`BundleCentral` serves central.app's create_app with the bundle route added (`with`), as the
integrated server will, or with it absent and its body capped at 0 (`without`), as today's
server; bench/sync_drain.py uses it too."""

from __future__ import annotations

import contextlib
import re
import socket
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import harness
from faultproxy import FaultProxy, Faults
from harness import CentralProcess, assert_delivered

from ektp_protocol import bundle as wire
from kiosk.sync.client import BUNDLE_PATH
from kiosk.sync.engine import run_until_idle
from kiosk.sync.link import open_engine

LAUNCHER = '''#!{python}
import sys
import central.app as app_mod
from central.bundle import BUNDLE_PATH, add_bundle_routes, bundle_body_limit

WITH = {with_bundle!r}
plain_create = app_mod.create_app


def create_app(*args, **kwargs):
    app = plain_create(*args, **kwargs)
    api, plain_limit = app.api, app.body_limit
    routes = api.router.routes
    has = any(getattr(r, "path", None) == BUNDLE_PATH for r in routes)
    if WITH and not has:
        add_bundle_routes(api, api.state.store, app_mod._auth)
    if not WITH:
        routes[:] = [r for r in routes if getattr(r, "path", None) != BUNDLE_PATH]
    app.body_limit = (lambda m, p: bundle_body_limit(m, p) or plain_limit(m, p)) if WITH \\
        else (lambda m, p: 0 if p == BUNDLE_PATH else plain_limit(m, p))
    return app


app_mod.create_app = create_app
from central.cli import main
sys.exit(main())
'''


class BundleCentral(CentralProcess):
    """`kiosk-central serve` with (`bundle=True`) or without the bundle route."""

    def __init__(self, data_dir: Path, *, bundle: bool = True, **kwargs) -> None:
        data_dir = Path(data_dir)
        data_dir.parent.mkdir(parents=True, exist_ok=True)
        script = data_dir.parent / f"{data_dir.name}-central-{'with' if bundle else 'without'}"
        script.write_text(LAUNCHER.format(python=sys.executable, with_bundle=bundle))
        script.chmod(0o700)
        plain, harness.CENTRAL = harness.CENTRAL, str(script)
        try:
            super().__init__(data_dir, **kwargs)
        finally:
            harness.CENTRAL = plain


def by_kind(requests: list[tuple[float, str, str]]) -> Counter:
    kinds = Counter()
    for _, method, path in requests:
        kind = re.sub(r"/[0-9a-f-]{36,64}$", "/{id}", path.split("?")[0])
        kinds[f"{method} {kind}"] += 1
    return kinds


def drain(store, url: str, timeout: float = 90.0) -> None:
    store.settings.set("sync.server_url", url)
    store.settings.save()
    engine = open_engine(store)
    try:
        assert run_until_idle(engine, timeout), engine.last_state.why_not_idle()
    finally:
        engine.close()


def station(tmp_path: Path, server: CentralProcess, n: int, name: str):
    store = harness.make_station(tmp_path / name, n)
    harness.link(store, server.url, server.add_station(name))
    return store


def per_record(kinds: Counter) -> int:
    return (kinds["POST /v1/blobs:missing"] + kinds["POST /v1/blobs:bundle"]
            + kinds["PUT /v1/blobs/{id}"] + kinds["PUT /v1/records/{id}"])


def test_a_new_record_costs_two_requests_where_bundles_are_offered(tmp_path):
    """A record never sent before has no blob on the server: one bundle with all of them
    and the manifest, without asking first which are missing."""
    server = BundleCentral(tmp_path / "central")
    store = station(tmp_path, server, 3, "st")
    try:
        with FaultProxy(server.port) as proxy:
            drain(store, proxy.url)
            kinds = by_kind(proxy.stats.requests)
        assert_delivered(store, server.data_dir)
        assert kinds["PUT /v1/blobs/{id}"] == 0
        assert kinds["POST /v1/blobs:bundle"] == 3 + 1  # one each, and the session's probe
        assert kinds["PUT /v1/records/{id}"] == 3 and kinds["POST /v1/blobs:missing"] == 0
        assert per_record(kinds) - 1 == 2 * 3, kinds
    finally:
        store.close()
        server.stop()


def test_a_record_the_server_lost_a_blob_of_asks_first_and_sends_only_that_blob(tmp_path):
    """A record sent before is not fresh: after the server lost one of its blobs, the
    re-send asks which are missing and uploads that one alone (one PUT)."""
    server = BundleCentral(tmp_path / "central")
    store = station(tmp_path, server, 2, "st")
    try:
        drain(store, server.url)
        rid = harness.record_ids(store)[0]
        lost = store.blob_rows(rid)[0]["sha256"]
        (server.data_dir / "blobs" / lost[:2] / lost).unlink()
        with FaultProxy(server.port) as proxy:
            drain(store, proxy.url)
            kinds = by_kind(proxy.stats.requests)
        assert kinds["POST /v1/blobs:missing"] == 1, kinds
        assert kinds["PUT /v1/blobs/{id}"] == 1 and kinds["PUT /v1/records/{id}"] == 1, kinds
        assert kinds["POST /v1/blobs:bundle"] <= 1, kinds  # at most the session's probe
        assert_delivered(store, server.data_dir)
    finally:
        store.close()
        server.stop()


def test_against_a_server_without_bundles_everything_goes_blob_by_blob(tmp_path):
    """Today's server: its gate caps the unknown route's body at 0 (413) and, behind the
    proxy's `not_found`, a 404: either way one probe a session, then today's requests."""
    server = BundleCentral(tmp_path / "central", bundle=False)
    stores = [station(tmp_path, server, 2, "old"), station(tmp_path, server, 2, "proxied")]
    try:
        with FaultProxy(server.port) as old, \
                FaultProxy(server.port, faults=Faults(not_found=(BUNDLE_PATH,))) as proxied:
            for store, proxy in zip(stores, (old, proxied), strict=True):
                drain(store, proxy.url)
                kinds = by_kind(proxy.stats.requests)
                blobs = store.db.execute("SELECT COUNT(*) FROM blobs").fetchone()[0]
                assert kinds["POST /v1/blobs:bundle"] == 1, kinds  # asked once, remembered
                assert kinds["PUT /v1/blobs/{id}"] == blobs
                assert kinds["PUT /v1/records/{id}"] == 2 == kinds["POST /v1/blobs:missing"]
                assert_delivered(store, server.data_dir)
        assert old.stats.injected == {} and proxied.stats.injected == {"not_found": 1}
    finally:
        for store in stores:
            store.close()
        server.stop()


class CutProxy:
    """Forwards to 127.0.0.1:`target`, reading each request's framing; cuts the connection
    (RST both ways) `fraction` into the body of the first `cuts` bundles that carry parts,
    half a second after the last byte it let through. Keeps every bundle body it forwarded
    (a cut one up to the cut) in `bundles`."""

    def __init__(self, target: int, *, fraction: float = 0.6, cuts: int = 1) -> None:
        self.target, self.fraction, self.cuts = target, fraction, cuts
        self.bundles: list[tuple[bool, bytes]] = []  # (cut, body bytes forwarded)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self.listener.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target))
            threading.Thread(target=_copy, args=(upstream, client), daemon=True).start()
            threading.Thread(target=self._up, args=(client, upstream), daemon=True).start()

    def _up(self, client: socket.socket, upstream: socket.socket) -> None:
        buf = b""
        with contextlib.suppress(OSError):
            while True:
                while b"\r\n\r\n" not in buf:
                    data = client.recv(65536)
                    if not data:
                        upstream.shutdown(socket.SHUT_WR)
                        return
                    buf += data
                head, buf = buf.split(b"\r\n\r\n", 1)
                upstream.sendall(head + b"\r\n\r\n")
                m = re.search(rb"(?im)^content-length:\s*(\d+)", head)
                length = int(m.group(1)) if m else 0
                while len(buf) < length:
                    data = client.recv(65536)
                    if not data:
                        return
                    buf += data
                body, buf = buf[:length], buf[length:]
                bundle = head.startswith(f"POST {BUNDLE_PATH} ".encode())
                if bundle and length > wire.HEAD.size and self.cuts > 0:
                    self.cuts -= 1
                    upstream.sendall(body[: int(length * self.fraction)])
                    self.bundles.append((True, body[: int(length * self.fraction)]))
                    time.sleep(0.5)  # the server reads what arrived, then the link dies
                    for s in (client, upstream):
                        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\1\0\0\0\0\0\0\0")
                        s.close()
                    return
                if bundle:
                    self.bundles.append((False, body))
                upstream.sendall(body)


def _copy(src: socket.socket, dst: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while data := src.recv(65536):
            dst.sendall(data)
        dst.shutdown(socket.SHUT_WR)


def test_a_cut_bundle_keeps_its_complete_parts_and_the_next_round_sends_only_the_rest(
        tmp_path):
    server = BundleCentral(tmp_path / "central")
    store = station(tmp_path, server, 1, "st")
    proxy = CutProxy(server.port, fraction=0.6)
    try:
        drain(store, proxy.url)
        assert_delivered(store, server.data_dir)
        sent = []  # (cut, declared, shas of the complete parts) of each bundle with parts
        for cut, body in proxy.bundles:
            reader = wire.BundleReader(max_parts=99, max_part=1 << 30)
            shas = [p.sha256 for p in reader.feed(body)]
            if reader.declared:
                sent.append((cut, reader.declared, shas, reader.outcome().complete))
        assert [(cut, done) for cut, _, _, done in sent] == [(True, False), (False, True)]
        everything = {b["sha256"] for b in store.blob_rows(harness.record_ids(store)[0])}
        (_, declared, arrived, _), (_, _, resent, _) = sent
        assert declared == len(everything) and 0 < len(arrived) < declared
        # the resend carries exactly the parts that did not fully arrive
        assert sorted(resent) == sorted(everything - set(arrived))
    finally:
        proxy.close()
        store.close()
        server.stop()
