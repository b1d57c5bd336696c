"""Assess one scenario under one or more regimes: validate → reason → rules → findings with proofs.

The rules are the SHACL-AF files of ``shapes/rules/``. Two executors run the same rule text:
``oxigraph`` (default; the CONSTRUCTs run in an in-memory Oxigraph store with ``$this`` substituted by the
regime, SEP-0007) and ``pyshacl`` (the reference: ``pyshacl.shacl_rules`` on the same data graph).
Both apply the rules of a regime in ``sh:order``, each rule's results visible to the next, repeating until
nothing new is drawn — pySHACL's iterate_rules semantics. tests/test_engine_differential.py checks that
both give the same findings.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from dataclasses import dataclass, field
from functools import cache, lru_cache

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, XSD

from .errors import InputError
from .explain import render_explanations
from .knowledge import ontology_graph, shapes_for_pyshacl
from .namespaces import KZ, SH
from .reason import Closure, plain_graph, rl_closure
from .rules import Regime, Rule, all_rules, resolve_regimes, rule_metadata_graph, rules_version

# Finding properties that point at other nodes and are kept as lists in the JSON model.
_MULTI = {KZ.obstacle: "obstacles", KZ.sanction: "sanctions", KZ.legalBasis: "legal_basis",
          KZ.passage: "passages", KZ.fromSource: "sources", KZ.notice: "notices", KZ.forCategory: "categories"}
_SINGLE = {KZ.subject: "subject", KZ.conclusion: "conclusion", KZ.concerns: "concerns",
           KZ.aboutResource: "resource", KZ.basis: "basis", KZ.liabilityKind: "kind",
           KZ.onRefusal: "on_refusal", KZ.regarding: "regarding", KZ.byRule: "rule", KZ.regime: "regime"}


@dataclass
class Finding:
    iri: str
    regime: str
    rule: str
    rule_id: str
    subject: str
    conclusion: str
    concerns: str | None = None
    resource: str | None = None
    basis: str | None = None
    kind: str | None = None
    on_refusal: str | None = None
    regarding: str | None = None
    obstacles: list[str] = field(default_factory=list)
    sanctions: list[str] = field(default_factory=list)
    legal_basis: list[str] = field(default_factory=list)
    passages: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)
    premises: list[str] = field(default_factory=list)  # earlier findings this one rests on
    explanation: dict[str, str] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)  # kz:Notice IRIs: facts from beyond the sources that bear on it
    categories: list[str] = field(default_factory=list)  # kz:forCategory: the content categories it rests on

    def key(self) -> tuple:
        """What a finding is about and concludes, independent of IRIs and wording (for comparisons)."""
        return (self.regime, self.subject, self.conclusion, self.concerns or "", self.basis or "",
                tuple(sorted(self.obstacles)))


class Assessment:
    """The findings of one scenario. ``graph`` (the findings as RDF, what the store keeps) is built on
    first use from ``triples``: a caller that only wants the JSON never pays for an rdflib graph."""

    def __init__(self, scenario: str, regimes: list[str], as_of: str | None, rules_version: str,
                 findings: list[Finding], facts: Graph, inferred: Graph, graph: Graph | None = None,
                 triples: list | None = None):
        self.scenario = scenario
        self.regimes = regimes
        self.as_of = as_of
        self.rules_version = rules_version
        self.findings = findings
        self.facts = facts  # the scenario's facts (with the scenario node)
        self.inferred = inferred  # the OWL closure used (ontology + facts + inferences)
        self._graph = graph
        self._ox = triples or []  # the findings' triples as Oxigraph terms

    @property
    def graph(self) -> Graph:
        if self._graph is None:
            g = plain_graph()
            g.addN((_from_ox(s), _from_ox(p), _from_ox(o), g) for s, p, o in self._ox)
            self._graph = g
        return self._graph

    def by_regime(self, regime: str) -> list[Finding]:
        return [f for f in self.findings if f.regime == regime]

    def triples_by_regime(self) -> dict[str, list]:
        """The findings' triples (rdflib terms) per regime id (every chosen regime present)."""
        return {rid: [(_from_ox(s), _from_ox(p), _from_ox(o)) for s, p, o in ts]
                for rid, ts in self.ox_triples_by_regime().items()}

    def ox_triples_by_regime(self) -> dict[str, list]:
        """The findings' triples as Oxigraph terms per regime id (every chosen regime present)."""
        if self._graph is not None and not self._ox:
            self._ox = [(_to_ox(s), _to_ox(p), _to_ox(o)) for s, p, o in self._graph]
        regime_of = {f.iri: f.regime for f in self.findings}
        out: dict[str, list] = {r: [] for r in self.regimes}
        for t in self._ox:
            rid = regime_of.get(t[0].value)
            if rid is not None:
                out.setdefault(rid, []).append(t)
        return out


