"""Explanations and proofs: each finding's rule template filled in en/ru/kk, and the proof tree of a
finding (rule → provision → quoted passage → facts → earlier findings), as text or as data."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from .knowledge import compact, label, ontology_graph
from .namespaces import KZ, LANGS
from .rules import all_regimes, all_rules

if TYPE_CHECKING:  # pragma: no cover
    from .assess import Assessment, Finding

_LIST_SEP = {"en": "; ", "ru": "; ", "kk": "; "}
_NONE = {"en": "—", "ru": "—", "kk": "—"}
# Event types whose label a template may name, by placeholder.
_EVENT_SLOTS = {"decision": KZ.CourtDecision, "refusal": KZ.Refusal, "request": KZ.StateRequest,
                "event": KZ.DataCollection, "demand": KZ.RemovalDemand}


class _Slots(dict):
    def __missing__(self, key):  # a template naming something the finding lacks reads "—"
        return "—"


class _Facts:
    """What the templates read about the scenario's nodes, looked up once per assessment."""

    def __init__(self, closure: Graph):
        self.closure = closure
        self._types: dict = {}
        self._labels: dict = {}

    def types(self, node: URIRef) -> set:
        hit = self._types.get(node)
        if hit is None:
            hit = self._types[node] = set(self.closure.objects(node, RDF.type))
        return hit

    def label(self, node, lang: str) -> str:
        key = (node, lang)
        hit = self._labels.get(key)
        if hit is None:
            hit = self._labels[key] = label(node, lang, self.closure)
        return hit


def _slot_nodes(f: Finding, facts: _Facts) -> dict:
    """Which node (or nodes) each placeholder of a template names, for one finding."""
    closure = facts.closure
    nodes: dict = {"subject": URIRef(f.subject) if f.subject else None,
                   "publication": URIRef(f.concerns) if f.concerns else None,
                   "resource": URIRef(f.resource) if f.resource else None,
                   "obstacles": [URIRef(o) for o in f.obstacles]}
    if f.categories:  # the categories it rests on (what a liability is for, what a code forbids)
        nodes["categories"] = [URIRef(c) for c in f.categories]
    elif f.concerns:
        nodes["categories"] = sorted(closure.objects(nodes["publication"], KZ.contentCategory))
    nodes["residence"] = closure.value(nodes["subject"], KZ.residence) if f.subject else None
    for slot, cls in _EVENT_SLOTS.items():
        for fact in f.facts:
            node = URIRef(fact)
            if cls in facts.types(node):
                nodes[slot] = node
    return nodes


def _slots(nodes: dict, facts: _Facts, lang: str) -> _Slots:
    none = _NONE[lang]
    s = _Slots()
    for slot, node in nodes.items():
        if slot == "categories":
            s[slot] = ", ".join(facts.label(c, lang) for c in node) or none
        elif slot == "obstacles":
            s[slot] = _LIST_SEP[lang].join(facts.label(o, lang) for o in node) or none
        else:
            s[slot] = facts.label(node, lang) if node is not None else none
    return s


def render_explanations(findings: list[Finding], closure: Graph) -> None:
    rules = all_rules()
    facts = _Facts(closure)
    for f in findings:
        rule = rules[URIRef(f.rule)]
        nodes = _slot_nodes(f, facts)
        f.explanation = {lang: rule.template(lang).format_map(_slots(nodes, facts, lang)) for lang in LANGS}


# --------------------------------------------------------------------------------------------------
# Proof trees

_WORDS = {
    "en": {"rule": "rule", "provision": "provision", "passage": "passage", "facts": "facts used",
           "rests_on": "rests on", "under": "under", "obstacles": "obstacles", "as_of": "as of",
           "memo": "Assessment of", "none": "No findings: nothing in the facts engages this regime.",
           "regime": "Regime", "notice": "notice", "notices": "Notices", "source": "source"},
    "ru": {"rule": "правило", "provision": "норма", "passage": "цитата", "facts": "использованные факты",
           "rests_on": "основано на", "under": "по режиму", "obstacles": "препятствия", "as_of": "на дату",
           "memo": "Оценка сценария", "none": "Выводов нет: факты не затрагивают этот режим.",
           "regime": "Режим", "notice": "предупреждение", "notices": "Предупреждения", "source": "источник"},
    "kk": {"rule": "ереже", "provision": "норма", "passage": "үзінді", "facts": "пайдаланылған фактілер",
           "rests_on": "негізделген", "under": "режим бойынша", "obstacles": "кедергілер", "as_of": "күні",
           "memo": "Сценарийді бағалау", "none": "Қорытынды жоқ: фактілер бұл режимге қатысты емес.",
           "regime": "Режим", "notice": "ескерту", "notices": "Ескертулер", "source": "дереккөз"},
}


