"""Hostile input over HTTP against a real kzlaw server on loopback: every answer a 4xx problem document,
nothing stored, the server healthy afterwards, and no outbound connection for anything the input names
(a loopback listener must receive none). Rows go to docs/hostile-inputs.md (see tests/hardening)."""

from __future__ import annotations

import json

import httpx
import pytest
from conftest_service import FB_REACHABLE, api_server
from hardening.support import Listener, Record

PROBLEM = "application/problem+json"
FB = FB_REACHABLE.read_bytes()
LIMITS = {"max_body_bytes": "262144", "max_triples": "300", "max_query_chars": "2000",
          "query_timeout_s": "1", "max_result_rows": "500", "max_concurrent_queries": "2"}

record = Record("REST and SPARQL (embedded store)")
_track = record.tracker()


@pytest.fixture(scope="module")
def listener():
    lst = Listener()
    yield lst
    lst.close()


@pytest.fixture(scope="module")
def server(request, tmp_path_factory, listener):
    p = api_server(tmp_path_factory.mktemp("hardening"), **LIMITS)
    yield p
    p.stop()
    record.write(request)


def problem(r: httpx.Response, *statuses: int) -> dict:
    assert r.status_code in statuses, r.text
    assert r.headers["content-type"].startswith(PROBLEM), r.headers
    body = r.json()
    assert body["status"] == r.status_code and body["type"].startswith("https://") and body["title"]
    assert "Traceback" not in r.text
    return body


def healthy(client) -> None:
    assert client.get("/health").status_code == 200


