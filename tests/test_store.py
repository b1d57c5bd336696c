"""The store, on both backends: embedded Oxigraph and an Oxigraph server over the SPARQL 1.1 Protocol and
Graph Store Protocol (a real `oxigraph serve` process on a loopback port)."""

from __future__ import annotations

import pytest
from conftest_service import BASE, FB_REACHABLE, WORKED, oxigraph_server
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF

from kzlaw import service
from kzlaw.namespaces import KZ
from kzlaw.output import assessment_json
from kzlaw.parse import read_scenario_file
from kzlaw.rules import rules_version
from kzlaw.store import EmbeddedStore, RemoteStore, StoreError, open_store

LIABLE = str(KZ.Liable)


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("oxigraph")
    server = oxigraph_server(tmp / "data", tmp / "oxigraph.log")
    yield server
    server.stop()


@pytest.fixture(params=["embedded", "remote"])
def backend(request, tmp_path):
    """A fresh, empty store (with the knowledge graphs) and a function that reopens it."""
    if request.param == "embedded":
        path = tmp_path / "store"
        holder = {"store": open_store(path, base=BASE)}

        def reopen():
            holder["store"].close()
            holder["store"] = open_store(path, base=BASE)
            return holder["store"]
    else:
        server = request.getfixturevalue("oxigraph")
        first = RemoteStore(server.url, BASE)
        first._update("CLEAR ALL")
        first.ensure_knowledge()
        holder = {"store": first}

        def reopen():
            holder["store"].close()
            server.restart()
            holder["store"] = open_store(url=server.url, base=BASE)
            return holder["store"]
    yield holder["store"], reopen
    holder["store"].close()


def _load(store, sid: str, path=FB_REACHABLE):
    return service.ingest(store, path.read_bytes(), "json-ld" if path.suffix == ".jsonld" else "turtle", sid)


def test_put_get_exists_delete(backend):
    store, _ = backend
    assert not store.exists("fb")
    _, a = _load(store, "fb")
    assert store.exists("fb")
    facts, _ = read_scenario_file(FB_REACHABLE, "fb")
    stored = store.facts("fb")
    assert set(facts) <= set(stored)  # the facts as given, plus the scenario node assess makes sure of
    assert isomorphic(store.findings("fb"), a.graph)
    assert sorted(store.graph_names("fb")) == sorted(
        [store.facts_graph("fb"), store.inferred_graph("fb")]
        + [store.findings_graph("fb", r) for r in a.regimes])
    assert len(store.inferred("fb")) > 0
    assert store.delete("fb")
    assert not store.exists("fb") and store.graph_names("fb") == []
    assert not store.delete("fb")


def test_every_stored_finding_carries_the_rules_version(backend):
    store, _ = backend
    _load(store, "fb")
    g = store.findings("fb")
    findings = set(g.subjects(RDF.type, KZ.Finding))
    assert findings
    for f in findings:
        assert list(g.objects(f, KZ.rulesVersion)) == [Literal(rules_version())]
    assert store.stored_rules_version() == rules_version()


def test_findings_per_regime_graph(backend):
    store, _ = backend
    _, a = _load(store, "fb")
    for regime in a.regimes:
        g = store.findings("fb", regime)
        assert {str(o) for o in g.objects(None, KZ.regime)} == {f"{BASE}regime/{regime}"}
        assert len(set(g.subjects(RDF.type, KZ.Finding))) == len(a.by_regime(regime))


def test_stored_findings_json_is_the_assessment_json(backend):
    store, _ = backend
    _, a = _load(store, "fb")
    assert service.stored_findings(store, "fb").json("en")["findings"] == assessment_json(a, "en")["findings"]


def test_list_pages_and_filters(backend):
    store, _ = backend
    for sid, path in (("a-reachable", FB_REACHABLE), ("b-abroad", WORKED / "facebook-abroad-refusal.jsonld"),
                      ("c-turtle", WORKED / "facebook-reachable.ttl")):
        _load(store, sid, path)
    assert store.list().ids == ["a-reachable", "b-abroad", "c-turtle"]
    assert store.list().total == 3
    p2 = store.list(page=2, size=2)
    assert (p2.total, p2.ids) == (3, ["c-turtle"])
    assert store.list(regime="current-law", conclusion=LIABLE).total == 3
    assert store.list(conclusion=str(KZ.NoSuchConclusion)).ids == []
    ids = store.list().ids
    graphs = {(sid, r): store.findings(sid, r) for sid in ids
              for r in (None, "current-law", "reform-proposal", "platform-duties")}
    conclusions = {c for g in graphs.values() for c in g.objects(None, KZ.conclusion)}
    strict = 0
    for regime in (None, "current-law", "reform-proposal", "platform-duties"):
        for conclusion in conclusions:
            expected = [sid for sid in ids if (None, KZ.conclusion, conclusion) in graphs[sid, regime]]
            assert store.list(regime=regime, conclusion=str(conclusion)).ids == expected
            strict += 0 < len(expected) < len(ids)
    assert strict > 0  # the filters do discriminate between these scenarios


