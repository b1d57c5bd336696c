"""The law as kzlaw holds it: regimes, provisions, rules, and the input shapes scenarios must conform to
(read-only, from the package's files)."""

from functools import cache

from fastapi import APIRouter, Request
from fastapi.responses import Response
from rdflib import Literal
from rdflib.namespace import RDF, RDFS

from kzlaw.knowledge import input_shapes_graph, ontology_graph
from kzlaw.namespaces import KZ
from kzlaw.output import graph_text
from kzlaw.rules import all_regimes, all_rules

from ..errors import PROBLEM_MEDIA_TYPE
from ..models import ProvisionOut, RegimeOut, RuleOut
from ..negotiation import negotiate
from .rdf import GRAPH_MEDIA

router = APIRouter(prefix="/v1", tags=["law"])


@router.get("/regimes", response_model=list[RegimeOut], summary="The regimes (rule sets) findings are drawn under")
def regimes() -> list[dict]:
    return [{"id": r.id, "iri": str(r.iri), "version": r.version, "labels": dict(r.labels),
             "definitions": dict(r.definitions), "sources": [str(s) for s in r.sources],
             "rules": [str(x.iri) for x in r.rules]} for r in all_regimes().values()]


def _by_lang(g, s, p) -> dict[str, str]:
    return {(o.language or "und"): str(o) for o in g.objects(s, p) if isinstance(o, Literal)}


@router.get("/provisions", response_model=list[ProvisionOut], summary="Provisions of law, with their text")
def provisions() -> list[dict]:
    g = ontology_graph()
    classes = set(g.transitive_subjects(RDFS.subClassOf, KZ.Provision))
    nodes = sorted({s for c in classes for s in g.subjects(RDF.type, c)}, key=str)
    out = []
    for p in nodes:
        def val(prop, p=p):
            v = g.value(p, prop)
            return str(v) if v is not None else None
        out.append({"iri": str(p), "labels": _by_lang(g, p, RDFS.label), "article": val(KZ.article),
                    "paragraph": val(KZ.paragraph), "source": val(KZ.fromSource),
                    "in_force_from": val(KZ.inForceFrom),
                    "passages": sorted(str(x) for x in g.objects(p, KZ.passage)),
                    "text": _by_lang(g, p, KZ.text)})
    return out


@router.get("/rules", response_model=list[RuleOut], summary="The rules, with legal basis and source passages")
def rules() -> list[dict]:
    return [{"iri": str(r.iri), "id": r.rule_id, "regimes": list(r.regimes), "labels": dict(r.labels),
             "legal_basis": [str(x) for x in r.legal_basis], "basis_from_content": r.basis_from_content,
             "passages": [str(x) for x in r.passages],
             "sources": [str(x) for x in r.sources], "overrides": [str(x) for x in r.overrides]}
            for r in sorted(all_rules().values(), key=lambda r: str(r.iri))]


_SHAPES_OFFERS = [("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
                  ("application/n-triples", "nt"), ("application/rdf+xml", "xml")]  # preferred first


@cache
def _shapes_text(fmt: str) -> str:
    return graph_text(input_shapes_graph(), fmt)


@router.get("/shapes", summary="The input shapes (SHACL) a scenario must conform to, for any SHACL engine",
            description="Turtle by default; JSON-LD, N-Triples or RDF/XML by `Accept`. Validate with the "
                        "ontology (`GET /ontology`, which holds the class hierarchy and the reference "
                        "individuals such as kz:Facebook) added to the data graph, as kzlaw does: pySHACL's "
                        "`ont_graph`. `POST /v1/validate` gives the same verdict.",
            responses={200: {"content": {m.split(";")[0]: {"schema": {"type": "string"}} for m in GRAPH_MEDIA.values()}},
                       406: {"description": "No offered format is acceptable", "content": {PROBLEM_MEDIA_TYPE: {
                           "schema": {"$ref": "#/components/schemas/Problem"}}}}})
def shapes(request: Request):
    _, fmt = negotiate(request.headers.get("accept", ""), _SHAPES_OFFERS)
    return Response(_shapes_text(fmt), media_type=GRAPH_MEDIA[fmt], headers={"Vary": "Accept"})
