"""Stored scenarios: create, list, read, replace, delete; their findings and regime comparisons."""

import json
from contextlib import nullcontext
from functools import cache
from typing import Annotated

import pyoxigraph as ox
from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import JSONResponse

from kzlaw.compare import compare as diff
from kzlaw.namespaces import KZ
from kzlaw.output import graph_text
from kzlaw.parse import SCENARIO_ID as ID_PATTERN
from kzlaw.parse import scenario_base
from kzlaw.presentation import changes_json
from kzlaw.rules import get_regime
from kzlaw.service import UnknownScenario, ingest, state_tag, stored_assessment, stored_findings

from ..conditional import (
    NOT_MODIFIED,
    PRECONDITION,
    check_read,
    check_write,
    etag,
    has_preconditions,
    holding,
    not_modified,
)
from ..deps import BodyDep, IdQuery, LangDep, RdfWantedDep, StoreDep
from ..errors import PROBLEM_RESPONSES, UNAUTHORIZED, ApiProblem
from ..examples import SCENARIO_BODY, SCENARIO_ID
from ..models import ChangesOut, ScenarioCreated, ScenarioOut, ScenarioPage, StoredFindingsOut
from ..security import WriteAccess
from .rdf import RDF_RESPONSES, rdf_response

router = APIRouter(prefix="/v1/scenarios", tags=["scenarios"])
# an id that could never have been stored is refused before the store sees it (it would not make an IRI)
BAD_ID = {400: {"description": "Invalid scenario id (invalid-id)",
                 "content": PROBLEM_RESPONSES[400]["content"]}}
Sid = Annotated[str, Path(pattern=ID_PATTERN.pattern, description="Scenario id", examples=[SCENARIO_ID])]


@cache
def _conclusions() -> frozenset[str]:
    """The conclusions a finding can draw: the ontology's kz:Conclusion individuals."""
    from rdflib.namespace import RDF

    from kzlaw.knowledge import ontology_graph

    return frozenset(str(c) for c in ontology_graph().subjects(RDF.type, KZ.Conclusion))


def _summary(request: Request, store, sid: str) -> dict:
    href = str(request.url_for("get_scenario", sid=sid).path)
    return {"id": sid, "iri": scenario_base(sid, store.base), "href": href, "findings": href + "/findings"}


def _conditional_read(request: Request, store, sid: str, *variant, facts=None) -> tuple[str, Response | None]:
    """The representation's ETag, and the answer its preconditions give instead (304), if any; 404 if
    nothing is stored, 412 if If-Match does not hold. ``facts``: the stored facts, if already read."""
    state = state_tag(store, sid, facts)
    if state is None:
        raise UnknownScenario(sid)
    tag = etag(state, *variant)
    check_read(request, state)
    return tag, not_modified(request, tag)


def _tagged(response: Response, tag: str) -> Response:
    """The representation's ETag; Vary: Accept, as the format follows it."""
    response.headers["ETag"] = tag
    response.headers["Vary"] = "Accept"
    return response


def _created(request, store, sid, a) -> dict:
    return {**_summary(request, store, sid), "rules_version": a.rules_version, "regimes": a.regimes,
            "findings_count": len(a.findings)}


@router.post("", status_code=201, response_model=ScenarioCreated, openapi_extra=SCENARIO_BODY,
             responses={**PROBLEM_RESPONSES, **UNAUTHORIZED, 409: {"description": "The id is taken"}},
             dependencies=[WriteAccess],
             summary="Validate, assess (every regime) and store a scenario")
def create_scenario(request: Request, body: BodyDep, store: StoreDep, id: IdQuery = None):
    with holding(id) if id else nullcontext():  # an id of one's own: two POSTs cannot both find it free
        sid, a = ingest(store, body.data, body.format, id)
    out = _created(request, store, sid, a)
    return JSONResponse(out, status_code=201, headers={"Location": out["href"]})


@router.get("", response_model=ScenarioPage, summary="Stored scenarios, paged and filtered")
def list_scenarios(request: Request, store: StoreDep,
                   page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
                   size: Annotated[int, Query(ge=1, le=500)] = 50,
                   regime: Annotated[str | None, Query(description="Only scenarios with findings "
                                                          "under this regime")] = None,
                   conclusion: Annotated[str | None, Query(
                       description="Only scenarios with a finding drawing this conclusion "
                                   "(kz:Liable, Liable or a full IRI)", examples=["kz:Liable"])] = None):
    if regime is not None:  # ?regime= names no regime: refused, not read as "none"
        get_regime(regime)
    iri = None
    if conclusion:
        iri = conclusion if "://" in conclusion else str(KZ[conclusion.removeprefix("kz:")])
        try:
            ox.NamedNode(iri)
        except ValueError:
            raise ApiProblem(400, "invalid-iri", "Invalid conclusion",
                             f"{conclusion[:200]!r} is neither kz:Name nor an IRI") from None
        known = _conclusions()
        if iri not in known:  # a typo would otherwise read as "no scenario draws it"
            raise ApiProblem(422, "invalid-parameters", "Invalid request parameters",
                             f"conclusion: {conclusion[:200]!r} is not a conclusion kzlaw draws; known: "
                             f"{', '.join(sorted('kz:' + c.removeprefix(str(KZ)) for c in known))}")
    p = store.list(page, size, regime, iri)
    return {"page": page, "size": size, "total": p.total,
            "items": [_summary(request, store, sid) for sid in p.ids]}