# --------------------------------------------------------------------------------------------------
# rdflib ↔ Oxigraph terms


def _to_ox(term):
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if term.language:
        return ox.Literal(str(term), language=term.language)
    if term.datatype:
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    return ox.Literal(str(term))


def _from_ox(term):
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    dt_ = term.datatype.value if term.datatype else None
    if dt_ == str(XSD.string):
        dt_ = None
    return Literal(term.value, datatype=URIRef(dt_) if dt_ else None, normalize=False)


# --------------------------------------------------------------------------------------------------
# Executors


@cache
def _bound_rule_text(rule_text: str, regime_iri: str) -> str:
    """The rule's CONSTRUCT with $this bound to the regime. Oxigraph's query substitutions only bind
    projected variables, which a CONSTRUCT has none of; the rule texts are our own, so binding them in
    the text (as pySHACL's pre-binding does in effect) is exact."""
    return _THIS.sub(f"<{regime_iri}>", rule_text)


_THIS = re.compile(r"\$this\b")


def _run_oxigraph(quads, regimes: list[Regime]) -> list:
    """The rules over ``quads`` (the rule data, default graph) in an in-memory Oxigraph store, each
    regime to its fixpoint. Returns the findings' triples as Oxigraph terms."""
    store = ox.Store()
    store.extend(quads)

    def apply(rule: Rule, regime: Regime) -> None:
        produced = list(store.query(_bound_rule_text(rule.construct, str(regime.iri))))
        if produced:
            store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in produced)

    _fixpoint(store, regimes, apply)
    return _finding_triples(store, ox.DefaultGraph())


def _fixpoint(store: ox.Store, regimes: list[Regime], apply) -> None:
    """Each regime's rules in sh:order, repeated until a pass adds nothing to ``store`` (pySHACL's
    iterate semantics), leaving out the runs that cannot add anything: a rule runs again only once a
    rule that ran after it has added findings it can read (``rule_conclusions``: by their conclusions).
    Rules add findings, never facts, so a rule that reads only facts runs once; with the rules in an
    order where every finding is read only by later rules, one pass is all (the pass that would find
    nothing new is not run). Every run left out would have drawn nothing new, so the findings are those
    of running every rule in every pass (tests/test_engine_differential.py, against pySHACL)."""
    for regime in regimes:
        plan = _schedule(regime)
        due = set(range(len(plan.rules)))
        while due:
            for i, rule in enumerate(plan.rules):
                if i not in due:
                    continue
                due.discard(i)
                # only an addition that some rule not due (already run, or left out this pass) reads counts
                watch = [j for j in plan.feeds[i] if j not in due]
                before = len(store) if watch else 0
                apply(rule, regime)
                if watch and len(store) != before:
                    due.update(watch)


_TYPE_OX, _FINDING_OX = ox.NamedNode(str(RDF.type)), ox.NamedNode(str(KZ.Finding))


def _finding_triples(store: ox.Store, graph) -> list:
    findings = {q.subject for q in store.quads_for_pattern(None, _TYPE_OX, _FINDING_OX, graph)}
    return [(q.subject, q.predicate, q.object) for f in findings
            for q in store.quads_for_pattern(f, None, None, graph)]


def _run_pyshacl(data: Graph, regimes: list[Regime]) -> list:
    from . import pyshacl_entrypoints

    shacl_rules = pyshacl_entrypoints().shacl_rules

    shapes = shapes_for_pyshacl("rules")
    wanted = {r.iri for r in regimes}
    use = [s for s in shapes.subjects(SH.targetNode, None) if shapes.value(s, SH.targetNode) in wanted]
    work = Graph()
    work += data
    result = shacl_rules(work, shacl_graph=shapes, use_shapes=use, advanced=True, iterate_rules=True,
                         inplace=True)
    return [(_to_ox(f), _to_ox(p), _to_ox(o)) for f in result.subjects(RDF.type, KZ.Finding)
            for p, o in result.predicate_objects(f)]


EXECUTORS = ("oxigraph", "pyshacl")


