"""The store, on both backends: embedded Oxigraph and an Oxigraph server over the SPARQL 1.1 Protocol
(a real `oxigraph serve` process on a loopback port)."""

from __future__ import annotations

import json

import pytest
from conftest_service import BASE, FB_REACHABLE, WORKED, oxigraph_server
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS

from kzlaw import service
from kzlaw.namespaces import KZ
from kzlaw.output import assessment_json
from kzlaw.parse import read_scenario_file
from kzlaw.rules import rules_version
from kzlaw.store import (
    QUERY_PREFIXES,
    EmbeddedStore,
    QueryError,
    RemoteStore,
    StoreError,
    open_store,
    with_prefixes,
)

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
    assert store.list().total == 3 == store.scenario_count()
    assert store.findings_graphs("b-abroad") == [n for n in store.graph_names("b-abroad") if "/findings/" in n]
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
            assert store.scenario_count(regime, str(conclusion)) == len(expected)
            strict += 0 < len(expected) < len(ids)
    assert strict > 0  # the filters do discriminate between these scenarios
    for regime in ("current-law", "reform-proposal", "platform-duties"):
        assert store.list(regime=regime).ids == [sid for sid in ids if len(graphs[sid, regime])]


def test_a_scenarios_findings_are_its_own(backend):
    """findings(sid) names the scenario's graphs: not those of an id it is the start of."""
    store, _ = backend
    _, a = _load(store, "fb")
    _load(store, "fb-abroad", WORKED / "facebook-abroad-refusal.jsonld")
    assert isomorphic(store.findings("fb"), a.graph)
    assert len(store.findings("nothing-here")) == 0


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


def test_reassess_drops_every_graph_under_an_id_from_one_listing(backend):
    """reassess lists the store's graphs once (graphs_by_scenario), and still replaces all of a
    scenario's graphs: a findings graph of a regime the rules no longer have goes too; no other
    scenario's graph is touched, an id that starts another's included."""
    store, _ = backend
    _, a = _load(store, "s")
    _load(store, "s-2", WORKED / "facebook-abroad-refusal.jsonld")
    before = store.graph_names("s-2")
    gone = store.findings_graph("s", "a-regime-no-longer-in-the-rules")
    store._update(f'INSERT DATA {{ GRAPH <{gone}> {{ <urn:x> <urn:p> "old" }} }}')
    assert store.graphs_by_scenario() == {"s": store.graph_names("s"), "s-2": before}
    assert gone in store.graph_names("s")
    assert service.reassess(store) == 2
    assert gone not in store.graph_names("s") and store.graph_names("s-2") == before
    assert isomorphic(store.findings("s"), a.graph)


def test_union_default_graph_and_named_dataset(backend):
    store, _ = backend
    _load(store, "u")
    union = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?f a <{KZ.Finding}> }}"
    findings = int(next(iter(store.results(union)()))["n"].value)
    named_count = f"SELECT (COUNT(DISTINCT ?f) AS ?n) WHERE {{ GRAPH ?g {{ ?f a <{KZ.Finding}> }} }}"
    assert findings == int(next(iter(store.results(named_count)()))["n"].value) > 0
    facts_only = store.results(union, [store.facts_graph("u")])()
    assert int(next(iter(facts_only))["n"].value) == 0
    named = store.results(f"SELECT ?g WHERE {{ GRAPH ?g {{ ?f a <{KZ.Finding}> }} }}", None,
                          [store.findings_graph("u", "current-law")])()
    assert {s["g"].value for s in named} == {store.findings_graph("u", "current-law")}
    # a dataset naming only named graphs has an empty default graph (SPARQL 1.1 Protocol §2.1.4)
    only_named = store.results(union, None, [store.findings_graph("u", "current-law")])()
    assert int(next(iter(only_named))["n"].value) == 0


