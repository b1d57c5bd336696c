"""RDF responses (Turtle, JSON-LD) shared by the routes that return findings."""

from fastapi.responses import Response
from rdflib import Graph

from kzlaw.namespaces import PREFIXES

MEDIA = {"turtle": "text/turtle", "json-ld": "application/ld+json"}
RDF_RESPONSES = {200: {"content": {"text/turtle": {"schema": {"type": "string"}},
                                   "application/ld+json": {"schema": {"type": "object"}}},
                       "description": "JSON by default; Turtle or JSON-LD on Accept"}}


def graph_text(g: Graph, fmt: str) -> str:
    out = Graph()
    for prefix, ns in PREFIXES.items():
        out.bind(prefix, ns)
    out += g
    if fmt == "json-ld":
        return canonical_jsonld(out.serialize(format="json-ld", context=dict(PREFIXES), indent=2))
    return out.serialize(format=fmt)


def canonical_jsonld(text: str) -> str:
    """rdflib's JSON-LD with its nodes and their values in one order in every process (rdflib's follows
    Python's hash seed): the same stored state gives the same bytes, which strong ETags promise. Values
    that are not lists (@list) form sets in JSON-LD, so their order carries no meaning."""
    import json

    def key(v):
        return json.dumps(v, sort_keys=True, ensure_ascii=False)

    def norm(v):
        if isinstance(v, dict):
            return {k: [norm(i) for i in x] if k == "@list" else norm(x) for k, x in v.items()}
        if isinstance(v, list):
            return sorted((norm(i) for i in v), key=key)
        return v
    doc = json.loads(text)
    return json.dumps(norm(doc), ensure_ascii=False, indent=2)


def rdf_response(text: str, fmt: str) -> Response:
    return Response(text, media_type=MEDIA[fmt])