def scenario_bodies(lst: Listener) -> list[tuple[str, str, str, bytes, int]]:
    """(category, description, content type, body, expected status) of hostile scenario documents."""
    L = lst.url
    nested = b"[" * 5000 + b"]" * 5000
    many = "@prefix kz: <https://w3id.org/kzlaw/ontology#> .\n" + "".join(
        f'<#p{i}> a kz:Person ; kz:name "P{i}" .\n' for i in range(400))
    return [
        ("syntax", "broken Turtle (a stray token)", "text/turtle", b"<#a> <#b> <#c> ;; !!! .", 400),
        ("syntax", "truncated Turtle (no final '.')", "text/turtle", b"<#a> <#b> <#c>", 400),
        ("syntax", "broken N-Triples", "application/n-triples", b"<a> <b> .", 400),
        ("syntax", "broken JSON", "application/ld+json", b'{"@graph": [ {"id": } ]}', 400),
        ("syntax", "JSON that is a bare string", "application/json", b'"hello"', 400),
        ("syntax", "JSON-LD with a @context that is a number", "application/ld+json",
         b'{"@context": 42, "@id": "x"}', 400),
        ("syntax", "JSON-LD with @version 2.5", "application/ld+json",
         b'{"@context": {"@version": 2.5}, "@id": "x"}', 400),
        ("syntax", "JSON-LD with a term defined as a number", "application/ld+json",
         b'{"@context": {"kz": 42}, "kz:a": 1}', 400),
        ("syntax", "JSON-LD that gives no triples", "application/ld+json", b'{"@id": 7}', 400),
        ("syntax", "RDF/XML that is not XML", "application/rdf+xml", b"<rdf:RDF <<< not xml", 400),
        ("syntax", "not UTF-8", "text/turtle", b"\xff\xfe<#a> <#b> \"\xe9\" .", 400),
        ("syntax", "binary garbage (NUL bytes)", "text/turtle", bytes(range(256)) * 4, 400),
        ("syntax", "Turtle with an IRI containing a space", "text/turtle", b"<#a b> <#p> <#c> .", 400),
        ("syntax", "JSON with an @id containing a space and a quote", "application/json",
         b'{"@id": "a b\\"c", "@type": "kz:Person"}', 400),
        ("syntax", "JSON-LD naming a person \"john doe\" (rdflib drops such a node in silence)",
         "application/json", (b'{"@graph": [{"id": "john doe", "type": "Person"}, {"id": "c", "type": "Comment", '
                              b'"author": "john doe"}]}'), 400),
        ("syntax", "Turtle with a language tag BCP 47 forbids (a nine-letter subtag)", "text/turtle",
         (b'@prefix kz: <https://w3id.org/kzlaw/ontology#> .\n<#a> a kz:Person ; '
          b'<http://www.w3.org/2000/01/rdf-schema#label> "A"@abcdefghi .'), 400),
        ("syntax", "RDF/XML with an rdf:about containing a space", "application/rdf+xml",
         (b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
         b'rdf:about="urn:a b"><rdf:value>1</rdf:value></rdf:Description></rdf:RDF>'), 400),
        ("empty", "empty body", "application/ld+json", b"", 400),
        ("empty", "whitespace only", "text/turtle", b"   \n\t ", 400),
        ("empty", "comments and prefixes only", "text/turtle",
         b"# to be written\n@prefix kz: <https://w3id.org/kzlaw/ontology#> .\n", 400),
        ("empty", "a triple in no kzlaw term", "application/n-triples",
         b'<https://example.org/a> <https://example.org/b> "c" .\n', 422),
        ("media type", "text/plain body", "text/plain", FB, 415),
        ("media type", "application/xml (not RDF/XML)", "application/xml", FB, 415),
        ("media type", "multipart/form-data", "multipart/form-data; boundary=x", FB, 415),
        ("no fetch", f"JSON-LD remote @context {L}/context.jsonld", "application/ld+json",
         json.dumps({"@context": f"{L}/context.jsonld", "@id": "x"}).encode(), 400),
        ("no fetch", "JSON-LD @context array with a remote entry", "application/ld+json",
         json.dumps({"@context": [{"kz": "https://w3id.org/kzlaw/ontology#"}, f"{L}/ctx"],
                     "@id": "x"}).encode(), 400),
        ("no fetch", "JSON-LD @import in the context", "application/ld+json",
         json.dumps({"@context": {"@version": 1.1, "@import": f"{L}/import.jsonld"}, "@id": "x"}).encode(), 400),
        ("no fetch", "JSON-LD scoped (nested) remote context", "application/ld+json",
         json.dumps({"@context": {"t": {"@id": "urn:t", "@context": f"{L}/scoped"}}, "t": {"@id": "y"},
                     "@id": "x"}).encode(), 400),
        ("no fetch", "XXE: SYSTEM entity naming the listener", "application/rdf+xml",
         f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "{L}/xxe">]>'
         '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
         'rdf:about="urn:a"><rdf:value>&x;</rdf:value></rdf:Description></rdf:RDF>'.encode(), 400),
        ("no fetch", "external DTD naming the listener", "application/rdf+xml",
         f'<?xml version="1.0"?><!DOCTYPE rdf:RDF SYSTEM "{L}/dtd">'
         '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>'.encode(), 400),
        ("no fetch", "XML billion laughs", "application/rdf+xml",
         ('<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "lol">' + "".join(
             f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9)) +
          ']><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
          'rdf:about="urn:a"><rdf:value>&j;</rdf:value></rdf:Description></rdf:RDF>').encode(), 400),
        ("no fetch", "XML parameter entity naming the listener", "application/rdf+xml",
         f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY % p SYSTEM "{L}/pe"> %p;]><r/>'.encode(), 400),
        ("size", "JSON nested 5,000 levels deep", "application/json", nested, 413),
        ("size", "Turtle blank nodes nested 5,000 deep", "text/turtle",
         b"<#a> <#p> " + b"[ <#p> " * 5000 + b"]" * 5000 + b" .", 400),
        ("size", "Turtle collections nested 5,000 deep", "text/turtle",
         b"<#a> <#p> " + b"( " * 5000 + b")" * 5000 + b" .", 400),
        ("size", "RDF/XML elements nested 5,000 deep", "application/rdf+xml",
         b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:k="urn:k#"><rdf:Description>'
         + b"<k:p><rdf:Description>" * 2500 + b"</rdf:Description></k:p>" * 2500
         + b"</rdf:Description></rdf:RDF>", 413),
        ("size", "400 people (1,200 triples) over KZLAW_MAX_TRIPLES=300", "text/turtle", many.encode(), 413),
    ]


