"""Fuzzing the live OpenAPI with schemathesis: used by tests/test_hardening_fuzz.py (~100 requests) and
`make fuzz` (≥1,000 requests, `python tests/hardening/fuzz.py`). Checks: no 5xx, responses conform to their
schema and declared content type."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


def fuzz(url: str, max_examples: int) -> tuple[int, list[str]]:
    """Every operation of the live OpenAPI, ``max_examples`` generated cases each (schemathesis strategies
    driven by Hypothesis directly: the pytest plugin of this schemathesis does not work with this pytest).
    Returns the number of requests sent and the failures."""
    from hypothesis import given

    schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
    sent, failures = [0], []
    for result in schema.get_all_operations():
        op = result.ok()

        @given(op.as_strategy())
        @settings(max_examples=max_examples, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case):
            sent[0] += 1
            case.call_and_validate(base_url=url, checks=CHECKS, timeout=60)
        try:
            run()
        except BaseException as e:  # noqa: BLE001 - a check failure (an exception group) of one operation; go on with the others
            failures.append(f"{op.method.upper()} {op.path}: {str(e)[:1500]}")
    return sent[0], failures