def test_kzlaw_prefixes_need_no_declaration_and_a_query_s_own_win(backend):
    """kz:, rdfs:, … are known to every query (the embedded store parses with them, a SPARQL server is sent
    PREFIX lines for those used); a query declaring one itself keeps its own."""
    store, _ = backend
    _load(store, "p")
    n = "SELECT (COUNT(*) AS ?n) WHERE { ?f a kz:Finding ; kz:conclusion ?c . ?c rdfs:label ?l }"
    assert int(next(iter(store.results(n)()))["n"].value) > 0
    own = "PREFIX kz: <urn:other#> SELECT (COUNT(*) AS ?n) WHERE { ?f a kz:Finding }"
    assert int(next(iter(store.results(own)()))["n"].value) == 0
    # "kz:" inside an IRI or a string is not a use of the prefix, and the declaration is not doubled
    assert "PREFIX kz:" not in with_prefixes('SELECT * WHERE { ?s <urn:kz:x> "kz:y" }')
    assert with_prefixes("PREFIX kz: <urn:x#> SELECT * WHERE { ?s a kz:A ; rdfs:label ?l }") == \
        f"PREFIX rdfs: <{RDFS}> PREFIX kz: <urn:x#> SELECT * WHERE {{ ?s a kz:A ; rdfs:label ?l }}"
    # a multi-line string's words are no prefixes; an escaped colon in a local name is none either
    assert with_prefixes('SELECT * WHERE { ?s ?p """Note:\nowl: x""" ; kz:a\\:b ?o }') == \
        f'PREFIX kz: <{KZ}> SELECT * WHERE {{ ?s ?p """Note:\nowl: x""" ; kz:a\\:b ?o }}'


@pytest.mark.parametrize("query,line,column,says", [
    # the token where the query goes wrong, not the end of the query where Oxigraph stops looking
    ("SELECT ?f WHERE {\n  ?f a kz:Finding ;\n     kz:regime ?r\n  ?f kz:conclusion ?c .\n}", 4, 3,
     "at '?f kz:conclusion ?c .'"),
    ("SELECT * WHERE {\n  ?s ?p ?o .\n  FIL\n}", 3, 3, "at 'FIL'"),
    ("SELECT * WHERE { ?s ?p ?o ?o }", 1, 27, "at '?o }'"),
    # a query cut short: what could have come next
    ("SELECT * WHERE { ?s ?p ?o ", 1, 27, 'the query ends too early: expected one of ",", ".", ";"'),
    # ... also where rdflib's parser stops at the start of the unfinished pattern, not at the end
    ("SELECT * WHERE { ?s ?p", 1, 23, 'the query ends too early: expected one of "$"'),
    ("SELECT * WHERE {\n  ?s ?p ?o .\n  FILTER(", 3, 10, "the query ends too early"),
    ("SELECT ?s WHERE { ?s ?p ?o } ORDER BY", 1, 38, "the query ends too early"),
    # ... but not where something is closed after it: the error is there
    ("SELECT * WHERE { ?s ?p ?o . FILTER(?x > ) } LIMIT 1", 1, 29, "at 'FILTER(?x > ) } LIMIT 1'"),
    # an undeclared prefix is named, with the ones that need no declaration
    ("SELECT * WHERE { ?s schema:name ?o ; foaf:nick ?n }", None, None,
     "the prefixes foaf:, schema: are not declared (add PREFIX foaf: <…>; kz:, rdf:"),
    # past the grammar: Oxigraph's own sentence
    ("SELECT ?x WHERE { ?s ?p ?o } GROUP BY ?s", None, None, "the SELECT contains a variable that is unbound"),
    ("SELECT * { ?s ?p ?o . BIND (?o AS ?s) }", None, None, "BIND to a variable already in use"),
    # rdflib counts a tab as 8 columns and a \u escape as one character: the columns are the query's own
    ("SELECT * WHERE {\t\t?s ?p ?o ?q }", 1, 28, "at '?q }'"),
    ('SELECT * WHERE { ?s ?p "\\u00e9\\u00e9" . ?s ?p ?o y }', 1, 50, "at 'y }'"),
    ("SELECT * WHERE {\n\t?s\tkz:a ?x y }", 2, 13, "at 'y }'"),
    # Oxigraph's "IRI" keeps its capitals
    ("SELECT ?s WHERE { ?s <http://ex/a b> ?o }", 1, 19, "at '?s <http://ex/a b> ?o }': IRI parsing failed"),
])
def test_syntax_errors_say_where_and_what(backend, query, line, column, says):
    """The same on both backends: a SPARQL server's 400 is read as the embedded store's SyntaxError is (the
    PREFIX declarations sent with the query do not move its lines)."""
    store, _ = backend
    with pytest.raises(QueryError) as e:
        store.results(query)()
    assert (e.value.line, e.value.column) == (line, column)
    assert says in str(e.value), str(e.value)
    assert str(e.value).startswith(f"syntax error at line {line}, column {column}" if line else "syntax error: ")


