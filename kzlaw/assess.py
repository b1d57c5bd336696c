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
from dataclasses import dataclass, field
from functools import cache

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, XSD

from .errors import InputError
from .explain import render_explanations
from .knowledge import rule_shapes_graph
from .namespaces import KZ, SH
from .reason import Closure, rl_closure
from .rules import Regime, all_rules, resolve_regimes, rule_metadata_graph, rules_version

# Finding properties that point at other nodes and are kept as lists in the JSON model.
_MULTI = {KZ.obstacle: "obstacles", KZ.sanction: "sanctions", KZ.legalBasis: "legal_basis",
          KZ.passage: "passages", KZ.fromSource: "sources"}
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
        self._triples = triples or []

    @property
    def graph(self) -> Graph:
        if self._graph is None:
            g = Graph()
            g.addN((s, p, o, g) for s, p, o in self._triples)
            self._graph = g
        return self._graph

    def by_regime(self, regime: str) -> list[Finding]:
        return [f for f in self.findings if f.regime == regime]

    def triples_by_regime(self) -> dict[str, list]:
        """The findings' triples per regime id (every chosen regime present, possibly empty)."""
        regime_of = {URIRef(f.iri): f.regime for f in self.findings}
        out: dict[str, list] = {r: [] for r in self.regimes}
        for t in (self._triples if self._graph is None else self._graph):
            rid = regime_of.get(t[0])
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
    return Literal(term.value, datatype=URIRef(dt_) if dt_ else None)


# --------------------------------------------------------------------------------------------------
# Executors


@cache
def _bound_rule_text(rule_text: str, regime_iri: str) -> str:
    """The rule's CONSTRUCT with $this bound to the regime. Oxigraph's query substitutions only bind
    projected variables, which a CONSTRUCT has none of; the rule texts are our own, so binding them in
    the text (as pySHACL's pre-binding does in effect) is exact."""
    return _THIS.sub(f"<{regime_iri}>", rule_text)


_THIS = re.compile(r"\$this\b")


def _run_oxigraph(data: Graph, regimes: list[Regime], static: tuple = ()) -> list:
    """``static``: pre-converted quads loaded beside ``data`` (the part of the rule data that depends
    only on the ontology and the rules). Returns the findings' triples as Oxigraph terms."""
    store = ox.Store()
    if static:
        store.extend(static)
    store.extend(ox.Quad(_to_ox(s), _to_ox(p), _to_ox(o), ox.DefaultGraph()) for s, p, o in data)
    for regime in regimes:
        while True:
            before = len(store)
            for rule in regime.rules:
                produced = list(store.query(_bound_rule_text(rule.construct, str(regime.iri))))
                if produced:
                    store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())
                                 for t in produced)
            if len(store) == before:
                break
    findings = {q.subject for q in store.quads_for_pattern(None, ox.NamedNode(str(RDF.type)),
                                                             ox.NamedNode(str(KZ.Finding)))}
    return [(q.subject, q.predicate, q.object) for f in findings for q in store.quads_for_pattern(f, None, None)]


def _run_pyshacl(data: Graph, regimes: list[Regime]) -> list:
    from pyshacl import shacl_rules

    shapes = rule_shapes_graph()
    wanted = {r.iri for r in regimes}
    use = [s for s in shapes.subjects(SH.targetNode, None) if shapes.value(s, SH.targetNode) in wanted]
    work = Graph()
    work += data
    result = shacl_rules(work, shacl_graph=shapes, use_shapes=use, advanced=True, iterate_rules=True,
                         inplace=True)
    return [(_to_ox(f), _to_ox(p), _to_ox(o)) for f in result.subjects(RDF.type, KZ.Finding)
            for p, o in result.predicate_objects(f)]


EXECUTORS = {"oxigraph": _run_oxigraph, "pyshacl": _run_pyshacl}


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
        raise InputError(f"as-of date {as_of!r} is not a date (YYYY-MM-DD)", kind="meaning") from None
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


