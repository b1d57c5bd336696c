"""The SPARQL 1.1 endpoint with real clients (SPARQLWrapper, rdflib's SPARQLStore, httpx) against a real
server process holding the worked scenarios; the seven competency queries of queries/."""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path

import httpx
import pytest
from conftest_service import ROOT, WORKED, api_server
from rdflib import Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, N3, POST, POSTDIRECTLY, TSV, TURTLE, XML, SPARQLWrapper

from kzlaw.namespaces import KZ

QUERIES = sorted((ROOT / "queries").glob("cq*.rq"))
SCN = "https://w3id.org/kzlaw/scenario/"
REGIME = "https://w3id.org/kzlaw/regime/"
MAX_ROWS = 3000


@pytest.fixture(scope="module", params=["disk", "memory"])
def server(request, tmp_path_factory):
    """Every test in this file runs twice: queries answered by the store on disk, and by its in-memory
    replica (KZLAW_STORE_MEMORY; the scenarios are written while it is being built, and the tests start
    once /health says it is ready)."""
    memory = request.param == "memory"
    p = api_server(tmp_path_factory.mktemp("sparql"), max_result_rows=str(MAX_ROWS),
                   **({"store_memory": "true"} if memory else {}))
    with httpx.Client(base_url=p.url, timeout=60) as c:
        for path in sorted(WORKED.glob("*.jsonld")):
            r = c.put(f"/v1/scenarios/{path.stem}", content=path.read_bytes(),
                      headers={"content-type": "application/ld+json"})
            assert r.status_code == 201, (path, r.text)
        for _ in range(600):
            state = c.get("/health").json()["memory_replica"]
            if state != "building":
                break
            time.sleep(0.05)
        assert state == ("ready" if memory else "off"), state
    yield p
    p.stop()


@pytest.fixture(scope="module")
def endpoint(server):
    return server.url + "/sparql"


def _wrapper(endpoint: str, query: str, fmt) -> SPARQLWrapper:
    sw = SPARQLWrapper(endpoint)
    sw.setQuery(query)
    sw.setReturnFormat(fmt)
    return sw


def _cq(n: int) -> str:
    return next(q for q in QUERIES if q.name.startswith(f"cq{n}-")).read_text(encoding="utf-8")


def _cq1_reachable(rows) -> set[tuple[str, str]]:
    return {(r["regime"], r["personLabel"]) for r in rows
            if r["scenario"] == SCN + "facebook-reachable/" and r.get("personLabel")}


def test_seven_competency_queries_exist():
    assert [q.name[:3] for q in QUERIES] == [f"cq{i}" for i in range(1, 8)]


@pytest.mark.parametrize("query", QUERIES, ids=lambda p: Path(p).stem)
def test_competency_queries_in_json(endpoint, query):
    res = _wrapper(endpoint, query.read_text(encoding="utf-8"), JSON).query().convert()
    assert res["head"]["vars"]
    assert res["results"]["bindings"], f"{query.name} returns nothing on the worked cases"


def test_cq1_john_doe_liable_under_current_law_and_reform(endpoint):
    res = _wrapper(endpoint, _cq(1), JSON).query().convert()
    rows = [{k: v["value"] for k, v in b.items()} for b in res["results"]["bindings"]]
    found = _cq1_reachable(rows)
    assert (REGIME + "current-law", "John Doe") in found
    assert (REGIME + "reform-proposal", "John Doe") in found


def test_cq1_in_xml_csv_tsv_gives_the_same_rows(endpoint):
    q = _cq(1)
    js = _wrapper(endpoint, q, JSON).query().convert()
    expected = {tuple(b.get(v, {}).get("value", "") for v in js["head"]["vars"])
                for b in js["results"]["bindings"]}
    doc = _wrapper(endpoint, q, XML).query().convert()
    xml_rows = set()
    for result in doc.getElementsByTagName("result"):
        vals = {b.getAttribute("name"): b.firstChild.firstChild.data if b.firstChild.firstChild else ""
                for b in result.getElementsByTagName("binding")}
        xml_rows.add(tuple(vals.get(v, "") for v in js["head"]["vars"]))
    assert xml_rows == expected
    text = _wrapper(endpoint, q, CSV).query().convert().decode("utf-8")
    csv_rows = list(csv.reader(io.StringIO(text)))
    assert csv_rows[0] == js["head"]["vars"]
    assert {tuple(r) for r in csv_rows[1:]} == expected
    tsv = _wrapper(endpoint, q, TSV).query().convert().decode("utf-8").splitlines()
    assert tsv[0].split("\t") == ["?" + v for v in js["head"]["vars"]]
    assert len(tsv) - 1 == len(js["results"]["bindings"])
    assert any("<https://w3id.org/kzlaw/scenario/facebook-reachable/>" in line for line in tsv[1:])


