"""The input shapes compiled once into checks over a small index: the fast validator.

pySHACL interprets the shapes graph for every scenario (and re-parses each SHACL-SPARQL constraint); the
shapes are fixed, so here they are read once into plain records and each scenario is checked with
dictionary look-ups, its two SHACL-SPARQL constraints run in Oxigraph. Only the constructs
``shapes/input`` uses are compiled (targets by class and by subjects-of; sh:class, sh:datatype,
sh:nodeKind, sh:in, sh:minCount, sh:maxCount, sh:or and sh:xone of such shapes, a node shape's own
sh:nodeKind sh:IRI, sh:sparql SELECT); a
shapes graph with anything else raises ``Unsupported`` at compile time and validation stays with pySHACL.

The data graph is the same as pySHACL's: the scenario plus the ontology part pySHACL mixes in
(``kzlaw.validate._inoculated``). Facts that change the class hierarchy itself (rdfs:subClassOf,
owl:equivalentClass...) are left to pySHACL too. tests/test_shapecheck.py checks that the reports are
the same as pySHACL's on every scenario file in tests/ and on generated and mutated scenarios."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from .knowledge import texts_by_lang
from .namespaces import SH
from .store import from_ox, to_ox


class Unsupported(Exception):
    """The shapes or the data need the general validator (pySHACL)."""


# sh: predicates each kind of shape may use here (anything else: Unsupported)
_NODE_KEYS = {SH.targetClass, SH.targetSubjectsOf, SH.property, SH.xone, SH.sparql, SH.message, SH["or"],
              SH.nodeKind, SH["in"]}
_PROP_KEYS = {SH.path, SH.minCount, SH.maxCount, SH["class"], SH.datatype, SH.nodeKind, SH["in"],
              SH["or"], SH.message, SH.name, SH.description, SH.disjoint}
_SCHEMA_PREDICATES = {RDFS.subClassOf, OWL.equivalentClass, RDFS.subPropertyOf, OWL.equivalentProperty}


@dataclass
class _Prop:
    node: object
    path: URIRef
    min_count: int | None = None
    max_count: int | None = None
    classes: tuple = ()
    datatype: URIRef | None = None
    node_kind: URIRef | None = None
    values_in: tuple | None = None
    or_classes: tuple | None = None  # sh:or of shapes that each hold one sh:class
    disjoint: tuple = ()  # sh:disjoint: properties of the focus node none of whose values the path may have
    messages: dict = field(default_factory=dict)


@dataclass
class _Node:
    node: object
    target_classes: tuple = ()
    target_subjects_of: tuple = ()
    props: list = field(default_factory=list)
    xone_classes: tuple | None = None
    or_props: tuple | None = None  # sh:or of property shapes with sh:minCount only: ((path, min), ...)
    iri_only: bool = False  # sh:nodeKind sh:IRI on the focus node itself
    values_in: tuple | None = None  # sh:in on the focus node itself
    sparql: list = field(default_factory=list)  # (query text, messages)
    messages: dict = field(default_factory=dict)


def _messages(g: Graph, node) -> dict:
    out = texts_by_lang(g.objects(node, SH.message))
    if not out:
        raise Unsupported(f"shape {node} has no sh:message (pySHACL would write its own)")
    return out


def _keys(g: Graph, node) -> set:
    return {p for p in g.predicates(node, None) if str(p).startswith(str(SH))}


def _one(g: Graph, node, p):
    values = list(g.objects(node, p))
    if len(values) > 1:
        raise Unsupported(f"{node} has several {p}")
    return values[0] if values else None


def _class_only(g: Graph, member) -> URIRef:
    """A member of sh:or / sh:xone that is ``[ sh:class C ]``."""
    if _keys(g, member) != {SH["class"]}:
        raise Unsupported(f"an sh:or/sh:xone member other than [ sh:class C ]: {member}")
    return _one(g, member, SH["class"])


def _prop(g: Graph, node) -> _Prop:
    extra = _keys(g, node) - _PROP_KEYS
    if extra or (node, SH.deactivated, None) in g or (node, SH.severity, None) in g:
        raise Unsupported(f"property shape {node} uses {sorted(extra)}")
    path = _one(g, node, SH.path)
    if not isinstance(path, URIRef):
        raise Unsupported(f"a complex path in {node}")
    p = _Prop(node=node, path=path, messages=_messages(g, node))
    mn, mx = _one(g, node, SH.minCount), _one(g, node, SH.maxCount)
    p.min_count = int(mn) if mn is not None else None
    p.max_count = int(mx) if mx is not None else None
    p.classes = tuple(g.objects(node, SH["class"]))
    p.disjoint = tuple(g.objects(node, SH.disjoint))
    if not all(isinstance(d, URIRef) for d in p.disjoint):
        raise Unsupported(f"sh:disjoint with something other than a property IRI in {node}")
    p.datatype = _one(g, node, SH.datatype)
    p.node_kind = _one(g, node, SH.nodeKind)
    if p.node_kind not in (None, SH.IRI):
        raise Unsupported(f"sh:nodeKind {p.node_kind}")
    lst = _one(g, node, SH["in"])
    p.values_in = tuple(g.items(lst)) if lst is not None else None
    ors = _one(g, node, SH["or"])
    p.or_classes = tuple(_class_only(g, m) for m in g.items(ors)) if ors is not None else None
    return p


def _node(g: Graph, node) -> _Node:
    extra = _keys(g, node) - _NODE_KEYS - {SH.declare, SH.prefixes}
    if extra or (node, SH.deactivated, None) in g or (node, SH.severity, None) in g \
            or (node, RDF.type, RDFS.Class) in g or (node, RDF.type, OWL.Class) in g:
        raise Unsupported(f"node shape {node} uses {sorted(extra)} or is a class (implicit target)")
    n = _Node(node=node, target_classes=tuple(g.objects(node, SH.targetClass)),
              target_subjects_of=tuple(g.objects(node, SH.targetSubjectsOf)))
    if (node, SH.targetNode, None) in g or (node, SH.targetObjectsOf, None) in g:
        raise Unsupported("sh:targetNode / sh:targetObjectsOf")
    n.props = [_prop(g, p) for p in g.objects(node, SH.property)]
    xone = _one(g, node, SH.xone)
    if xone is not None:
        n.xone_classes = tuple(_class_only(g, m) for m in g.items(xone))
    ors = _one(g, node, SH["or"])
    if ors is not None:
        members = []
        for m in g.items(ors):
            if _keys(g, m) != {SH.path, SH.minCount} or not isinstance(_one(g, m, SH.path), URIRef):
                raise Unsupported(f"an sh:or member other than [ sh:path P ; sh:minCount N ]: {m}")
            members.append((_one(g, m, SH.path), int(_one(g, m, SH.minCount))))
        n.or_props = tuple(members)
    kind = _one(g, node, SH.nodeKind)
    if kind not in (None, SH.IRI):
        raise Unsupported(f"sh:nodeKind {kind}")
    n.iri_only = kind == SH.IRI
    lst = _one(g, node, SH["in"])
    n.values_in = tuple(g.items(lst)) if lst is not None else None
    if n.xone_classes is not None or n.or_props is not None or n.iri_only or n.values_in is not None:
        n.messages = _messages(g, node)
    for c in g.objects(node, SH.sparql):
        if _keys(g, c) - {SH.select, SH.message, SH.prefixes} or (c, SH.deactivated, None) in g:
            raise Unsupported(f"SPARQL constraint {c} uses more than sh:select")
        prefixes = []
        for owner in g.objects(c, SH.prefixes):
            for decl in g.objects(owner, SH.declare):
                prefixes.append(f"PREFIX {g.value(decl, SH.prefix)}: <{g.value(decl, SH.namespace)}>")
        text = str(_one(g, c, SH.select))
        if not re.search(r"SELECT\s+(DISTINCT\s+)?\$this\b", text, re.IGNORECASE):
            raise Unsupported(f"SPARQL constraint {c} does not project $this")
        # $this becomes ?this, bound by Oxigraph's substitution (SEP-0007: works on projected variables)
        n.sparql.append(("\n".join(sorted(set(prefixes))) + "\n" + _THIS.sub("?this", text), _messages(g, c)))
    return n


@dataclass(frozen=True)
class Result:
    """One validation result, in the terms kzlaw.validate.Problem shows."""

    focus: object
    path: object
    value: object
    shape: object
    constraint: str
    messages: dict


class CompiledShapes:
    def __init__(self, shapes: Graph, static: Graph):
        shape_nodes = set(shapes.subjects(RDF.type, SH.NodeShape))
        shape_nodes |= set(shapes.subjects(SH.targetClass, None)) | set(shapes.subjects(SH.targetSubjectsOf, None))
        for s in shapes.subjects(RDF.type, SH.PropertyShape):
            if not any(shapes.subjects(SH.property, s)):
                raise Unsupported(f"a property shape used outside sh:property: {s}")
        self.nodes = [_node(shapes, n) for n in sorted(shape_nodes, key=str)]
        # the static part of the data graph, indexed
        self.s_out: dict = {}
        self.s_types: dict = {}
        self.s_sub: dict = {}
        self.s_subjects_of: dict = {}
        for s, p, o in static:
            self.s_out.setdefault((s, p), []).append(o)
            self.s_subjects_of.setdefault(p, []).append(s)
            if p == RDF.type:
                self.s_types.setdefault(s, []).append(o)
            elif p == RDFS.subClassOf:
                self.s_sub.setdefault(s, []).append(o)
        self.s_instances: dict = {}
        for s, types in self.s_types.items():
            for t in types:
                self.s_instances.setdefault(t, []).append(s)
        self._supers: dict = {}
        self.static_quads = [ox.Quad(to_ox(s), to_ox(p), to_ox(o), ox.DefaultGraph()) for s, p, o in static]

    def supers(self, c) -> set:
        """c and its transitive rdfs:subClassOf superclasses in the static graph."""
        hit = self._supers.get(c)
        if hit is None:
            seen, todo = {c}, [c]
            while todo:
                for d in self.s_sub.get(todo.pop(), ()):
                    if d not in seen:
                        seen.add(d)
                        todo.append(d)
            hit = self._supers[c] = seen
        return hit

    def check(self, data: Graph) -> list[Result]:
        out: dict = {}
        types: dict = {}
        subjects_of: dict = {}
        for s, p, o in data:
            if p in _SCHEMA_PREDICATES:
                raise Unsupported(f"the data changes the class hierarchy ({p})")
            out.setdefault((s, p), []).append(o)
            subjects_of.setdefault(p, []).append(s)
            if p == RDF.type:
                types.setdefault(s, []).append(o)

        def values(s, p):
            return list(dict.fromkeys([*self.s_out.get((s, p), ()), *out.get((s, p), ())]))

        def types_of(v):
            return [*self.s_types.get(v, ()), *types.get(v, ())]

        def instance_of(v, c) -> bool:
            if isinstance(v, Literal):
                return False
            return any(c in self.supers(t) for t in types_of(v))

        instances: dict = {}
        for s, ts in types.items():
            for t in ts:
                instances.setdefault(t, []).append(s)

        used = set(self.s_instances) | set(instances)  # the classes anything is an instance of
        results: list[Result] = []
        sparql_store, back = None, {}
        for shape in self.nodes:
            focus: dict = {}
            for c in shape.target_classes:
                for t in {c} | {u for u in used if c in self.supers(u)}:
                    for s in (*self.s_instances.get(t, ()), *instances.get(t, ())):
                        focus[s] = None
            for p in shape.target_subjects_of:
                for s in (*self.s_subjects_of.get(p, ()), *subjects_of.get(p, ())):
                    focus[s] = None
            for f in focus:
                if shape.iri_only and not isinstance(f, URIRef):
                    results.append(Result(f, None, f, shape.node, "NodeKindConstraintComponent", shape.messages))
                if shape.values_in is not None and f not in shape.values_in:
                    results.append(Result(f, None, f, shape.node, "InConstraintComponent", shape.messages))
                for prop in shape.props:
                    results += _check_prop(prop, f, values(f, prop.path), instance_of, values)
                if shape.xone_classes is not None and sum(instance_of(f, c) for c in shape.xone_classes) != 1:
                    results.append(Result(f, None, f, shape.node, "XoneConstraintComponent", shape.messages))
                if shape.or_props is not None and not any(len(values(f, p)) >= n for p, n in shape.or_props):
                    results.append(Result(f, None, f, shape.node, "OrConstraintComponent", shape.messages))
                for query, messages in shape.sparql:
                    if sparql_store is None:
                        sparql_store = ox.Store()
                        sparql_store.extend(self.static_quads)
                        for t in data:
                            q = tuple(to_ox(x) for x in t)
                            back.update(zip(q, t))
                            sparql_store.add(ox.Quad(*q, ox.DefaultGraph()))
                    if isinstance(f, BNode):
                        raise Unsupported("a SPARQL constraint on a blank-node focus")
                    seen = set()  # a solution repeated (e.g. by two values of another property) is one problem, as in pySHACL
                    for row in sparql_store.query(query, substitutions={_VAR_THIS: to_ox(f)}):
                        if (key := tuple(row)) in seen:
                            continue
                        seen.add(key)
                        path, value = row["path"], row["value"]
                        value = f if value is None else back.get(value, from_ox(value))
                        results.append(Result(f, None if path is None else back.get(path, from_ox(path)), value,
                                              shape.node, "SPARQLConstraintComponent", messages))
        return results


def _check_prop(prop: _Prop, f, vals: list, instance_of, values) -> list[Result]:
    res = []

    def r(constraint, value=None):
        res.append(Result(f, prop.path, value, prop.node, constraint, prop.messages))

    for c in prop.classes:
        for v in vals:
            if not instance_of(v, c):
                r("ClassConstraintComponent", v)
    if prop.datatype is not None:
        for v in vals:
            if not _datatype_ok(v, prop.datatype):
                r("DatatypeConstraintComponent", v)
    if prop.node_kind is not None:
        for v in vals:
            if not isinstance(v, URIRef):
                r("NodeKindConstraintComponent", v)
    if prop.values_in is not None:
        for v in vals:
            if v not in prop.values_in:
                r("InConstraintComponent", v)
    if prop.or_classes is not None:
        for v in vals:
            if not any(instance_of(v, c) for c in prop.or_classes):
                r("OrConstraintComponent", v)
    for other in prop.disjoint:
        others = set(values(f, other))
        for v in vals:
            if v in others:
                r("DisjointConstraintComponent", v)
    if prop.min_count is not None and len(vals) < prop.min_count:
        r("MinCountConstraintComponent")
    if prop.max_count is not None and len(vals) > prop.max_count:
        r("MaxCountConstraintComponent")
    return res


_PY_TYPES = {XSD.string: (str, bytes), RDF.langString: (str, bytes), XSD.integer: int, XSD.float: float,
             XSD.decimal: Decimal, XSD.boolean: bool, XSD.date: date, XSD.time: time, XSD.dateTime: datetime}


def _datatype_ok(v, dtype) -> bool:
    """pySHACL's sh:datatype test (DatatypeConstraintComponent), case by case."""
    if not isinstance(v, Literal):
        return False
    if v.datatype == dtype:
        if getattr(v, "ill_typed", None) is True:
            return False
    elif dtype == RDFS.Literal or (dtype == RDFS.Datatype and v.datatype):
        return True
    elif not ((v.datatype is None and v.language is None and dtype == XSD.string)
              or (dtype == RDF.langString and v.language)):
        return False
    expected = _PY_TYPES.get(dtype)
    return True if expected is None else isinstance(v.value, expected)


_THIS = re.compile(r"\$this\b")
_VAR_THIS = ox.Variable("this")
