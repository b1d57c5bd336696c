"""The kzlaw command line, run as a real process: exit codes 0/1/2, readable reports and memos."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from support import SCENARIOS

KZLAW = str(Path(sys.executable).with_name("kzlaw"))
REACHABLE = SCENARIOS / "worked" / "good" / "facebook-reachable.jsonld"
ABROAD = SCENARIOS / "worked" / "good" / "facebook-abroad-refusal.jsonld"


def run(*args, input=None):
    return subprocess.run([KZLAW, *map(str, args)], check=False, capture_output=True, text=True, input=input, timeout=300)


def test_validate_exit_codes(tmp_path):
    assert run("validate", REACHABLE).returncode == 0
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix kz: <https://w3id.org/kzlaw/ontology#> .\n<p> a kz:Person .\n")
    r = run("validate", bad, "--lang", "kk")
    assert r.returncode == 1 and "https://w3id.org/kzlaw/ontology#identified" in r.stdout
    broken = tmp_path / "broken.ttl"
    broken.write_text("<a> <b> .\n")
    r = run("validate", broken)
    assert r.returncode == 2 and "broken.ttl:1:" in r.stderr and "Traceback" not in r.stderr
    assert run("validate", tmp_path / "missing.ttl").returncode == 2
    r = run("validate", REACHABLE, bad, "--format", "json")
    assert r.returncode == 1
    out = json.loads(r.stdout)
    assert out[0]["conforms"] is True and out[1]["conforms"] is False
    assert out[1]["problems"][0]["focus"].endswith("/bad/p")


def test_assess_memo_in_three_languages():
    for lang, word in (("en", "liable"), ("ru", "Режим"), ("kk", "Режим")):
        r = run("assess", REACHABLE, "--lang", lang)
        assert r.returncode == 0, r.stderr
        assert word in r.stdout
        assert "Article 24(3)" in r.stdout or lang != "en"
        assert "“For distribution of foreign media products" in r.stdout


def test_assess_json_is_stable_and_complete():
    r = run("assess", ABROAD, "--format", "json", "--regime", "reform-proposal", "--proofs")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["regimes"] == ["reform-proposal"] and doc["schema"] == "1"
    liable = [f for f in doc["findings"] if f["conclusion"]["iri"] == "kz:Liable"]
    assert {f["subject"]["label"] for f in liable} == {"John Doe", "the blogger"}
    blogger = next(f for f in liable if f["subject"]["label"] == "the blogger")
    assert blogger["rule"]["id"] == "B4-refusal" and blogger["basis"]["iri"] == "kz:EquatedWithAuthor"
    assert blogger["passages"][0]["quote"].startswith("If the author of the comment cannot be identified")
    assert doc["proofs"][blogger["id"]]["premises"], "B4 liability rests on the removal-demand finding"


def test_validate_writes_w3c_shacl_reports():
    from rdflib import Graph, Literal
    from rdflib.namespace import DCTERMS, RDF

    from kzlaw.namespaces import SH

    bad = SCENARIOS / "input" / "bad" / "person-with-bad-date.jsonld"
    for fmt, rdf in (("turtle", "turtle"), ("jsonld", "json-ld")):
        r = run("validate", REACHABLE, bad, "--format", fmt)
        assert r.returncode == 1, r.stderr
        g = Graph().parse(data=r.stdout, format=rdf)
        reports = {str(g.value(rep, DCTERMS.source)): rep for rep in g.subjects(RDF.type, SH.ValidationReport)}
        assert set(reports) == {str(REACHABLE), str(bad)}
        assert g.value(reports[str(REACHABLE)], SH.conforms) == Literal(True)
        assert g.value(reports[str(bad)], SH.conforms) == Literal(False)
        (result,) = g.objects(reports[str(bad)], SH.result)
        assert g.value(result, SH.sourceConstraintComponent) == SH.DatatypeConstraintComponent


def test_assess_turtle_and_jsonld():
    from rdflib import Graph
    for fmt, rdf in (("turtle", "turtle"), ("jsonld", "json-ld")):
        r = run("assess", REACHABLE, "--format", fmt)
        assert r.returncode == 0, r.stderr
        g = Graph().parse(data=r.stdout, format=rdf)
        assert len(g) > 50


def test_assess_unknown_regime_and_bad_date():
    r = run("assess", REACHABLE, "--regime", "martial-law")
    assert r.returncode == 2 and "unknown regime" in r.stderr
    r = run("assess", REACHABLE, "--as-of", "yesterday")
    assert r.returncode == 2 and "not a date" in r.stderr


def test_compare_shows_the_reform():
    r = run("compare", ABROAD, "--base", "current-law", "--other", "reform-proposal")
    assert r.returncode == 0, r.stderr
    assert "the blogger / John Doe's comment: not liable (A4) → liable (B4-refusal)" in r.stdout
    assert "Mark Zuckerberg / John Doe's comment: liable (A2) → not liable (B3-owner)" in r.stdout
    assert "eligible for suspension of access (A6-eligible) → cannot be blocked (B5)" in r.stdout
    doc = json.loads(run("compare", ABROAD, "--format", "json").stdout)
    kinds = {(c["change"], c["topic"]) for c in doc["changes"]}
    assert ("changes", "liability") in kinds and ("changes", "suspension") in kinds


def test_ill_typed_date_gives_a_report_without_traceback():
    r = run("validate", SCENARIOS / "input" / "bad" / "person-with-bad-date.jsonld")
    assert r.returncode == 1 and "Traceback" not in r.stderr and "Traceback" not in r.stdout


def test_load_counts_what_this_run_stored(tmp_path):
    store = tmp_path / "store"
    r = run("load", "--store", store, REACHABLE)
    assert r.returncode == 0 and "1 of 1 file(s) stored; the store holds 1 scenario(s)" in r.stderr
    broken = tmp_path / "broken.ttl"
    broken.write_text("<a> <b> .\n")
    r = run("load", "--store", store, broken, ABROAD)
    assert r.returncode == 2
    assert "1 of 2 file(s) stored; the store holds 2 scenario(s)" in r.stderr
    r = run("load", "--store", store, broken)
    assert r.returncode == 2 and "0 of 1 file(s) stored; the store holds 2 scenario(s)" in r.stderr


def test_query_and_reassess_refuse_a_store_that_does_not_exist(tmp_path):
    missing = tmp_path / "no-store"
    for args in (("query", "ASK { ?s ?p ?o }"), ("reassess",)):
        r = run(*args, "--store", missing)
        assert r.returncode == 2, args
        assert f"no store at {missing}" in r.stderr and "kzlaw load" in r.stderr
        assert not missing.exists(), "nothing is created"


def test_a_store_in_use_by_another_process_is_named_as_such(tmp_path):
    """The scholar's first mistake: `make run` still serving while `kzlaw load` opens the same store."""
    store = tmp_path / "store"
    assert run("load", "--store", store, REACHABLE).returncode == 0
    hold = "import sys, pyoxigraph as ox; s = ox.Store(sys.argv[1]); print('open', flush=True); sys.stdin.read()"
    holder = subprocess.Popen([sys.executable, "-c", hold, str(store)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        for args in (("load", REACHABLE), ("query", "ASK { ?s ?p ?o }")):
            r = run(*args, "--store", store)
            assert r.returncode == 2, args
            assert "in use by another process" in r.stderr and "/sparql" in r.stderr, r.stderr
            assert "Traceback" not in r.stderr
    finally:
        holder.stdin.close()
        holder.wait(timeout=60)


def test_query_names_where_a_query_goes_wrong_and_knows_kzlaw_prefixes(tmp_path):
    store = tmp_path / "store"
    assert run("load", "--store", store, REACHABLE).returncode == 0
    r = run("query", "--store", store, "SELECT ?f WHERE {\n  ?f a kz:Finding ;\n     kz:regime ?r\n  ?f kz:conclusion ?c .\n}")
    assert r.returncode == 2
    assert r.stderr.splitlines() == ["error: syntax error at line 4, column 3, at '?f kz:conclusion ?c .'",
                                     "    ?f kz:conclusion ?c .", "    ^"]
    # no PREFIX needed for kzlaw's own prefixes
    r = run("query", "--store", store, "--format", "csv", "SELECT (COUNT(*) AS ?n) WHERE { ?f a kz:Finding }")
    assert r.returncode == 0 and int(r.stdout.splitlines()[1]) > 0, r.stderr


def test_query_asks_a_running_server_over_http(tmp_path):
    """kzlaw query --endpoint: the store a running server holds, asked over its /sparql (the same table,
    CSV and graphs as from a store; a refusal's line and column from its problem document, in the query as
    written; an endpoint that does not answer is exit 2)."""
    import httpx
    from conftest_service import api_server, free_port

    server = api_server(tmp_path)
    try:
        r = httpx.put(f"{server.url}/v1/scenarios/reach", content=REACHABLE.read_bytes(),
                      headers={"content-type": "application/ld+json"}, timeout=60)
        assert r.status_code == 201, r.text
        sparql = f"{server.url}/sparql"
        r = run("query", "--endpoint", sparql, "--format", "csv",
                "SELECT (COUNT(*) AS ?n) WHERE { ?f a kz:Finding ; dcterms:isPartOf ?s }")
        assert r.returncode == 0 and int(r.stdout.splitlines()[1]) > 0, r.stderr
        r = run("query", "--endpoint", sparql, "ASK { ?f kz:conclusion kz:Liable }")
        assert r.returncode == 0 and r.stdout.strip() == "true"
        r = run("query", "--endpoint", sparql, "CONSTRUCT { ?p rdfs:label ?l } WHERE { ?p a kz:Person ; rdfs:label ?l }")
        assert r.returncode == 0 and '"John Doe"' in r.stdout, r.stderr
        r = run("query", "--endpoint", sparql, "SELECT * WHERE { ?f a kz:Finding ?x }")
        assert r.returncode == 2
        assert r.stderr.splitlines() == ["error: syntax error at line 1, column 34, at '?x }'",
                                         "  SELECT * WHERE { ?f a kz:Finding ?x }", "  " + " " * 33 + "^"]
        r = run("query", "--endpoint", sparql, "INSERT DATA { <urn:a> <urn:b> <urn:c> }")
        assert r.returncode == 2 and "read-only" in r.stderr
    finally:
        server.stop()
    # something that is no SPARQL endpoint answering 200 (a login page, say): said so, no traceback
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    class Page(BaseHTTPRequestHandler):
        def do_POST(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<html><body>Sign in</body></html>")

        def log_message(self, *args):
            pass
    page = HTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=page.serve_forever, daemon=True).start()
    try:
        r = run("query", "--endpoint", f"http://127.0.0.1:{page.server_port}/", "ASK {}")
        assert r.returncode == 2 and "answered 200 with text/html" in r.stderr and "is it a SPARQL endpoint?" \
            in r.stderr and "Traceback" not in r.stderr, r.stderr
    finally:
        page.shutdown()
    r = run("query", "--endpoint", f"http://127.0.0.1:{free_port()}/sparql", "ASK {}")
    assert r.returncode == 2 and "cannot reach the SPARQL endpoint" in r.stderr and "Traceback" not in r.stderr


def test_a_directory_stands_for_its_scenario_files(tmp_path):
    """validate and load take directories: their .jsonld/.ttl/.nt/.rdf files, recursively, in name order
    (plain .json beside them, such as expectations, are left out); two files of one id are refused before
    anything is stored; a directory with no scenario file is exit 2."""
    import shutil

    d = tmp_path / "cases"
    (d / "more").mkdir(parents=True)
    shutil.copy(REACHABLE, d / "reach.jsonld")
    shutil.copy(ABROAD, d / "more" / "abroad.jsonld")
    (d / "reach.expected.json").write_text('{"conclusion": "kz:Liable"}')
    (d / ".hidden.ttl").write_text("not turtle")
    r = run("validate", d)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [f"{d / 'more' / 'abroad.jsonld'}: conforms", f"{d / 'reach.jsonld'}: conforms"]
    store = tmp_path / "store"
    r = run("load", "--store", store, d)
    assert r.returncode == 0 and "2 of 2 file(s) stored; the store holds 2 scenario(s)" in r.stderr, r.stderr
    # a file named twice (with its directory, and as another spelling of its path) is one file, stored once
    r = run("load", "--store", tmp_path / "twice", d, d / "reach.jsonld", d / "more" / ".." / "reach.jsonld")
    assert r.returncode == 0 and "2 of 2 file(s) stored; the store holds 2 scenario(s)" in r.stderr, r.stderr
    (tmp_path / "loop").symlink_to(tmp_path / "loop")  # a name that cannot be read: said, not a traceback
    r = run("load", "--store", tmp_path / "looped", tmp_path / "loop", tmp_path / "loop")
    assert r.returncode == 2 and "Traceback" not in r.stderr and "loop" in r.stderr, r.stderr
    shutil.copy(SCENARIOS / "worked" / "good" / "facebook-reachable.ttl", d / "more" / "reach.ttl")
    r = run("load", "--store", tmp_path / "other", d)
    assert r.returncode == 2 and "would both be stored as 'reach'; nothing was stored" in r.stderr
    assert not (tmp_path / "other").exists()
    r = run("serve", "--store", tmp_path / "served", "--port", "9", "--load", d)  # refused before serving
    assert r.returncode == 2 and "would both be stored as 'reach'" in r.stderr
    assert not (tmp_path / "served").exists()
    (tmp_path / "empty").mkdir()
    r = run("validate", tmp_path / "empty")
    assert r.returncode == 2 and "holds no scenario file" in r.stderr


def test_an_ill_typed_value_gives_the_report_alone():
    """No rdflib warning with its site-packages path on stderr: the report says what is wrong, as written."""
    r = run("validate", SCENARIOS / "input" / "bad" / "organisation-identified-not-boolean.jsonld")
    assert r.returncode == 1 and r.stderr == "", r.stderr
    assert '#identified = "maybe"^^' in r.stdout


def test_validate_and_assess_take_any_file_name(tmp_path):
    """Nothing is stored, so a name that is no valid scenario id ("my case", "ü-case", ".hidden") is read
    under one made from it; `load`, which stores under the name, still refuses it."""
    from kzlaw.parse import file_scenario_id

    assert [file_scenario_id(Path(n)) for n in ("my case.jsonld", "ü-case.ttl", ".hidden.jsonld", "ok.v2.ttl")] \
        == ["my-case", "case", "scenario", "ok"]
    for name in ("my case.jsonld", "ü-case.jsonld", ".hidden.jsonld"):
        f = tmp_path / name
        shutil.copy(REACHABLE, f)
        r = run("validate", f)
        assert r.returncode == 0 and r.stdout.strip() == f"{f}: conforms", r.stderr
        assert run("assess", f, "--regime", "current-law").returncode == 0
    r = run("load", "--store", tmp_path / "store", tmp_path / "my case.jsonld")
    assert r.returncode == 2 and "invalid scenario id 'my case'" in r.stderr


def test_serve_with_memory_answers_sparql_from_its_in_memory_replica(tmp_path):
    """kzlaw serve --memory --load …: the files stored, the replica built in the background (/health says
    "building", then "ready"), and a scenario stored afterwards is seen by /sparql at once."""
    import time

    import httpx
    from conftest_service import Process, free_port

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    exe = str(Path(sys.executable).parent / "kzlaw")
    server = Process([exe, "serve", "--memory", "--store", str(tmp_path / "store"), "--port", str(port),
                      "--load", str(REACHABLE)], f"{url}/health", tmp_path / "serve.log").start()
    try:
        for _ in range(600):
            state = httpx.get(f"{url}/health", timeout=5).json()["memory_replica"]
            if state != "building":
                break
            time.sleep(0.05)
        assert state == "ready", state
        ask = "ASK { <https://w3id.org/kzlaw/scenario/later/> a kz:Scenario }"
        assert httpx.get(f"{url}/sparql", params={"query": ask}).json()["boolean"] is False
        r = httpx.put(f"{url}/v1/scenarios/later", content=REACHABLE.read_bytes(),
                      headers={"content-type": "application/ld+json"}, timeout=60)
        assert r.status_code == 201, r.text
        assert httpx.get(f"{url}/sparql", params={"query": ask}).json()["boolean"] is True
        stored = httpx.get(f"{url}/sparql", params={"query": "SELECT DISTINCT ?s WHERE { ?f dcterms:isPartOf ?s }"},
                           headers={"accept": "application/sparql-results+json"}).json()["results"]["bindings"]
        assert len(stored) == 2  # the one --load stored (copied into memory) and the one put since
    finally:
        server.stop()
