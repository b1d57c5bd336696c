"""The REST API as a real uvicorn process on a loopback port, spoken to with httpx (no mocks)."""

from __future__ import annotations

import json

import httpx
import pytest
from conftest_service import FB_REACHABLE, WORKED, api_server, oxigraph_server

from kzlaw.namespaces import KZ

PROBLEM = "application/problem+json"
FB = FB_REACHABLE.read_bytes()
JSONLD = {"content-type": "application/ld+json"}


def _problem(r: httpx.Response, status: int) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    body = r.json()
    assert body["status"] == status and body["type"].startswith("https://") and body["title"]
    assert "Traceback" not in r.text
    return body


def _sparql_findings(client, sid: str, regime: str) -> set[str]:
    q = (f"SELECT ?f WHERE {{ GRAPH <https://w3id.org/kzlaw/scenario/{sid}/findings/{regime}> "
         f"{{ ?f a <{KZ.Finding}> }} }}")
    r = client.get("/sparql", params={"query": q}, headers={"accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    return {b["f"]["value"] for b in r.json()["results"]["bindings"]}


def test_posted_scenario_is_stored_queryable_and_survives_a_restart(server, client):
    r = client.post("/v1/scenarios", params={"id": "fb-rest"}, content=FB, headers=JSONLD)
    assert r.status_code == 201, r.text
    assert r.headers["location"] == "/v1/scenarios/fb-rest"
    created = r.json()
    assert created["findings_count"] > 0 and created["regimes"] == ["current-law", "reform-proposal",
                                                                  "platform-duties"]
    got = client.get(r.headers["location"])
    assert got.status_code == 200 and got.json()["iri"] == "https://w3id.org/kzlaw/scenario/fb-rest/"

    findings = client.get("/v1/scenarios/fb-rest/findings", params={"regime": "current-law"}).json()
    rest_ids = {f["id"] for f in findings["findings"]}
    liable = {f["subject"]["label"] for f in findings["findings"] if f["conclusion"]["iri"] == "kz:Liable"}
    assert "John Doe" in liable
    assert rest_ids and rest_ids == _sparql_findings(client, "fb-rest", "current-law")

    server.restart()
    with httpx.Client(base_url=server.url, timeout=60) as again:
        after = again.get("/v1/scenarios/fb-rest/findings", params={"regime": "current-law"})
        assert after.status_code == 200
        assert after.json() == findings
        assert _sparql_findings(again, "fb-rest", "current-law") == rest_ids


def test_duplicate_id_is_409_and_put_replaces(client):
    assert client.post("/v1/scenarios", params={"id": "dup"}, content=FB, headers=JSONLD).status_code == 201
    _problem(client.post("/v1/scenarios", params={"id": "dup"}, content=FB, headers=JSONLD), 409)
    other = (WORKED / "facebook-abroad-refusal.jsonld").read_bytes()
    r = client.put("/v1/scenarios/dup", content=other, headers=JSONLD)
    assert r.status_code == 200 and "location" not in r.headers, r.text
    facts = client.get("/v1/scenarios/dup", headers={"accept": "text/turtle"})
    assert facts.headers["content-type"].startswith("text/turtle")
    assert "reachable commenter" not in facts.text


def test_put_of_a_new_id_creates_it_with_201(client):
    r = client.put("/v1/scenarios/put-new", content=FB, headers=JSONLD)
    assert r.status_code == 201 and r.headers["location"] == "/v1/scenarios/put-new", r.text
    assert r.json()["findings_count"] > 0
    again = client.put("/v1/scenarios/put-new", content=FB, headers=JSONLD)
    assert again.status_code == 200 and again.json()["findings_count"] == r.json()["findings_count"]


def test_assess_has_proofs_only_when_asked_and_as_of_is_a_parameter(client):
    plain = client.post("/v1/assess", content=FB, headers=JSONLD)
    assert plain.status_code == 200 and "proofs" not in plain.json()  # docs/findings-json.md
    assert "as_of" in plain.json()
    body = _problem(client.post("/v1/assess", params={"as_of": "yesterday"}, content=FB, headers=JSONLD), 422)
    assert body["type"].endswith("/invalid-parameters") and "yesterday" in body["detail"]


def test_findings_citing_the_replaced_media_law_carry_the_notice_assessed_and_stored(client):
    """Judged as of a date after the new Law "On Mass Media" was signed (20 June 2024), the findings that
    cite the 1999 law the commentary describes carry a notice, given in full once per response (text in
    the language asked for, quoted passages, sources with their address); stored findings keep it."""
    fresh = client.post("/v1/assess", params={"as_of": "2025-01-01", "lang": "kk"}, content=FB, headers=JSONLD).json()
    marked = {f["rule"]["id"] for f in fresh["findings"] if f["notices"]}
    assert {"A1", "A2", "A4", "A6-eligible"} <= marked and not marked & {"A3", "A5-enforceable", "B2", "C1-remove"}
    (notice,) = fresh["notices"]
    assert notice["iri"] == "kz:MediaLawReplaced2024" and "2024" in notice["text"] and "Заң" in notice["text"]
    assert all(p["quote"] for p in notice["passages"]) and all(s["address"].startswith("https://")
                                                                for s in notice["sources"])
    old = client.post("/v1/assess", params={"as_of": "2020-01-01"}, content=FB, headers=JSONLD).json()
    assert old["notices"] == [] and not any(f["notices"] for f in old["findings"])
    dated_2025 = FB.replace(b'"date": "2015-03-02"', b'"date": "2025-03-02"')  # judged at its own dates
    assert client.put("/v1/scenarios/after-2024", content=dated_2025, headers=JSONLD).status_code == 201
    stored = client.get("/v1/scenarios/after-2024/findings").json()
    assert {f["rule"]["id"] for f in stored["findings"] if f["notices"]} == {
        f["rule"]["id"] for f in client.post("/v1/assess", content=dated_2025, headers=JSONLD).json()["findings"]
        if f["notices"]} and [n["iri"] for n in stored["notices"]] == ["kz:MediaLawReplaced2024"]
    changes = client.get("/v1/scenarios/after-2024/compare").json()  # A2 and A6 disappear in the reform
    assert any(c["base"] and c["base"]["notices"] for c in changes["changes"])
    assert [n["iri"] for n in changes["notices"]] == ["kz:MediaLawReplaced2024"]


def test_turtle_and_plain_json_bodies(client):
    r = client.post("/v1/scenarios", params={"id": "ttl"}, content=(WORKED / "facebook-reachable.ttl").read_bytes(),
                    headers={"content-type": "text/turtle"})
    assert r.status_code == 201, r.text
    doc = json.loads(FB)
    del doc["@context"]  # application/json implies kzlaw's context
    r = client.post("/v1/scenarios", params={"id": "plain-json"}, json=doc)
    assert r.status_code == 201, r.text
    a = client.get("/v1/scenarios/ttl/findings").json()["findings"]
    b = client.get("/v1/scenarios/plain-json/findings").json()["findings"]
    assert [(f["rule"]["id"], f["conclusion"]["iri"]) for f in a] == \
        [(f["rule"]["id"], f["conclusion"]["iri"]) for f in b]


def test_list_paged_and_filtered(client):
    for sid in ("list-a", "list-b"):
        client.put(f"/v1/scenarios/{sid}", content=FB, headers=JSONLD)
    page = client.get("/v1/scenarios", params={"size": 1, "page": 1}).json()
    assert page["size"] == 1 and len(page["items"]) == 1 and page["total"] >= 2
    liable = client.get("/v1/scenarios", params={"regime": "current-law", "conclusion": "kz:Liable",
                                                 "size": 500}).json()
    assert {"list-a", "list-b"} <= {i["id"] for i in liable["items"]}
    by_iri = client.get("/v1/scenarios", params={"conclusion": str(KZ.Liable), "size": 500}).json()
    assert {"list-a", "list-b"} <= {i["id"] for i in by_iri["items"]}
    # a conclusion kzlaw knows that these scenarios do not draw: an empty page
    none = client.get("/v1/scenarios", params={"conclusion": "SuspensionOrdered", "regime": "platform-duties"})
    assert none.status_code == 200 and none.json()["items"] == [] and none.json()["total"] == 0
    # a typo is not "no scenario draws it"
    typo = _problem(client.get("/v1/scenarios", params={"conclusion": "kz:Liabel"}), 422)
    assert typo["type"].endswith("/invalid-parameters") and "kz:Liable" in typo["detail"]
    _problem(client.get("/v1/scenarios", params={"regime": "no-such-regime"}), 404)


def test_delete(client):
    client.put("/v1/scenarios/gone", content=FB, headers=JSONLD)
    assert client.delete("/v1/scenarios/gone").status_code == 204
    _problem(client.get("/v1/scenarios/gone"), 404)
    _problem(client.delete("/v1/scenarios/gone"), 404)
    assert _sparql_findings(client, "gone", "current-law") == set()


def test_findings_as_turtle_and_json_ld(client):
    client.put("/v1/scenarios/rdf", content=FB, headers=JSONLD)
    ttl = client.get("/v1/scenarios/rdf/findings", headers={"accept": "text/turtle"})
    assert ttl.headers["content-type"].startswith("text/turtle") and "kz:Finding" in ttl.text
    ld = client.get("/v1/scenarios/rdf/findings", headers={"accept": "application/ld+json"})
    assert ld.headers["content-type"].startswith("application/ld+json")
    ids = {f["id"] for f in client.get("/v1/scenarios/rdf/findings").json()["findings"]}
    assert ids == {n["@id"] for n in ld.json()["@graph"]} & ids


def test_compare(client):
    client.put("/v1/scenarios/cmp", content=FB, headers=JSONLD)
    r = client.get("/v1/scenarios/cmp/compare", params={"base": "current-law", "other": "reform-proposal"})
    assert r.status_code == 200, r.text
    changes = r.json()["changes"]
    assert any(c["subject"].endswith("MarkZuckerberg") and c["change"] == "disappears" for c in changes)
    _problem(client.get("/v1/scenarios/cmp/compare", params={"other": "nope"}), 404)


def test_validate_and_assess_store_nothing(client):
    before = client.get("/v1/scenarios").json()["total"]
    v = client.post("/v1/validate", content=FB, headers=JSONLD)
    assert v.status_code == 200 and v.json() == {"conforms": True, "problems": []}
    a = client.post("/v1/assess", params={"regime": "current-law", "proofs": "true", "lang": "ru"},
                    content=FB, headers=JSONLD)
    assert a.status_code == 200, a.text
    body = a.json()
    assert body["regimes"] == ["current-law"] and body["proofs"]
    ttl = client.post("/v1/assess", content=FB, headers={**JSONLD, "accept": "text/turtle"})
    assert ttl.headers["content-type"].startswith("text/turtle") and "kz:Finding" in ttl.text
    assert client.get("/v1/scenarios").json()["total"] == before


def test_validate_and_assess_name_nodes_under_the_id_given(client):
    """?id= on /v1/validate and /v1/assess: the report and the findings name the document's nodes as the
    stored scenario of that id would (relative IRIs resolve against its IRI); still nothing is stored."""
    doc = json.loads(FB)
    doc["@graph"][2]["identified"] = "perhaps"
    report = client.post("/v1/validate", params={"id": "my-case"}, content=json.dumps(doc), headers=JSONLD).json()
    assert not report["conforms"]
    assert {p["focus"] for p in report["problems"]} == {"https://w3id.org/kzlaw/scenario/my-case/john-doe"}
    a = client.post("/v1/assess", params={"id": "my-case", "regime": "current-law"}, content=FB, headers=JSONLD)
    assert a.status_code == 200, a.text
    text = json.dumps(a.json())
    assert "https://w3id.org/kzlaw/scenario/my-case/" in text and "scenario/my-case/john-doe" in text
    random = client.post("/v1/assess", params={"regime": "current-law"}, content=FB, headers=JSONLD).text
    assert "scenario/my-case/" not in random  # without ?id= a new id each time
    for path in ("/v1/validate", "/v1/assess"):
        _problem(client.post(path, params={"id": "no/slashes"}, content=FB, headers=JSONLD), 400)
    _problem(client.get("/v1/scenarios/my-case"), 404)


def test_validate_answers_a_w3c_shacl_report_on_accept(client):
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import RDF

    from kzlaw.namespaces import SH

    doc = json.loads(FB)
    doc["@graph"][2]["identified"] = "perhaps"
    r = client.post("/v1/validate", params={"id": "my-case"}, content=json.dumps(doc),
                    headers={**JSONLD, "accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    g = Graph().parse(data=r.text, format="turtle")
    report = g.value(predicate=RDF.type, object=SH.ValidationReport, any=False)
    assert g.value(report, SH.conforms) == Literal(False)
    results = set(g.objects(report, SH.result))
    as_json = client.post("/v1/validate", params={"id": "my-case"}, content=json.dumps(doc), headers=JSONLD).json()
    assert len(results) == len(as_json["problems"]) >= 1
    for result in results:
        assert g.value(result, SH.focusNode) == URIRef("https://w3id.org/kzlaw/scenario/my-case/john-doe")
        assert g.value(result, SH.resultPath) == KZ.identified
        assert g.value(result, SH.resultSeverity) == SH.Violation
    ok = client.post("/v1/validate", content=FB, headers={**JSONLD, "accept": "application/ld+json"})
    g = Graph().parse(data=ok.text, format="json-ld")
    assert list(g.objects(None, SH.conforms)) == [Literal(True)] and not set(g.objects(None, SH.result))


def test_the_shapes_served_with_the_ontology_give_kzlaws_verdict_in_another_engine(client):
    """GET /v1/shapes and GET /ontology are all another SHACL engine (pySHACL here, given nothing else of
    kzlaw's) needs to reach the verdicts of POST /v1/validate, problem for problem, on the worked cases and
    a third of the bad corpus (the data read by kzlaw's parser, which resolves its JSON-LD context locally)."""
    from pyshacl import validate as shacl_validate
    from rdflib import BNode, Graph
    from rdflib.namespace import RDF
    from support import scenario_files, sidecar

    from kzlaw.namespaces import SH
    from kzlaw.parse import read_scenario_file

    r = client.get("/v1/shapes")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    shapes = Graph().parse(data=r.text, format="turtle")
    as_jsonld = client.get("/v1/shapes", headers={"accept": "application/ld+json"})
    assert len(Graph().parse(data=as_jsonld.text, format="json-ld")) == len(shapes) > 100
    assert client.get("/v1/shapes", headers={"accept": "image/png"}).status_code == 406
    # a type refused with q=0 is not chosen through a wildcard
    assert client.get("/v1/shapes", headers={"accept": "text/turtle;q=0, */*;q=0.5"}).headers[
        "content-type"].startswith("application/ld+json")
    assert client.get("/v1/shapes", headers={"accept": "text/turtle;q=0"}).status_code == 406
    ontology = Graph().parse(data=client.get("/ontology", headers={"accept": "text/turtle"}).text, format="turtle")
    bad = [p for p in scenario_files("bad") if sidecar(p, ".expected.json").exists()
           and json.loads(sidecar(p, ".expected.json").read_text(encoding="utf-8"))["exit"] == 1]
    # every third bad file (pySHACL copies the ontology into each data graph: ~0.3 s a file), every format
    files = bad[::3] + [p for p in bad if p.suffix in (".ttl", ".nt", ".rdf")][:3] + sorted(WORKED.glob("*.jsonld"))
    for path in files:
        data, sid = read_scenario_file(path)
        ctype = {".jsonld": "application/ld+json", ".json": "application/json", ".ttl": "text/turtle",
                 ".nt": "application/n-triples", ".rdf": "application/rdf+xml"}[path.suffix]
        kz = client.post("/v1/validate", params={"id": sid}, content=path.read_bytes(),
                         headers={"content-type": ctype}).json()
        conforms, results, _ = shacl_validate(data, shacl_graph=shapes, ont_graph=ontology, inference="none",
                                              abort_on_first=False, advanced=True)
        def shown(t):
            return "_:" if isinstance(t, BNode) or str(t).startswith("_:") else str(t)  # a blank node is a blank node
        theirs = sorted((shown(results.value(r, SH.focusNode)), str(results.value(r, SH.resultPath)))
                        for r in results.subjects(RDF.type, SH.ValidationResult))
        # kzlaw's vocabulary check (kzlaw.validate.vocabulary_problems: kz: constraint components) is its
        # own, beside the shapes; the rest is the shapes' verdict
        shacl = [p for p in kz["problems"] if not p["constraint"].startswith("https://w3id.org/kzlaw/")]
        ours = sorted((shown(p["focus"]), str(p["path"])) for p in shacl)
        assert (conforms, theirs) == (not shacl, ours), path.name


def test_conditional_requests_keep_a_concurrent_update_from_being_lost(client):
    """ETags on a stored scenario's representations (one per format and language, all built on what is
    stored): If-None-Match gives 304; a PUT or DELETE with an If-Match from before someone else's write is
    412 and changes nothing; If-None-Match: * creates only."""
    doc = json.loads(FB)
    r = client.put("/v1/scenarios/etag", content=FB, headers=JSONLD)
    assert r.status_code == 201
    first = client.get("/v1/scenarios/etag")
    tag = first.headers["etag"]
    assert tag.startswith('"') and first.headers["vary"] == "Accept"
    again = client.get("/v1/scenarios/etag", headers={"if-none-match": tag})
    assert again.status_code == 304 and again.headers["etag"] == tag and not again.content
    turtle = client.get("/v1/scenarios/etag", headers={"accept": "text/turtle"})
    assert turtle.headers["etag"] != tag  # another representation of the same state
    assert client.get("/v1/scenarios/etag", headers={"accept": "text/turtle", "if-none-match": tag}).status_code == 200
    en, ru = (client.get("/v1/scenarios/etag/findings", params={"lang": x}) for x in ("en", "ru"))
    assert en.headers["etag"] != ru.headers["etag"]
    assert client.get("/v1/scenarios/etag/findings", params={"lang": "ru"},
                      headers={"if-none-match": ru.headers["etag"]}).status_code == 304
    cmp = client.get("/v1/scenarios/etag/compare")
    assert client.get("/v1/scenarios/etag/compare", headers={"if-none-match": cmp.headers["etag"]}).status_code == 304

    # two systems read the same state; the first writes a change, the second's write is refused
    doc["@graph"][2]["label"] = "Jane Doe"
    changed = json.dumps(doc)
    assert client.put("/v1/scenarios/etag", content=changed, headers={**JSONLD, "if-match": tag}).status_code == 200
    now = client.get("/v1/scenarios/etag")
    assert now.headers["etag"] != tag and "Jane Doe" in now.text
    late = client.put("/v1/scenarios/etag", content=FB, headers={**JSONLD, "if-match": tag})
    body = _problem(late, 412)
    assert body["type"].endswith("/precondition-failed") and "GET it again" in body["detail"]
    assert "Jane Doe" in client.get("/v1/scenarios/etag").text  # the first write stands
    assert client.get("/v1/scenarios/etag/findings", params={"lang": "en"},
                      headers={"if-none-match": en.headers["etag"]}).status_code == 200  # findings changed too
    # an ETag of any representation of the current state will do; a weak one never does (strong comparison)
    turtle_now = client.get("/v1/scenarios/etag", headers={"accept": "text/turtle"}).headers["etag"]
    assert client.put("/v1/scenarios/etag", content=changed,
                      headers={**JSONLD, "if-match": "W/" + turtle_now}).status_code == 412
    assert client.put("/v1/scenarios/etag", content=changed, headers={**JSONLD, "if-match": turtle_now}).status_code == 200
    # create only
    _problem(client.put("/v1/scenarios/etag", content=FB, headers={**JSONLD, "if-none-match": "*"}), 412)
    assert client.put("/v1/scenarios/etag-new", content=FB, headers={**JSONLD, "if-none-match": "*"}).status_code == 201
    _problem(client.put("/v1/scenarios/etag-none", content=FB, headers={**JSONLD, "if-match": "*"}), 412)
    _problem(client.get("/v1/scenarios/etag-none"), 404)
    # If-Match on a GET is a precondition too (RFC 9110 §13.1.1); preconditions never turn a 404 into a 412
    _problem(client.get("/v1/scenarios/etag", headers={"if-match": tag}), 412)
    assert client.get("/v1/scenarios/etag/findings", headers={"if-match": turtle_now}).status_code == 200
    _problem(client.delete("/v1/scenarios/etag-none", headers={"if-match": tag}), 404)
    # delete
    _problem(client.delete("/v1/scenarios/etag", headers={"if-match": tag}), 412)
    assert client.get("/v1/scenarios/etag").status_code == 200
    current = client.get("/v1/scenarios/etag").headers["etag"]
    assert client.delete("/v1/scenarios/etag", headers={"if-match": current}).status_code == 204
    _problem(client.get("/v1/scenarios/etag"), 404)


def test_two_posts_of_one_new_id_store_it_once(client):
    from concurrent.futures import ThreadPoolExecutor

    def post(_):
        return client.post("/v1/scenarios", params={"id": "race"}, content=FB, headers=JSONLD).status_code
    with ThreadPoolExecutor(4) as pool:
        codes = sorted(pool.map(post, range(4)))
    assert codes == [201, 409, 409, 409]


def test_wrong_media_type_is_415(client):
    body = _problem(client.post("/v1/scenarios", content=FB, headers={"content-type": "text/plain"}), 415)
    assert "text/plain" in body["detail"]
    _problem(client.post("/v1/validate", content=FB), 415)


def test_invalid_scenario_is_422_with_the_report(client):
    doc = json.loads(FB)
    doc["@graph"][2]["identified"] = "perhaps"
    body = _problem(client.post("/v1/scenarios", params={"id": "bad"}, content=json.dumps(doc),
                                headers=JSONLD), 422)
    problems = body["report"]["problems"]
    assert not body["report"]["conforms"]
    assert any(p["focus"] == "https://w3id.org/kzlaw/scenario/bad/john-doe"
               and p["path"] == str(KZ.identified) for p in problems)
    _problem(client.get("/v1/scenarios/bad"), 404)  # nothing stored


def test_syntax_error_has_line_and_column(client):
    body = _problem(client.post("/v1/validate", content=b'{\n  "@graph": [\n    {"id": }\n  ]\n}',
                                headers=JSONLD), 400)
    assert body["line"] == 3 and body["column"] > 1


def test_unknown_regime_and_unknown_scenario_are_404(client):
    client.put("/v1/scenarios/known", content=FB, headers=JSONLD)
    assert _problem(client.get("/v1/scenarios/known/findings", params={"regime": "nope"}), 404)["known"]
    _problem(client.post("/v1/assess", params={"regime": "nope"}, content=FB, headers=JSONLD), 404)
    _problem(client.get("/v1/scenarios/never-stored/findings"), 404)
    _problem(client.get("/v1/no-such-route"), 404)


def test_body_over_the_limit_is_413(client):
    big = b" " * (4 * 1024 * 1024 + 1)
    _problem(client.post("/v1/scenarios", content=big, headers=JSONLD), 413)

    def chunks():  # no Content-Length: the size is checked while reading
        for _ in range(5):
            yield b" " * (1024 * 1024)
    _problem(client.post("/v1/validate", content=chunks(), headers=JSONLD), 413)


def test_bad_parameters_are_problems(client):
    _problem(client.get("/v1/scenarios", params={"page": 0}), 422)
    _problem(client.post("/v1/scenarios", params={"id": "bad id!"}, content=FB, headers=JSONLD), 400)


def test_knowledge_routes_and_health(client):
    regimes = client.get("/v1/regimes").json()
    assert [r["id"] for r in regimes] == ["current-law", "reform-proposal", "platform-duties"]
    provisions = client.get("/v1/provisions").json()
    assert any(p["iri"].endswith("/eli/law/mass-media/art/24/para/3") for p in provisions)
    rules = {r["id"]: r for r in client.get("/v1/rules").json()}
    assert {"A1"} <= set(rules)
    assert rules["A3"]["basis_from_content"] and rules["A3"]["legal_basis"] == []  # the content's law
    assert not rules["A2"]["basis_from_content"] and rules["A2"]["legal_basis"]
    health = client.get("/health").json()
    assert health["status"] == "ok" and health["store"] == "embedded"


def test_openapi_is_complete_and_its_example_works(client):
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    for path in ("/v1/validate", "/v1/assess", "/v1/scenarios", "/v1/scenarios/{sid}",
                 "/v1/scenarios/{sid}/findings", "/v1/scenarios/{sid}/compare", "/v1/regimes",
                 "/v1/provisions", "/v1/rules", "/health", "/sparql"):
        assert path in paths, path
        for op in paths[path].values():
            assert "200" in op["responses"] or "201" in op["responses"] or "204" in op["responses"]
    assert "Problem" in spec["components"]["schemas"]
    example = paths["/v1/scenarios"]["post"]["requestBody"]["content"]["application/ld+json"]["example"]
    r = client.post("/v1/scenarios", params={"id": "from-openapi"}, json=example,
                    headers=JSONLD)
    assert r.status_code == 201, r.text
    ttl = paths["/v1/validate"]["post"]["requestBody"]["content"]["text/turtle"]["example"]
    v = client.post("/v1/validate", content=ttl, headers={"content-type": "text/turtle"})
    assert v.json()["conforms"] is True


# --------------------------------------------------------------------------------------------------
# The same service on an Oxigraph server (KZLAW_STORE_URL)


@pytest.fixture(scope="module")
def remote_server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("remote-api")
    ox = oxigraph_server(tmp / "oxigraph", tmp / "oxigraph.log")
    api = api_server(tmp, store_url=ox.url)
    yield api
    api.stop()
    ox.stop()


def test_on_an_oxigraph_server(remote_server):
    with httpx.Client(base_url=remote_server.url, timeout=60) as c:
        assert c.get("/health").json()["store"] == "remote"
        r = c.post("/v1/scenarios", params={"id": "fb-remote"}, content=FB, headers=JSONLD)
        assert r.status_code == 201, r.text
        ids = {f["id"] for f in c.get("/v1/scenarios/fb-remote/findings",
                                      params={"regime": "current-law"}).json()["findings"]}
        assert ids and ids == _sparql_findings(c, "fb-remote", "current-law")
        remote_server.restart()
    with httpx.Client(base_url=remote_server.url, timeout=60) as c:
        assert _sparql_findings(c, "fb-remote", "current-law") == ids


@pytest.mark.parametrize("body, ctype, status, slug", [
    (b"# just a comment\n", "text/turtle", 400, "empty-document"),
    (b"@prefix kz: <https://w3id.org/kzlaw/ontology#> .\n", "text/turtle", 400, "empty-document"),
    (b'<https://example.org/a> <https://example.org/b> "c" .\n', "application/n-triples", 422, "invalid-scenario"),
], ids=["comment", "prefix-only", "unrelated-triple"])
def test_a_document_that_says_nothing_in_kzlaw_terms_is_refused_and_not_stored(client, body, ctype, status, slug):
    before = client.get("/v1/scenarios").json()["total"]
    for path in ("/v1/scenarios", "/v1/validate", "/v1/assess"):
        problem = _problem(client.post(path, params={"id": "says-nothing"} if path == "/v1/scenarios" else {},
                                       content=body, headers={"content-type": ctype}), status)
        assert problem["type"].endswith("/" + slug), problem
    _problem(client.get("/v1/scenarios/says-nothing"), 404)
    assert client.get("/v1/scenarios").json()["total"] == before


def test_an_empty_regime_is_refused_not_read_as_no_regime(client):
    """?regime= names no regime: judged under none it would read as "no findings", a legal answer."""
    assert client.put("/v1/scenarios/empty-regime", content=FB, headers=JSONLD).status_code in (200, 201)
    for method, path in (("POST", "/v1/assess"), ("GET", "/v1/scenarios/empty-regime/findings"),
                         ("GET", "/v1/scenarios")):
        for value in ("", ",", " "):
            r = client.request(method, path, params={"regime": value},
                               content=FB if method == "POST" else None, headers=JSONLD if method == "POST" else {})
            body = _problem(r, 404)  # as an unknown regime (unknown-regime, with the known ones)
            assert body["type"].endswith("/unknown-regime") and "current-law" in body["detail"], (path, value, body)
            assert value == "," and path != "/v1/assess" or "no regime named" in body["detail"] and "current-law" in body["detail"], (path, value, body)
    assert len(client.post("/v1/assess", params={"regime": "current-law,"}, content=FB,
                           headers=JSONLD).json()["regimes"]) == 1


def test_head_everywhere_get_is_and_a_405_lists_every_method(client):
    """RFC 9110: HEAD answers GET's headers without a body (§9.3.2); a 405's Allow lists every method the
    resource supports (§15.5.6), not those of the first route that matched the path."""
    assert client.put("/v1/scenarios/head", content=FB, headers=JSONLD).status_code in (200, 201)
    for path in ("/health", "/v1/scenarios/head", "/v1/scenarios/head/findings", "/ontology"):
        got, head = client.get(path), client.head(path)
        assert head.status_code == got.status_code == 200, path
        assert head.content == b"" and head.headers["content-type"] == got.headers["content-type"], path
    assert client.head("/v1/scenarios/head").headers["etag"] == client.get("/v1/scenarios/head").headers["etag"]
    assert client.head("/v1/scenarios/nothing-here").status_code == 404
    for path, allowed in (("/v1/scenarios/head", "DELETE, GET, HEAD, PUT"), ("/v1/scenarios", "GET, HEAD, POST"),
                          ("/sparql", "GET, HEAD, POST"), ("/v1/assess", "POST")):
        r = client.request("PATCH", path)
        assert _problem(r, 405) and r.headers["allow"] == allowed, (path, r.headers.get("allow"))


def test_an_invalid_id_in_the_path_is_the_400_of_an_invalid_id_in_the_query(client):
    for method in ("GET", "PUT", "DELETE"):
        r = client.request(method, "/v1/scenarios/-bad", content=FB if method == "PUT" else None,
                           headers=JSONLD if method == "PUT" else {})
        body = _problem(r, 400)
        assert body["type"].endswith("/invalid-id") and "invalid scenario id '-bad'" in body["detail"], body
    body = _problem(client.post("/v1/scenarios", params={"id": "-bad"}, content=FB, headers=JSONLD), 400)
    assert body["type"].endswith("/invalid-id")