@router.get("/{sid}", response_model=ScenarioOut,
            responses={**BAD_ID, 404: PROBLEM_RESPONSES[404], **NOT_MODIFIED, **PRECONDITION, **RDF_RESPONSES},
            summary="A stored scenario: its graphs and facts (Turtle or JSON-LD facts on Accept)")
def get_scenario(request: Request, response: Response, sid: Sid, store: StoreDep, rdf: RdfWantedDep):
    with holding(sid):  # the ETag and the body read from one state
        facts = store.facts(sid)
        tag, early = _conditional_read(request, store, sid, "scenario", rdf, facts=facts)
        if early is not None:
            return early
        if rdf:
            return _tagged(rdf_response(graph_text(facts, rdf), rdf), tag)
        regimes = [n.rsplit("/", 1)[-1] for n in store.findings_graphs(sid)]
    _tagged(response, tag)
    return {**_summary(request, store, sid),
            "graphs": {"facts": store.facts_graph(sid), "inferred": store.inferred_graph(sid),
                       "findings": {r: store.findings_graph(sid, r) for r in sorted(regimes)}},
            "facts": json.loads(graph_text(facts, "json-ld"))}


@router.put("/{sid}", response_model=ScenarioCreated, openapi_extra=SCENARIO_BODY,
            responses={**PROBLEM_RESPONSES, **UNAUTHORIZED, **PRECONDITION,
                       201: {"description": "Stored under a new id (Location: the scenario)",
                             "model": ScenarioCreated}},
            dependencies=[WriteAccess],
            summary="Store a scenario under this id, replacing what was there (200), or creating it (201)")
def put_scenario(request: Request, sid: Sid, body: BodyDep, store: StoreDep):
    with holding(sid):
        if has_preconditions(request):
            check_write(request, state_tag(store, sid))
        existed = store.exists(sid)
        sid, a = ingest(store, body.data, body.format, sid, replace=True)
    out = _created(request, store, sid, a)
    if existed:
        return out
    # RFC 9110 §9.3.4: a PUT that creates the resource answers 201
    return JSONResponse(out, status_code=201, headers={"Location": out["href"]})


@router.delete("/{sid}", status_code=204, responses={**BAD_ID, 404: PROBLEM_RESPONSES[404], **UNAUTHORIZED, **PRECONDITION},
               dependencies=[WriteAccess],
               summary="Delete a stored scenario (facts, inferences, findings)")
def delete_scenario(request: Request, sid: Sid, store: StoreDep):
    with holding(sid):
        if has_preconditions(request):
            state = state_tag(store, sid)
            if state is None:  # RFC 9110 §13.2.1: preconditions do not turn a 404 into a 412
                raise UnknownScenario(sid)
            check_write(request, state)
        if not store.delete(sid):
            raise UnknownScenario(sid)
    return Response(status_code=204)


@router.get("/{sid}/findings", response_model=StoredFindingsOut,
            responses={**BAD_ID, 404: PROBLEM_RESPONSES[404], **NOT_MODIFIED, **PRECONDITION, **RDF_RESPONSES},
            summary="The stored findings of a scenario (JSON; Turtle or JSON-LD on Accept)")
def get_findings(request: Request, response: Response, sid: Sid, store: StoreDep, lang: LangDep,
                 rdf: RdfWantedDep,
                 regime: Annotated[str | None, Query(description="One regime (default: all)",
                                                        examples=["current-law"])] = None):
    if regime is not None:  # ?regime= names no regime: refused, not read as "none"
        get_regime(regime)
    with holding(sid):
        tag, early = _conditional_read(request, store, sid, "findings", regime, rdf, None if rdf else lang)
        if early is not None:
            return early
        sf = stored_findings(store, sid, regime)
    if rdf:
        return _tagged(rdf_response(graph_text(sf.graph, rdf), rdf), tag)
    _tagged(response, tag)
    return sf.json(lang)


@router.get("/{sid}/compare", response_model=ChangesOut,
            responses={**BAD_ID, 404: PROBLEM_RESPONSES[404], **NOT_MODIFIED, **PRECONDITION},
            summary="What appears, disappears or changes between two regimes (stored findings)")
def compare(request: Request, response: Response, sid: Sid, store: StoreDep, lang: LangDep,
            base: Annotated[str, Query(examples=["current-law"])] = "current-law",
            other: Annotated[str, Query(examples=["reform-proposal"])] = "reform-proposal"):
    get_regime(base)
    get_regime(other)
    with holding(sid):
        tag, early = _conditional_read(request, store, sid, "compare", base, other, lang)
        if early is not None:
            return early
        a = stored_assessment(store, sid)
    _tagged(response, tag)
    return changes_json(diff(a, base, other), a, base, other, lang)
