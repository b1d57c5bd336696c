"""OWL reasoning over one scenario: the ontology plus the facts give the classes and property values the
rules rely on (a social network is an Internet resource is a mass medium; a commenter; a foreign website).

Fast path: the Rust OWL 2 RL reasoner ``reasonable``, completed with the one OWL 2 RL rule it does not apply,
property chains (prp-spo2), evaluated here to a fixpoint. Reference: HermiT through owlready2
(``hermit_closure``). tests/test_reasoning_differential.py shows both give the same classes and property
values for every scenario in tests/ and for generated ones; the ontology stays in OWL 2 RL for that
(shapes/qc/rl-profile-violation.sparql guards it).
"""

from __future__ import annotations

import os
import tempfile
from functools import cache

import reasonable
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, XSD

from . import literals_as_written
from .knowledge import index_labels, label_table, ontology_graph


@cache
def _property_chains() -> tuple[tuple[URIRef, tuple[URIRef, ...]], ...]:
    onto = ontology_graph()
    chains = []
    for prop, head in onto.subject_objects(OWL.propertyChainAxiom):
        chains.append((prop, tuple(Collection(onto, head))))
    return tuple(chains)


_LOGICAL = (str(OWL), str(RDF), str(RDFS))


@cache
def _static() -> tuple[Graph, frozenset, tuple]:
    """What depends only on the ontology, computed once: its own RL closure S (as a Graph and as a set),
    and the reasoner's input for a scenario — the ontology without the literal-valued annotations of
    named nodes (labels, definitions, quotes...), which no OWL 2 RL rule joins on (their predicates have
    no domain, range, characteristic, restriction, chain or key). Their consequences are in S, which
    every closure includes."""
    onto = ontology_graph()
    closure = _closure_of(list(onto))
    used = set()
    for s, p, o in closure:
        if p == RDF.type and o not in _CHARACTERISTICS:
            continue
        if str(p).startswith(_LOGICAL):
            used.add(s)
            used.add(o)
    keep = tuple(t for t in onto if not (isinstance(t[2], Literal) and not isinstance(t[0], BNode)
                                         and t[1] not in used and not str(t[1]).startswith(_LOGICAL)))
    static = plain_graph()
    static.addN((s, p, o, static) for s, p, o in closure)
    return static, frozenset(closure), keep


_CHARACTERISTICS = {OWL.FunctionalProperty, OWL.InverseFunctionalProperty, OWL.TransitiveProperty,
                    OWL.SymmetricProperty, OWL.AsymmetricProperty, OWL.IrreflexiveProperty,
                    OWL.ReflexiveProperty}


def _chains_on(triples: set) -> bool:
    """prp-spo2 on a set of triples, to a fixpoint; True if anything was added."""
    chains = _property_chains()
    if not chains:
        return False
    by_p: dict = {}
    for s, p, o in triples:
        by_p.setdefault(p, {}).setdefault(s, []).append(o)
    added = False
    changed = True
    while changed:
        changed = False
        for prop, steps in chains:
            frontier = {(x, x) for x in by_p.get(steps[0], {})}
            for step in steps:
                idx = by_p.get(step, {})
                frontier = {(start, o) for start, node in frontier for o in idx.get(node, ())}
            for x, z in frontier:
                t = (x, prop, z)
                if t not in triples:
                    triples.add(t)
                    by_p.setdefault(prop, {}).setdefault(x, []).append(z)
                    changed = added = True
    return added


def _closure_of(triples: list) -> set:
    while True:
        r = reasonable.PyReasoner()
        r.from_graph(triples)
        closure = set(r.reason())
        if not _chains_on(closure):
            return closure
        triples = list(closure)  # a chain added a fact: let the RL rules see it (domains, ranges, inverses)


def plain_graph() -> Graph:
    """A graph on rdflib's SimpleMemory store: no named-graph bookkeeping, about twice as fast to fill
    and to look up as the default Memory store. For the per-scenario working graphs."""
    return Graph(store="SimpleMemory")


class Closure(Graph):
    """The closure of ontology + facts as one graph: the ontology's own closure (``static``, shared and
    computed once — never modified) and what the facts add (``delta``; additions go there)."""

    def __init__(self, static: Graph, delta: Graph):
        super().__init__()
        self.static = static
        self.delta = delta
        self._delta_labels: dict | None = None

    def labels_of(self, node) -> dict:
        """{language: label} of ``node`` (the static part's labels are indexed once per process)."""
        if self._delta_labels is None:
            self._delta_labels = index_labels(self.delta)
        fixed = label_table(self.static).get(node)
        mine = self._delta_labels.get(node)
        if fixed and mine:
            return {**mine, **fixed}  # the static triples come first, as in iteration order
        return fixed or mine or {}

    # delta and static are kept disjoint, so a triple is never given twice

    def triples(self, triple):
        yield from self.static.triples(triple)
        yield from self.delta.triples(triple)

    def __contains__(self, triple) -> bool:
        return triple in self.static or triple in self.delta

    def __len__(self) -> int:
        return len(self.static) + len(self.delta)

    def add(self, triple):
        self._delta_labels = None
        if triple not in self.static:
            self.delta.add(triple)
        return self

    def addN(self, quads):
        self._delta_labels = None
        self.delta.addN((s, p, o, self.delta) for s, p, o, _g in quads if (s, p, o) not in self.static)
        return self

    def remove(self, triple):
        raise TypeError("a Closure is read-only")