def _default_graph(store) -> set:
    return {(r["s"], r["p"], r["o"]) for r in store._select("SELECT ?s ?p ?o WHERE { ?s ?p ?o }")}


def _union_of_named_graphs(store) -> set:
    return {(r["s"], r["p"], r["o"])
            for r in store._select("SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")}


def test_default_graph_is_the_union_of_the_named_graphs_through_every_write(backend):
    """Every write keeps the default graph equal to the union of the named graphs: a triple two scenarios
    state stays until the last of them goes; a replaced scenario's old triples go."""
    store, reopen = backend
    shared = (URIRef("https://example.org/platform"), RDF.type, KZ.SocialNetwork)
    def facts(sid, *extra):
        g = Graph()
        g.add((URIRef(f"{BASE}scenario/{sid}/"), RDF.type, KZ.Scenario))
        for t in extra:
            g.add(t)
        return g
    only_a = (URIRef(f"{BASE}scenario/a/x"), RDF.type, KZ.Blogger)
    finding = (URIRef(f"{BASE}scenario/a/finding/1"), RDF.type, KZ.Finding)
    assert _default_graph(store) == _union_of_named_graphs(store)
    store.put("a", facts("a", shared, only_a), Graph(), {"current-law": Graph().add(finding)})
    store.put("b", facts("b", shared), Graph().add(only_a), {})  # b's inferences restate a's triple
    assert _default_graph(store) == _union_of_named_graphs(store)
    assert {shared, only_a, finding} <= _default_graph(store)
    assert store.delete("a")
    assert _default_graph(store) == _union_of_named_graphs(store)
    assert {shared, only_a} <= _default_graph(store) and finding not in _default_graph(store)
    store.put("b", facts("b"), Graph(), {}, replace=True)
    assert _default_graph(store) == _union_of_named_graphs(store)
    assert not {shared, only_a} & _default_graph(store)
    _load(store, "fb")
    _load(store, "fb2", WORKED / "facebook-abroad-refusal.jsonld")
    service.ingest(store, (WORKED / "facebook-abroad-refusal.jsonld").read_bytes(), "json-ld", "fb",
                   replace=True)
    store.delete("fb2")
    store = reopen()
    assert _default_graph(store) == _union_of_named_graphs(store)
    assert len(_default_graph(store)) > 100


def test_a_store_of_the_older_layout_gets_its_default_graph_filled(backend):
    """A store written before the default graph held the union (layout 1: no kz:storeLayout) is brought
    to layout 2 when opened, its scenarios kept."""
    store, reopen = backend
    _, a = _load(store, "old-layout")
    rules = store.rules_graph_name
    store._update(f"DROP DEFAULT ; DELETE WHERE {{ GRAPH <{rules}> {{ <{rules}> <{KZ.storeLayout}> ?v }} }}")
    assert store._stored_marks() == (rules_version(), "1")
    assert _default_graph(store) == set()
    store = reopen()
    assert store._stored_marks() == (rules_version(), "2")
    assert _default_graph(store) == _union_of_named_graphs(store)
    assert isomorphic(store.findings("old-layout"), a.graph)
    found = store.results(f"SELECT (COUNT(*) AS ?n) WHERE {{ ?f a <{KZ.Finding}> }}")()
    assert int(next(iter(found))["n"].value) == len(a.findings)


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


