"""The scholar's desk: the web page at ``/`` (built by ``make web`` into api/static/), the competency
queries and the form's vocabulary it loads, and the ontology at ``/ontology`` by content negotiation
(HTML reference built by ``make docs`` into docs/ontology/; Turtle, RDF/XML, JSON-LD from the ontology
graph itself)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from kzlaw.knowledge import compact, label, ontology_graph
from kzlaw.namespaces import KZ, PREFIXES
from kzlaw.output import graph_text
from kzlaw.resources import data_path

from ..deps import LangDep
from ..errors import ApiProblem
from ..negotiation import ranked_media_types
from .rdf import GRAPH_MEDIA

router = APIRouter(tags=["web"])

ROOT = Path(__file__).resolve().parents[2]
STATIC = Path(__file__).resolve().parents[1] / "static"
ONTOLOGY_DOCS = ROOT / "docs" / "ontology"

# The page loads only its own files (no CDN); YASGUI sets inline styles, nothing runs inline scripts.
PAGE_CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
            "form-action 'none'")
PAGE_HEADERS = {"Content-Security-Policy": PAGE_CSP}
# The API docs (Swagger UI, ReDoc) from kzlaw's own copies: the same, plus ReDoc's search worker (a blob)
DOCS_CSP = PAGE_CSP + "; worker-src blob:"

NOT_BUILT = """<!doctype html><html lang="en"><meta charset="utf-8"><title>kzlaw</title>
<h1>kzlaw</h1><p>The web page is not built: run <code>make web</code> (or <code>make run</code>, which builds
it) and reload. The API is described at <a href="/openapi.json">/openapi.json</a>, SPARQL is at
<code>/sparql</code>.</p></html>"""


def static_file(name: str) -> Path | None:
    """A built file of the page (no path outside api/static/ is ever served)."""
    if not re.fullmatch(r"[A-Za-z0-9._-]+", name) or name.startswith("."):
        return None
    p = STATIC / name
    return p if p.is_file() else None


@router.get("/", include_in_schema=False)
def index():
    p = static_file("index.html")
    if p is None:
        return HTMLResponse(NOT_BUILT, status_code=503, headers=PAGE_HEADERS)
    return FileResponse(p, media_type="text/html; charset=utf-8", headers=PAGE_HEADERS)


_MEDIA = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
          ".html": "text/html; charset=utf-8", ".json": "application/json", ".svg": "image/svg+xml",
          ".map": "application/json", ".woff2": "font/woff2", ".woff": "font/woff", ".png": "image/png"}


@router.get("/docs", include_in_schema=False)
def swagger_ui():
    """The REST API's interactive documentation (Swagger UI), built by ``make web``."""
    return _docs_page("docs.html")


@router.get("/redoc", include_in_schema=False)
def redoc():
    """The same documentation as one reading page (ReDoc)."""
    return _docs_page("redoc.html")


def _docs_page(name: str):
    p = static_file(name)
    if p is None:
        return HTMLResponse(NOT_BUILT, status_code=503, headers=PAGE_HEADERS)
    return FileResponse(p, media_type="text/html; charset=utf-8", headers={"Content-Security-Policy": DOCS_CSP})


@router.get("/static/{name}", include_in_schema=False)
def static(name: str):
    p = static_file(name)
    if p is None:
        raise ApiProblem(404, "not-found", "Not found", f"no static file {name!r}")
    return FileResponse(p, media_type=_MEDIA.get(p.suffix, "application/octet-stream"))


def _title(text: str, fallback: str) -> str:
    first = text.splitlines()[0] if text else ""
    m = re.match(r"#\s*(CQ\d+)\.\s*(.*)", first)
    return f"{m.group(1)}. {m.group(2)}" if m else fallback