def rl_closure_reference(facts: Graph) -> Graph:
    """The OWL 2 RL closure of ontology + facts by ``reasonable`` (re-deriving the ontology every call):
    the reference the compiled path is tested against, and its fallback."""
    literals_as_written()  # reasonable's answer becomes rdflib terms under rdflib's global setting
    static, static_set, keep = _static()
    closure = _closure_of([*keep, *facts])
    delta = plain_graph()
    delta.addN((s, p, o, delta) for s, p, o in closure if (s, p, o) not in static_set)
    return Closure(static, delta)


def rl_closure(facts: Graph) -> Graph:
    """The OWL 2 RL closure of ontology + facts (includes the ontology's own triples).

    The ontology is fixed, so its RL rules are compiled once (``_Compiled``) into lookup tables, and a
    scenario's facts are closed under them alone. Facts that speak about the schema itself, or that need
    equality reasoning, go to ``reasonable`` (``rl_closure_reference``) instead."""
    compiled = _compiled()
    if compiled is not None:
        try:
            delta = compiled.derive(facts)
        except _Unsupported:
            pass
        else:
            g = plain_graph()  # inverse-property expressions (blank-node predicates) were only a means
            g.addN((s, p, o, g) for s, p, o in delta if not isinstance(p, BNode))
            return Closure(_static()[0], g)
    return rl_closure_reference(facts)


# --------------------------------------------------------------------------------------------------
# The ontology's OWL 2 RL rules compiled into tables (instance-level rules only: the TBox is closed once)


_TYPE, _THING = RDF.type, OWL.Thing  # module constants: the hot loops avoid namespace look-ups


class _Unsupported(Exception):
    """Input or ontology outside what the compiled rules cover: use the reference reasoner."""


_OWL_NS, _RDFS_NS = str(OWL), str(RDFS)
# Ontology constructs the compiled rules do not implement; with any of them the reference path is used.
_UNCOMPILED = {OWL.hasValue, OWL.allValuesFrom, OWL.unionOf, OWL.complementOf, OWL.oneOf, OWL.hasKey,
               OWL.maxCardinality, OWL.maxQualifiedCardinality, OWL.propertyDisjointWith,
               OWL.sameAs, OWL.differentFrom, OWL.AllDifferent, OWL.AllDisjointClasses,
               OWL.AllDisjointProperties, OWL.onClass, OWL.cardinality, OWL.minCardinality}
_UNCOMPILED_TYPES = {OWL.TransitiveProperty, OWL.InverseFunctionalProperty, OWL.AsymmetricProperty,
                     OWL.IrreflexiveProperty, OWL.ReflexiveProperty}
# Facts may use these from the logical vocabularies; any other owl:/rdfs: predicate, or a type from
# those namespaces, makes the facts part of the schema and sends them to the reference reasoner.
_FACT_PREDICATES_OK = {RDFS.label, RDFS.comment, RDFS.seeAlso, RDFS.isDefinedBy}
_FACT_TYPES_OK = {OWL.Thing, OWL.NamedIndividual}


def _closed(direct: dict) -> dict:
    out = {}
    for start in direct:
        seen, todo = set(), [start]
        while todo:
            for nxt in direct.get(todo.pop(), ()):
                if nxt not in seen and nxt != start:
                    seen.add(nxt)
                    todo.append(nxt)
        out[start] = frozenset(seen)
    return out


