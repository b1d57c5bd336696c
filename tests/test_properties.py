"""Properties of the whole pipeline over generated scenarios (hypothesis picks the seeds)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS

from kzlaw.assess import assess
from kzlaw.generate import generate
from kzlaw.knowledge import ontology_graph
from kzlaw.namespaces import KZ, LANGS
from kzlaw.parse import parse_scenario
from kzlaw.validate import validate_graph

SEEDS = st.integers(min_value=0, max_value=10**6)
SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LIABILITY = {str(KZ.Liable), str(KZ.SharesResponsibility), str(KZ.ConsentDutyBreached)}


@SETTINGS
@given(SEEDS)
def test_generated_scenarios_are_valid(seed):
    g, _ = generate(seed)
    assert validate_graph(g).conforms


@SETTINGS
@given(SEEDS)
def test_lawful_content_never_yields_liability(seed):
    g, base = generate(seed, lawful_only=True)
    # a data collection without consent is a duty breach whatever the content: keep it out of this one
    for dc in list(g.subjects(RDF.type, KZ.DataCollection)):
        g.remove((dc, None, None))
    findings = assess(g, base).findings
    assert not [f for f in findings if f.conclusion in LIABILITY], [f.rule_id for f in findings]


@SETTINGS
@given(SEEDS)
def test_an_unrelated_person_changes_no_finding(seed):
    g, base = generate(seed)
    before = sorted(f.key() for f in assess(g, base).findings)
    stranger = URIRef(base + "a-stranger")
    g.add((stranger, RDF.type, KZ.Person))
    g.add((stranger, RDFS.label, Literal("a stranger")))
    g.add((stranger, KZ.identified, Literal(False)))
    g.add((stranger, KZ.residence, KZ.UnitedStates))
    assert sorted(f.key() for f in assess(g, base).findings) == before


@SETTINGS
@given(SEEDS)
def test_json_ld_and_turtle_give_the_same_findings(seed):
    g, base = generate(seed)
    ttl = g.serialize(format="turtle", base=base)
    jsonld = g.serialize(format="json-ld", context={"kz": str(KZ)})
    a = assess(parse_scenario(ttl, "turtle", base), base)
    b = assess(parse_scenario(jsonld, "json-ld", base), base)
    assert [f.iri for f in a.findings] == [f.iri for f in b.findings]
    assert [f.key() for f in a.findings] == [f.key() for f in b.findings]


@SETTINGS
@given(SEEDS)
def test_every_finding_cites_provision_passage_and_rule(seed):
    g, base = generate(seed)
    onto = ontology_graph()
    for f in assess(g, base).findings:
        assert f.rule_id and f.legal_basis and f.passages
        assert all(onto.value(URIRef(p), KZ.quote) for p in f.passages)
        assert all(f.explanation.get(lang) for lang in LANGS)