def test_put_replace_swaps_everything_at_once(backend):
    store, _ = backend
    _load(store, "x")
    with pytest.raises(service.ScenarioExists):
        _load(store, "x")
    service.ingest(store, (WORKED / "facebook-abroad-refusal.jsonld").read_bytes(), "json-ld", "x",
                   replace=True)
    labels = {str(o) for o in store.facts("x").objects(None, URIRef("http://www.w3.org/2000/01/rdf-schema#label"))}
    assert "The Facebook case, reachable commenter" not in labels
    assert store.list().ids == ["x"]


def test_a_write_that_fails_midway_leaves_nothing(backend):
    store, _ = backend
    facts, _ = read_scenario_file(FB_REACHABLE, "broken")
    good = Graph()
    good.add((URIRef(BASE + "scenario/broken/finding/1"), RDF.type, KZ.Finding))
    bad = Graph()
    bad.add((URIRef(BASE + "scenario/broken/finding/2"), KZ.subject, URIRef("http://not an iri/")))
    before = store.count_quads()
    with pytest.raises((ValueError, StoreError)):
        store.put("broken", facts, Graph(), {"current-law": good, "reform-proposal": bad})
    assert not store.exists("broken")
    assert store.graph_names("broken") == []
    assert store.count_quads() == before


def test_replace_that_fails_keeps_the_old_scenario(backend):
    store, _ = backend
    _, a = _load(store, "keep")
    bad = Graph()
    bad.add((URIRef(BASE + "scenario/keep/finding/x"), KZ.subject, URIRef("http://not an iri/")))
    with pytest.raises((ValueError, StoreError)):
        store.put("keep", Graph(), Graph(), {"current-law": bad}, replace=True)
    assert isomorphic(store.findings("keep"), a.graph)


def test_everything_survives_reopening(backend):
    store, reopen = backend
    _, a = _load(store, "persist")
    store = reopen()
    assert store.exists("persist")
    assert isomorphic(store.findings("persist"), a.graph)
    assert store.stored_rules_version() == rules_version()
    assert store.ensure_knowledge() is False  # same rules version: not reloaded


def test_knowledge_graphs_are_reloaded_for_another_rules_version(backend):
    store, _ = backend
    store._update(f'DELETE WHERE {{ GRAPH <{store.rules_graph_name}> {{ ?s <{KZ.rulesVersion}> ?v }} }} ; '
                  f'INSERT DATA {{ GRAPH <{store.rules_graph_name}> {{ <{store.rules_graph_name}> '
                  f'<{KZ.rulesVersion}> "old" }} }}')
    assert store.stored_rules_version() == "old"
    assert store.ensure_knowledge() is True
    assert store.stored_rules_version() == rules_version()
    rows = store._select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{store.ontology_graph_name}> {{ ?s ?p ?o }} }}")
    assert int(rows[0]["n"]) > 100


def test_reassess_recomputes_findings_with_the_current_rules(backend):
    store, _ = backend
    _, a = _load(store, "old")
    f = URIRef(a.findings[0].iri)
    g = store.findings_graph("old", a.findings[0].regime)
    store._update(f'DELETE WHERE {{ GRAPH <{g}> {{ <{f}> <{KZ.rulesVersion}> ?v }} }} ; '
                  f'INSERT DATA {{ GRAPH <{g}> {{ <{f}> <{KZ.rulesVersion}> "0.0.0+stale" }} }}')
    assert Literal("0.0.0+stale") in set(store.findings("old").objects(f, KZ.rulesVersion))
    assert service.reassess(store) == 1
    assert set(store.findings("old").objects(None, KZ.rulesVersion)) == {Literal(rules_version())}
    assert isomorphic(store.findings("old"), a.graph)


def test_union_default_graph_and_named_dataset(backend):
    store, _ = backend
    _load(store, "u")
    q = f"ASK {{ ?f a <{KZ.Finding}> ; <{KZ.conclusion}> <{KZ.Liable}> . ?c a <{KZ.Class}> }}"
    union = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?f a <{KZ.Finding}> }}"
    assert int(next(iter(store.results(union)()))["n"].value) > 0
    facts_only = store.results(union, [store.facts_graph("u")])()
    assert int(next(iter(facts_only))["n"].value) == 0
    named = store.results(f"SELECT ?g WHERE {{ GRAPH ?g {{ ?f a <{KZ.Finding}> }} }}", None,
                          [store.findings_graph("u", "current-law")])()
    assert {s["g"].value for s in named} == {store.findings_graph("u", "current-law")}
    assert q


def test_unreachable_server_is_a_store_error():
    from conftest_service import free_port

    with pytest.raises(StoreError):
        RemoteStore(f"http://127.0.0.1:{free_port()}", BASE)


def test_embedded_store_is_the_default(tmp_path):
    store = open_store(tmp_path / "s", base=BASE)
    try:
        assert isinstance(store, EmbeddedStore)
    finally:
        store.close()