class _Compiled:
    """OWL 2 RL's instance rules (cax-sco, cax-eqc, cls-int1/2, cls-svf1/2, prp-dom, prp-rng, prp-spo1,
    prp-spo2, prp-eqp, prp-inv, prp-symp, prp-fp as a check) specialised to the ontology's closure S:
    each rule becomes a table keyed by class or property. ``derive`` runs them semi-naively over the
    facts plus S's own individuals and returns what is not already in S."""

    def __init__(self, static: frozenset):
        for s, p, o in static:
            if p in _UNCOMPILED or (p == RDF.type and o in _UNCOMPILED_TYPES):
                raise _Unsupported(f"the ontology uses {p} {o}")
        self.static = static
        sub, props, inv = {}, {}, {}
        self.dom, self.rng, self.svf_by_prop, self.svf_by_class = {}, {}, {}, {}
        self.int_of, self.int_by_member, self.sym, self.func, self.disjoint = {}, {}, set(), set(), {}
        restriction_prop, restriction_class = {}, {}
        self.types, self.out, self.inn = {}, {}, {}
        for s, p, o in static:
            if p == RDFS.subClassOf:
                sub.setdefault(s, set()).add(o)
            elif p == OWL.equivalentClass:
                sub.setdefault(s, set()).add(o)
                sub.setdefault(o, set()).add(s)
            elif p == RDFS.subPropertyOf:
                props.setdefault(s, set()).add(o)
            elif p == OWL.equivalentProperty:
                props.setdefault(s, set()).add(o)
                props.setdefault(o, set()).add(s)
            elif p == RDFS.domain:
                self.dom.setdefault(s, set()).add(o)
            elif p == RDFS.range:
                self.rng.setdefault(s, set()).add(o)
            elif p == OWL.inverseOf:
                inv.setdefault(s, set()).add(o)
                inv.setdefault(o, set()).add(s)
            elif p == OWL.onProperty:
                restriction_prop[s] = o
            elif p == OWL.someValuesFrom:
                restriction_class[s] = o
            elif p == OWL.intersectionOf:
                members = _rdf_list(static, o)
                self.int_of[s] = members
                for m in members:
                    self.int_by_member.setdefault(m, []).append(s)
            elif p == OWL.disjointWith:
                self.disjoint.setdefault(s, set()).add(o)
                self.disjoint.setdefault(o, set()).add(s)
            elif p == RDF.type and o == OWL.SymmetricProperty:
                self.sym.add(s)
            elif p == RDF.type and o == OWL.FunctionalProperty:
                self.func.add(s)
            # S's own individuals, for joins with the facts
            if p == RDF.type:
                self.types.setdefault(s, set()).add(o)
            else:
                self.out.setdefault((s, p), set()).add(o)
                self.inn.setdefault((p, o), set()).add(s)
        self.sup = _closed(sub)
        self.superprops = _closed(props)
        self.inv = {p: frozenset(q) for p, q in inv.items()}
        for r, p in restriction_prop.items():
            d = restriction_class.get(r)
            if d is None:
                continue  # a restriction of another kind: guarded above
            self.svf_by_prop.setdefault(p, []).append((r, d))
            self.svf_by_class.setdefault(d, []).append((r, p))
        self.chains = _property_chains()
        self.chain_steps = {}
        for prop, steps in self.chains:
            for i, step in enumerate(steps):
                self.chain_steps.setdefault(step, []).append((prop, steps, i))

    def derive(self, facts) -> set:
        static = self.static
        new: set = set()
        types: dict = {}
        out: dict = {}
        inn: dict = {}
        agenda: list = []
        s_types, s_out, s_inn = self.types, self.out, self.inn

        def add(t):
            if t in new or t in static:
                return
            new.add(t)
            s, p, o = t
            if p == _TYPE:
                types.setdefault(s, set()).add(o)
            else:
                out.setdefault((s, p), set()).add(o)
                inn.setdefault((p, o), set()).add(s)
            agenda.append(t)

        def types_of(x):
            return types.get(x, set()) | s_types.get(x, set())

        def objects(s, p):
            return out.get((s, p), set()) | s_out.get((s, p), set())

        def subjects(p, o):
            return inn.get((p, o), set()) | s_inn.get((p, o), set())

        for s, p, o in facts:
            if isinstance(s, Literal):
                raise _Unsupported("a literal subject")
            if p == _TYPE:
                if str(o).startswith((_OWL_NS, _RDFS_NS)) and o not in _FACT_TYPES_OK:
                    raise _Unsupported(f"the facts give a schema type {o}")
            elif str(p).startswith((_OWL_NS, _RDFS_NS)) and p not in _FACT_PREDICATES_OK:
                raise _Unsupported(f"the facts use {p}")
            add((s, p, o))

        while agenda:
            s, p, o = agenda.pop()
            if p == _TYPE:
                for d in self.sup.get(o, ()):
                    add((s, _TYPE, d))
                for m in self.int_of.get(o, ()):
                    add((s, _TYPE, m))
                if o in self.int_by_member:
                    mine = types_of(s)
                    for i in self.int_by_member[o]:
                        if all(m in mine for m in self.int_of[i]):
                            add((s, _TYPE, i))
                for r, prop in self.svf_by_class.get(o, ()):
                    for w in subjects(prop, s):
                        add((w, _TYPE, r))
                continue
            for q in self.superprops.get(p, ()):
                add((s, q, o))
            for d in self.dom.get(p, ()):
                add((s, _TYPE, d))
            literal = isinstance(o, Literal)
            if not literal:
                for r in self.rng.get(p, ()):
                    add((o, _TYPE, r))
                for q in self.inv.get(p, ()):
                    add((o, q, s))
                if p in self.sym:
                    add((o, p, s))
            for r, d in self.svf_by_prop.get(p, ()):
                if d == _THING or (not literal and d in types_of(o)):
                    add((s, _TYPE, r))
            if p in self.func and len(objects(s, p)) > 1:
                raise _Unsupported(f"two values of the functional property {p}: equality reasoning")
            for prop, steps, i in self.chain_steps.get(p, ()):
                left = {s}
                for step in reversed(steps[:i]):
                    left = {w for x in left for w in subjects(step, x)}
                right = {o}
                for step in steps[i + 1:]:
                    right = {z for x in right for z in objects(x, step)}
                for x in left:
                    for z in right:
                        add((x, prop, z))

        for s, cs in types.items():  # cax-dw: an inconsistency is for the reference reasoner to report
            every = cs | s_types.get(s, set())
            for c in every:
                if self.disjoint.get(c, set()) & every:
                    raise _Unsupported(f"{s} is in two disjoint classes")
        return new


