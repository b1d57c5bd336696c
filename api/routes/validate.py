"""POST /v1/validate: SHACL validation of a scenario, nothing stored."""

from fastapi import APIRouter

from kzlaw.output import graph_text
from kzlaw.service import new_id, read
from kzlaw.validate import validate_graph

from ..deps import BodyDep, IdQuery, LangDep, RdfWantedDep, StoreDep
from ..errors import PROBLEM_RESPONSES
from ..examples import SCENARIO_BODY
from ..models import ValidationOut
from .rdf import RDF_RESPONSES, rdf_response

router = APIRouter(prefix="/v1", tags=["validate"])


@router.post("/validate", response_model=ValidationOut, openapi_extra=SCENARIO_BODY,
             responses={**{k: PROBLEM_RESPONSES[k] for k in (400, 413, 415)},
                        # a non-conforming scenario is a 200 report here; 422 is a document in no kzlaw term
                        # (invalid-scenario) or a bad parameter
                        422: {**PROBLEM_RESPONSES[422], "description": "The document uses no kzlaw class or "
                              "property, or a parameter is invalid"},
                        200: {**RDF_RESPONSES[200], "description": "The report: kzlaw's JSON by default; on "
                              "Accept, Turtle or JSON-LD as a W3C SHACL validation report (sh:ValidationReport)"}},
             summary="Validate a scenario against the input shapes (200 with the report either way)")
def validate(body: BodyDep, lang: LangDep, store: StoreDep, rdf: RdfWantedDep, id: IdQuery = None):
    graph = read(body.data, body.format, id or new_id(), store.base)
    report = validate_graph(graph)
    if rdf:
        return rdf_response(graph_text(report.graph(), rdf), rdf)
    return report.as_dict(lang)
