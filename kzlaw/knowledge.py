"""The static knowledge kzlaw loads once: ontology, provisions, regimes, reference data, input shapes.

Everything here depends only on files shipped with the package, so it is computed once per process.
"""

from __future__ import annotations

from functools import cache

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from .namespaces import KZ, LANGS, RDFS, SKOS
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


@cache
def shapes_for_pyshacl(kind: str) -> Graph:
    """The ``"input"`` or ``"rules"`` shapes parsed once more, for pySHACL alone. pySHACL's ShapesGraph
    adds its "system triples" (owl:Class rdfs:subClassOf rdfs:Class; owl:DatatypeProperty rdfs:subClassOf
    rdf:Property) to the graph it is given: handed the shared graphs, it changed the rules graph kzlaw
    stores (served over /sparql) and the input shapes the compiled validator reads, depending on whether
    pySHACL had run earlier in the process."""
    return _load(shape_files(kind))


def _by_lang(literals) -> dict:
    """Each language's first literal (None: no language tag)."""
    by_lang: dict[str | None, str] = {}
    for lit in literals:
        if isinstance(lit, Literal):
            by_lang.setdefault(lit.language, str(lit))
    return by_lang


def _choose(by_lang: dict, lang: str) -> str | None:
    for key in (lang, "en", None):
        if key in by_lang:
            return by_lang[key]
    return next(iter(by_lang.values()), None)


def texts_by_lang(literals) -> dict[str, str]:
    """{en|ru|kk: text} of a message's literals; an untagged one counts as English if none is tagged so."""
    out: dict[str, str] = {}
    for lit in literals:
        if isinstance(lit, Literal) and lit.language in LANGS:
            out.setdefault(lit.language, str(lit))
        elif isinstance(lit, Literal) and not out.get("en"):
            out.setdefault("en", str(lit))
    return out


def pick_lang(literals, lang: str) -> str | None:
    """The literal in ``lang``, else English, else any: readers always get some text."""
    return _choose(_by_lang(literals), lang)


_TABLES: dict[int, tuple[Graph, dict]] = {}


def label_table(g: Graph) -> dict:
    """node → {language: label} of a graph that never changes (the ontology, a reasoner's static
    closure), built once per graph."""
    hit = _TABLES.get(id(g))
    if hit is None or hit[0] is not g:
        hit = _TABLES[id(g)] = (g, index_labels(g))
    return hit[1]


def index_labels(g: Graph) -> dict:
    """node → {language: first label in that language} of ``g``."""
    table: dict = {}
    for s, o in g.subject_objects(RDFS.label):
        if isinstance(o, Literal):
            table.setdefault(s, {}).setdefault(o.language, str(o))
    return table


def _labels_in(g: Graph, node: Node) -> dict:
    own = getattr(g, "labels_of", None)  # graphs that index their labels (kzlaw.reason.Closure)
    if own is not None:
        return own(node)
    if g is ontology_graph():
        return label_table(g).get(node, {})
    return _by_lang(g.objects(node, RDFS.label))


def label(node: Node, lang: str = "en", *graphs: Graph) -> str:
    """A human label for ``node`` in ``lang``, looked up in the given graphs and then the ontology."""
    for g in (*graphs, ontology_graph()):
        by_lang = _labels_in(g, node)
        if by_lang:
            return _choose(by_lang, lang)
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
