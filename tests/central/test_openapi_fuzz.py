"""Property test against the served OpenAPI schema: no input makes the server answer 500."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from central.app import create_app

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                 max_size=4),
    max_leaves=12,
)
path_values = st.one_of(
    st.text(alphabet="0123456789abcdef", min_size=64, max_size=64),
    st.uuids().map(str),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="/?#"),
            min_size=1, max_size=70),
)


@pytest.fixture(scope="module")
def fuzz_client(tmp_path_factory):
    app = create_app(tmp_path_factory.mktemp("fuzz"), max_inflight=0)
    with TestClient(app, raise_server_exceptions=False) as client:
        client.token = app.api.state.store.add_station("fuzz")
        client.operations = [
            (path, method.upper())
            for path, item in client.get("/openapi.json").json()["paths"].items()
            for method in item
        ]
        yield client


@settings(max_examples=250, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_no_input_to_any_operation_gives_a_500(fuzz_client, data):
    path, method = data.draw(st.sampled_from(fuzz_client.operations))
    url = re.sub(r"\{[^}]+\}", lambda _: quote(data.draw(path_values), safe=""), path)
    headers = {}
    if data.draw(st.booleans()):
        headers["Authorization"] = "Bearer " + data.draw(
            st.sampled_from([fuzz_client.token, "wrong", ""]))
    if data.draw(st.booleans()):
        headers["Kiosk-Signature"] = data.draw(
            st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=90))
    kind = data.draw(st.sampled_from(["json", "bytes", "none", "gzip-lie"]))
    kwargs: dict = {}
    if kind == "json":
        kwargs["json"] = data.draw(json_values)
    elif kind == "bytes":
        kwargs["content"] = data.draw(st.binary(max_size=300))
    elif kind == "gzip-lie":
        kwargs["content"] = data.draw(st.binary(max_size=100))
        headers["Content-Encoding"] = "gzip"
    resp = fuzz_client.request(method, url, headers=headers, **kwargs)
    assert resp.status_code < 500, (method, url, resp.status_code, resp.text[:300])
