"""OWL reasoning over one scenario: the ontology plus the facts give the classes and property values the
rules rely on (a social network is an Internet resource is a mass medium; a commenter; a foreign website).

Fast path: the Rust OWL 2 RL reasoner ``reasonable``, completed with the one OWL 2 RL rule it does not apply,
property chains (prp-spo2), evaluated here to a fixpoint. Reference: HermiT through owlready2
(``hermit_closure``). tests/test_reasoning_differential.py shows both give the same classes and property
values for every scenario in tests/ and for generated ones; the ontology stays in OWL 2 RL for that
(shapes/qc/rl-profile-violation.sparql guards it).
"""

from __future__ import annotations

import os
import tempfile
from functools import cache

import reasonable
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, XSD

from .knowledge import ontology_graph


@cache
def _property_chains() -> tuple[tuple[URIRef, tuple[URIRef, ...]], ...]:
    onto = ontology_graph()
    chains = []
    for prop, head in onto.subject_objects(OWL.propertyChainAxiom):
        chains.append((prop, tuple(Collection(onto, head))))
    return tuple(chains)


def _apply_chains(g: Graph) -> None:
    """prp-spo2 to a fixpoint: for a chain p1∘…∘pn ⊑ p, link x to z when x p1 … pn z."""
    chains = _property_chains()
    changed = True
    while changed:
        changed = False
        for prop, steps in chains:
            frontier = {(s, s) for s in g.subjects(steps[0], None)}
            for step in steps:
                frontier = {(start, o) for start, node in frontier for o in g.objects(node, step)}
            for s, o in frontier:
                if (s, prop, o) not in g:
                    g.add((s, prop, o))
                    changed = True


def rl_closure(facts: Graph) -> Graph:
    """The OWL 2 RL closure of ontology + facts (includes the ontology's own triples)."""
    merged = Graph()
    merged += ontology_graph()
    merged += facts
    while True:
        r = reasonable.PyReasoner()
        r.from_graph(merged)
        closure = Graph()
        for t in r.reason():
            closure.add(t)
        before = len(closure)
        _apply_chains(closure)
        if len(closure) == before:
            return closure
        merged = closure  # a chain added a fact: let the RL rules see it (domains, ranges, inverses)


def for_hermit(g: Graph) -> Graph:
    """HermiT accepts only the OWL 2 datatype map, which has xsd:dateTime but not xsd:date: dates are
    handed to it as midnight date-times. No class or property inference depends on a date."""
    out = Graph()
    for s, p, o in g:
        if isinstance(o, Literal) and o.datatype == XSD.date:
            o = Literal(f"{o}T00:00:00", datatype=XSD.dateTime)
        elif o == XSD.date:
            o = XSD.dateTime
        out.add((s, p, o))
    return out


def hermit_closure(facts: Graph) -> Graph:
    """Reference reasoning with HermiT (owlready2; needs Java). Returns asserted + inferred triples."""
    import owlready2

    merged = Graph()
    merged += ontology_graph()
    merged += facts
    merged = for_hermit(merged)
    world = owlready2.World()
    fd, path = tempfile.mkstemp(suffix=".nt")
    os.close(fd)
    try:
        merged.serialize(path, format="nt", encoding="utf-8")
        onto = world.get_ontology("file://" + path).load(format="ntriples")
        with onto:
            owlready2.sync_reasoner_hermit(world, infer_property_values=True, debug=0)
        out = world.as_rdflib_graph()
        result = Graph()
        for s, p, o in out:
            result.add((s, p, o))
        return result
    finally:
        os.unlink(path)


def scenario_inferences(closure: Graph, facts: Graph, base: str) -> Graph:
    """The inferred triples about the scenario's own nodes, without blank-node classes or owl:Thing:
    what is worth storing beside the facts."""
    out = Graph()
    for s, p, o in closure:
        if not str(s).startswith(base) or (s, p, o) in facts:
            continue
        if isinstance(o, BNode) or o == OWL.Thing or o == OWL.NamedIndividual:
            continue
        if p == RDF.type or str(p).startswith("https://w3id.org/kzlaw/ontology#"):
            out.add((s, p, o))
    return out