# --------------------------------------------------------------------------------------------------


def _scenario_node(facts: Graph, scenario_iri: str) -> URIRef:
    nodes = set(facts.subjects(RDF.type, KZ.Scenario))
    if len(nodes) > 1:
        raise InputError("a scenario document must describe exactly one kz:Scenario node; found "
                         f"{len(nodes)}: {', '.join(sorted(map(str, nodes)))}", kind="meaning")
    if nodes:
        return nodes.pop()
    node = URIRef(scenario_iri)
    facts.add((node, RDF.type, KZ.Scenario))
    return node


def _parse_date(as_of: str | dt.date | None) -> Literal | None:
    if as_of is None:
        return None
    try:
        value = as_of if isinstance(as_of, dt.date) else dt.date.fromisoformat(str(as_of))
    except ValueError:
        raise InputError(f"as-of date {as_of!r} is not a date (YYYY-MM-DD)", kind="parameter") from None
    return Literal(value.isoformat(), datatype=XSD.date)


_KZ_NS = str(KZ)
_SCHEMA_NS = ("http://www.w3.org/2002/07/owl#", "http://www.w3.org/2000/01/rdf-schema#")


def _wanted(s, p, o) -> bool:
    if isinstance(s, BNode) or isinstance(o, BNode):
        return False
    if p == RDF.type:
        return not str(o).startswith(_SCHEMA_NS)
    return str(p).startswith(_KZ_NS)


def rule_data(closure: Graph) -> Graph:
    """What the rules read: class memberships and kz: facts of named nodes, plus the rule metadata.
    The rules mention no other predicate, so leaving out the ontology's axioms, labels and definitions
    changes no finding and makes every rule query cheaper."""
    data = Graph()
    data.addN((s, p, o, data) for s, p, o in closure if _wanted(s, p, o))
    data += rule_metadata_graph()
    return data


_PARSING = threading.Lock()


def _rule_predicates() -> frozenset[str] | None:
    """The predicates the shipped rules can match (see ``predicates_read``), worked out once. Under a
    lock: rdflib's SPARQL parser (pyparsing) fails when two threads parse at once, as the service's
    request threads would on their first assessments."""
    with _PARSING:
        return _rule_predicates_once()


@cache
def _rule_predicates_once() -> frozenset[str] | None:
    return predicates_read(_bound_rule_text(r.construct, "urn:kzlaw:regime") for r in all_rules().values())


_WRAPPERS = frozenset({"ConditionalOrExpression", "ConditionalAndExpression", "RelationalExpression",
                       "AdditiveExpression", "MultiplicativeExpression", "UnaryExpression"})
_NESTED = frozenset({"Builtin_EXISTS", "Builtin_NOTEXISTS", "SubSelect"})  # a scope of its own


def _unwrap(e):
    """An expression without the parser's one-operand wrappers (``?v`` for ``OrExpr(AndExpr(…(?v)))``)."""
    from rdflib.plugins.sparql.parserutils import CompValue

    while isinstance(e, CompValue) and e.name in _WRAPPERS and "other" not in e and "op" not in e:
        e = e["expr"]
    return e


def _pname_iri(x, prefixes: dict) -> str | None:
    """A prefixed name's IRI; None for an undeclared prefix, or a local name with an escape (rdflib and
    Oxigraph read those apart). CompValue.get(k, d) takes d as a flag, not a default (a missing key reads
    as k): hence ``in``."""
    local = x["localname"] if "localname" in x else ""  # noqa: SIM401
    ns = prefixes.get(x["prefix"] if "prefix" in x else "")  # noqa: SIM401
    return None if ns is None or "\\" in local else ns + local


