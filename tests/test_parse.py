"""Parsing: formats, the local JSON-LD context, errors with line and column, nothing fetched."""

from __future__ import annotations

import json
import re

import pytest
from hardening.support import Listener
from rdflib.compare import isomorphic

from kzlaw.errors import InputError
from kzlaw.parse import parse_scenario, scenario_base

BASE = scenario_base("t")
DOC = {"@context": "https://w3id.org/kzlaw/context.jsonld",
       "@graph": [{"id": "p", "type": "Person", "identified": True, "residence": "kz:Kazakhstan"}]}
TTL = """@prefix kz: <https://w3id.org/kzlaw/ontology#> .
<p> a kz:Person ; kz:identified true ; kz:residence kz:Kazakhstan .
"""


@pytest.fixture
def listener():
    lst = Listener()
    yield lst
    lst.close()


def test_jsonld_with_kzlaw_context_equals_turtle():
    a = parse_scenario(json.dumps(DOC), "json-ld", BASE)
    b = parse_scenario(TTL, "turtle", BASE)
    assert len(a) == 3 and isomorphic(a, b)


def test_remote_context_is_refused_and_never_fetched(listener):
    doc = dict(DOC, **{"@context": f"http://127.0.0.1:{listener.port}/ctx.jsonld"})
    with pytest.raises(InputError) as e:
        parse_scenario(json.dumps(doc), "json-ld", BASE)
    assert e.value.kind == "remote-context" and "fetches nothing" in e.value.message
    assert listener.connections == 0


def test_context_import_and_scoped_remote_context_are_refused(listener):
    url = f"http://127.0.0.1:{listener.port}/x"
    for ctx in ({"@import": url}, [{"kz": "https://w3id.org/kzlaw/ontology#"}, url],
                {"author": {"@id": "kz:author", "@context": url}}):
        with pytest.raises(InputError):
            parse_scenario(json.dumps(dict(DOC, **{"@context": ctx})), "json-ld", BASE)
    assert listener.connections == 0


def test_xml_external_entity_is_refused(listener):
    xxe = f"""<?xml version="1.0"?>
<!DOCTYPE r [ <!ENTITY x SYSTEM "http://127.0.0.1:{listener.port}/secret"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:kz="https://w3id.org/kzlaw/ontology#">
  <rdf:Description rdf:about="p"><kz:name>&x;</kz:name></rdf:Description>
</rdf:RDF>"""
    with pytest.raises(InputError) as e:
        parse_scenario(xxe, "xml", BASE)
    assert e.value.kind == "forbidden" and "DTD" in e.value.message
    assert listener.connections == 0


def test_billion_laughs_is_refused():
    bomb = """<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="p"/></rdf:RDF>"""
    with pytest.raises(InputError):
        parse_scenario(bomb, "xml", BASE)


def test_owl_imports_in_data_is_kept_and_not_followed(listener):
    ttl = TTL + f"<> <http://www.w3.org/2002/07/owl#imports> <http://127.0.0.1:{listener.port}/o.ttl> .\n"
    g = parse_scenario(ttl, "turtle", BASE)
    assert len(g) == 4 and listener.connections == 0


@pytest.mark.parametrize("text,fmt,line,column", [
    ("@prefix kz: <x#> .\n<a> kz:b <c> ;\n  kz:d .\n", "turtle", 3, 7),
    ('{"@context": "https://w3id.org/kzlaw/context.jsonld",\n  "@graph": [ }', "json-ld", 2, 15),
    ('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n<a></b></rdf:RDF>', "xml", 2, 6),
])
def test_syntax_errors_name_line_and_column(text, fmt, line, column):
    with pytest.raises(InputError) as e:
        parse_scenario(text, fmt, BASE)
    assert (e.value.line, e.value.column) == (line, column), e.value.message


@pytest.mark.parametrize("body", ["", "   \n", b"\xff\xfe"])
def test_empty_or_undecodable_input(body):
    with pytest.raises(InputError):
        parse_scenario(body, "turtle", BASE)


def test_deeply_nested_json_is_refused():
    deep = "[" * 500 + "]" * 500
    with pytest.raises(InputError) as e:
        parse_scenario(deep, "json-ld", BASE)
    assert e.value.kind == "size"


@pytest.mark.parametrize("sid", ["../x", "a b", "", "x" * 200])
def test_bad_scenario_ids(sid):
    with pytest.raises(InputError):
        scenario_base(sid)


def test_truncated_turtle_names_the_end():
    with pytest.raises(InputError) as e:
        parse_scenario("@prefix x: <http://x#> .\nx:a x:b", "turtle", BASE)
    assert "end of input" in e.value.message and e.value.line == 2


def test_plain_json_gets_the_kzlaw_context_implied():
    doc = {k: v for k, v in DOC.items() if k != "@context"}
    assert isomorphic(parse_scenario(json.dumps(doc), "json-ld", BASE), parse_scenario(TTL, "turtle", BASE))


def test_positions_are_given_once_and_for_n_triples_too():
    """expat's message carries its own 0-based "line 4, column 2" beside kzlaw's 1-based column: said once;
    rdflib's N-Triples parser says no position: Oxigraph's locates it."""
    from support import SCENARIOS

    from kzlaw.parse import read_scenario_file

    bad = SCENARIOS / "input" / "bad"
    with pytest.raises(InputError) as e:
        read_scenario_file(bad / "rdfxml-not-well-formed.rdf")
    assert (e.value.line, e.value.column) == (4, 3) and "column" not in e.value.message
    with pytest.raises(InputError) as e:
        read_scenario_file(bad / "broken-ntriples.nt")
    assert (e.value.line, e.value.column) == (2, 90) and e.value.message.startswith("invalid N-Triples: ")