def test_locating_an_error_stops_at_its_budget(monkeypatch):
    """pyparsing can take seconds on some refused queries: past LOCATE_BUDGET_S the error has no position,
    and the thread's trace function is as it was."""
    import sys

    from kzlaw import store as module

    query = "SELECT * WHERE { ?s ?p ?o ?o }"
    assert module._locate(query) == (1, 27)
    assert module._locate("SELECT * WHERE { ?s ?p ?o }") is True
    before = sys.gettrace()
    monkeypatch.setattr(module, "LOCATE_BUDGET_S", 0.0)
    assert module._locate(query) is False
    assert sys.gettrace() is before
    # no position of its own: Oxigraph's, said to be Oxigraph's (it is where its parser stopped looking)
    e = module.syntax_error(query, "error at 1:31: expected BIND")
    assert (e.line, e.column) == (None, None)
    assert str(e) == "syntax error: Oxigraph's parser stopped at line 1, column 31, expected BIND"
    # a server that was sent PREFIX declarations before the query counted them: its column is given back
    # in the query as written
    sent = module.with_prefixes("SELECT * WHERE { ?s a kz:A ?o }")
    shift = len(sent) - len("SELECT * WHERE { ?s a kz:A ?o }")
    e = module.syntax_error("SELECT * WHERE { ?s a kz:A ?o }", f"error at 1:{31 + shift}: expected BIND", parsed=sent)
    assert str(e) == "syntax error: Oxigraph's parser stopped at line 1, column 31, expected BIND"


def test_load_in_chunks_stores_and_replaces_like_ingest(backend):
    """kzlaw.batch through put_many, on both backends: a chunk of new ids, then one replacing a stored id
    beside a new one; the findings are those ingest stores, and the default graph (the union copy) holds
    exactly the scenario's named graphs' triples, nothing of what was replaced."""
    from kzlaw import batch

    store, _reopen = backend
    reach, abroad = FB_REACHABLE, WORKED / "facebook-abroad-refusal.jsonld"
    assert not [o for o in batch.load(store, [(reach, "a"), (abroad, "b")], workers=0) if o.code]
    assert not [o for o in batch.load(store, [(abroad, "a"), (abroad, "c")], workers=0) if o.code]
    assert sorted(store.scenario_ids()) == ["a", "b", "c"]
    ref = _load(store, "ref", abroad)[1]
    for sid in ("a", "c"):
        got = {(f.regime, f.conclusion, f.subject.rsplit("/", 1)[-1]) for f in service.stored_findings(store, sid).findings}
        assert got == {(f.regime, f.conclusion, f.subject.rsplit("/", 1)[-1]) for f in ref.findings}
    prefix = f"{BASE}scenario/a"
    count = ("SELECT (COUNT(*) AS ?n) WHERE { %s FILTER (STRSTARTS(STR(?s), \"" + prefix + "/\") "
             "|| STRSTARTS(STR(?o), \"" + prefix + "/\")) }")
    union = store._select(count % "?s ?p ?o .")[0]["n"]
    named = store._select(count.replace("WHERE { %s", "WHERE { SELECT DISTINCT ?s ?p ?o WHERE { %s")
                          .replace(") }", ") } }") % "GRAPH ?g { ?s ?p ?o }")[0]["n"]
    assert int(union) == int(named) > 0


def test_opening_a_store_removes_a_killed_bulk_load_s_leftover_files(tmp_path):
    """A process killed during a bulk load leaves Oxigraph's bulk-*.sst runs in the store's directory
    (seen after kill -9: they pile up, hundreds of MB at 10M quads); the next open removes them, and
    the store holds what it held."""
    path = tmp_path / "store"
    st = open_store(path)
    st.ensure_knowledge()
    before = len(st.store)
    st.close()
    leftover = path / "bulk-313927540873953260010801515331107207301.sst"
    leftover.write_bytes(b"\0" * 4096)
    st = open_store(path)
    try:
        assert not leftover.exists() and not list(path.glob("bulk-*"))
        assert len(st.store) == before and st.ensure_knowledge() is False
    finally:
        st.close()


