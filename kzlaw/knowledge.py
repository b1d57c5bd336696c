"""The static knowledge kzlaw loads once: ontology, provisions, regimes, reference data, input shapes.

Everything here depends only on files shipped with the package, so it is computed once per process.
"""

from __future__ import annotations

from functools import cache

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from .namespaces import KZ, RDFS, SKOS
from .resources import ontology_files, shape_files


def _load(paths) -> Graph:
    g = Graph()
    for p in paths:
        g.parse(p, format="turtle")
    return g


@cache
def ontology_graph() -> Graph:
    """TBox + provisions + regimes + reference data (read-only by convention: never mutate)."""
    return _load(ontology_files())


@cache
def input_shapes_graph() -> Graph:
    return _load(shape_files("input"))


@cache
def rule_shapes_graph() -> Graph:
    return _load(shape_files("rules"))


def pick_lang(literals, lang: str) -> str | None:
    """The literal in ``lang``, else English, else any: readers always get some text."""
    by_lang: dict[str | None, str] = {}
    for lit in literals:
        if isinstance(lit, Literal):
            by_lang.setdefault(lit.language, str(lit))
    for key in (lang, "en", None):
        if key in by_lang:
            return by_lang[key]
    return next(iter(by_lang.values()), None)


def label(node: Node, lang: str = "en", *graphs: Graph) -> str:
    """A human label for ``node`` in ``lang``, looked up in the given graphs and then the ontology."""
    for g in (*graphs, ontology_graph()):
        text = pick_lang(g.objects(node, RDFS.label), lang)
        if text:
            return text
    if isinstance(node, URIRef):
        s = str(node)
        return s.rsplit("#", 1)[-1] if "#" in s else s.rstrip("/").rsplit("/", 1)[-1]
    return str(node)


def definition(node: Node, lang: str = "en") -> str | None:
    return pick_lang(ontology_graph().objects(node, SKOS.definition), lang)


def compact(node: Node) -> str:
    """``kz:Foo`` for vocabulary terms, the full IRI otherwise (stable identifiers in JSON output)."""
    s = str(node)
    if s.startswith(str(KZ)):
        return "kz:" + s[len(str(KZ)):]
    return s