def predicates_read(rule_texts) -> frozenset[str] | None:
    """The predicates SPARQL CONSTRUCT rules can match: every IRI their WHERE clauses (and trailing VALUES)
    mention. None — nothing can be left out — where that cannot be sure: a predicate variable that is not
    bound by a BIND of the same rule's top level choosing among IRIs (as A5's ``BIND (IF(…,
    kz:criminalisesHosting, kz:criminalises) AS ?crime)``), a negated property path, a BASE or relative IRI,
    a prefixed name with an escape or an undeclared prefix.

    Read from the parse tree, not the algebra: rdflib's algebra leaves a group nested in an expression
    (``BIND (EXISTS { … FILTER NOT EXISTS { ?c kz:doesNotForbid ?x } })``) untranslated, with its inner
    FILTER out of sight, so a walk over it missed kz:doesNotForbid and A7 was judged without it."""
    from rdflib.plugins.sparql.parser import parseQuery
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.term import Variable

    iris: set[str] = set()

    def iri_choice(e) -> bool:
        """The expression's value is one of the IRIs it names (an IRI, or IF(…, choice, choice))."""
        e = _unwrap(e)
        if isinstance(e, URIRef) or (isinstance(e, CompValue) and e.name == "pname"):
            return True
        return isinstance(e, CompValue) and e.name == "Builtin_IF" and iri_choice(e["arg2"]) and iri_choice(e["arg3"])

    def check_rule(query, prefixes: dict) -> bool:
        predicate_vars, data_vars, bound_vars = set(), set(), set()

        def walk(x, nested: bool) -> bool:
            if isinstance(x, URIRef):
                if not str(x).startswith(("http://", "https://", "urn:")):
                    return False  # relative: resolved against a base kzlaw does not follow
                iris.add(str(x))
            elif isinstance(x, CompValue):
                if x.name in ("PathNegatedPropertySet", "Base"):
                    return False
                if x.name == "pname":
                    iri = _pname_iri(x, prefixes)
                    if iri is None:
                        return False
                    iris.add(iri)
                    return True
                if x.name == "TriplesBlock":
                    for row in x["triples"]:
                        if len(row) % 3:
                            return False
                        for i, term in enumerate(row):
                            if isinstance(term, Variable):
                                (predicate_vars if i % 3 == 1 else data_vars).add(term)
                elif x.name == "Bind":
                    (bound_vars if not nested and iri_choice(x["expr"]) else data_vars).add(x["var"])
                elif x.name == "InlineData":
                    data_vars.update(x["var"])
                inner = nested or x.name in _NESTED
                return all(walk(v, inner) for k, v in x.items() if not (x.name == "Bind" and k == "var"))
            elif isinstance(x, dict):
                return all(walk(v, nested) for v in x.values())
            elif isinstance(x, (list, tuple, set, frozenset)) or type(x).__name__ == "ParseResults":
                return all(walk(v, nested) for v in x)
            return True

        parts = [v for k, v in query.items() if k != "template"]
        return walk(parts, False) and not (predicate_vars & data_vars or predicate_vars - bound_vars)

    for text in rule_texts:
        prologue, query = parseQuery(text)
        if any(d.name != "PrefixDecl" for d in prologue):
            return None  # BASE
        prefixes = {(d["prefix"] if "prefix" in d else ""): str(d["iri"]) for d in prologue}  # noqa: SIM401
        if any(not ns.startswith(("http://", "https://", "urn:")) for ns in prefixes.values()):
            return None
        if not check_rule(query, prefixes):
            return None
    return frozenset(iris | {str(RDF.type)})


