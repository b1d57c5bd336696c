"""Rules and regimes, read from the SHACL-AF files in ``shapes/rules/`` (SHACL-AF §8, SPARQL rules).

A regime is the node shape that targets the regime individual; its rules are the ``sh:rule`` values of
that shape. That list is the single source of regime membership: ``kz:inRegime`` is derived from it here
and added to the rule metadata, never written by hand. Everything is read once per process.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from . import __version__
from .errors import UnknownRegime
from .knowledge import ontology_graph, rule_shapes_graph
from .namespaces import KZ, LANGS, SH
from .resources import ontology_files, shape_files


@dataclass(frozen=True)
class Rule:
    iri: URIRef
    rule_id: str
    order: int
    construct: str
    labels: dict
    templates: dict
    legal_basis: tuple  # the provisions every finding of the rule cites
    passages: tuple
    sources: tuple
    overrides: tuple
    scope: tuple
    regimes: tuple  # regime ids, derived from the regime shapes
    # kz:basisFromContent: each finding cites the provision its content violates (its category's basis),
    # e.g. the direct author answers under criminal law for a call to violence and under the Code of
    # Administrative Offences for false information; the rule then names no provision of its own
    basis_from_content: bool = False

    def label(self, lang: str = "en") -> str:
        return self.labels.get(lang) or self.labels.get("en") or self.rule_id

    def template(self, lang: str = "en") -> str:
        return self.templates.get(lang) or self.templates.get("en") or ""


@dataclass(frozen=True)
class Regime:
    iri: URIRef
    id: str
    labels: dict
    definitions: dict
    version: str
    sources: tuple
    rules: tuple  # Rule, sorted by (order, id)

    def label(self, lang: str = "en") -> str:
        return self.labels.get(lang) or self.labels.get("en") or self.id


def _by_lang(g: Graph, s, p) -> dict:
    out = {}
    for o in g.objects(s, p):
        if isinstance(o, Literal):
            out.setdefault(o.language or "en", str(o))
    return out


def _prefix_block(g: Graph, rule: URIRef) -> str:
    lines = []
    for decl_owner in g.objects(rule, SH.prefixes):
        for decl in g.objects(decl_owner, SH.declare):
            prefix = g.value(decl, SH.prefix)
            ns = g.value(decl, SH.namespace)
            lines.append(f"PREFIX {prefix}: <{ns}>")
    return "\n".join(sorted(set(lines)))


def regime_id(iri: URIRef | str) -> str:
    return str(iri).rstrip("/").rsplit("/", 1)[-1]


@cache
def _load() -> tuple[dict, dict]:
    g = rule_shapes_graph()
    onto = ontology_graph()
    membership: dict[URIRef, list[str]] = {}
    regime_rules: dict[URIRef, list[URIRef]] = {}
    for shape in g.subjects(RDF.type, SH.NodeShape):
        target = g.value(shape, SH.targetNode)
        if target is None or (target, RDF.type, KZ.Regime) not in onto:
            continue
        regime_rules[target] = list(g.objects(shape, SH.rule))
        for r in regime_rules[target]:
            membership.setdefault(r, []).append(regime_id(target))

    rules = {}
    for r in g.subjects(RDF.type, SH.SPARQLRule):
        rules[r] = Rule(
            iri=r,
            rule_id=str(g.value(r, KZ.ruleId)),
            order=int(g.value(r, SH.order) or 0),
            construct=_prefix_block(g, r) + "\n" + str(g.value(r, SH.construct)),
            labels=_by_lang(g, r, RDFS.label),
            templates=_by_lang(g, r, KZ.template),
            legal_basis=tuple(sorted(g.objects(r, KZ.legalBasis))),
            passages=tuple(sorted(g.objects(r, KZ.passage))),
            sources=tuple(sorted(g.objects(r, KZ.fromSource))),
            overrides=tuple(sorted(g.objects(r, KZ.overrides))),
            scope=tuple(sorted(g.objects(r, KZ.overrideScope))),
            regimes=tuple(sorted(membership.get(r, []))),
            basis_from_content=g.value(r, KZ.basisFromContent) == Literal(True),
        )

    regimes = {}
    for reg_iri, members in regime_rules.items():
        rid = regime_id(reg_iri)
        regimes[rid] = Regime(
            iri=reg_iri, id=rid,
            labels=_by_lang(onto, reg_iri, RDFS.label),
            definitions=_by_lang(onto, reg_iri, SKOS.definition),
            version=str(onto.value(reg_iri, OWL.versionInfo) or "1"),
            sources=tuple(sorted(onto.objects(reg_iri, KZ.restsOn))),
            rules=tuple(sorted((rules[m] for m in members), key=lambda x: (x.order, x.rule_id))),
        )
    return rules, regimes


REGIME_ORDER = ("current-law", "reform-proposal", "platform-duties")


def all_rules() -> dict[URIRef, Rule]:
    return _load()[0]


def all_regimes() -> dict[str, Regime]:
    regs = _load()[1]
    return {k: regs[k] for k in sorted(regs, key=lambda k: (REGIME_ORDER + (k,)).index(k))}


def get_regime(rid: str) -> Regime:
    regs = all_regimes()
    if rid not in regs:
        raise UnknownRegime(rid, list(regs))
    return regs[rid]


def resolve_regimes(selection: str | list[str] | None) -> list[Regime]:
    """``None`` or ``"all"`` → every regime; otherwise the named ones (comma-separated allowed)."""
    if selection is None or selection == "all" or selection == ["all"]:
        return list(all_regimes().values())
    names = selection.split(",") if isinstance(selection, str) else selection
    chosen = [get_regime(n.strip()) for n in names if n.strip()]
    if not chosen:  # "" or ",": naming no regime would judge under none and read as "no findings"
        raise UnknownRegime("", list(all_regimes()))
    return chosen


def rule_defects(rule: Rule) -> list[str]:
    """What a rule lacks to show its proof: labels and templates in en/ru/kk, a source passage, a source
    text, and a legal basis (its own, or its findings' from the content they concern)."""
    out = [f"no {what} in {lang}" for what, by_lang in (("label", rule.labels), ("template", rule.templates))
           for lang in LANGS if lang not in by_lang]
    out += [f"no {what}" for what, values in (("kz:passage", rule.passages), ("kz:fromSource", rule.sources))
            if not values]
    if not rule.legal_basis and not rule.basis_from_content:
        out.append("no kz:legalBasis (and not kz:basisFromContent true)")
    if rule.legal_basis and rule.basis_from_content:
        out.append("both kz:legalBasis and kz:basisFromContent: a finding would cite a provision its content "
                   "may not violate")
    return out


@cache
def rule_metadata_graph() -> Graph:
    """What rules need to see about rules while running (overrides, regimes), plus what a scholar
    querying findings wants beside them: id, label, basis, passage, source. Derived from the rule files."""
    g = Graph()
    for rule in all_rules().values():
        g.add((rule.iri, RDF.type, KZ.Rule))
        g.add((rule.iri, KZ.ruleId, Literal(rule.rule_id)))
        for lang, text in rule.labels.items():
            g.add((rule.iri, RDFS.label, Literal(text, lang=lang)))
        for lang, text in rule.templates.items():
            g.add((rule.iri, KZ.template, Literal(text, lang=lang)))
        for rid in rule.regimes:
            g.add((rule.iri, KZ.inRegime, all_regimes()[rid].iri))
        for p, values in ((KZ.legalBasis, rule.legal_basis), (KZ.passage, rule.passages),
                          (KZ.fromSource, rule.sources), (KZ.overrides, rule.overrides),
                          (KZ.overrideScope, rule.scope)):
            for v in values:
                g.add((rule.iri, p, v))
        if rule.basis_from_content:
            g.add((rule.iri, KZ.basisFromContent, Literal(True)))
    return g


@cache
def rules_version() -> str:
    """kzlaw's version plus a digest of the ontology and rule files: stored with every finding."""
    h = hashlib.sha256()
    for path in [*ontology_files(), *shape_files("rules")]:
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return f"{__version__}+{h.hexdigest()[:12]}"


__all__ = [
    "LANGS",
    "Regime",
    "Rule",
    "all_regimes",
    "all_rules",
    "get_regime",
    "regime_id",
    "resolve_regimes",
    "rule_defects",
    "rule_metadata_graph",
    "rules_version",
]