def test_post_form_and_post_direct(endpoint):
    for method, request in ((POST, None), (POST, POSTDIRECTLY)):
        sw = _wrapper(endpoint, _cq(1), JSON)
        sw.setMethod(method)
        if request:
            sw.setRequestMethod(request)
        rows = [{k: v["value"] for k, v in b.items()} for b in sw.query().convert()["results"]["bindings"]]
        assert (REGIME + "current-law", "John Doe") in _cq1_reachable(rows)


def test_ask_and_construct_formats(endpoint):
    assert _wrapper(endpoint, f"ASK {{ ?f a <{KZ.Finding}> }}", JSON).query().convert()["boolean"] is True
    q = f"CONSTRUCT {{ ?f a <{KZ.Finding}> ; <{KZ.conclusion}> ?c }} WHERE {{ ?f a <{KZ.Finding}> ; <{KZ.conclusion}> ?c }}"
    graphs = []
    for fmt, parse_as in ((TURTLE, "turtle"), (N3, "turtle"), (JSONLD, "json-ld")):
        out = _wrapper(endpoint, q, fmt).query().convert()
        g = out if isinstance(out, Graph) else Graph().parse(data=out, format=parse_as)
        graphs.append(g)
    xml = _wrapper(endpoint, q, XML).query().convert()  # application/rdf+xml, parsed by SPARQLWrapper
    graphs.append(xml)
    assert len(graphs[0]) > 0 and all(len(g) == len(graphs[0]) for g in graphs)
    nt = httpx.get(endpoint, params={"query": q}, headers={"accept": "application/n-triples"})
    assert nt.headers["content-type"].startswith("application/n-triples")
    assert len(Graph().parse(data=nt.text, format="nt")) == len(graphs[0])


def test_rdflib_sparqlstore_runs_the_competency_queries(endpoint):
    store = SPARQLStore(endpoint, returnFormat="json")
    for query in QUERIES:
        rows = list(store.query(query.read_text(encoding="utf-8")))
        assert rows, query.name
    rows = store.query(_cq(1))
    found = {(str(r.regime), str(r.personLabel)) for r in rows
             if str(r.scenario) == SCN + "facebook-reachable/" and r.personLabel is not None}
    assert (REGIME + "reform-proposal", "John Doe") in found
    xml_store = SPARQLStore(endpoint, returnFormat="xml")
    assert len(list(xml_store.query(_cq(1)))) == len(list(rows))


def test_dataset_named_by_the_client(endpoint):
    q = f"SELECT (COUNT(?f) AS ?n) WHERE {{ ?f a <{KZ.Finding}> }}"
    graph = SCN + "facebook-reachable/findings/current-law"

    def count(params):
        r = httpx.get(endpoint, params=[("query", q), *params],
                      headers={"accept": "application/sparql-results+json"})
        assert r.status_code == 200, r.text
        return int(r.json()["results"]["bindings"][0]["n"]["value"])
    union, one, facts = count([]), count([("default-graph-uri", graph)]), \
        count([("default-graph-uri", SCN + "facebook-reachable")])
    assert union > one > 0 and facts == 0
    named = httpx.get(endpoint, params={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
                                        "named-graph-uri": graph},
                      headers={"accept": "application/sparql-results+json"}).json()
    assert [b["g"]["value"] for b in named["results"]["bindings"]] == [graph]


def test_findings_graphs_and_ontology_are_in_the_union(endpoint):
    q = (f"SELECT ?label WHERE {{ ?f <{KZ.legalBasis}> ?p . ?p <http://www.w3.org/2000/01/rdf-schema#label> ?label }}"
         " LIMIT 1")
    res = _wrapper(endpoint, q, JSON).query().convert()
    assert res["results"]["bindings"]


@pytest.mark.parametrize("query,fragment", [
    ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "read-only"),
    ("DELETE WHERE { ?s ?p ?o }", "read-only"),
    ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", "SERVICE"),
    ("SELECT * WHERE { ?s ?p", ""),
])
def test_updates_service_and_bad_queries_are_refused(endpoint, query, fragment):
    for r in (httpx.get(endpoint, params={"query": query}),
              httpx.post(endpoint, data={"query": query}),
              httpx.post(endpoint, content=query, headers={"content-type": "application/sparql-query"})):
        assert r.status_code == 400, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        assert fragment in r.json()["detail"]
    r = httpx.post(endpoint, data={"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"})
    assert r.status_code == 400
    # the Protocol's own update request: refused as an update (400), not as an unknown body type (415)
    r = httpx.post(endpoint, content="INSERT DATA { <urn:a> <urn:b> <urn:c> }",
                   headers={"content-type": "application/sparql-update"})
    assert r.status_code == 400 and r.json()["type"].endswith("/update-refused"), r.text
    assert httpx.get(endpoint, params={"query": "ASK { <urn:a> <urn:b> <urn:c> }"},
                     headers={"accept": "application/sparql-results+json"}).json()["boolean"] is False