def rule_conclusions(rule_text: str) -> tuple[frozenset[str] | None, frozenset[str] | None]:
    """(the conclusions of the findings a rule's WHERE can read, the conclusions of the findings its
    template makes); None: any, as far as can be told.

    By the rule files' convention a rule reads a finding only through a variable it types kz:Finding,
    and each such variable has, in the same group, a kz:conclusion that is an
    IRI or a variable a FILTER of that group restricts to IRIs (``FILTER (?lc IN (kz:Liable,
    kz:SharesResponsibility))``); a typed variable without one reads any finding.
    tests/test_engine_differential.py checks the convention on the rule files (every finding property
    a WHERE names is read on such a variable) and that the schedule these sets give draws the findings of
    the pySHACL reference, which runs every rule in every pass."""
    from rdflib.plugins.sparql.parser import parseQuery
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.term import Variable

    prologue, query = parseQuery(rule_text)
    prefixes = {(d["prefix"] if "prefix" in d else ""): str(d["iri"]) for d in prologue if d.name == "PrefixDecl"}  # noqa: SIM401
    conclusion, rdf_type, finding = str(KZ.conclusion), str(RDF.type), str(KZ.Finding)

    def term(x):
        """An IRI as a str (``type(x) is str``: rdflib's Variable is a str too), a variable as is, a plain
        predicate path as its IRI; else None."""
        while isinstance(x, CompValue) and x.name in ("PathAlternative", "PathSequence", "PathElt"):
            if x.name != "PathElt" and len(x["part"]) != 1 or x.name == "PathElt" and "mod" in x:
                return None
            x = x["part"][0] if x.name != "PathElt" else x["part"]
        if isinstance(x, CompValue) and x.name == "pname":
            return _pname_iri(x, prefixes)
        if isinstance(x, URIRef):
            return str(x)
        return x if isinstance(x, Variable) else None

    def restriction(e) -> tuple | None:
        """(variable, IRIs) for FILTER (?v IN (iri, …)) or FILTER (?v = iri); else None."""
        e = _unwrap(e)
        if not (isinstance(e, CompValue) and e.name == "RelationalExpression" and e.get("op") in ("IN", "=")):
            return None
        var, others = term(_unwrap(e["expr"])), e["other"]
        values = [term(_unwrap(o)) for o in (others if e["op"] == "IN" else [others])]
        if isinstance(var, Variable) and values and all(type(v) is str for v in values):
            return var, values
        return None

    def rows(triples_rows) -> list[tuple]:
        return [(row[i], term(row[i + 1]), term(row[i + 2])) for row in triples_rows for i in range(0, len(row) - 2, 3)]

    def conclusions_of(triples: list[tuple], restricted: dict) -> frozenset[str] | None:
        typed = {s for s, p, o in triples if p == rdf_type and o == finding}
        by_subject: dict = {}
        for s, p, o in triples:
            if type(p) is not str and s in typed:
                return None  # a path or a variable predicate on a finding: it may read its conclusion
            if p == conclusion:
                values = [o] if type(o) is str else restricted.get(o)
                if values is None:
                    return None
                by_subject.setdefault(s, set()).update(values)
        if typed - set(by_subject):
            return None
        return frozenset().union(*by_subject.values()) if by_subject else frozenset()

    read: set[str] = set()

    def walk(x) -> bool:
        """Every group's conclusions into ``read``; False if one reads any finding."""
        if isinstance(x, CompValue):
            if x.name == "GroupGraphPatternSub":
                parts = x.get("part") or []
                triples = rows(r for p in parts if isinstance(p, CompValue) and p.name == "TriplesBlock"
                               for r in p["triples"])
                restricted: dict = {}
                for p in parts:
                    if isinstance(p, CompValue) and p.name == "Filter" and (got := restriction(p["expr"])):
                        restricted.setdefault(got[0], []).extend(got[1])
                found = conclusions_of(triples, restricted)
                if found is None:
                    return False
                read.update(found)
            return all(walk(v) for v in x.values())
        if isinstance(x, dict):
            return all(walk(v) for v in x.values())
        if isinstance(x, (list, tuple)) or type(x).__name__ == "ParseResults":
            return all(walk(v) for v in x)
        return True

    reads = frozenset(read) if walk([v for k, v in query.items() if k != "template"]) else None
    template = rows(query["template"])
    made = {s: {o for _s, p, o in template if _s == s and p == conclusion} for s, _p, _o in template}
    produces = None if any(len(v) != 1 or not all(type(o) is str for o in v) for v in made.values()) \
        else frozenset(o for v in made.values() for o in v)
    return reads, produces


@dataclass(frozen=True)
class _Schedule:
    """A regime's rules with, for each, the rules its findings can feed (any position, itself included)."""
    rules: tuple
    feeds: tuple  # feeds[i]: indices of the rules that read what rules[i] makes


_SCHEDULES: dict = {}


def _schedule(regime: Regime) -> _Schedule:
    key = tuple((r.iri, r.construct) for r in regime.rules)  # the text too: a rule redefined
    got = _SCHEDULES.get(key)
    if got is None:
        rules = tuple(regime.rules)
        analysed = [rule_conclusions(r.construct) for r in rules]  # (reads, makes), once a rule
        reads = [a[0] for a in analysed]  # frozenset(): a rule that reads only facts (runs once)
        makes = [a[1] for a in analysed]

        def feeds(i: int, j: int) -> bool:
            if reads[j] is None:
                return True
            return bool(reads[j]) and (makes[i] is None or bool(makes[i] & reads[j]))

        got = _SCHEDULES[key] = _Schedule(rules, tuple(tuple(j for j in range(len(rules)) if feeds(i, j))
                                                       for i in range(len(rules))))
    return got


def _read_by_rules(p, wanted: frozenset[str] | None) -> bool:
    return wanted is None or str(p) in wanted


