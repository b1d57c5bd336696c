"""The page's routes and the ontology at /ontology, on a real uvicorn process (no mocks): the page and its
files (built by `make web`), the competency queries and the form vocabulary, content negotiation of the
ontology, and the generated reference documentation being current (`make docs`)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from kzlaw.knowledge import ontology_graph

ROOT = Path(__file__).resolve().parents[1]


def test_page_is_served_with_local_files_only(client):
    assert (ROOT / "api" / "static" / "index.html").is_file(), "the page is not built: run `make web`"
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in r.headers["content-security-policy"]
    html = r.text
    assert "http://" not in html.replace('href="/', "") and "https://" not in html, "no CDN, no external link"
    for f in ("yasgui.min.js", "yasgui.min.css", "app.js", "i18n.js", "app.css"):
        assert f"/static/{f}" in html
        s = client.get(f"/static/{f}")
        assert s.status_code == 200 and len(s.content) > 100
    assert client.get("/static/yasgui.min.js").headers["content-type"].startswith("text/javascript")


def test_static_serves_nothing_outside_its_folder(client):
    for name in ("..%2Fweb.py", "%2E%2E", ".gitignore", "nope.js"):
        assert client.get(f"/static/{name}").status_code == 404


def test_examples_are_the_worked_scenarios(client):
    examples = client.get("/static/examples.json").json()
    names = {x["label"] for x in examples}
    assert "facebook-reachable.jsonld" in names
    assert client.get("/static/example-facebook-reachable.jsonld").content == \
        (ROOT / "tests/scenarios/worked/good/facebook-reachable.jsonld").read_bytes()


def test_queries_are_the_seven_competency_queries(client):
    qs = client.get("/v1/queries").json()
    assert [q["id"] for q in qs] == sorted((p.stem for p in (ROOT / "queries").glob("cq*.rq")),
                                           key=lambda s: int(s[2:].split("-")[0]))
    assert len(qs) == 7 and qs[0]["title"].startswith("CQ1. Who is liable")
    assert qs[0]["query"] == (ROOT / "queries" / "cq1-liable-by-regime.rq").read_text(encoding="utf-8")
    for q in qs:  # each runs on the server's own endpoint
        r = client.post("/sparql", data={"query": q["query"]}, headers={"accept": "application/sparql-results+json"})
        assert r.status_code == 200, (q["id"], r.text)


def test_vocabulary_in_each_language(client):
    en = client.get("/v1/vocabulary", params={"lang": "en"}).json()
    ru = client.get("/v1/vocabulary", params={"lang": "ru"}).json()
    assert {"kz:Kazakhstan", "kz:USA"} <= {c["iri"] for c in en["countries"]} or \
        "kz:Kazakhstan" in {c["iri"] for c in en["countries"]}
    assert "kz:CallForViolentChangeOfConstitutionalOrder" in {c["iri"] for c in en["categories"]}
    kaz = {c["iri"]: c["label"] for c in ru["countries"]}["kz:Kazakhstan"]
    assert kaz != {c["iri"]: c["label"] for c in en["countries"]}["kz:Kazakhstan"]
    assert any(ch in kaz for ch in "аеиоуя")  # Cyrillic
    assert "kz:Finding" in {c["iri"] for c in en["classes"]}
    assert "kz:conclusion" in {c["iri"] for c in en["properties"]}
    assert client.get("/v1/vocabulary", params={"lang": "de"}).status_code == 422


@pytest.mark.parametrize("accept,fmt", [("text/turtle", "turtle"), ("application/rdf+xml", "xml"),
                                        ("application/ld+json", "json-ld"), ("application/n-triples", "nt")])
def test_ontology_as_rdf_by_accept(client, accept, fmt):
    r = client.get("/ontology", headers={"accept": accept})
    assert r.status_code == 200 and r.headers["content-type"].startswith(accept)
    assert "accept" in r.headers["vary"].lower()
    g = Graph().parse(data=r.text, format=fmt)
    assert isomorphic(g, ontology_graph())


def test_ontology_as_html_for_browsers(client):
    browser_accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    for accept in (browser_accept, "*/*", ""):
        r = client.get("/ontology", headers={"accept": accept} if accept else {})
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html"), accept
    html = client.get("/ontology", headers={"accept": browser_accept}).text
    assert 'id="kz-Finding"' in html and 'id="kz-Facebook"' in html and 'id="kz-conclusion"' in html
    assert "Қазақша" in html and "Русский" in html
    # q-values decide: a client preferring Turtle gets Turtle
    r = client.get("/ontology", headers={"accept": "text/html;q=0.5, text/turtle"})
    assert r.headers["content-type"].startswith("text/turtle")
    assert client.get("/ontology", headers={"accept": "image/png"}).status_code == 406
    assert client.get("/ontology?format=ttl").headers["content-type"].startswith("text/turtle")


def _docs_module():
    spec = importlib.util.spec_from_file_location("ontology_docs", ROOT / "web" / "ontology_docs.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_ontology_docs_are_current_and_cover_every_term():
    mod = _docs_module()
    page = ROOT / "docs" / "ontology" / "index.html"
    assert page.is_file() and page.read_text(encoding="utf-8") == mod.ontology_html(), \
        "docs/ontology/index.html is stale: run `make docs`"
    g = ontology_graph()
    from rdflib import URIRef
    from rdflib.namespace import OWL, RDF
    html = page.read_text(encoding="utf-8")
    for t in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.NamedIndividual):
        for s in g.subjects(RDF.type, t):
            if isinstance(s, URIRef):
                assert f'id="{mod.anchor(s)}"' in html, s


def test_ontology_iri_is_the_route_under_the_base(client):
    """The ontology's IRI is {base}ontology, so with the base IRI pointing at the server it is this route."""
    from rdflib.namespace import OWL, RDF

    from kzlaw.settings import Settings
    ont = next(iter(ontology_graph().subjects(RDF.type, OWL.Ontology)))
    assert str(ont) == Settings().base_iri + "ontology"
    assert client.get("/ontology", headers={"accept": "text/turtle"}).status_code == 200
