"""Findings as JSON (stable, documented in docs/findings-json.md), JSON-LD and Turtle."""

from __future__ import annotations

import json

from rdflib import Graph, URIRef

from .assess import Assessment, Finding
from .explain import passage_quote, proof_tree
from .knowledge import compact, label
from .namespaces import PREFIXES

JSON_SCHEMA_VERSION = "1"


def _ref(iri: str | None, lang: str, *graphs: Graph) -> dict | None:
    if iri is None:
        return None
    return {"iri": compact(URIRef(iri)), "label": label(URIRef(iri), lang, *graphs)}


def finding_json(f: Finding, lang: str, closure: Graph) -> dict:
    return {
        "id": f.iri,
        "regime": f.regime,
        "rule": {"iri": f.rule, "id": f.rule_id},
        "subject": _ref(f.subject, lang, closure),
        "conclusion": _ref(f.conclusion, lang),
        "concerns": _ref(f.concerns, lang, closure),
        "resource": _ref(f.resource, lang, closure),
        "basis": _ref(f.basis, lang),
        "kind": _ref(f.kind, lang),
        "on_refusal": _ref(f.on_refusal, lang),
        "regarding": f.regarding,
        "obstacles": [_ref(o, lang) for o in f.obstacles],
        "sanctions": [_ref(s, lang) for s in f.sanctions],
        "legal_basis": [_ref(p, lang) for p in f.legal_basis],
        "passages": [{"iri": p, "quote": passage_quote(p)} for p in f.passages],
        "sources": f.sources,
        "facts": f.facts,
        "premises": f.premises,
        "explanation": f.explanation,
    }


def assessment_json(a: Assessment, lang: str = "en", proofs: bool = False) -> dict:
    out = {
        "schema": JSON_SCHEMA_VERSION,
        "scenario": a.scenario,
        "as_of": a.as_of,
        "rules_version": a.rules_version,
        "regimes": a.regimes,
        "findings": [finding_json(f, lang, a.inferred) for f in a.findings],
    }
    if proofs:
        by_iri = {f.iri: f for f in a.findings}
        out["proofs"] = {f.iri: proof_tree(f, by_iri, lang, a.inferred) for f in a.findings}
    return out


def graph_text(g: Graph, fmt: str) -> str:
    """A graph as text in an rdflib format, with kzlaw's prefixes (JSON-LD: as its @context). JSON-LD's
    nodes and values come in one order in every process (rdflib's follows Python's hash seed): the same
    graph gives the same bytes, which the REST API's strong ETags promise."""
    out = Graph()
    for prefix, ns in PREFIXES.items():
        out.bind(prefix, ns)
    out += g
    if fmt == "json-ld":
        return _canonical_jsonld(out.serialize(format="json-ld", context=dict(PREFIXES), indent=2))
    return out.serialize(format=fmt)


def _canonical_jsonld(text: str) -> str:
    """Values that are not lists (@list) form sets in JSON-LD, so their order carries no meaning: sorted."""
    def key(v):
        return json.dumps(v, sort_keys=True, ensure_ascii=False)

    def norm(v):
        if isinstance(v, dict):
            return {k: [norm(i) for i in x] if k == "@list" else norm(x) for k, x in v.items()}
        if isinstance(v, list):
            return sorted((norm(i) for i in v), key=key)
        return v
    return json.dumps(norm(json.loads(text)), ensure_ascii=False, indent=2)


def findings_graph_text(a: Assessment, fmt: str) -> str:
    return graph_text(a.graph, fmt)


def dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2)
