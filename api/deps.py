"""Every dependency of the routes, in one place: settings, the store, the scenario body, language and
content negotiation."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import Depends, Query, Request

from kzlaw.parse import format_for_media_type
from kzlaw.settings import Settings
from kzlaw.store import QuadStore

from .errors import ApiProblem
from .negotiation import ranked_media_types


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


_KNOWLEDGE = threading.Lock()


def get_store(request: Request) -> QuadStore:
    """The store; if the SPARQL server was down when the service started, the ontology and rules are
    loaded now (StoreUnavailable while it is still down: a 503 problem, nothing written)."""
    state = request.app.state
    if not state.knowledge_loaded:
        with _KNOWLEDGE:
            if not state.knowledge_loaded:
                state.store.ensure_knowledge()
                state.knowledge_loaded = True
    return state.store


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[QuadStore, Depends(get_store)]

LangName = Literal["en", "ru", "kk"]


def get_lang(settings: SettingsDep,
             lang: Annotated[LangName | None, Query(description="Language of labels and "
                                                                   "explanations")] = None) -> str:
    return lang or settings.default_lang


LangDep = Annotated[str, Depends(get_lang)]


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 before parsing when it is (or claims to be) over ``limit``."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise ApiProblem(413, "too-large", "Content too large",
                         f"the body ({declared} bytes) is over the limit of {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiProblem(413, "too-large", "Content too large",
                             f"the body is over the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


@dataclass
class ScenarioBody:
    data: bytes
    format: str  # rdflib format name


async def scenario_body(request: Request, settings: SettingsDep) -> ScenarioBody:
    media_type = request.headers.get("content-type", "")
    fmt = format_for_media_type(media_type or "(none)")  # InputError(kind=media-type) → 415
    data = await read_body(request, settings.max_body_bytes)
    # application/json is the same JSON-LD with kzlaw's context implied: kzlaw.parse does that
    return ScenarioBody(data, fmt)


BodyDep = Annotated[ScenarioBody, Depends(scenario_body)]
# The scenario's id: its IRI (https://w3id.org/kzlaw/scenario/{id}/) is what the document's relative IRIs
# resolve against, so the nodes of a report or a finding are named as the stored scenario's would be.
IdQuery = Annotated[str | None, Query(description="Scenario id (letters, digits, '.', '_', '-'); the "
                                                     "document's relative IRIs resolve against its IRI. A new "
                                                     "one is made up if absent",
                                         examples=["my-new-scenario"])]  # not one make run stores

RDF_MEDIA = {"text/turtle": "turtle", "application/ld+json": "json-ld"}


def rdf_wanted(request: Request) -> str | None:
    """'turtle' or 'json-ld' when the client asks for RDF (Accept), else None (plain JSON)."""
    for mt, q in ranked_media_types(request.headers.get("accept", "")):
        if q <= 0:
            break
        if mt in ("application/json", "*/*", "application/*"):
            return None
        if mt in RDF_MEDIA:
            return RDF_MEDIA[mt]
    return None


RdfWantedDep = Annotated[str | None, Depends(rdf_wanted)]