@cache
def _static_rule_terms() -> tuple:
    """The rule data of the ontology's own closure plus the rule metadata, as Oxigraph terms, once: only
    the triples whose predicate a rule can match (labels, passages, templates are for explanations)."""
    static, wanted = rl_closure(Graph()).static, _rule_predicates()
    return tuple((_to_ox(s), _to_ox(p), _to_ox(o))
                 for g in (static, rule_metadata_graph()) for s, p, o in g
                 if (g is not static or _wanted(s, p, o)) and _read_by_rules(p, wanted))


@lru_cache(maxsize=256)
def _static_rule_quads(graph) -> tuple:
    """``_static_rule_terms`` as quads in ``graph`` (the default graph, or one of assess_many's)."""
    return tuple(ox.Quad(s, p, o, graph) for s, p, o in _static_rule_terms())


def _rule_quads(closure: Graph, graph):
    """What the rules read for one scenario, as quads in ``graph``: the pre-converted static part and
    what the facts added (or, after the reference reasoner, everything converted)."""
    if isinstance(closure, Closure):
        yield from _static_rule_quads(graph)
        wanted = _rule_predicates()
        for s, p, o in closure.delta:
            if _wanted(s, p, o) and _read_by_rules(p, wanted):
                yield ox.Quad(_to_ox(s), _to_ox(p), _to_ox(o), graph)
    else:
        for s, p, o in rule_data(closure):
            yield ox.Quad(_to_ox(s), _to_ox(p), _to_ox(o), graph)


def _prepare(facts: Graph, scenario_iri: str, as_of) -> tuple[Graph, URIRef, Graph]:
    """The facts with their scenario node (and as-of date), and their OWL closure."""
    work_facts = plain_graph()
    work_facts += facts
    node = _scenario_node(work_facts, scenario_iri)
    as_of_lit = _parse_date(as_of)
    if as_of_lit is not None:
        work_facts.set((node, KZ.asOf, as_of_lit))
    return work_facts, node, rl_closure(work_facts)


def _assessment(raw: list, chosen: list[Regime], work_facts: Graph, node: URIRef, closure: Graph) -> Assessment:
    findings, triples = _complete(raw, closure, node)
    stated_as_of = work_facts.value(node, KZ.asOf)
    return Assessment(scenario=str(node), regimes=[r.id for r in chosen],
                      as_of=str(stated_as_of) if stated_as_of is not None else None,
                      rules_version=rules_version(), findings=findings, triples=triples,
                      facts=work_facts, inferred=closure)


def assess(facts: Graph, scenario_iri: str, regimes: str | list[str] | None = None,
           as_of: str | dt.date | None = None, executor: str = "oxigraph") -> Assessment:
    """Judge a (valid) scenario under the chosen regimes. ``facts`` is not modified."""
    if executor not in EXECUTORS:
        raise ValueError(f"executor {executor!r}: one of {EXECUTORS}")
    chosen = resolve_regimes(regimes)
    work_facts, node, closure = _prepare(facts, scenario_iri, as_of)
    if executor == "oxigraph":
        raw = _run_oxigraph(_rule_quads(closure, ox.DefaultGraph()), chosen)
    else:
        raw = _run_pyshacl(rule_data(closure), chosen)
    return _assessment(raw, chosen, work_facts, node, closure)


def assess_many(items, regimes: str | list[str] | None = None,
                as_of: str | dt.date | None = None) -> list[Assessment]:
    """Judge several (valid) scenarios, given as (facts, scenario IRI) pairs, with each rule run once for
    all of them: every scenario's rule data sits in its own named graph of one Oxigraph store and every
    rule is evaluated inside ``GRAPH ?g`` (``_graph_rule_text``), so no pattern can join across
    scenarios and each scenario gets exactly the findings ``assess`` gives it
    (tests/test_engine_differential.py); the rules' parsing and planning are paid once per batch."""
    chosen = resolve_regimes(regimes)
    store = ox.Store()
    prepared = []
    for i, (facts, iri) in enumerate(items):
        work_facts, node, closure = _prepare(facts, iri, as_of)
        graph = ox.NamedNode(f"urn:kzlaw:batch:{i}")
        store.extend(_rule_quads(closure, graph))
        prepared.append((graph, work_facts, node, closure))
    _fixpoint(store, chosen, lambda rule, regime: store.update(_graph_rule_text(rule.construct, str(regime.iri))))
    return [_assessment(_finding_triples(store, graph), chosen, work_facts, node, closure)
            for graph, work_facts, node, closure in prepared]


_GRAPH_VAR = "?kzlawScenarioGraph"