def test_the_first_refused_query_of_a_process_is_located_within_a_tight_budget():
    """The parser's first use (pyparsing setting its grammar up, ~0.1 s) is paid outside _locate's budget:
    under a loaded machine it ran over it and the first refused query of a process lost its position. In a
    fresh process, with a budget the first use alone exceeds and a later parse does not."""
    import subprocess
    import sys

    code = ("from kzlaw import store\n"
            "store.LOCATE_BUDGET_S = 0.05\n"
            "assert store._locate('SELECT * WHERE { ?s ?p ?o y }') == (1, 27)\n")
    r = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]


# ---- the in-memory replica (KZLAW_STORE_MEMORY) --------------------------------------------------------


def _graphs(store) -> dict:
    """Every graph of an Oxigraph store (the default graph under None) as an rdflib graph."""
    import pyoxigraph as ox

    from kzlaw.store import from_ox

    out: dict = {}
    for q in store:
        name = None if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name.value
        out.setdefault(name, Graph()).add((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)))
    return out


def _same_as_disk(store: EmbeddedStore) -> None:
    import pyoxigraph as ox

    assert store.replica_state == "ready"
    disk, copy = _graphs(store.store), _graphs(store._replica)
    assert sorted(disk, key=str) == sorted(copy, key=str)
    for name, g in disk.items():
        assert len(g) == len(copy[name]) and isomorphic(g, copy[name]), name
    # the same blank node across graphs (isomorphism graph by graph cannot see it): the named graphs'
    # triples absent from the default graph, as terms, are as many in the copy as on disk (none, when the
    # default graph is the union, as kzlaw keeps it)
    def outside_default(st):
        return sum(1 for q in st if not isinstance(q.graph_name, ox.DefaultGraph)
                   and ox.Quad(q.subject, q.predicate, q.object) not in st)
    assert outside_default(store._replica) == outside_default(store.store)


def test_the_memory_replica_follows_every_write(tmp_path):
    """With the replica on, every kind of write the store makes is made on the copy too: a scenario put
    by ingest, chunks through the bulk loader and through the transactional update (replacing), a
    replacement, a deletion, the knowledge reloaded for another rules version; blank nodes included
    (two files made here, a worked case each, both label one "_:note")."""
    from kzlaw import batch

    store = open_store(tmp_path / "store", base=BASE, memory=True)
    _same_as_disk(store)
    _load(store, "a")
    _same_as_disk(store)
    notes = []
    for i in range(2):  # a worked case with one more node, the same blank node label in both files
        doc = json.loads(FB_REACHABLE.read_text(encoding="utf-8"))
        doc["@graph"].append({"id": "_:note", "label": f"note {i}"})
        notes.append(tmp_path / f"note-{i}.jsonld")
        notes[-1].write_text(json.dumps(doc), encoding="utf-8")
    files = [(FB_REACHABLE, "b"), (WORKED / "facebook-abroad-refusal.jsonld", "c"), *((p, f"n{i}") for i, p in enumerate(notes))]
    assert not [o for o in batch.load(store, files, workers=0) if o.code]  # new ids: the bulk loader
    _same_as_disk(store)
    assert not [o for o in batch.load(store, [(FB_REACHABLE, "c"), (FB_REACHABLE, "d")], workers=0) if o.code]
    _same_as_disk(store)
    service.ingest(store, (WORKED / "facebook-abroad-refusal.jsonld").read_bytes(), "json-ld", "a", replace=True)
    assert store.delete("b")
    _same_as_disk(store)
    rules = store.rules_graph_name
    store._update(f'DELETE WHERE {{ GRAPH <{rules}> {{ <{rules}> <{KZ.rulesVersion}> ?v }} }} ; '
                  f'INSERT DATA {{ GRAPH <{rules}> {{ <{rules}> <{KZ.rulesVersion}> "old" }} }}')
    assert store.ensure_knowledge()
    _same_as_disk(store)
    assert sorted(store.scenario_ids()) == ["a", "c", "d", "n0", "n1"]
    store.close()