def passage_quote(passage: str) -> str:
    return str(ontology_graph().value(URIRef(passage), KZ.quote) or "")


def notice_json(iri: str, lang: str) -> dict:
    """A notice in full: its text in ``lang`` and what it rests on (passages quoted, sources with their
    address). A finding names its notices; an assessment (and the memo) carries each once, in full."""
    onto = ontology_graph()
    node = URIRef(iri)
    texts = {lit.language: str(lit) for lit in onto.objects(node, SKOS.definition)}
    return {"iri": compact(node), "label": label(node, lang), "text": texts.get(lang) or texts.get("en", ""),
            "passages": [{"iri": str(p), "quote": passage_quote(str(p))} for p in sorted(onto.objects(node, KZ.passage))],
            "sources": [{"iri": str(s), "label": label(s, lang), "address": str(onto.value(s, DCTERMS.identifier) or "")}
                        for s in sorted(onto.objects(node, KZ.fromSource))]}


def proof_tree(f: Finding, by_iri: dict[str, Finding], lang: str = "en", *graphs: Graph) -> dict:
    """The proof of a finding as nested data: rule, provisions, passages (quoted), facts, premises."""
    rule = all_rules()[URIRef(f.rule)]
    return {
        "finding": f.iri,
        "conclusion": label(URIRef(f.conclusion), lang),
        "explanation": f.explanation.get(lang, ""),
        "rule": {"iri": f.rule, "id": f.rule_id, "label": rule.label(lang)},
        "provisions": [{"iri": p, "label": label(URIRef(p), lang)} for p in f.legal_basis],
        "passages": [{"iri": p, "quote": passage_quote(p)} for p in f.passages],
        "facts": [{"iri": x, "label": label(URIRef(x), lang, *graphs)} for x in f.facts],
        "premises": [proof_tree(by_iri[p], by_iri, lang, *graphs) for p in f.premises if p in by_iri],
        "notices": [{"iri": n, "label": label(URIRef(n), lang)} for n in f.notices],
    }


def _tree_lines(node: dict, lang: str, indent: str) -> list[str]:
    w = _WORDS[lang]
    lines = [f"{indent}• {node['conclusion']} — {node['explanation']}",
             f"{indent}  {w['rule']}: {node['rule']['id']} ({node['rule']['label']})"]
    for p in node["provisions"]:
        lines.append(f"{indent}  {w['provision']}: {p['label']}")
    for p in node["passages"]:
        lines.append(f"{indent}  {w['passage']}: “{p['quote']}”")
    if node["facts"]:
        lines.append(f"{indent}  {w['facts']}: " + "; ".join(x["label"] for x in node["facts"]))
    for n in node.get("notices", ()):
        lines.append(f"{indent}  {w['notice']}: {n['label']}")
    for sub in node["premises"]:
        lines.append(f"{indent}  {w['rests_on']}:")
        lines.extend(_tree_lines(sub, lang, indent + "    "))
    return lines


def memo(assessment: Assessment, lang: str = "en") -> str:
    """A short legal memo per regime and per person or resource, each conclusion with its proof."""
    w = _WORDS[lang]
    closure = assessment.inferred
    by_iri = {f.iri: f for f in assessment.findings}
    head = f"{w['memo']} {label(URIRef(assessment.scenario), lang, closure)}"
    if assessment.as_of:
        head += f" ({w['as_of']} {assessment.as_of})"
    out = [head, "=" * len(head)]
    regimes = all_regimes()
    for rid in assessment.regimes:
        reg = regimes[rid]
        title = f"{w['regime']}: {reg.label(lang)}"
        out += ["", title, "-" * len(title)]
        fs = assessment.by_regime(rid)
        if not fs:
            out.append(w["none"])
            continue
        grouped: dict[str, list] = defaultdict(list)
        for f in fs:
            grouped[f.subject].append(f)
        for subject, items in grouped.items():
            out.append("")
            out.append(f"{label(URIRef(subject), lang, closure)}")
            for f in items:
                out.extend(_tree_lines(proof_tree(f, by_iri, lang, closure), lang, "  "))
    notices = sorted({n for f in assessment.findings for n in f.notices})
    if notices:
        out += ["", w["notices"], "-" * len(w["notices"])]
        for n in notices:
            nj = notice_json(n, lang)
            out += ["", f"{nj['label']}: {nj['text']}"]
            out += [f"  {w['passage']}: “{p['quote']}”" for p in nj["passages"]]
            out += [f"  {w['source']}: {src['label']} <{src['address']}>" for src in nj["sources"]]
    return "\n".join(out)

