"""Hostile documents the parser itself must refuse cleanly (InputError, never a crash or a store error)."""

import pytest

from kzlaw.errors import InputError
from kzlaw.parse import parse_scenario

BASE = "https://w3id.org/kzlaw/scenario/x/"


@pytest.mark.parametrize("data,fmt", [
    ('<#a b> <#p> <#c> .', "turtle"),
    ('<urn:a> <urn:p> <urn:c{x}> .', "nt"),
    ('{"@id": "a b\\"c", "@type": "kz:Person"}', "json-ld"),
    (('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="urn:a b">'
     '<rdf:value>1</rdf:value></rdf:Description></rdf:RDF>'), "xml"),
    ('{"@context": {"@version": 2.5}, "@id": "x"}', "json-ld"),
    ('{"@context": {"kz": 42}, "kz:a": 1}', "json-ld"),
    ('{"@context": {}, "@id": "x"}', "json-ld"),  # no triples at all
    ('{"\u00a65\u009c\u0080": [[5e-324, true, 8926]]}', "json-ld"),  # a C1 control character (was a 500)
])
def test_refused(data, fmt):
    with pytest.raises(InputError):
        parse_scenario(data, fmt, BASE)


def test_a_json_ld_1_1_context_still_parses():
    g = parse_scenario('{"@context": {"@version": 1.1, "@vocab": "https://w3id.org/kzlaw/ontology#"}, '
                       '"@id": "a", "p": 1}', "json-ld", BASE)
    assert len(g) == 1


# --------------------------------------------------------------------------------------------------
# Hypothesis-mutated scenarios through the whole pipeline: only InputError or a SHACL report, never a crash

import json

from conftest_service import FB_REACHABLE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kzlaw.assess import assess
from kzlaw.parse import scenario_base
from kzlaw.service import NotConforming, check, read

GOOD = json.loads(FB_REACHABLE.read_text(encoding="utf-8"))
TTL = FB_REACHABLE.with_suffix(".ttl").read_text(encoding="utf-8")
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=8)


def _paths(doc, prefix=()):
    yield prefix
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from _paths(v, (*prefix, i))


PATHS = [p for p in _paths(GOOD) if p]


def _replace(doc, path, value):
    doc = json.loads(json.dumps(doc))
    node = doc
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return doc


def _pipeline(data: bytes, fmt: str) -> str:
    try:
        g = read(data, fmt, "mutant", "https://w3id.org/kzlaw/")
        check(g)
        assess(g, scenario_base("mutant"), "all")
    except InputError:
        return "input-error"
    except NotConforming as e:
        assert e.report.problems  # a report, with its problems
        return "report"
    return "assessed"


@given(st.sampled_from(PATHS), JSON_VALUES)
@settings(max_examples=40, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_mutated_json_ld_only_reports(path, value):
    _pipeline(json.dumps(_replace(GOOD, path, value)).encode(), "json-ld")


@given(st.integers(0, len(TTL)), st.integers(0, 40), st.text(max_size=12))
@settings(max_examples=40, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_mutated_turtle_only_reports(at, cut, insert):
    _pipeline((TTL[:at] + insert + TTL[at + cut:]).encode(), "turtle")


def test_the_hostile_input_table_is_the_tests_output():
    from hardening.support import DOC, render_text

    assert DOC.read_text(encoding="utf-8") == render_text(), \
        "docs/hostile-inputs.md differs from tests/hardening/results: run the hardening tests"