def test_sparql_is_answered_from_the_replica_and_sees_each_write_once_it_returns(tmp_path):
    """The SPARQL endpoint's queries (results) go to the copy in memory: a quad written to the disk
    store behind kzlaw's back is not seen, and what kzlaw writes is seen as soon as the write returns.
    The competency questions give the same rows from the copy as from the disk store."""
    import pyoxigraph as ox

    from bench.queries import competency_queries

    store = open_store(tmp_path / "store", base=BASE, memory=True)
    _load(store, "a")
    _load(store, "b", WORKED / "facebook-abroad-refusal.jsonld")
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <urn:x:Marker> }"
    n = lambda: int(next(iter(store.results(count)()))["n"].value)
    store.store.add(ox.Quad(ox.NamedNode("urn:x:s"), ox.NamedNode(str(RDF.type)), ox.NamedNode("urn:x:Marker")))
    assert n() == 0
    store._update("INSERT DATA { <urn:x:t> a <urn:x:Marker> }")
    assert n() == 1  # the one kzlaw wrote, not the one behind its back
    store.store.remove(ox.Quad(ox.NamedNode("urn:x:s"), ox.NamedNode(str(RDF.type)), ox.NamedNode("urn:x:Marker")))
    answered = []
    for name, text in competency_queries().items():
        on_disk = sorted(tuple(map(str, sol)) for sol in store.store.query(text, prefixes=QUERY_PREFIXES))
        in_memory = sorted(tuple(map(str, sol)) for sol in store.results(text)())
        assert on_disk == in_memory, name
        answered += [name] if on_disk else []
    assert len(answered) >= 4, answered
    store.close()


def test_writes_made_while_the_replica_is_built_are_on_it_when_it_is_used(tmp_path):
    """The replica is built in the background (as the server does): the store is written out under the
    write lock, then read into memory while writes go on; those are kept and made on the copy before it
    is used. Writes in a loop during the build: the copy ends equal to the disk store."""
    from kzlaw import batch

    store = open_store(tmp_path / "store", base=BASE)
    corpus = sorted(WORKED.glob("*.jsonld"))
    assert not [o for o in batch.load(store, [(p, f"w{i}") for i, p in enumerate(corpus)], workers=0) if o.code]
    store.replicate(wait=False)
    written, kept = 0, 0
    while store.replica_state == "building":
        store._update(f"INSERT DATA {{ GRAPH <urn:x:g> {{ <urn:x:s{written}> a <urn:x:Marker> }} }}")
        written += 1
        kept = max(kept, len(store._pending or []))
    assert written and kept, (written, kept)  # some writes were kept for the copy, not only waited for
    _same_as_disk(store)
    assert len(store._replica) == len(store.store)
    store.close()


def test_a_replica_a_write_fails_on_is_dropped_and_queries_go_to_disk(tmp_path, capsys):
    """A copy that refuses a write the disk store took would answer from other data: it is dropped, the
    write stands, /health says "failed", and queries are answered from disk (they see the write)."""
    store = open_store(tmp_path / "store", base=BASE, memory=True)

    class Refusing:  # the copy running out of memory, say
        def update(self, text):
            raise MemoryError("no room")

    store._replica = Refusing()
    store._update("INSERT DATA { <urn:x:s> a <urn:x:Marker> }")
    assert store.replica_state == "failed" and store._replica is None
    assert "it is dropped, queries are answered from disk" in capsys.readouterr().err
    assert bool(store.results("ASK { <urn:x:s> a <urn:x:Marker> }")())
    store.close()


def test_closing_the_store_while_its_replica_is_built_abandons_the_build(tmp_path, capsys):
    """A server stopped during the build: the build gives up quietly, nothing is left beside the store."""
    import threading

    store = open_store(tmp_path / "store", base=BASE)
    _load(store, "a")
    store.replicate(wait=False)
    store.close()
    for t in threading.enumerate():
        if t.name == "kzlaw-replica":
            t.join(60)
    assert store._replica is None and "could not be built" not in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]