@router.get("/v1/queries", tags=["law"], summary="The competency queries (queries/cq*.rq), ready to run on /sparql")
def queries() -> list[dict]:
    out = []
    for p in sorted(data_path("queries").glob("cq*.rq"), key=lambda p: int(re.match(r"cq(\d+)", p.name).group(1))):
        text = p.read_text(encoding="utf-8")
        out.append({"id": p.stem, "title": _title(text, p.stem), "query": text})
    return out


def _individuals(g: Graph, cls: URIRef) -> list[URIRef]:
    classes = set(g.transitive_subjects(RDFS.subClassOf, cls))
    return sorted({s for c in classes for s in g.subjects(RDF.type, c) if isinstance(s, URIRef)}, key=str)


@cache
def _terms() -> dict[str, list[URIRef]]:
    g = ontology_graph()
    kz = str(KZ)

    def own(nodes):
        return sorted((n for n in set(nodes) if isinstance(n, URIRef) and str(n).startswith(kz)), key=str)
    return {
        "countries": _individuals(g, KZ.Country),
        "categories": _individuals(g, KZ.ContentCategory),
        "classes": own(g.subjects(RDF.type, OWL.Class)),
        "properties": own([*g.subjects(RDF.type, OWL.ObjectProperty), *g.subjects(RDF.type, OWL.DatatypeProperty)]),
        "individuals": own(g.subjects(RDF.type, OWL.NamedIndividual)),
    }


@router.get("/v1/vocabulary", tags=["law"],
            summary="Terms for forms and autocompletion: countries, content categories, classes, properties")
def vocabulary(lang: LangDep) -> dict:
    return {"prefixes": dict(PREFIXES),
            **{k: [{"iri": compact(n), "label": label(n, lang)} for n in v] for k, v in _terms().items()}}


# --- the ontology, by content negotiation -------------------------------------------------------------

_RDF_TYPES = {"text/turtle": "turtle", "application/x-turtle": "turtle", "application/rdf+xml": "xml",
              "application/ld+json": "json-ld", "application/n-triples": "nt"}


def _negotiate(accept: str) -> str:
    """``html`` or an rdflib format: the acceptable type of highest q (HTML on ties and on */*)."""
    best, best_q = "html", -1.0
    for media, q in ranked_media_types(accept or "*/*"):
        if media in ("text/html", "application/xhtml+xml", "*/*", "text/*"):
            kind = "html"
        elif media in _RDF_TYPES:
            kind = _RDF_TYPES[media]
        else:
            continue
        if q > best_q or (q == best_q and kind == "html" and best != "html"):
            best, best_q = kind, q
    if best_q <= 0:
        raise ApiProblem(406, "not-acceptable", "Not acceptable",
                         "the ontology is served as HTML, Turtle, RDF/XML, JSON-LD or N-Triples")
    return best


@cache
def _ontology_text(fmt: str) -> str:
    return graph_text(ontology_graph(), fmt)


@router.get("/ontology", tags=["law"], summary="The ontology: HTML reference for browsers, RDF by Accept",
            responses={200: {"content": {"text/html": {}, "text/turtle": {}, "application/rdf+xml": {},
                                         "application/ld+json": {}, "application/n-triples": {}}}})
def ontology(request: Request, format: str | None = None):
    fmt = {"ttl": "turtle", "turtle": "turtle", "rdf": "xml", "xml": "xml", "jsonld": "json-ld",
           "json-ld": "json-ld", "nt": "nt", "html": "html"}.get(format or "") \
        or _negotiate(request.headers.get("accept", ""))
    if fmt == "html":
        page = ONTOLOGY_DOCS / "index.html"
        if not page.is_file():
            return HTMLResponse(NOT_BUILT.replace("make web", "make docs").replace(
                "(or <code>make run</code>, which builds\nit)", ""), status_code=503, headers=PAGE_HEADERS)
        return FileResponse(page, media_type="text/html; charset=utf-8", headers={"Vary": "Accept", **PAGE_HEADERS})
    return Response(_ontology_text(fmt), media_type=GRAPH_MEDIA[fmt], headers={"Vary": "Accept"})
