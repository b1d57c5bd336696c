"""GET|POST /sparql — the SPARQL 1.1 Protocol, queries only (https://www.w3.org/TR/sparql11-protocol/ §2.1):
``query`` as a GET parameter, in a form-encoded POST body, or as an application/sparql-query POST body;
``default-graph-uri`` and ``named-graph-uri``; the union of all graphs as default graph unless the client
names a dataset. Updates and SERVICE are refused (400) before evaluation; a time limit and a row limit hold.
"""

from __future__ import annotations

import asyncio
import threading
import time
import traceback
from urllib.parse import parse_qsl

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import Response

from kzlaw.store import QueryError, query_form

from ..deps import SettingsDep, StoreDep, read_body
from ..errors import PROBLEM_MEDIA_TYPE, ApiProblem
from ..examples import SPARQL_EXAMPLE
from ..negotiation import negotiate, ranked_media_types
from ..results import write_solutions

router = APIRouter(tags=["sparql"])

RESULTS = [  # media types for SELECT / ASK, preferred first
    ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
    ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
    ("text/csv", ox.QueryResultsFormat.CSV),
    ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
    ("application/json", ox.QueryResultsFormat.JSON),
    ("application/xml", ox.QueryResultsFormat.XML),
    ("text/xml", ox.QueryResultsFormat.XML),
]
GRAPHS = [  # media types for CONSTRUCT / DESCRIBE
    ("text/turtle", ox.RdfFormat.TURTLE),
    ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("application/ld+json", ox.RdfFormat.JSON_LD),
    ("application/rdf+xml", ox.RdfFormat.RDF_XML),
    ("text/plain", ox.RdfFormat.N_TRIPLES),
    ("application/json", ox.RdfFormat.JSON_LD),
]


async def _protocol_params(request: Request, limit: int) -> tuple[str | None, list[tuple[str, str]]]:
    params = list(request.query_params.multi_items())
    if request.method == "GET":
        return dict(params).get("query"), params
    body = await read_body(request, limit)
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "application/sparql-query":
        return body.decode("utf-8", "replace"), params
    if ctype == "application/x-www-form-urlencoded":
        form = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
        if any(k in ("update", "using-graph-uri") for k, _ in form):
            raise ApiProblem(400, "update-refused", "Updates refused", "this endpoint is read-only")
        return dict(form).get("query"), params + form
    if ctype == "application/sparql-update":  # the Protocol's update operation: refused as one, not as a type
        raise ApiProblem(400, "update-refused", "Updates refused", "this endpoint is read-only")
    raise ApiProblem(415, "unsupported-media-type", "Unsupported media type",
                     "POST the query as application/sparql-query or application/x-www-form-urlencoded")


class _Deadline:
    """Checked between result rows: a query that streams rows stops at its time limit (pyoxigraph
    cannot interrupt one that computes before its first row, such as an aggregate; the concurrency cap
    bounds what those cost)."""

    def __init__(self, seconds: float):
        self.seconds, self.end = seconds, time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self.end:
            raise _timeout(self.seconds)


def _timeout(seconds: float) -> ApiProblem:
    return ApiProblem(503, "query-timeout", "Query time limit reached",
                      f"the query ran over the time limit of {seconds:g} s (KZLAW_QUERY_TIMEOUT_S); "
                      "narrow it or add a LIMIT")


def _evaluate(run, max_rows: int, fmt, deadline: _Deadline) -> bytes:
    """The results of ``run`` written in ``fmt``, negotiated for the query's form before it ran."""
    results = run()
    deadline.check()
    if isinstance(results, ox.QueryBoolean):
        return results.serialize(format=fmt)
    if isinstance(results, ox.QuerySolutions):
        variables = [v.value for v in results.variables]
        rows = []
        for solution in results:  # evaluated once: read under the caps, then written (api/results.py)
            rows.append(tuple(solution))
            if len(rows) > max_rows:
                raise ApiProblem(400, "result-too-large", "Result too large",
                                 f"the query returns more than {max_rows} rows; add a LIMIT")
            if len(rows) % 256 == 0:
                deadline.check()
        deadline.check()
        return write_solutions(variables, rows, fmt)
    triples = []
    for t in results:
        triples.append(t)
        if len(triples) > max_rows:
            raise ApiProblem(400, "result-too-large", "Result too large",
                             f"the query returns more than {max_rows} triples; add a LIMIT")
        if len(triples) % 256 == 0:
            deadline.check()
    return ox.serialize(triples, format=fmt)


