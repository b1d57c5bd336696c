"""A small schemathesis run (the CI version of `make fuzz`) against the live OpenAPI of a real server: no 5xx,
every response conforms to its schema. `make fuzz` runs the same checks with ≥1,000 requests."""

from __future__ import annotations

import httpx
import pytest
from conftest_service import api_server
from hardening.fuzzing import fuzz


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    p = api_server(tmp_path_factory.mktemp("fuzz"), max_body_bytes="65536", query_timeout_s="2")
    yield p
    p.stop()


def test_fuzz_the_live_openapi(server):
    sent, failures = fuzz(server.url, 7)
    assert not failures, "\n\n".join(failures)
    assert sent >= 50  # the generated requests really ran (~100)
    assert httpx.get(f"{server.url}/health", timeout=30).status_code == 200
