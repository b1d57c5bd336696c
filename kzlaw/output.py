"""Findings as JSON (stable, documented in docs/findings-json.md), JSON-LD and Turtle."""

from __future__ import annotations

import json
import re

from rdflib import XSD, Graph, Literal, URIRef
from rdflib.plugin import Serializer, register
from rdflib.plugins.serializers import jsonld, turtle

from .assess import Assessment, Finding
from .explain import notice_json, passage_quote, proof_tree
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
        "categories": [_ref(c, lang) for c in f.categories],
        "obstacles": [_ref(o, lang) for o in f.obstacles],
        "sanctions": [_ref(s, lang) for s in f.sanctions],
        "legal_basis": [_ref(p, lang) for p in f.legal_basis],
        "passages": [{"iri": p, "quote": passage_quote(p)} for p in f.passages],
        "sources": f.sources,
        "facts": f.facts,
        "premises": f.premises,
        "explanation": f.explanation,
        "notices": [_ref(n, lang) for n in f.notices],
    }


def notices_json(findings: list[Finding], lang: str) -> list[dict]:
    return [notice_json(n, lang) for n in sorted({n for f in findings for n in f.notices})]


def assessment_json(a: Assessment, lang: str = "en", proofs: bool = False) -> dict:
    out = {
        "schema": JSON_SCHEMA_VERSION,
        "scenario": a.scenario,
        "as_of": a.as_of,
        "rules_version": a.rules_version,
        "regimes": a.regimes,
        "findings": [finding_json(f, lang, a.inferred) for f in a.findings],
        "notices": notices_json(a.findings, lang),
    }
    if proofs:
        by_iri = {f.iri: f for f in a.findings}
        out["proofs"] = {f.iri: proof_tree(f, by_iri, lang, a.inferred) for f in a.findings}
    return out


_EXPONENT = r"[eE][+-]?[0-9]+"
_BARE = {  # Turtle's shorthand for a literal (Turtle 1.1 §2.5.2): its grammar, by datatype
    XSD.boolean: re.compile(r"true|false"),
    XSD.integer: re.compile(r"[+-]?[0-9]+"),
    XSD.decimal: re.compile(r"[+-]?[0-9]*\.[0-9]+"),
    XSD.double: re.compile(rf"[+-]?([0-9]+\.[0-9]*{_EXPONENT}|\.[0-9]+{_EXPONENT}|[0-9]+{_EXPONENT})"),
}


class TurtleAsWritten(turtle.TurtleSerializer):
    """rdflib's Turtle serializer writes a boolean or number by a bare form of its value: an ill-typed
    one ("maybe"^^xsd:boolean, kept as written: kzlaw/__init__.py) became a syntax error (``sh:value
    maybe``), "1"^^xsd:boolean an integer (``1``), "1."^^xsd:decimal the end of a statement and
    "1.5E3"^^xsd:double another lexical form (``1.5e+03``). This one writes a literal bare only when its
    lexical form is in the Turtle shorthand's grammar and canonical (read back, by rdflib too, the same
    literal); else quoted, with its datatype."""

    def label(self, node, position):
        if isinstance(node, Literal) and node.datatype in _BARE:
            lexical = str(node)
            if not node.ill_typed and _BARE[node.datatype].fullmatch(lexical) and \
                    str(Literal(lexical, datatype=node.datatype, normalize=True)) == lexical:
                return lexical  # the canonical form: rdflib's Turtle parser reads "01" as "1"
            return node._literal_n3(use_plain=False,
                                    qname_callback=lambda dt: self.get_pname(dt, turtle._GEN_QNAME_FOR_DT))
        return super().label(node, position)


_TURTLE = "kzlaw-turtle"
register(_TURTLE, Serializer, __name__, "TurtleAsWritten")


class _ConverterAsWritten(jsonld.Converter):
    """rdflib's JSON-LD converter writes booleans and numbers as native JSON values when a context is
    given, which turns an ill-typed one ("maybe"^^xsd:boolean) into a valid ``false``; this one writes such
    a literal as its lexical form and datatype, and every other term as rdflib does. rdflib's JSON-LD
    serializer looks its converter up by module name: installed there once, for every JSON-LD kzlaw writes."""

    def to_raw_value(self, graph, s, o, nodemap):
        if isinstance(o, Literal) and o.datatype is not None and o.ill_typed:
            return {self.context.type_key: self.context.to_symbol(o.datatype), self.context.value_key: str(o)}
        return super().to_raw_value(graph, s, o, nodemap)


jsonld.Converter = _ConverterAsWritten


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
    return out.serialize(format=_TURTLE if fmt == "turtle" else fmt)


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
