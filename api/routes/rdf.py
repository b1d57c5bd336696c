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
        return out.serialize(format="json-ld", context=dict(PREFIXES), indent=2)
    return out.serialize(format=fmt)


def rdf_response(text: str, fmt: str) -> Response:
    return Response(text, media_type=MEDIA[fmt])
