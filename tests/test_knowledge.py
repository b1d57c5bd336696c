"""The shared knowledge graphs (input shapes, rule shapes) stay as their files say, whatever ran before in
the process: what kzlaw stores as its rules graph must not depend on whether pySHACL ran first (pySHACL
adds its "system triples" to any shapes graph it is handed)."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import BNode, Graph
from rdflib.namespace import OWL, RDF, RDFS

from kzlaw.assess import assess
from kzlaw.generate import generate
from kzlaw.knowledge import _load, input_shapes_graph, rule_shapes_graph, shapes_for_pyshacl
from kzlaw.namespaces import BASE, KZ
from kzlaw.resources import shape_files
from kzlaw.rules import rules_version
from kzlaw.store import EmbeddedStore
from kzlaw.validate import validate_graph

SYSTEM = [(OWL.Class, RDFS.subClassOf, RDFS.Class), (OWL.DatatypeProperty, RDFS.subClassOf, RDF.Property)]


def _named(g: Graph) -> set:
    """The triples without a blank node (blank nodes differ from one parse to the next)."""
    return {t for t in g if not any(isinstance(x, BNode) for x in t)}


def test_pyshacl_runs_leave_the_shared_shapes_and_the_stored_rules_graph_alone(tmp_path):
    g, base = generate(7)
    assert validate_graph(g, "pyshacl").conforms  # pySHACL validation: the input shapes
    assert assess(g, base, "all", executor="pyshacl").findings  # pySHACL's SHACL-AF rules: the rule shapes
    # pySHACL changed its own copies ...
    for kind in ("rules", "input"):
        assert all(t in shapes_for_pyshacl(kind) for t in SYSTEM), kind
    # ... not the graphs kzlaw stores and serves
    for kind, graph in (("rules", rule_shapes_graph()), ("input", input_shapes_graph())):
        assert not any(t in graph for t in SYSTEM), kind
        assert _named(graph) == _named(_load(shape_files(kind))), kind  # a fresh parse of the files
    store = EmbeddedStore(tmp_path / "store", BASE)
    store.ensure_knowledge()
    rules = ox.NamedNode(store.rules_graph_name)
    stored = {(q.subject.value, q.predicate.value, getattr(q.object, "value", None))
              for q in store.store.quads_for_pattern(None, None, None, rules)}
    store.close()
    assert (store.rules_graph_name, str(KZ.rulesVersion), rules_version()) in stored  # the rules graph is read
    assert not any((str(s), str(p), str(o)) in stored for s, p, o in SYSTEM)
