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
from rdflib.namespace import OWL, RDF, RDFS, XSD

from .knowledge import ontology_graph


@cache
def _property_chains() -> tuple[tuple[URIRef, tuple[URIRef, ...]], ...]:
    onto = ontology_graph()
    chains = []
    for prop, head in onto.subject_objects(OWL.propertyChainAxiom):
        chains.append((prop, tuple(Collection(onto, head))))
    return tuple(chains)


_LOGICAL = (str(OWL), str(RDF), str(RDFS))


@cache
def _static() -> tuple[Graph, frozenset, tuple]:
    """What depends only on the ontology, computed once: its own RL closure S (as a Graph and as a set),
    and the reasoner's input for a scenario — the ontology without the literal-valued annotations of
    named nodes (labels, definitions, quotes...), which no OWL 2 RL rule joins on (their predicates have
    no domain, range, characteristic, restriction, chain or key). Their consequences are in S, which
    every closure includes."""
    onto = ontology_graph()
    closure = _closure_of(list(onto))
    used = set()
    for s, p, o in closure:
        if p == RDF.type and o not in _CHARACTERISTICS:
            continue
        if str(p).startswith(_LOGICAL):
            used.add(s)
            used.add(o)
    keep = tuple(t for t in onto if not (isinstance(t[2], Literal) and not isinstance(t[0], BNode)
                                         and t[1] not in used and not str(t[1]).startswith(_LOGICAL)))
    static = Graph()
    static.addN((s, p, o, static) for s, p, o in closure)
    return static, frozenset(closure), keep


_CHARACTERISTICS = {OWL.FunctionalProperty, OWL.InverseFunctionalProperty, OWL.TransitiveProperty,
                    OWL.SymmetricProperty, OWL.AsymmetricProperty, OWL.IrreflexiveProperty,
                    OWL.ReflexiveProperty}


def _chains_on(triples: set) -> bool:
    """prp-spo2 on a set of triples, to a fixpoint; True if anything was added."""
    chains = _property_chains()
    if not chains:
        return False
    by_p: dict = {}
    for s, p, o in triples:
        by_p.setdefault(p, {}).setdefault(s, []).append(o)
    added = False
    changed = True
    while changed:
        changed = False
        for prop, steps in chains:
            frontier = {(x, x) for x in by_p.get(steps[0], {})}
            for step in steps:
                idx = by_p.get(step, {})
                frontier = {(start, o) for start, node in frontier for o in idx.get(node, ())}
            for x, z in frontier:
                t = (x, prop, z)
                if t not in triples:
                    triples.add(t)
                    by_p.setdefault(prop, {}).setdefault(x, []).append(z)
                    changed = added = True
    return added


def _closure_of(triples: list) -> set:
    while True:
        r = reasonable.PyReasoner()
        r.from_graph(triples)
        closure = set(r.reason())
        if not _chains_on(closure):
            return closure
        triples = list(closure)  # a chain added a fact: let the RL rules see it (domains, ranges, inverses)


class Closure(Graph):
    """The closure of ontology + facts as one graph: the ontology's own closure (``static``, shared and
    computed once — never modified) and what the facts add (``delta``; additions go there)."""

    def __init__(self, static: Graph, delta: Graph):
        super().__init__()
        self.static = static
        self.delta = delta

    # delta and static are kept disjoint, so a triple is never given twice

    def triples(self, triple):
        yield from self.static.triples(triple)
        yield from self.delta.triples(triple)

    def __contains__(self, triple) -> bool:
        return triple in self.static or triple in self.delta

    def __len__(self) -> int:
        return len(self.static) + len(self.delta)

    def add(self, triple):
        if triple not in self.static:
            self.delta.add(triple)
        return self

    def addN(self, quads):
        self.delta.addN((s, p, o, self.delta) for s, p, o, _g in quads if (s, p, o) not in self.static)
        return self

    def remove(self, triple):
        raise TypeError("a Closure is read-only")


def rl_closure(facts: Graph) -> Graph:
    """The OWL 2 RL closure of ontology + facts (includes the ontology's own triples)."""
    static, static_set, keep = _static()
    closure = _closure_of([*keep, *facts])
    delta = Graph()
    delta.addN((s, p, o, delta) for s, p, o in closure if (s, p, o) not in static_set)
    return Closure(static, delta)


def named_superclasses(*graphs: Graph) -> dict:
    """Each named class's transitive named superclasses, from the rdfs:subClassOf and owl:equivalentClass
    triples of the given graphs. HermiT (through owlready2) writes back only each individual's most
    specific classes plus the class hierarchy it inferred; closing types under this map gives every
    class membership, comparable with an RL closure."""
    direct: dict = {}
    for g in graphs:
        for s, o in g.subject_objects(RDFS.subClassOf):
            if isinstance(s, URIRef) and isinstance(o, URIRef):
                direct.setdefault(s, set()).add(o)
        for s, o in g.subject_objects(OWL.equivalentClass):
            if isinstance(s, URIRef) and isinstance(o, URIRef):
                direct.setdefault(s, set()).add(o)
                direct.setdefault(o, set()).add(s)
    sup: dict = {}
    for c in direct:
        seen, todo = set(), [c]
        while todo:
            for parent in direct.get(todo.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        sup[c] = seen
    return sup


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