@cache
def _graph_rule_text(rule_text: str, regime_iri: str) -> str:
    """A rule's CONSTRUCT turned into an INSERT whose template and pattern both sit in ``GRAPH ?g``."""
    text = _bound_rule_text(rule_text, regime_iri)
    if _GRAPH_VAR in text:
        raise ValueError(f"a rule uses the reserved variable {_GRAPH_VAR}")
    head, rest = _split_keyword(text, "CONSTRUCT")
    template, rest = _braced(rest)
    between, rest = _split_keyword(rest, "WHERE")
    body, tail = _braced(rest)
    if between.strip() or tail.strip():
        raise ValueError("a rule is not of the form CONSTRUCT { … } WHERE { … }")
    return (f"{head}\nINSERT {{ GRAPH {_GRAPH_VAR} {{ {template} }} }}\n"
            f"WHERE {{ GRAPH {_GRAPH_VAR} {{ {body} }} }}")


def _split_keyword(text: str, keyword: str) -> tuple[str, str]:
    m = re.search(rf"\b{keyword}\b", text)
    if m is None:
        raise ValueError(f"no {keyword} in a rule")
    return text[:m.start()], text[m.end():]


def _braced(text: str) -> tuple[str, str]:
    """The content of the first {…} group of ``text`` (strings and IRIs skipped) and what follows it."""
    depth, i, start, quote = 0, 0, None, None
    while i < len(text):
        c = text[i]
        if quote:
            if c == "\\":
                i += 1
            elif text.startswith(quote, i):
                i += len(quote) - 1
                quote = None
        elif c in "\"'":
            quote = text[i:i + 3] if text[i:i + 3] in ('"""', "'''") else c
            i += len(quote) - 1
        elif c == "<" and re.match(r"<[^\s<>\"{}|^`\\]*>", text[i:]):
            i += re.match(r"<[^\s<>\"{}|^`\\]*>", text[i:]).end() - 1
        elif c == "#":
            nl = text.find("\n", i)
            i = len(text) if nl < 0 else nl
        elif c == "{":
            depth += 1
            if start is None:
                start = i + 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return text[start:i], text[i + 1:]
        i += 1
    raise ValueError("unbalanced braces in a rule")


_P_TYPE, _P_RULE, _P_DERIVED = str(RDF.type), str(KZ.byRule), str(PROV.wasDerivedFrom)
_SINGLE_S = {str(p): name for p, name in _SINGLE.items()}


@cache
def _rule_extras(rule_iri: URIRef) -> tuple:
    """What every finding of a rule carries from the rule itself, as Oxigraph (predicate, object) pairs."""
    rule = all_rules()[rule_iri]
    pairs = [(KZ.legalBasis, b) for b in rule.legal_basis] + [(KZ.passage, x) for x in rule.passages]
    pairs += [(KZ.fromSource, x) for x in rule.sources]
    pairs += [(KZ.rulesVersion, Literal(rules_version())), (PROV.wasGeneratedBy, rule.iri)]
    return tuple((_to_ox(p), _to_ox(o)) for p, o in pairs)


_EXPLANATION_OX, _PART_OF_OX = ox.NamedNode(str(KZ.explanation)), ox.NamedNode(str(DCTERMS.isPartOf))


