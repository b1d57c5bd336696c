"""POST /v1/assess: validate and assess a scenario without storing it."""

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from kzlaw.assess import assess as run
from kzlaw.output import assessment_json, findings_graph_text
from kzlaw.parse import scenario_base
from kzlaw.service import check, new_id, read

from ..deps import BodyDep, IdQuery, LangDep, RdfWantedDep, StoreDep
from ..errors import PROBLEM_RESPONSES
from ..examples import SCENARIO_BODY
from ..models import AssessmentOut
from .rdf import RDF_RESPONSES, rdf_response

router = APIRouter(prefix="/v1", tags=["assess"])


# exclude_unset: "proofs" is in the body only when asked for (docs/findings-json.md), not as null
@router.post("/assess", response_model=AssessmentOut, response_model_exclude_unset=True,
             openapi_extra=SCENARIO_BODY,
             responses={**PROBLEM_RESPONSES, **RDF_RESPONSES},
             summary="Assess a scenario under one or more regimes (not stored)")
def assess(body: BodyDep, lang: LangDep, store: StoreDep, rdf: RdfWantedDep,
           regime: Annotated[str, Query(description="Regime id, comma-separated ids, or 'all'")] = "all",
           as_of: Annotated[str | None, Query(description="Judge as of this date (YYYY-MM-DD)")] = None,
           proofs: Annotated[bool, Query(description="Include each finding's proof tree")] = False,
           id: IdQuery = None):
    sid = id or new_id()
    graph = read(body.data, body.format, sid, store.base)
    check(graph)
    a = run(graph, scenario_base(sid, store.base), regime, as_of=as_of)
    if rdf:
        return rdf_response(findings_graph_text(a, rdf), rdf)
    return assessment_json(a, lang, proofs=proofs)


__all__ = ["Response", "router"]
