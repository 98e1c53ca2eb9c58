"""schemathesis (a fuzzer we did not write) against the served OpenAPI document: for every
operation, inputs generated from the schema, valid and invalid, with a real station token;
each answer must be no 5xx, a status the operation declares, a content type it declares, a
body and headers that match the declared schema; invalid input refused, valid input taken,
an undeclared method 405.

One check is left out for three operations: "schema-valid input is accepted" cannot hold
where validity is a hash or a signature (a blob's bytes must hash to its address, a
manifest must be signed by the station's key and name uploaded blobs, a bundle's parts must
hash to theirs), which no schema can express; there a random body is rightly a 422."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance
from schemathesis.transport.serialization import serialize_binary

from central.app import create_app
from central.storage import CentralStore
from ektp_protocol import bundle as wire

# schemathesis reads the schema when the module is collected (its lazy fixture loader does
# not run on this pytest); the server lives for the module, in a folder of its own
_DIR = Path(tempfile.mkdtemp(prefix="schemathesis-"))
_STORE = CentralStore(_DIR)
_TOKEN = {"Authorization": f"Bearer {_STORE.add_station('fuzz')}"}
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(store=_STORE,
                                                                    max_inflight=0))


@schemathesis.serializer(wire.CONTENT_TYPE)
def _bundle_body(ctx, value) -> bytes:
    """A bundle body is bytes on the wire, as the schema's `format: binary` says."""
    return serialize_binary(value)


@pytest.fixture(scope="module", autouse=True)
def _cleanup():
    yield
    _STORE.close()
    shutil.rmtree(_DIR, ignore_errors=True)


@schema.parametrize()
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
def test_every_answer_is_one_the_schema_declares(case):
    content_checked = case.operation.path in (
        "/v1/blobs/{sha256}", "/v1/records/{record_id}", "/v1/blobs:bundle")
    case.call_and_validate(headers=_TOKEN, excluded_checks=[positive_data_acceptance]
                           if content_checked else [])
