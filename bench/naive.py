"""The naive pipeline a user with the card's packages would write, per request: parse the scenario with
rdflib, reason with HermiT (owlready2, ``infer_property_values=True``) over ontology + facts, run the
SHACL-AF rules with pyshacl on the result. It shares with kzlaw only the files (ontology, rules) and the
date adapter HermiT needs (xsd:date → xsd:dateTime, see kzlaw.reason.for_hermit)."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from kzlaw.knowledge import ontology_graph, shapes_for_pyshacl
from kzlaw.namespaces import KZ, SH
from kzlaw.reason import hermit_closure, named_superclasses
from kzlaw.rules import all_regimes, regime_id, rule_metadata_graph


def _undo_hermit_dates(closure: Graph, facts: Graph) -> Graph:
    """HermiT saw dates as midnight date-times (ontology and facts); the rules compare xsd:date: give
    them back as dates."""
    out = Graph()
    for s, p, o in closure:
        if isinstance(o, Literal) and o.datatype == XSD.dateTime and str(o).endswith("T00:00:00"):
            o = Literal(str(o)[:-9], datatype=XSD.date)
        out.add((s, p, o))
    for t in facts:
        out.add(t)
    _complete_types(out)
    return out


def _complete_types(g: Graph) -> None:
    """owlready2 writes HermiT's result back as each individual's most specific classes and the class
    hierarchy as rdfs:subClassOf / owl:equivalentClass: a user who wants the rules to see every class
    membership adds the named superclasses (kzlaw.reason.named_superclasses, as the differential test does)."""
    sup = named_superclasses(g)
    for x, c in list(g.subject_objects(RDF.type)):
        for parent in sup.get(c, ()):
            g.add((x, RDF.type, parent))


def assess_naive(text: str, base: str) -> set[tuple]:
    """Parse (Turtle), HermiT, pyshacl SHACL-AF rules of every regime → the findings' keys."""
    from pyshacl import shacl_rules

    facts = Graph()
    facts.parse(data=text, format="turtle", publicID=base)
    if not set(facts.subjects(RDF.type, KZ.Scenario)):
        facts.add((URIRef(base), RDF.type, KZ.Scenario))
    closure = _undo_hermit_dates(hermit_closure(facts), facts)
    data = Graph()
    data += closure
    data += rule_metadata_graph()
    shapes = shapes_for_pyshacl("rules")
    wanted = {r.iri for r in all_regimes().values()}
    use = [s for s in shapes.subjects(SH.targetNode, None) if shapes.value(s, SH.targetNode) in wanted]
    result = shacl_rules(data, shacl_graph=shapes, use_shapes=use, advanced=True, iterate_rules=True,
                         inplace=True)
    return finding_keys(result)


def finding_keys(g: Graph) -> set[tuple]:
    """(regime, subject, conclusion, concerns, basis, obstacles) of every finding in ``g``: the
    conclusions compared between kzlaw and the baseline (not IRIs, not wording)."""
    keys = set()
    def v(f, p):
        x = g.value(f, p)
        return str(x) if x is not None else ""

    for f in set(g.subjects(RDF.type, KZ.Finding)):
        keys.add((regime_id(g.value(f, KZ.regime)), v(f, KZ.subject), v(f, KZ.conclusion), v(f, KZ.concerns),
                  v(f, KZ.basis), tuple(sorted(str(o) for o in g.objects(f, KZ.obstacle)))))
    return keys


def warm() -> None:
    ontology_graph()
    shapes_for_pyshacl("rules")
    rule_metadata_graph()