def test_a_syntax_error_is_located_and_kzlaw_prefixes_need_no_declaration(endpoint):
    r = httpx.get(endpoint, params={"query": "SELECT ?f WHERE {\n  ?f a kz:Finding ;\n  kz:regime ?r\n  ?f ?p ?o }"})
    assert r.status_code == 400 and r.headers["content-type"].startswith("application/problem+json")
    doc = r.json()
    assert (doc["line"], doc["column"]) == (4, 3) and doc["type"].endswith("/bad-query")
    assert doc["detail"] == "syntax error at line 4, column 3, at '?f ?p ?o }'"
    r = httpx.get(endpoint, params={"query": "SELECT * WHERE { ?s schema:name ?n }"})
    assert r.status_code == 400 and "the prefix schema: is not declared" in r.json()["detail"]
    assert "line" not in r.json()
    r = httpx.get(endpoint, params={"query": "ASK { ?f a kz:Finding ; kz:regime regime:current-law }"},
                  headers={"accept": "application/sparql-results+json"})
    assert r.status_code == 200 and r.json()["boolean"] is True


def test_the_endpoint_describes_itself(endpoint):
    """GET /sparql without a query: the SPARQL 1.1 Service Description (§2), whose named graphs exist;
    a browser is sent to the query editor; a POST without a query is still an error."""
    from rdflib import Graph, Namespace, URIRef
    from rdflib.namespace import RDF

    sd, formats = Namespace("http://www.w3.org/ns/sparql-service-description#"), Namespace("http://www.w3.org/ns/formats/")
    for accept, fmt in (("", "turtle"), ("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
                        ("application/n-triples", "nt"), ("application/rdf+xml", "xml")):
        r = httpx.get(endpoint, headers={"accept": accept} if accept else {})
        assert r.status_code == 200 and r.headers["vary"] == "Accept", r.text
        g = Graph().parse(data=r.text, format=fmt)
        service = g.value(predicate=RDF.type, object=sd.Service, any=False)
        assert service == URIRef(endpoint) and g.value(service, sd.endpoint) == URIRef(endpoint)
        assert (service, sd.supportedLanguage, sd.SPARQL11Query) in g
        assert (service, sd.feature, sd.UnionDefaultGraph) in g
        assert {formats.SPARQL_Results_JSON, formats.SPARQL_Results_CSV, formats.Turtle} <= set(g.objects(service, sd.resultFormat))
        names = {str(n) for n in g.objects(None, sd.name)}
        assert names == {"https://w3id.org/kzlaw/graph/ontology", "https://w3id.org/kzlaw/graph/rules"}
    for name in names:  # what it names is there
        ask = httpx.get(endpoint, params={"query": f"ASK {{ GRAPH <{name}> {{ ?s ?p ?o }} }}"},
                        headers={"accept": "application/sparql-results+json"})
        assert ask.json()["boolean"] is True
    browser = httpx.get(endpoint, headers={"accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert browser.status_code == 303 and browser.headers["location"] == "/#query"
    assert httpx.get(endpoint, headers={"accept": "image/png"}).status_code == 406
    r = httpx.post(endpoint, content=b"", headers={"content-type": "application/sparql-query"})
    assert r.status_code == 400 and r.json()["type"].endswith("/missing-query")


def _new_log_text(server, since: int) -> str:
    return server.log.read_bytes()[since:].decode("utf-8", "replace")


def test_row_limit(endpoint, server):
    since = server.log.stat().st_size
    r = httpx.get(endpoint, params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert r.status_code == 400 and "LIMIT" in r.json()["detail"]
    ok = httpx.get(endpoint, params={"query": f"SELECT * WHERE {{ ?s ?p ?o }} LIMIT {MAX_ROWS}"})
    assert ok.status_code == 200
    # a refusal is an answer, not a fault: the results it stopped reading are dropped where they were made
    # (pyoxigraph's results dropped on another thread log a RuntimeError)
    log = _new_log_text(server, since)
    assert "Traceback" not in log and "unsendable" not in log, log[-3000:]


def test_unacceptable_format_is_406(endpoint, server):
    since = server.log.stat().st_size
    for query in ("ASK {}", "SELECT * WHERE { ?s ?p ?o } LIMIT 5"):
        r = httpx.get(endpoint, params={"query": query}, headers={"accept": "image/png"})
        assert r.status_code == 406 and r.headers["content-type"].startswith("application/problem+json")
        assert "application/sparql-results+json" in r.json()["detail"]
    r = httpx.get(endpoint, params={"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 5"},
                  headers={"accept": "application/sparql-results+json"})
    assert r.status_code == 406 and "text/turtle" in r.json()["detail"]
    log = _new_log_text(server, since)
    assert "Traceback" not in log and "unsendable" not in log, log[-3000:]


def test_uri_of_a_finding_resolves_to_its_scenario(endpoint):
    q = f"SELECT ?s WHERE {{ ?f a <{KZ.Finding}> ; <http://purl.org/dc/terms/isPartOf> ?s }} LIMIT 1"
    res = _wrapper(endpoint, q, JSON).query().convert()
    assert URIRef(res["results"]["bindings"][0]["s"]["value"]).startswith(SCN)
