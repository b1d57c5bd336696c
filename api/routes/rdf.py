"""RDF responses (Turtle, JSON-LD) shared by the routes that return findings."""

from fastapi.responses import Response

MEDIA = {"turtle": "text/turtle", "json-ld": "application/ld+json"}
# a whole graph of the law (the ontology, the input shapes) in each rdflib format it is served in
GRAPH_MEDIA = {"turtle": "text/turtle; charset=utf-8", "xml": "application/rdf+xml",
               "json-ld": "application/ld+json", "nt": "application/n-triples"}
RDF_RESPONSES = {200: {"content": {"text/turtle": {"schema": {"type": "string"}},
                                   "application/ld+json": {"schema": {"type": "object"}}},
                       "description": "JSON by default; Turtle or JSON-LD on Accept"}}


def rdf_response(text: str, fmt: str) -> Response:
    return Response(text, media_type=MEDIA[fmt])