def _rdf_list(triples, head) -> tuple:
    first = {s: o for s, p, o in triples if p == RDF.first}
    rest = {s: o for s, p, o in triples if p == RDF.rest}
    items = []
    while head in first:
        items.append(first[head])
        head = rest.get(head)
    return tuple(items)


@cache
def _compiled() -> _Compiled | None:
    try:
        return _Compiled(_static()[1])
    except _Unsupported:
        return None


def named_superclasses(*graphs: Graph) -> dict:
    """Each named class's transitive named superclasses, from the rdfs:subClassOf and owl:equivalentClass
    triples of the given graphs. HermiT (through owlready2) writes back only each individual's most
    specific classes plus the class hierarchy it inferred; closing types under this map gives every
    class membership, comparable with an RL closure."""
    direct: dict = {}
    for g in graphs:
        for s, o in g.subject_objects(RDFS.subClassOf):
            if isinstance(s, URIRef) and isinstance(o, URIRef):
                direct.setdefault(s, set()).add(o)
        for s, o in g.subject_objects(OWL.equivalentClass):
            if isinstance(s, URIRef) and isinstance(o, URIRef):
                direct.setdefault(s, set()).add(o)
                direct.setdefault(o, set()).add(s)
    sup: dict = {}
    for c in direct:
        seen, todo = set(), [c]
        while todo:
            for parent in direct.get(todo.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        sup[c] = seen
    return sup


def for_hermit(g: Graph) -> Graph:
    """HermiT accepts only the OWL 2 datatype map, which has xsd:dateTime but not xsd:date: dates are
    handed to it as midnight date-times. No class or property inference depends on a date."""
    out = Graph()
    for s, p, o in g:
        if isinstance(o, Literal) and o.datatype == XSD.date:
            o = Literal(f"{o}T00:00:00", datatype=XSD.dateTime)
        elif o == XSD.date:
            o = XSD.dateTime
        out.add((s, p, o))
    return out


def hermit_closure(facts: Graph) -> Graph:
    """Reference reasoning with HermiT (owlready2; needs Java). Returns asserted + inferred triples."""
    import owlready2

    merged = Graph()
    merged += ontology_graph()
    merged += facts
    merged = for_hermit(merged)
    world = owlready2.World()
    fd, path = tempfile.mkstemp(suffix=".nt")
    os.close(fd)
    try:
        merged.serialize(path, format="nt", encoding="utf-8")
        onto = world.get_ontology("file://" + path).load(format="ntriples")
        with onto:
            owlready2.sync_reasoner_hermit(world, infer_property_values=True, debug=0)
        out = world.as_rdflib_graph()
        result = Graph()
        for s, p, o in out:
            result.add((s, p, o))
        return result
    finally:
        os.unlink(path)


def scenario_inferences(closure: Graph, facts: Graph, base: str) -> Graph:
    """The inferred triples about the scenario's own nodes, without blank-node classes or owl:Thing:
    what is worth storing beside the facts."""
    out = plain_graph()
    # the ontology's own closure says nothing about the scenario's nodes: only what the facts added
    for s, p, o in (closure.delta if isinstance(closure, Closure) else closure):
        if not str(s).startswith(base) or (s, p, o) in facts:
            continue
        if isinstance(o, BNode) or o == OWL.Thing or o == OWL.NamedIndividual:
            continue
        if p == RDF.type or str(p).startswith("https://w3id.org/kzlaw/ontology#"):
            out.add((s, p, o))
    return out