def test_hostile_scenario_documents(client, listener):
    wrong = []
    for i, (category, what, ctype, body, status) in enumerate(scenario_bodies(listener)):
        before = listener.connections
        for path in ("/v1/validate", "/v1/assess", f"/v1/scenarios?id=hostile-{i}"):
            r = client.post(path, content=body, headers={"content-type": ctype})
            if r.status_code != status:
                wrong.append(f"{what} → {path}: {r.status_code} {r.text[:200]}")
                continue
            problem(r, status)
            healthy(client)
        problem(client.get(f"/v1/scenarios/hostile-{i}"), 404)  # nothing stored
        fetched = listener.connections - before
        record.add(category, what, f"POST /v1/validate, /v1/assess, /v1/scenarios ({ctype.split(';')[0]})",
                   r, fetched if category == "no fetch" else None)
        assert fetched == 0, what
    assert not wrong, "\n".join(wrong)
    assert listener.connections == 0


def test_owl_imports_is_kept_as_data_never_followed(client, listener):
    ttl = FB_REACHABLE.with_suffix(".ttl").read_text(encoding="utf-8") + \
        f"\n<> <http://www.w3.org/2002/07/owl#imports> <{listener.url}/ontology.owl> .\n"
    r = client.post("/v1/validate", content=ttl.encode(), headers={"content-type": "text/turtle"})
    assert r.status_code == 200, r.text  # a report, either way; never a fetch
    a = client.post("/v1/assess", content=ttl.encode(), headers={"content-type": "text/turtle"})
    assert a.status_code in (200, 422), a.text  # reasoning and rules run over it: still no fetch
    record.add("no fetch", f"owl:imports <{listener.url}/ontology.owl> in a scenario",
               "POST /v1/validate, /v1/assess (text/turtle)", a, listener.connections,
               answer="kept as a triple, never followed")
    assert listener.connections == 0
    healthy(client)


def test_no_content_type(client):
    r = client.post("/v1/scenarios", params={"id": "no-ctype"}, content=FB)
    problem(r, 415)
    record.add("media type", "no Content-Type header", "POST /v1/scenarios", r)
    problem(client.get("/v1/scenarios/no-ctype"), 404)


def test_body_over_the_limit_refused_before_parsing(client):
    big = b"<#a> <#b> <#c> .\n" * 20000  # 340,000 bytes > 262,144
    r = client.post("/v1/scenarios", params={"id": "big"}, content=big, headers={"content-type": "text/turtle"})
    problem(r, 413)
    record.add("size", "340 kB body with Content-Length over KZLAW_MAX_BODY_BYTES=256 KiB",
               "POST /v1/scenarios (text/turtle)", r)

    def chunks():  # no Content-Length: counted while streaming, refused at the limit
        for _ in range(64):
            yield b"<#a> <#b> <#c> .\n" * 1000
    r = client.post("/v1/scenarios", params={"id": "big"}, content=chunks(),
                    headers={"content-type": "text/turtle"})
    problem(r, 413)
    record.add("size", "1.1 MB chunked body (no Content-Length)", "POST /v1/scenarios (text/turtle)", r)
    r = client.post("/sparql", content=b"SELECT * WHERE { ?s ?p ?o } #" + b"x" * 300000,
                    headers={"content-type": "application/sparql-query"})
    problem(r, 413)
    record.add("size", "300 kB SPARQL POST body", "POST /sparql", r)
    problem(client.get("/v1/scenarios/big"), 404)
    healthy(client)


def queries(L: str) -> list[tuple[str, str, str, int]]:
    return [
        ("update", "INSERT DATA in the query parameter", "INSERT DATA { <urn:a> <urn:b> <urn:c> }", 400),
        ("update", "DELETE WHERE", "DELETE WHERE { ?s ?p ?o }", 400),
        ("update", "DROP ALL", "DROP ALL", 400),
        ("update", "CLEAR DEFAULT after a prologue", "PREFIX x: <urn:x#> CLEAR DEFAULT", 400),
        ("no fetch", f"LOAD <{L}/data.ttl>", f"LOAD <{L}/data.ttl>", 400),
        ("no fetch", f"SERVICE <{L}/sparql>", f"SELECT * WHERE {{ SERVICE <{L}/sparql> {{ ?s ?p ?o }} }}", 400),
        ("no fetch", "SERVICE SILENT, lower case, no space before the IRI",
         f"select * where {{ service silent<{L}/sparql> {{ ?s ?p ?o }} }}", 400),
        ("no fetch", "SERVICE after a comment line",
         f"SELECT * WHERE {{ #x\n SERVICE\n<{L}/q> {{ ?s ?p ?o }} }}", 400),
        ("no fetch", "SERVICE through a variable", "SELECT * WHERE { BIND(<urn:x> AS ?e) SERVICE ?e { ?s ?p ?o } }",
         400),
        ("syntax", "not SPARQL", "hello world", 400),
        ("syntax", "SELECT with a syntax error", "SELECT * WHERE { ?s ?p }", 400),
        ("size", "a 2,100-character query over KZLAW_MAX_QUERY_CHARS=2000",
         "SELECT * WHERE { ?s ?p ?o } #" + "x" * 2100, 413),
        ("size", "a cross product of the store with itself three times (row cap 500)",
         "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", 400),
    ]


