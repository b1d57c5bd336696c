"""The fast OWL 2 RL materialisation (reasonable + property chains) against the reference, HermiT
(owlready2): the same classes and property values for every scenario in tests/ and for generated ones.

HermiT reports the most specific classes of each individual; both sides are therefore compared after
closing the types upward under the ontology's class hierarchy (a TBox fact both reasoners agree on:
the QC tests show HermiT finds no unsatisfiable class). Scenarios are reasoned over in batches (their
nodes are disjoint), one Java start per batch."""

from __future__ import annotations

import pytest
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import OWL, RDF
from support import scenario_files

from kzlaw.generate import generate
from kzlaw.namespaces import BASE, KZ
from kzlaw.parse import read_scenario_file
from kzlaw.reason import hermit_closure, named_superclasses, rl_closure

pytestmark = pytest.mark.slow
GENERATED = 240
BATCH = 80


def _comparable(g: Graph, sup: dict) -> set:
    out = set()
    for s, p, o in g:
        if not isinstance(s, URIRef) or not str(s).startswith(BASE + "scenario/") or isinstance(o, BNode):
            continue
        if p == RDF.type and isinstance(o, URIRef) and o not in (OWL.Thing, OWL.NamedIndividual):
            out.add((s, p, o))
            for c in sup.get(o, ()):
                if c != OWL.Thing:
                    out.add((s, p, c))
        elif str(p).startswith(str(KZ)) and isinstance(o, URIRef):
            out.add((s, p, o))
    return out


def _batches():
    graphs = [read_scenario_file(p)[0] for p in scenario_files("good")]
    graphs += [generate(seed)[0] for seed in range(GENERATED)]
    return [graphs[i:i + BATCH] for i in range(0, len(graphs), BATCH)]


@pytest.mark.parametrize("batch", range(len(_batches())))
def test_rl_materialisation_equals_hermit(batch):
    facts = Graph()
    for g in _batches()[batch]:
        facts += g
    fast = rl_closure(facts)
    ref = hermit_closure(facts)
    sup = named_superclasses(fast, ref)
    a, b = _comparable(fast, sup), _comparable(ref, sup)
    assert a, "nothing to compare: the batch is empty"
    assert a - b == set(), f"inferred by the fast path only: {sorted(a - b)[:10]}"
    assert b - a == set(), f"inferred by HermiT only: {sorted(b - a)[:10]}"