@cache
def _static_rule_quads() -> tuple:
    """The rule data of the ontology's own closure plus the rule metadata, as Oxigraph quads, once."""
    static = rl_closure(Graph()).static
    return tuple(ox.Quad(_to_ox(s), _to_ox(p), _to_ox(o), ox.DefaultGraph())
                 for g in (static, rule_metadata_graph()) for s, p, o in g
                 if g is not static or _wanted(s, p, o))


def assess(facts: Graph, scenario_iri: str, regimes: str | list[str] | None = None,
           as_of: str | dt.date | None = None, executor: str = "oxigraph") -> Assessment:
    """Judge a (valid) scenario under the chosen regimes. ``facts`` is not modified."""
    chosen = resolve_regimes(regimes)
    work_facts = Graph()
    work_facts += facts
    node = _scenario_node(work_facts, scenario_iri)
    as_of_lit = _parse_date(as_of)
    if as_of_lit is not None:
        work_facts.set((node, KZ.asOf, as_of_lit))
    closure = rl_closure(work_facts)
    if executor == "oxigraph" and isinstance(closure, Closure):
        # the static part is pre-converted; only what the facts add is converted per scenario
        delta = Graph()
        delta.addN((s, p, o, delta) for s, p, o in closure.delta if _wanted(s, p, o))
        raw = _run_oxigraph(delta, chosen, _static_rule_quads())
    else:
        raw = EXECUTORS[executor](rule_data(closure), chosen)
    findings, triples = _complete(raw, closure, node)
    stated_as_of = work_facts.value(node, KZ.asOf)
    return Assessment(scenario=str(node), regimes=[r.id for r in chosen],
                      as_of=str(stated_as_of) if stated_as_of is not None else None,
                      rules_version=rules_version(), findings=findings, triples=triples,
                      facts=work_facts, inferred=closure)


_P_TYPE, _P_RULE, _P_DERIVED = str(RDF.type), str(KZ.byRule), str(PROV.wasDerivedFrom)
_SINGLE_S = {str(p): name for p, name in _SINGLE.items()}


def _complete(raw: list, closure: Graph, scenario: URIRef) -> tuple[list[Finding], list]:
    """Add to each finding what follows from its rule (basis, passage, source), its explanation in
    en/ru/kk and the rules version; build the JSON model and the findings' triples."""
    rules = all_rules()
    version = Literal(rules_version())
    props: dict[str, dict[str, list]] = {}
    for s, p, o in raw:
        props.setdefault(s.value, {}).setdefault(p.value, []).append(o)
    finding_iris = {f for f, ps in props.items() if str(KZ.Finding) in {o.value for o in ps.get(_P_TYPE, ())}}
    triples = [(_from_ox(s), _from_ox(p), _from_ox(o)) for s, p, o in raw if s.value in finding_iris]
    findings = []
    for f in sorted(finding_iris):
        ps = props[f]
        rule = rules[URIRef(ps[_P_RULE][0].value)]
        fi = URIRef(f)
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
        findings.append(Finding(**kw))
        triples += [(fi, p, x) for p, xs in from_rule.items() for x in xs]
        triples += [(fi, KZ.rulesVersion, version), (fi, DCTERMS.isPartOf, scenario),
                    (fi, PROV.wasGeneratedBy, rule.iri)]
    render_explanations(findings, closure)
    for fd in findings:
        fi = URIRef(fd.iri)
        triples += [(fi, KZ.explanation, Literal(text, lang=lang)) for lang, text in fd.explanation.items()]
    findings.sort(key=lambda x: (x.regime, x.subject, _rule_rank(x), x.concerns or ""))
    return findings, triples


def _rule_rank(f: Finding) -> tuple:
    rule = all_rules()[URIRef(f.rule)]
    return (rule.order, rule.rule_id)
