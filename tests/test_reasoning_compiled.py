"""The compiled OWL 2 RL rules (kzlaw.reason._Compiled: the ontology's rules turned into tables once)
against ``reasonable`` re-deriving ontology + facts from scratch: the same class memberships and property
values for every scenario file in tests/ (good and bad ones that parse) and for generated scenarios.
Facts outside what the compiled rules cover must reach the reference reasoner and give its answer."""

from __future__ import annotations

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD
from support import readable_scenarios, scenario_files

from kzlaw.generate import generate
from kzlaw.namespaces import KZ
from kzlaw.reason import _compiled, _Unsupported, rl_closure, rl_closure_reference

S = "https://w3id.org/kzlaw/scenario/t/"


def _plain(term):
    # reasonable hands literals back with an explicit xsd:string: the same RDF 1.1 term
    if isinstance(term, Literal) and term.datatype == XSD.string:
        return Literal(str(term))
    return term


def _comparable(delta: Graph) -> set:
    """What any consumer reads: triples about named nodes, no blank-node classes, no owl: types, no
    reflexive owl:sameAs from functional properties."""
    out = set()
    for s, p, o in delta:
        if isinstance(s, (BNode, Literal)) or isinstance(p, BNode) or isinstance(o, BNode):
            continue
        if p == OWL.sameAs or (p == RDF.type and str(o).startswith(str(OWL))):
            continue
        out.add((s, p, _plain(o)))
    return out


CASES = readable_scenarios(scenario_files("good")) + readable_scenarios(scenario_files("bad"))


def test_the_ontology_compiles():
    assert _compiled() is not None, "the ontology uses a construct the compiled rules do not cover"


@pytest.mark.parametrize("name,facts", CASES, ids=[c[0] for c in CASES])
def test_compiled_equals_reference_on_corpus(name, facts):
    fast, ref = _comparable(rl_closure(facts).delta), _comparable(rl_closure_reference(facts).delta)
    assert fast == ref, f"compiled only: {sorted(fast - ref)[:5]}; reference only: {sorted(ref - fast)[:5]}"


@pytest.mark.parametrize("seed", range(0, 400, 4))
def test_compiled_equals_reference_on_generated(seed):
    for s in range(seed, seed + 4):
        facts, _ = generate(s)
        fast, ref = _comparable(rl_closure(facts).delta), _comparable(rl_closure_reference(facts).delta)
        assert fast == ref, f"seed {s}: compiled only {sorted(fast - ref)[:5]}; reference only {sorted(ref - fast)[:5]}"


def test_compiled_infers_what_the_rules_need():
    """A comment's author is a commenter (intersection + someValuesFrom), the comment is on the post's
    resource (property chain), a social network is an Internet resource and a mass medium."""
    g = Graph()
    net, post, comment, who = (URIRef(S + x) for x in ("net", "post", "comment", "who"))
    g.add((net, RDF.type, KZ.SocialNetwork))
    g.add((post, RDF.type, KZ.Post))
    g.add((post, KZ.publishedOn, net))
    g.add((comment, RDF.type, KZ.Comment))
    g.add((comment, KZ.commentOn, post))
    g.add((who, RDF.type, KZ.Person))
    g.add((who, KZ.authorOf, comment))
    delta = _compiled().derive(g)
    assert (comment, KZ.publishedOn, net) in delta
    assert (who, RDF.type, KZ.Commenter) in delta
    assert (net, RDF.type, KZ.InternetResource) in delta and (net, RDF.type, KZ.MassMedium) in delta


@pytest.mark.parametrize("extra,why", [
    ((URIRef(S + "Special"), RDFS.subClassOf, KZ.Post), "schema"),
    ((KZ.authorOf, RDF.type, OWL.TransitiveProperty), "schema type"),
    ((URIRef(S + "post"), KZ.commentOn, URIRef(S + "other")), "equality"),
])
def test_facts_beyond_the_compiled_rules_go_to_the_reference(extra, why):
    g = Graph()
    g.add((URIRef(S + "post"), RDF.type, KZ.Comment))
    g.add((URIRef(S + "post"), KZ.commentOn, URIRef(S + "first")))
    g.add((URIRef(S + "x"), RDF.type, URIRef(S + "Special")))
    g.add(extra)
    with pytest.raises(_Unsupported):
        _compiled().derive(g)
    fast, ref = rl_closure(g), rl_closure_reference(g)
    assert _comparable(fast.delta) == _comparable(ref.delta)
    if why == "schema":  # the scenario's own subclass is honoured
        assert (URIRef(S + "x"), RDF.type, KZ.Post) in fast
    if why == "equality":  # the two values of a functional property are the same node
        assert (URIRef(S + "first"), OWL.sameAs, URIRef(S + "other")) in fast


def test_disjoint_classes_go_to_the_reference():
    g = Graph()
    g.add((URIRef(S + "x"), RDF.type, KZ.Post))
    g.add((URIRef(S + "x"), RDF.type, KZ.Comment))
    with pytest.raises(_Unsupported):
        _compiled().derive(g)
    assert _comparable(rl_closure(g).delta) == _comparable(rl_closure_reference(g).delta)