_SLOTS: dict[int, threading.BoundedSemaphore] = {}


def _slots(n: int) -> threading.BoundedSemaphore:
    return _SLOTS.setdefault(n, threading.BoundedSemaphore(n))


_DOC = {
    "parameters": [
        {"name": "query", "in": "query", "schema": {"type": "string"}, "example": SPARQL_EXAMPLE,
         "description": "The SPARQL query (GET, or POST with the query in the body)"},
        {"name": "default-graph-uri", "in": "query", "schema": {"type": "array", "items": {"type": "string"}}},
        {"name": "named-graph-uri", "in": "query", "schema": {"type": "array", "items": {"type": "string"}}},
    ],
    "responses": {"200": {"description": "Results by Accept", "content": {
        **{m: {"schema": {"type": "string"}} for m, _ in RESULTS[1:4]},
        **{m: {"schema": {"type": "string"}} for m, _ in (GRAPHS[0], GRAPHS[1], GRAPHS[3])},
        # JSON bodies are documented as JSON, so a schema check holds them to it
        "application/sparql-results+json": {"schema": {"type": "object", "properties": {
            "head": {"type": "object"}, "results": {"type": "object"}, "boolean": {"type": "boolean"}},
            "required": ["head"]}},
        "application/ld+json": {"schema": {"type": ["object", "array"]}}}},
        "400": {"description": "Not a query (a syntax error: line and column), an update, SERVICE, or a "
                       "result over the row limit",
                "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}},
        "406": {"description": "No acceptable results format (Accept)",
                "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}},
        "413": {"description": "Query or body over the size limit",
                "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}},
        "503": {"description": "Time limit reached, or too many queries running",
                "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}}},
}
_POST_DOC = {**_DOC, "requestBody": {"content": {
    "application/sparql-query": {"schema": {"type": "string"}, "example": SPARQL_EXAMPLE},
    "application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": {
        "query": {"type": "string"}, "default-graph-uri": {"type": "array", "items": {"type": "string"}},
        "named-graph-uri": {"type": "array", "items": {"type": "string"}}}}}}},
    "responses": {**_DOC["responses"], "415": {
        "description": "A body neither application/sparql-query nor form-encoded (an application/sparql-update "
                       "is a 400: updates are refused)",
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}}}}


SD = "http://www.w3.org/ns/sparql-service-description#"
_FORMATS = "http://www.w3.org/ns/formats/"
_SD_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
               "Turtle", "N-Triples", "JSON-LD", "RDF_XML")


def service_description(endpoint: str, store, settings) -> list[ox.Triple]:
    """SPARQL 1.1 Service Description (§2: what a GET of the endpoint without a query answers): SPARQL 1.1
    Query, the result formats, the default graph as the union of the named graphs, the knowledge graphs
    by name (a scenario's graphs are listed by GET /v1/scenarios/{id}), and the limits in words."""
    def sd(name: str) -> ox.NamedNode:
        return ox.NamedNode(SD + name)
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    comment = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")
    service, dataset, default = ox.NamedNode(endpoint), ox.BlankNode(), ox.BlankNode()
    out = [ox.Triple(service, rdf_type, sd("Service")), ox.Triple(service, sd("endpoint"), service),
           ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
           ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")),
           *(ox.Triple(service, sd("resultFormat"), ox.NamedNode(_FORMATS + f)) for f in _SD_FORMATS),
           ox.Triple(service, comment, ox.Literal(
               "kzlaw's store: facts, OWL inferences and findings of every scenario in named graphs, the "
               "ontology and the rules in two more; the default graph is their union. Read-only: updates and "
               f"SERVICE are refused. Limits: {settings.max_result_rows} rows a result, "
               f"{settings.query_timeout_s:g} s a query, {settings.max_query_chars} characters a query. "
               "kzlaw's prefixes (kz:, regime:, rule:, rdfs:, …; GET /v1/vocabulary) need no PREFIX line.",
               language="en")),
           ox.Triple(service, sd("defaultDataset"), dataset),
           ox.Triple(dataset, rdf_type, sd("Dataset")),
           ox.Triple(dataset, sd("defaultGraph"), default), ox.Triple(default, rdf_type, sd("Graph"))]
    for name in (store.ontology_graph_name, store.rules_graph_name):
        graph = ox.BlankNode()
        out += [ox.Triple(dataset, sd("namedGraph"), graph), ox.Triple(graph, rdf_type, sd("NamedGraph")),
                ox.Triple(graph, sd("name"), ox.NamedNode(name))]
    return out


def _describe_service(request: Request, store, settings) -> Response:
    """GET /sparql with no query: a browser is sent to the query editor, anyone else gets the service
    description in the RDF format it accepts (Turtle by default)."""
    accept = request.headers.get("accept", "")
    ranked = [mt for mt, q in ranked_media_types(accept) if q > 0]
    if ranked and ranked[0] in ("text/html", "application/xhtml+xml"):
        return Response(status_code=303, headers={"Location": "/#query", "Vary": "Accept"})
    media, fmt = negotiate(accept, GRAPHS)
    endpoint = str(request.url.replace(query="", fragment=""))
    data = ox.serialize(service_description(endpoint, store, settings), format=fmt,
                        prefixes={"sd": SD, "formats": _FORMATS} if fmt == ox.RdfFormat.TURTLE else None)
    return Response(data, media_type=media, headers={"Vary": "Accept"})


async def _sparql(request: Request, store, settings) -> Response:
    query, params = await _protocol_params(request, settings.max_body_bytes)
    if not query and request.method == "GET" and not params:
        return _describe_service(request, store, settings)
    if not query:
        raise ApiProblem(400, "missing-query", "Missing query", "give the query in the `query` parameter")
    if len(query) > settings.max_query_chars:
        raise ApiProblem(413, "query-too-long", "Query too long",
                         f"the query has {len(query)} characters, over the limit of "
                         f"{settings.max_query_chars} (KZLAW_MAX_QUERY_CHARS)")
    form = query_form(query)  # refuses updates and SERVICE before anything runs
    default = [v for k, v in params if k == "default-graph-uri"]
    named = [v for k, v in params if k == "named-graph-uri"]
    for g in (*default, *named):
        try:
            ox.NamedNode(g)
        except ValueError:
            raise ApiProblem(400, "invalid-graph-iri", "Invalid graph IRI",
                             f"{g[:200]!r} is not an absolute IRI") from None
    # 406 before the query runs: the form decides between result formats and graph formats
    media, fmt = negotiate(request.headers.get("accept", ""),
                           RESULTS if form in ("SELECT", "ASK") else GRAPHS)

    limit = settings.query_timeout_s
    slots = _slots(settings.max_concurrent_queries)

    def work():
        # a slot is held until the evaluation really ends, so runaway queries cannot pile up threads
        if not slots.acquire(timeout=min(limit, 2.0)):
            raise ApiProblem(503, "busy", "Too many queries",
                             f"{settings.max_concurrent_queries} queries are running; try again shortly")
        try:
            return _evaluate(store.results(query, default or None, named or None), settings.max_result_rows,
                             fmt, _Deadline(limit))
        except BaseException as e:
            # pyoxigraph's results belong to this thread: a refusal raised while reading them (over the
            # row limit, the time limit) must not carry them, in its traceback's frames, to the event loop
            traceback.clear_frames(e.__traceback__)
            raise
        finally:
            slots.release()
    try:
        data = await asyncio.wait_for(asyncio.to_thread(work), limit)
    except TimeoutError:
        raise _timeout(limit) from None
    return Response(data, media_type=media, headers={"Vary": "Accept"})


@router.get("/sparql", openapi_extra=_DOC, summary="SPARQL 1.1 query (GET)", response_class=Response,
            description="With `query`: its results by `Accept`. Without any parameter: the endpoint's SPARQL 1.1 "
                        "Service Description (Turtle by default, N-Triples, JSON-LD, RDF/XML by `Accept`), or, "
                        "for a browser (`Accept: text/html`), a redirect to the query editor at `/`.")
async def sparql_get(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    return await _sparql(request, store, settings)


@router.post("/sparql", openapi_extra=_POST_DOC, summary="SPARQL 1.1 query (POST)", response_class=Response)
async def sparql_post(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    return await _sparql(request, store, settings)


__all__ = ["QueryError", "router"]
