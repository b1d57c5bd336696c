"""The one exception handler: every error leaves the API as RFC 9457 problem details
(``application/problem+json``) with type, title, status and detail — plus the SHACL report for a scenario
that does not conform, and line and column for a syntax error. Nothing internal (no stack trace, no
exception text of an unexpected error) ever reaches the client."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from kzlaw.errors import InputError, UnknownRegime
from kzlaw.parse import scenario_base
from kzlaw.service import NotConforming, ScenarioExists, UnknownScenario
from kzlaw.store import QueryError, StoreError, StoreUnavailable

log = logging.getLogger("kzlaw.api")
PROBLEM_BASE = "https://w3id.org/kzlaw/problems/"
PROBLEM_MEDIA_TYPE = "application/problem+json"


class ApiProblem(Exception):
    """A problem the API itself detects (body too large, result too large, query timeout...)."""

    def __init__(self, status: int, slug: str, title: str, detail: str | None = None,
                 headers: dict[str, str] | None = None, **extra):
        self.status, self.slug, self.title, self.detail, self.extra = status, slug, title, detail, extra
        self.headers = headers
        super().__init__(detail or title)


_INPUT_KINDS = {  # InputError.kind → (status, slug, title)
    "media-type": (415, "unsupported-media-type", "Unsupported media type"),
    "size": (413, "too-large", "Content too large"),
    "triples": (413, "too-many-triples", "Too many triples"),
    "id": (400, "invalid-id", "Invalid scenario id"),
    "remote-context": (400, "remote-context", "Remote reference refused"),
    "forbidden": (400, "forbidden-construct", "Forbidden construct"),
    "empty": (400, "empty-document", "Empty document"),
    "meaning": (422, "invalid-scenario", "Invalid scenario"),
    "parameter": (422, "invalid-parameters", "Invalid request parameters"),
}


def problem_of(exc: Exception, lang: str = "en") -> tuple[int, dict]:
    """Status and problem document for any exception."""
    def doc(status, slug, title, detail=None, **extra):
        body = {"type": PROBLEM_BASE + slug, "title": title, "status": status}
        if detail:
            body["detail"] = detail
        body.update({k: v for k, v in extra.items() if v is not None})
        return status, body

    if isinstance(exc, ApiProblem):
        return doc(exc.status, exc.slug, exc.title, exc.detail, **exc.extra)
    if isinstance(exc, NotConforming):
        return doc(422, "not-conforming", "Scenario does not conform to the input shapes", str(exc),
                   report=exc.report.as_dict(lang))
    if isinstance(exc, InputError):
        status, slug, title = _INPUT_KINDS.get(exc.kind, (400, "syntax-error", "Syntax error"))
        return doc(status, slug, title, exc.message, line=exc.line, column=exc.column)
    if isinstance(exc, UnknownRegime):
        return doc(404, "unknown-regime", "Unknown regime", str(exc), known=exc.known)
    if isinstance(exc, UnknownScenario):
        return doc(404, "unknown-scenario", "Unknown scenario", str(exc))
    if isinstance(exc, ScenarioExists):
        return doc(409, "scenario-exists", "Scenario already stored", str(exc))
    if isinstance(exc, StoreUnavailable):
        log.error("store unavailable: %s", exc)
        return doc(503, "store-unavailable", "Store unavailable",
                   "the quad store cannot be reached; nothing was read or written — try again shortly")
    if isinstance(exc, QueryError):
        return doc(400, "bad-query", "Query refused", str(exc), line=exc.line, column=exc.column)
    if isinstance(exc, StoreError):
        log.error("store error: %s", exc)
        return doc(503, "store-unavailable", "Store unavailable", "the store could not serve the request")
    if isinstance(exc, RequestValidationError):
        bad_id = [e for e in exc.errors() if tuple(e.get("loc", ())) == ("path", "sid")]
        if bad_id and len(bad_id) == len(exc.errors()):  # as for ?id= on POST: one status for one mistake
            try:
                scenario_base(str(bad_id[0].get("input", "")))
            except InputError as e:
                return problem_of(e, lang)
        errors = [{"loc": [str(x) for x in e.get("loc", ())], "msg": e.get("msg")} for e in exc.errors()]
        return doc(422, "invalid-parameters", "Invalid request parameters",
                   "; ".join(f"{'.'.join(e['loc'])}: {e['msg']}" for e in errors), errors=errors)
    if isinstance(exc, StarletteHTTPException):
        titles = {404: "Not found", 405: "Method not allowed", 406: "Not acceptable"}
        return doc(exc.status_code, f"http-{exc.status_code}", titles.get(exc.status_code, "HTTP error"),
                   str(exc.detail) if exc.detail else None)
    log.exception("unexpected error", exc_info=exc)
    return doc(500, "internal-error", "Internal server error",
               "the request could not be completed; the error has been logged")


def _endpoints(routes, prefix: str = ""):
    """(path prefix, route) for every route serving methods, routers included in routers flattened."""
    for r in routes:
        inner = getattr(getattr(r, "original_router", None), "routes", None)
        if inner is not None:
            context = getattr(r, "include_context", None)
            yield from _endpoints(inner, prefix + (getattr(context, "prefix", "") or ""))
        elif getattr(r, "methods", None) and getattr(r, "path_regex", None) is not None:
            yield prefix, r


def allowed_methods(request: Request) -> str:
    """Every method some route serves at the request's path (RFC 9110 §15.5.6: the Allow of a 405 lists
    them all; Starlette's names those of the first route that matched the path only), HEAD with GET."""
    path = request.url.path
    methods: set[str] = set()
    for prefix, route in _endpoints(request.app.router.routes):
        if path.startswith(prefix) and route.path_regex.match(path[len(prefix):]):
            methods |= set(route.methods)
    if "GET" in methods:
        methods.add("HEAD")
    return ", ".join(sorted(methods))


async def handle(request: Request, exc: Exception) -> JSONResponse:
    lang = request.query_params.get("lang") or "en"
    status, body = problem_of(exc, lang if lang in ("en", "ru", "kk") else "en")
    headers = {"Allow": exc.headers.get("Allow")} if isinstance(exc, StarletteHTTPException) and \
        exc.headers and "Allow" in exc.headers else None
    if status == 405:
        headers = {**(headers or {}), "Allow": allowed_methods(request)}
    if isinstance(exc, ApiProblem) and exc.headers:
        headers = {**(headers or {}), **exc.headers}
    if status == 503:
        headers = {**(headers or {}), "Retry-After": "5"}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def install(app: FastAPI) -> None:
    """Route every exception kind to :func:`handle` (the one handler)."""
    for kind in (Exception, StarletteHTTPException, RequestValidationError, ApiProblem, InputError,
                 NotConforming, UnknownRegime, UnknownScenario, ScenarioExists, QueryError, StoreError,
                 StoreUnavailable):
        app.add_exception_handler(kind, handle)


PROBLEM_RESPONSES = {  # for the OpenAPI document
    code: {"description": desc, "content": {PROBLEM_MEDIA_TYPE: {"schema": {
        "$ref": "#/components/schemas/Problem"}}}}
    for code, desc in ((401, "A bearer token is needed (writes, when KZLAW_API_TOKENS is set)"),
                       (400, "Bad request (syntax error: line and column)"), (404, "Not found"),
                       (413, "Body too large"), (415, "Unsupported media type"),
                       (422, "Scenario does not conform: SHACL report under `report`"))
}
UNAUTHORIZED = {401: PROBLEM_RESPONSES.pop(401)}  # on the write routes only
