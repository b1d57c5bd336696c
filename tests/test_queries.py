"""The seven competency questions of DOMAIN.md, as the SPARQL files in queries/, over the worked cases'
facts and findings in an Oxigraph store (the union of their graphs as the default graph)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from support import SCENARIOS, assessed

from kzlaw.assess import _to_ox
from kzlaw.knowledge import ontology_graph
from kzlaw.resources import data_path
from kzlaw.rules import rule_metadata_graph

S = "https://w3id.org/kzlaw/scenario/"
KZ = "https://w3id.org/kzlaw/ontology#"
WORKED = ["facebook-reachable.jsonld", "facebook-abroad-refusal.jsonld"]


@pytest.fixture(scope="module")
def store():
    st = ox.Store()

    def put(g, name):
        gn = ox.NamedNode(name)
        st.extend(ox.Quad(_to_ox(s), _to_ox(p), _to_ox(o), gn) for s, p, o in g)

    put(ontology_graph(), "urn:g:ontology")
    put(rule_metadata_graph(), "urn:g:rules")
    for name in WORKED:
        a = assessed(str(SCENARIOS / "worked" / "good" / name))
        put(a.facts, a.scenario)
        put(a.graph, a.scenario + "findings")
    return st


def ask(store, name):
    [path] = data_path("queries").glob(f"{name}-*.rq")
    results = store.query(path.read_text(), use_default_graph_as_union=True)
    names = results.variables
    return [{v.value: (sol[v].value if sol[v] is not None else None) for v in names} for sol in results]


def test_seven_queries_exist():
    assert sorted(p.name.split("-")[0] for p in data_path("queries").glob("*.rq")) == [f"cq{i}" for i in range(1, 8)]


def test_cq1_who_is_liable_and_why(store):
    rows = ask(store, "cq1")
    got = {(r["scenario"].split("/")[-2], r["regime"].rsplit("/", 1)[-1], r["personLabel"], r["basis"].split("#")[1])
           for r in rows}
    assert ("facebook-reachable", "current-law", "John Doe", "DirectAuthorship") in got
    assert ("facebook-reachable", "current-law", "Mark Zuckerberg", "Ownership") in got
    assert ("facebook-reachable", "reform-proposal", "John Doe", "DirectAuthorship") in got
    assert ("facebook-abroad-refusal", "reform-proposal", "the blogger", "EquatedWithAuthor") in got
    assert not any(r[2] == "Mark Zuckerberg" and r[1] == "reform-proposal" for r in got)
    assert not any(r[2] == "the blogger" and r[1] == "current-law" for r in got)
    assert any(r["provision"].endswith("/eli/law/mass-media/owner-responsibility") for r in rows)


def test_cq2_obstacles(store):
    got = {(r["scenario"].split("/")[-2], r["regime"].rsplit("/", 1)[-1], r["person"].rsplit("/", 1)[-1].split("#")[-1],
            r["obstacle"].split("#")[1]) for r in ask(store, "cq2")}
    assert ("facebook-reachable", "current-law", "MarkZuckerberg", "NoExtraditionTreaty") in got
    assert ("facebook-reachable", "current-law", "MarkZuckerberg", "NoDualCriminality") in got
    assert ("facebook-abroad-refusal", "reform-proposal", "john-doe", "NoDualCriminality") in got
    assert not any(s == "facebook-reachable" and p == "john-doe" for s, _, p, _ in got)


def test_cq3_suspension(store):
    rows = ask(store, "cq3")
    assert {(r["regime"].rsplit("/", 1)[-1], r["website"]) for r in rows} == {("current-law", KZ + "Facebook")}
    assert all(r["ordered"] == "false" and r["decision"] is None for r in rows)


def test_cq4_post_author_liable(store):
    rows = ask(store, "cq4")
    assert [(r["scenario"].split("/")[-2], r["regime"].rsplit("/", 1)[-1]) for r in rows] == \
        [("facebook-abroad-refusal", "reform-proposal")]


def test_cq5_blocking_categories(store):
    cats = {r["category"].split("#")[1] for r in ask(store, "cq5") if r["platform"] == KZ + "Facebook"}
    assert cats == {"IncitementOfRacialHatred", "IncitementOfNationalHatred", "IncitementOfSexualHatred",
                    "IncitementOfReligiousHatred"}


def test_cq6_reform_changes(store):
    rows = [r for r in ask(store, "cq6") if r["scenario"] == S + "facebook-abroad-refusal/"]
    got = {(r["change"], r["subject"].rsplit("/", 1)[-1].split("#")[-1], r["conclusion"].split("#")[1]) for r in rows}
    assert ("appears", "blogger", "Liable") in got
    assert ("appears", "Facebook", "NotBlockable") in got
    assert ("disappears", "Facebook", "EligibleForSuspension") in got
    assert ("disappears", "MarkZuckerberg", "Liable") in got
    assert ("appears", "john-doe", "Liable") not in got  # liable under both


def test_cq7_provisions(store):
    rows = ask(store, "cq7")
    art = [r for r in rows if r["provision"].endswith("/mass-media/art/24/para/3")]
    assert art and art[0]["article"] == "24" and art[0]["paragraph"] == "3"
    assert art[0]["text"].startswith("For distribution of foreign media products")
    a1 = [r for r in rows if r["provision"].endswith("/internet-resources")]
    assert a1[0]["inForceFrom"] == "2012-01-01"
    assert any(r["type"] == KZ + "ProposedProvision" for r in rows)
    assert all(r["source"] for r in rows)


# CQ6 by its plain definition: the shipped query is the same question written so that engines join
# instead of re-scanning (the plain form is quadratic in Oxigraph). Same rows, in Oxigraph and in rdflib.
CQ6_DEFINITION = """
PREFIX kz:     <https://w3id.org/kzlaw/ontology#>
PREFIX regime: <https://w3id.org/kzlaw/regime/>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?scenario ?change ?subject ?conclusion ?publication ?rule
WHERE {
  VALUES (?from ?to ?change) {
    (regime:current-law regime:reform-proposal "disappears")
    (regime:reform-proposal regime:current-law "appears")
  }
  ?finding a kz:Finding ; kz:regime ?from ; kz:subject ?subject ; kz:conclusion ?conclusion ;
           kz:byRule ?rule ; dcterms:isPartOf ?scenario .
  OPTIONAL { ?finding kz:concerns ?publication }
  FILTER NOT EXISTS {
    ?other a kz:Finding ; kz:regime ?to ; kz:subject ?subject ; kz:conclusion ?conclusion ;
           dcterms:isPartOf ?scenario .
    FILTER (!BOUND(?publication) || EXISTS { ?other kz:concerns ?publication })
  }
}"""


def test_cq6_equals_its_definition_in_oxigraph_and_rdflib():
    from rdflib import Dataset

    from kzlaw.assess import assess_many
    from kzlaw.generate import generate

    st = ox.Store()
    for a in assess_many([generate(seed) for seed in range(700, 716)]):
        st.extend(ox.Quad(_to_ox(s), _to_ox(p), _to_ox(o), ox.NamedNode(a.scenario + "findings"))
                  for s, p, o in a.graph)
    [path] = data_path("queries").glob("cq6-*.rq")
    shipped = path.read_text()

    def rows(results):
        return sorted(tuple(None if x is None else x.n3() if hasattr(x, "n3") else str(x) for x in r)
                      for r in results)

    ds = Dataset(default_union=True)
    ds.parse(data="".join(f"{q.subject} {q.predicate} {q.object} {q.graph_name} .\n" for q in st),
             format="nquads")
    expected = rows(ds.query(CQ6_DEFINITION))
    assert len(expected) > 10, "the generated scenarios should change under the reform"
    assert rows(ds.query(shipped)) == expected
    ox_rows = sorted(tuple(None if r[v] is None else (f'"{r[v].value}"' if isinstance(r[v], ox.Literal)
                                                       else f"<{r[v].value}>") for v in
                           ("scenario", "change", "subject", "conclusion", "publication", "rule"))
                     for r in st.query(shipped, use_default_graph_as_union=True))
    assert ox_rows == expected


def test_cq6_narrowed_to_one_scenario_as_its_header_says():
    """VALUES ?scenario at the start of each block and each MINUS (the query's header) gives exactly that
    scenario's rows of the store-wide query."""
    import re

    from kzlaw.assess import assess_many
    from kzlaw.generate import generate

    st = ox.Store()
    for a in assess_many([generate(seed) for seed in range(700, 716)]):
        st.extend(ox.Quad(_to_ox(s), _to_ox(p), _to_ox(o)) for s, p, o in a.graph)
    [path] = data_path("queries").glob("cq6-*.rq")
    shipped = path.read_text()
    everything = [tuple(str(r[v]) for v in ("scenario", "change", "subject", "conclusion", "publication"))
                  for r in st.query(shipped)]
    scenarios = sorted({row[0] for row in everything})
    assert len(scenarios) > 3
    for sc in scenarios:
        narrowed, n = re.subn(r"\{(\s*)(\?\w+ a kz:Finding)", rf"{{\1VALUES ?scenario {{ {sc} }}\1\2", shipped)
        assert n == 8  # four blocks, four MINUS
        got = [tuple(str(r[v]) for v in ("scenario", "change", "subject", "conclusion", "publication"))
               for r in st.query(narrowed)]
        assert sorted(got) == sorted(row for row in everything if row[0] == sc)