def test_hostile_queries(client, listener):
    wrong = []
    for category, what, q, status in queries(listener.url):
        before = listener.connections
        r = client.post("/sparql", content=q.encode(), headers={"content-type": "application/sparql-query"})
        for resp in (r, client.get("/sparql", params={"query": q}), client.post("/sparql", data={"query": q})):
            if resp.status_code != status:
                wrong.append(f"{what}: {resp.status_code} {resp.text[:200]}")
            else:
                problem(resp, status)
        fetched = listener.connections - before
        record.add(category, what, "GET /sparql, POST /sparql (query and form)", r,
                   fetched if category == "no fetch" else None)
        assert fetched == 0
        healthy(client)
    assert not wrong, "\n".join(wrong)
    r = client.post("/sparql", data={"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"})
    problem(r, 400)
    record.add("update", "update= in a form POST", "POST /sparql (form)", r)
    ask = client.get("/sparql", params={"query": "ASK { <urn:a> <urn:b> <urn:c> }"},
                     headers={"accept": "application/sparql-results+json"})
    assert ask.json()["boolean"] is False  # no update ran
    assert listener.connections == 0


def test_fuzzer_findings_are_problems_not_500s(client):
    """Inputs schemathesis found answered with 500 before; now each is a 4xx problem."""
    cases = [
        ("JSON whose implied-context key makes an IRI with a C1 control character", "POST /v1/assess",
         lambda: client.post("/v1/assess", json={"\u00a65\u009c\u0080": [[5e-324, True, 8926]]}), 400),
        ("scenario id that cannot make an IRI", "GET /v1/scenarios/{sid}",
         lambda: client.get("/v1/scenarios/%C2%80k%19%C3%B6%5D%C3%80"), 400),
        ("page number 2^64", "GET /v1/scenarios?page=…",
         lambda: client.get("/v1/scenarios", params={"page": "23941369661171527680"}), 422),
        ("conclusion filter that is not an IRI", "GET /v1/scenarios?conclusion=…",
         lambda: client.get("/v1/scenarios", params={"conclusion": "\U000e3db9x\x16"}), 400),
        ("default-graph-uri that is not an IRI", "GET /sparql?default-graph-uri=…",
         lambda: client.get("/sparql", params={"query": "ASK {}", "default-graph-uri": "íè Xc"}), 400),
    ]
    for what, request, call, status in cases:
        r = call()
        problem(r, status)
        record.add("fuzz", what, request, r)
        healthy(client)


def test_runaway_query_is_stopped_with_an_error(client):
    # an aggregate over the store crossed with itself, eight times (~60M rows, several seconds; the plain
    # cross product now ends within the 1 s limit): no row before it is all computed
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . VALUES ?x { 1 2 3 4 5 6 7 8 } }"
    r = client.get("/sparql", params={"query": q}, headers={"accept": "application/sparql-results+json"})
    body = problem(r, 503)
    assert body["type"].endswith("/query-timeout") and "time limit" in body["detail"]
    assert "results" not in body
    record.add("time", "COUNT over the store crossed with itself, eight times (KZLAW_QUERY_TIMEOUT_S=1)", "GET /sparql", r)
    healthy(client)


def test_a_good_scenario_still_stores_afterwards(client):
    before = client.get("/v1/scenarios").json()["total"]
    assert before == 0  # none of the hostile inputs was stored
    r = client.post("/v1/scenarios", params={"id": "after-hostile"}, content=FB,
                    headers={"content-type": "application/ld+json"})
    assert r.status_code == 201, r.text
    assert client.get("/v1/scenarios").json()["total"] == 1