def _complete(raw: list, closure: Graph, scenario: URIRef) -> tuple[list[Finding], list]:
    """Add to each finding what follows from its rule (basis, passage, source), its explanation in
    en/ru/kk and the rules version; build the JSON model and the findings' triples (Oxigraph terms)."""
    rules = all_rules()
    props: dict[str, dict[str, list]] = {}
    for s, p, o in raw:
        props.setdefault(s.value, {}).setdefault(p.value, []).append(o)
    finding_iris = {f for f, ps in props.items() if str(KZ.Finding) in {o.value for o in ps.get(_P_TYPE, ())}}
    triples = [t for t in raw if t[0].value in finding_iris]
    scenario_ox = _to_ox(scenario)
    as_of = _date(closure.value(scenario, KZ.asOf))

    def _date_of(pub: str | None):
        return _date(closure.value(URIRef(pub), KZ.date)) if pub else None

    findings = []
    for f in sorted(finding_iris):
        ps = props[f]
        rule_iri = URIRef(ps[_P_RULE][0].value)
        rule = rules[rule_iri]
        kw: dict = {"iri": f, "rule_id": rule.rule_id}
        for p, name in _SINGLE_S.items():
            vals = ps.get(p)
            kw[name] = min(v.value for v in vals) if vals else None
        kw["regime"] = kw["regime"].rsplit("/", 1)[-1]
        from_rule = {KZ.legalBasis: rule.legal_basis, KZ.passage: rule.passages, KZ.fromSource: rule.sources}
        for p, name in _MULTI.items():
            values = {v.value for v in ps.get(str(p), ())} | {str(x) for x in from_rule.get(p, ())}
            kw[name] = sorted(values)
        derived = {d.value for d in ps.get(_P_DERIVED, ())}
        kw["premises"] = sorted(d for d in derived if d in finding_iris)
        kw["facts"] = sorted(d for d in derived if d not in finding_iris)
        kw["notices"] = _notices(kw["legal_basis"], as_of if as_of is not None else _date_of(kw["concerns"]))
        fi = ox.NamedNode(f)
        content_law = tuple(b for b in kw["legal_basis"] if URIRef(b) not in rule.legal_basis)
        if content_law:  # the provision the content violates comes with its own passage and source
            cited = _provision_citations(content_law)
            for name, p, values in (("passages", _PASSAGE_OX, cited[0]), ("sources", _SOURCE_OX, cited[1])):
                new = values - set(kw[name])
                kw[name] = sorted(set(kw[name]) | new)
                triples += [(fi, p, ox.NamedNode(v)) for v in sorted(new)]
        findings.append(Finding(**kw))
        triples += [(fi, p, o) for p, o in _rule_extras(rule_iri)]
        triples += [(fi, _NOTICE_OX, ox.NamedNode(n)) for n in kw["notices"]]
        triples.append((fi, _PART_OF_OX, scenario_ox))
    render_explanations(findings, closure)
    for fd in findings:
        fi = ox.NamedNode(fd.iri)
        triples += [(fi, _EXPLANATION_OX, ox.Literal(text, language=lang)) for lang, text in fd.explanation.items()]
    findings.sort(key=lambda x: (x.regime, x.subject, _rule_rank(x), x.concerns or "", x.iri))  # iri: no ties
    return findings, triples


_NOTICE_OX = ox.NamedNode(str(KZ.notice))
_PASSAGE_OX, _SOURCE_OX = ox.NamedNode(str(KZ.passage)), ox.NamedNode(str(KZ.fromSource))


@lru_cache(maxsize=64)
def _provision_citations(provisions: tuple) -> tuple[frozenset, frozenset]:
    """The passages and sources the given provisions rest on (kz:passage, kz:fromSource)."""
    onto = ontology_graph()
    nodes = [URIRef(p) for p in provisions]
    return (frozenset(str(x) for n in nodes for x in onto.objects(n, KZ.passage)),
            frozenset(str(x) for n in nodes for x in onto.objects(n, KZ.fromSource)))


def _date(value) -> dt.date | None:
    v = getattr(value, "value", None)
    return v if isinstance(v, dt.date) and not isinstance(v, dt.datetime) else None


@cache
def _notice_table() -> tuple:
    """(notice IRI, the provisions it bears on, the date it applies from), from the ontology: a notice
    concerns an act, and with it every provision that is part of it (kz:partOfAct, transitively)."""
    onto = ontology_graph()
    parent = {str(s): str(o) for s, o in onto.subject_objects(KZ.partOfAct)}

    def acts(p: str) -> set:
        seen = {p}
        while p in parent and parent[p] not in seen:
            p = parent[p]
            seen.add(p)
        return seen

    provisions = {str(p) for p in onto.subjects(RDF.type, KZ.Provision)} | set(parent)
    table = []
    for n in sorted(onto.subjects(RDF.type, KZ.Notice)):
        act, start = onto.value(n, KZ.concernsAct), _date(onto.value(n, KZ.appliesFrom))
        if act is None or start is None:
            continue
        table.append((str(n), frozenset(p for p in provisions if str(act) in acts(p)), start))
    return tuple(table)


def _notices(legal_basis: list[str], judged: dt.date | None) -> list[str]:
    """The notices that bear on a finding citing ``legal_basis``, judged as of ``judged`` (the as-of date,
    else its publication's date): none for a finding without a date."""
    if judged is None:
        return []
    return sorted(n for n, provisions, start in _notice_table()
                  if judged >= start and provisions.intersection(legal_basis))


def _rule_rank(f: Finding) -> tuple:
    rule = all_rules()[URIRef(f.rule)]
    return (rule.order, rule.rule_id)
