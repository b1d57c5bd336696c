"""The FastAPI application: ``uvicorn api.main:app`` (settings from KZLAW_* variables), or
``create_app(settings)`` with settings of one's own. The store is opened in the lifespan and held in
``app.state``; routes reach it through api.deps."""

from __future__ import annotations

import logging
import threading
from contextlib import asynccontextmanager

from fastapi import FastAPI

from kzlaw import __version__
from kzlaw.service import warm_up
from kzlaw.settings import Settings, get_settings
from kzlaw.store import StoreUnavailable, open_store

from . import errors, security
from .models import Problem
from .routes import assess, health, knowledge, scenarios, sparql, validate, web

log = logging.getLogger("kzlaw.api")


class HeadAsGet:
    """HEAD wherever GET is served (RFC 9110 §9.3.2: the same headers, no body), which FastAPI's routes do
    not do by themselves: the request goes on as a GET and the body is dropped on the way out."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "HEAD":
            return await self.app(scope, receive, send)

        async def headers_only(message):
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


def create_app(settings: Settings | None = None) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        s = settings or get_settings()
        app.state.settings = s
        app.state.store = open_store(s.store_path, s.store_url, s.base_iri, load_knowledge=False, check=False)
        app.state.knowledge_loaded = False
        try:
            app.state.store.ensure_knowledge()
            app.state.knowledge_loaded = True
            if s.store_memory and not s.store_url:  # after the knowledge: its load is copied, not replayed
                app.state.store.replicate(wait=False)
        except StoreUnavailable as e:
            if not s.store_url:
                raise
            # a SPARQL server that is down now may be up in a moment: serve, answer 503 until it is,
            # and load the ontology and rules on the first request that reaches it (api.deps.get_store)
            log.warning("%s: serving anyway; the knowledge is loaded when the server answers", e)
        # kzlaw's caches built in the background (the first request need not build them; the server
        # answers at once), then out of the garbage collector's reach: kzlaw.service.warm_up
        threading.Thread(target=warm_up, name="kzlaw-warm-up", daemon=True).start()
        try:
            yield
        finally:
            app.state.store.close()

    # /docs and /redoc are served from kzlaw's own copies of Swagger UI and ReDoc (api.routes.web), not
    # FastAPI's pages, which load them from a CDN
    app = FastAPI(title="kzlaw", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Knowledge-graph legal reasoning for Kazakh media law: validate and assess "
                              "scenarios, store them with their findings, query everything in SPARQL.")
    errors.install(app)
    security.install(app, settings or get_settings())
    app.add_middleware(HeadAsGet)
    for module in (health, validate, assess, scenarios, knowledge, sparql, web):
        app.include_router(module.router)

    original = app.openapi

    def openapi():  # the Problem schema is referenced by every error response
        if app.openapi_schema is None:
            schema = original()
            schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = \
                Problem.model_json_schema(ref_template="#/components/schemas/{model}")
            defs = schema["components"]["schemas"]["Problem"].pop("$defs", {})
            for k, v in defs.items():
                schema["components"]["schemas"].setdefault(k, v)
        return app.openapi_schema
    app.openapi = openapi
    return app


app = create_app()