def test_the_replica_is_copied_graph_by_graph_and_exactly_even_when_the_default_graph_is_not_the_union(tmp_path):
    """The copy is written graph by graph (a scenario's graphs together, each with its triples in the
    default graph); a default graph holding more than the union — written behind kzlaw's back — is
    copied as it is. Blank nodes shared by graphs stay shared."""
    import pyoxigraph as ox

    store = open_store(tmp_path / "store", base=BASE)
    _load(store, "a")
    _load(store, "b", WORKED / "facebook-abroad-refusal.jsonld")
    store.replicate()
    _same_as_disk(store)
    store.close()
    store = open_store(tmp_path / "store", base=BASE)
    store.store.add(ox.Quad(ox.NamedNode("urn:x:s"), ox.NamedNode("urn:x:p"), ox.BlankNode("only-default")))
    store.replicate()
    _same_as_disk(store)
    assert ox.Quad(ox.NamedNode("urn:x:s"), ox.NamedNode("urn:x:p"), ox.BlankNode("only-default")) in store._replica
    store.close()


def _listed(store) -> dict[str, list[str]]:
    """Every scenario's graphs as a listing of the store's graph names finds them (QuadStore's own)."""
    from kzlaw.store import QuadStore

    return QuadStore.graphs_by_scenario(store)


def test_the_embedded_store_keeps_each_ids_graphs_through_every_write(tmp_path, monkeypatch):
    """An embedded store lists its graphs once and keeps the list by its writes (a replacing write or a
    delete no longer lists every graph in the store): after each kind of write the graphs it names for
    every id are those a listing of the store finds; an update kzlaw does not read (here a raw INSERT of a
    graph under an id) makes it list them again; and once listed, naming an id's graphs asks the store
    nothing."""
    from kzlaw import batch
    from kzlaw.assess import assess
    from kzlaw.store import QuadStore

    store = open_store(tmp_path / "store", base=BASE)
    abroad = WORKED / "facebook-abroad-refusal.jsonld"

    def same():
        assert store.graphs_by_scenario() == _listed(store)
        for sid in {*_listed(store), "nobody"}:
            assert store.graph_names(sid) == QuadStore.graph_names(store, sid)

    _load(store, "a")
    assert store._graphs is None  # nothing needed the list yet: not made
    same()
    assert store._graphs is not None
    _load(store, "b", abroad)                                         # put, new id
    same()
    service.ingest(store, abroad.read_bytes(), "json-ld", "a", replace=True)   # put replacing
    same()
    assert not [o for o in batch.load(store, [(FB_REACHABLE, "c"), (abroad, "d")], workers=0) if o.code]  # bulk
    same()
    assert not [o for o in batch.load(store, [(FB_REACHABLE, "d"), (abroad, "e")], workers=0) if o.code]  # replacing
    same()
    facts, _ = read_scenario_file(FB_REACHABLE, "f")
    a = assess(facts, f"{BASE}scenario/f/", "all")
    store.put("f", facts, Graph(), {"current-law": a.graph, "reform-proposal": Graph()})  # empty graphs: not created
    assert store.graph_names("f") == [store.facts_graph("f"), store.findings_graph("f", "current-law")]
    same()
    assert store.delete("b") and store.graph_names("b") == []
    same()
    stray = store.findings_graph("a", "a-regime-no-longer-in-the-rules")
    store._update(f'INSERT DATA {{ GRAPH <{stray}> {{ <urn:x> <urn:p> "old" }} }}')  # not read by kzlaw
    assert store._graphs is None and stray in store.graph_names("a")
    same()
    assert service.reassess(store) == len(_listed(store))
    assert stray not in store.graph_names("a")
    same()

    def no_store(*_a, **_k):
        raise AssertionError("the store was asked")
    monkeypatch.setattr(store, "_select", no_store)
    assert store.graph_names("a") and store.graph_names("nobody") == []
    monkeypatch.undo()
    store.close()
    reopened = open_store(tmp_path / "store", base=BASE)
    assert reopened.graphs_by_scenario() == _listed(reopened) and "b" not in _listed(reopened)
    reopened.close()


def test_a_failed_write_leaves_the_graphs_to_be_listed_anew(tmp_path):
    store = open_store(tmp_path / "store", base=BASE)
    _load(store, "a")
    assert store.graph_names("a")
    with pytest.raises(StoreError):
        store.put_many([("bad", {store.facts_graph("bad"): ["<urn:s> <urn:p> \"unterminated ."]})])
    assert store._graphs is None
    assert store.graphs_by_scenario() == _listed(store) and "bad" not in _listed(store)
    store.close()