@pytest.mark.parametrize("iri,refused", [
    ("https://w3id.org/kzlaw/scenario/t", None),  # its own id without the final '/'
    ("https://w3id.org/kzlaw/scenario/t#note", None),
    ("https://w3id.org/kzlaw/scenario/t/p", None),
    ("https://w3id.org/kzlaw/scenario/other/p", "a node of another scenario ('other')"),
    ("https://w3id.org/kzlaw/scenario/tt/p", "a node of another scenario ('tt')"),
    ("https://w3id.org/kzlaw/scenario/", "the root of all scenarios"),
])
def test_a_scenario_names_its_own_nodes_only(iri, refused):
    """Facts about another scenario's node would join that scenario's in every store-wide answer."""
    text = TTL + f"<p> <http://www.w3.org/2000/01/rdf-schema#seeAlso> <{iri}> .\n"
    if refused is None:
        assert len(parse_scenario(text, "turtle", BASE)) == 4
    else:
        with pytest.raises(InputError, match=re.escape(refused)):
            parse_scenario(text, "turtle", BASE)


KZ_CONTEXT = "https://w3id.org/kzlaw/context.jsonld"


@pytest.mark.parametrize("doc,says", [
    ({"@graph": [{"id": "john doe", "type": "Person"}]}, "$.@graph[0].id: 'john doe' cannot name a node"),
    ({"id": "c", "type": "Comment", "author": "john doe"}, "$.author: 'john doe' cannot name a node"),
    ({"id": "p", "type": "Person", "citizenship": ["kz:Kazakhstan", "west land"]},
     "$.citizenship[1]: 'west land' cannot name a node"),
    ({"id": "p", "type": "Person", "citizenship": {"@set": ["west land"]}}, "$.citizenship.@set[0]: 'west land'"),
    ({"id": "p", "type": "Person", "citizenship": {"@list": ["west land"]}}, "$.citizenship.@list[0]: 'west land'"),
    ({"@id": "x y", "type": "Person"}, "$.@id: 'x y' cannot name a node"),
    ({"id": "c", "type": "Comm ent"}, "$.type: 'Comm ent' cannot name a node"),
    ({"id": "p", "type": "Person", "label": {"@value": "P", "@language": "en US"}},
     "$.label.@language: language tag 'en US' holds a space"),
    # a term the document's own context makes a reference
    ({"@context": [KZ_CONTEXT, {"boss": {"@id": "kz:agent", "@type": "@id"}}], "id": "e", "type": "Person",
      "boss": "john doe"}, "$.boss: 'john doe' cannot name a node"),
    # urllib reads "john\tdoe" as "johndoe"; rdflib keeps "a<b", which no IRI holds either
    ({"id": "c", "type": "Comment", "author": "john\tdoe"}, "$.author: 'john\\tdoe' cannot name a node"),
    ({"id": "p", "type": "Person", "citizenship": ["a<b"]},
     "$.citizenship[0]: 'a<b' cannot name a node: an IRI (relative ones included) holds no '<'; use e.g. 'a-b'"),
])
def test_a_node_name_no_iri_can_be_is_refused_where_it_is(doc, says):
    """rdflib's JSON-LD processor dropped such a node with its facts, read such a reference as the base,
    lost such a type or a value with such a language tag, all in silence."""
    with pytest.raises(InputError) as e:
        parse_scenario(json.dumps(doc), "json-ld", BASE)
    assert says in e.value.message, e.value.message


@pytest.mark.parametrize("doc", [
    # the document's own context makes "author" a plain property: its value is a string, not a name
    {"@context": [KZ_CONTEXT, {"author": {"@id": "kz:authorName"}}], "id": "p", "type": "Person",
     "author": "John Doe"},
    # an inline context without kzlaw's "id" alias: "id" is a property like any other
    {"@context": {"kz": "https://w3id.org/kzlaw/ontology#", "id": "kz:caseNumber"}, "@id": "p",
     "@type": "kz:Person", "id": "case no 5"},
    # a JSON literal's insides are no names
    {"@context": [KZ_CONTEXT, {"data": {"@id": "kz:data", "@type": "@json"}}], "id": "p", "type": "Person",
     "data": {"id": "a b"}},
    # spaces where strings are strings
    {"id": "p", "type": "Person", "label": "John Doe", "description": "a man of the west land"},
])
def test_a_string_with_a_space_where_no_name_is_expected_is_kept(doc):
    g = parse_scenario(json.dumps(doc), "json-ld", BASE, meaning=False)
    assert any(" " in str(o) for o in g.objects()), sorted(g)


def test_a_language_tag_bcp47_forbids_is_refused():
    with pytest.raises(InputError, match="invalid language tag 'abcdefghi' \\(BCP 47\\)"):
        parse_scenario(TTL + '<p> <http://www.w3.org/2000/01/rdf-schema#label> "P"@abcdefghi .\n', "turtle", BASE)
    assert len(parse_scenario(TTL + '<p> <http://www.w3.org/2000/01/rdf-schema#label> "P"@kk-Cyrl .\n',
                              "turtle", BASE)) == 4
