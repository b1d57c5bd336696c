"""POST /v1/validate: SHACL validation of a scenario, nothing stored."""

from fastapi import APIRouter

from kzlaw.service import new_id, read
from kzlaw.validate import validate_graph

from ..deps import BodyDep, IdQuery, LangDep, StoreDep
from ..errors import PROBLEM_RESPONSES
from ..examples import SCENARIO_BODY
from ..models import ValidationOut

router = APIRouter(prefix="/v1", tags=["validate"])


@router.post("/validate", response_model=ValidationOut, openapi_extra=SCENARIO_BODY,
             responses={k: PROBLEM_RESPONSES[k] for k in (400, 413, 415)},
             summary="Validate a scenario against the input shapes (200 with the report either way)")
def validate(body: BodyDep, lang: LangDep, store: StoreDep, id: IdQuery = None) -> dict:
    graph = read(body.data, body.format, id or new_id(), store.base)
    return validate_graph(graph).as_dict(lang)
