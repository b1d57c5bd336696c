"""Validate scenario data against the input shapes (SHACL Core + SHACL-SPARQL, W3C SHACL §2–§6).

The data graph is the scenario plus the ontology and reference data (pyshacl's ``ont_graph``), so that
``sh:class`` sees the class hierarchy and reference individuals; only scenario-level problems are
expected, as the shipped reference data conforms (tests/test_validate.py checks it).
Each problem names the focus node, the property path, the offending value, and a message in en/ru/kk.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cache

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS
from rdflib.term import Node

from .knowledge import input_shapes_graph, ontology_graph, pick_lang, shapes_for_pyshacl, texts_by_lang
from .namespaces import KZ, LANGS, SH
from .reason import Closure

_FULL_MIXIN = os.environ.get("PYSHACL_USE_FULL_MIXIN", "").lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class Problem:
    focus: str
    path: str | None
    value: str | None
    severity: str
    messages: dict[str, str]
    shape: str | None
    constraint: str | None
    # the RDF terms behind focus, path, value and shape (for the SHACL report graph); not compared
    terms: tuple[Node, Node | None, Node | None, Node | None] = field(compare=False, repr=False)
    # a blank focus node described for the reader (its types and label): its "_:…" name is the parser's,
    # not the one in the file, and changes from run to run
    hint: str | None = field(default=None, compare=False, repr=False)

    def message(self, lang: str = "en") -> str:
        return self.messages.get(lang) or self.messages.get("en") or next(iter(self.messages.values()), "")

    def as_dict(self, lang: str | None = None) -> dict:
        d = {"focus": self.focus, "path": self.path, "value": self.value, "severity": self.severity,
             "constraint": self.constraint, "shape": self.shape}
        if lang:
            d["message"] = self.message(lang)
        d["messages"] = self.messages
        if self.hint:
            d["hint"] = self.hint
        return d


@dataclass
class ValidationReport:
    conforms: bool
    problems: list[Problem] = field(default_factory=list)

    def as_dict(self, lang: str | None = None) -> dict:
        return {"conforms": self.conforms, "problems": [p.as_dict(lang) for p in self.problems]}

    def graph(self, source: str | None = None) -> Graph:
        """The report as W3C SHACL's validation report graph (§3.6): a ``sh:ValidationReport`` with
        ``sh:conforms`` and a ``sh:ValidationResult`` a problem (focus node, path, value, severity, source
        shape and constraint component, the message in en/ru/kk), for tools that read SHACL reports.
        ``source`` (a file name) is recorded as the report's ``dcterms:source``."""
        g = Graph()
        g.bind("sh", SH)
        g.bind("kz", KZ)
        g.bind("dcterms", DCTERMS)
        report = BNode()
        g.add((report, RDF.type, SH.ValidationReport))
        g.add((report, SH.conforms, Literal(self.conforms)))
        if source:
            g.add((report, DCTERMS.source, Literal(source)))
        for p in self.problems:
            focus, path, value, shape = p.terms
            r = BNode()
            g.add((report, SH.result, r))
            g.add((r, RDF.type, SH.ValidationResult))
            g.add((r, SH.focusNode, focus))
            if path is not None:
                g.add((r, SH.resultPath, path))
            if value is not None:
                g.add((r, SH.value, value))
            g.add((r, SH.resultSeverity, SH[p.severity]))
            # every result names its shape (§3.6.2); a shape without an IRI is a blank node here
            g.add((r, SH.sourceShape, shape if isinstance(shape, URIRef) else BNode()))
            if p.constraint:
                g.add((r, SH.sourceConstraintComponent,
                       SH[p.constraint] if ":" not in p.constraint else URIRef(p.constraint)))
            for lang, text in sorted(p.messages.items()):
                g.add((r, SH.resultMessage, Literal(text, lang=lang)))
        return g

    def render(self, lang: str = "en", source: str = "") -> str:
        head = {"en": ("conforms", "does not conform", "problem(s)"),
                "ru": ("соответствует", "не соответствует", "проблем(ы)"),
                "kk": ("сәйкес келеді", "сәйкес келмейді", "мәселе")}[lang]
        prefix = f"{source}: " if source else ""
        if self.conforms:
            return f"{prefix}{head[0]}"
        lines = [f"{prefix}{head[1]} — {len(self.problems)} {head[2]}"]
        for p in self.problems:
            where = p.focus + (f" ({p.hint})" if p.hint else "") + (f" → {p.path}" if p.path else "")
            value = f" = {p.value}" if p.value is not None else ""
            lines.append(f"  ✗ {where}{value}\n    {p.message(lang)}")
        return "\n".join(lines)


def _blank_hint(node: Node | None, data: Graph) -> str | None:
    """What a blank node is, in the data: "a blank node: kz:Post, 'the post'" (None for other nodes)."""
    if not isinstance(node, BNode):
        return None
    from .knowledge import compact

    said = [compact(t) for t in sorted(data.objects(node, RDF.type), key=str)]
    said += [repr(str(v)) for v in sorted(data.objects(node, RDFS.label), key=str)][:1]
    return "a blank node" + (": " + ", ".join(said) if said else "")


def _show(node: Node | None, g: Graph) -> str | None:
    if node is None:
        return None
    if isinstance(node, BNode):
        # A path like sh:alternativePath or a blank focus: show its Turtle-ish form.
        items = list(g.items(node)) if (node, RDF.first, None) in g else []
        return "(" + " ".join(str(i) for i in items) + ")" if items else "_:" + str(node)
    if isinstance(node, Literal):
        return node.n3()
    return str(node)


def _messages(results: Graph, result: Node, shapes: Graph) -> dict[str, str]:
    # pySHACL drops the language tags of a SHACL-SPARQL constraint's sh:message: take them, tagged,
    # from the constraint itself (otherwise the first of the three would pass for English)
    constraint = results.value(result, SH.sourceConstraint)
    if constraint is not None and any(True for _ in shapes.objects(constraint, SH.message)):
        return {lang: text for lang in LANGS
                if (text := pick_lang([m for m in shapes.objects(constraint, SH.message)
                                       if isinstance(m, Literal) and m.language == lang], lang))}
    msgs = texts_by_lang(results.objects(result, SH.resultMessage))
    if not msgs:  # fall back to the source shape's messages
        src = results.value(result, SH.sourceShape)
        for lang in LANGS:
            text = pick_lang(shapes.objects(src, SH.message), lang)
            if text:
                msgs[lang] = text
    return msgs


@cache
def _inoculated() -> Graph:
    """What pyshacl mixes into every data graph from ``ont_graph`` (its "inoculation": the ontology's
    RDFS/OWL classes, properties, axioms and named individuals) depends only on the ontology: computed
    once, then overlaid on each scenario's data instead of copied into it."""
    from pyshacl.rdfutil.inoculate import inoculate

    return inoculate(Graph(), ontology_graph())


@cache
def _compiled_shapes():
    from .shapecheck import CompiledShapes, Unsupported

    try:
        return CompiledShapes(input_shapes_graph(), _inoculated())
    except Unsupported:
        return None


# "compiled" (default): kzlaw.shapecheck, with pySHACL for what it does not cover; "pyshacl": always pySHACL
_ENGINE = os.environ.get("KZLAW_VALIDATOR", "compiled")


def validate_graph(data: Graph, engine: str | None = None) -> ValidationReport:
    """Validate a scenario against the input shapes, and its terms against kzlaw's vocabulary
    (:func:`vocabulary_problems`). ``engine``: "compiled" (the shapes compiled once, kzlaw.shapecheck;
    falls back to pySHACL for shapes or data it does not cover) or "pyshacl"."""
    report = None
    if (engine or _ENGINE) == "compiled":
        from .shapecheck import Unsupported

        compiled = _compiled_shapes()
        if compiled is not None:
            try:
                results = compiled.check(data)
            except Unsupported:
                pass
            else:
                report = _compiled_report(results, data)
    report = report or _pyshacl_report(data)
    extra = vocabulary_problems(data)
    if extra:
        problems = sorted([*report.problems, *extra], key=_order)
        report = ValidationReport(conforms=False, problems=problems)
    return report


def _order(p: Problem) -> tuple:
    return (p.focus or "", p.path or "", p.value or "", p.constraint or "")


# --------------------------------------------------------------------------------------------------
# The vocabulary: what a scenario may say, besides what the shapes say of it

VOCABULARY_CONSTRAINT = f"{KZ}VocabularyConstraintComponent"
OUTPUT_CONSTRAINT = f"{KZ}OutputTermConstraintComponent"
_PROPERTY_KINDS = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property)
# what kzlaw writes or ships, not a scenario: a scenario's own "passage" would be cited by a finding (A7
# cites what the sources say of a platform's code), a provision of its own would be law from nowhere
_OUTPUT_DOMAINS = (KZ.Finding, KZ.Rule, KZ.Regime, KZ.Notice, KZ.SourcePassage, KZ.LegalSource, KZ.Provision)

_UNKNOWN = {
    "en": "Not a term of kzlaw's vocabulary: check its spelling (the terms are listed at /ontology and in "
          "docs/ontology/). A JSON-LD key kzlaw does not know becomes such a term, and the rules would judge "
          "as if the fact were missing.",
    "ru": "Не термин словаря kzlaw: проверьте написание (термины перечислены на /ontology и в docs/ontology/). "
          "Ключ JSON-LD, которого kzlaw не знает, становится таким термином, и правила судили бы так, будто "
          "этого факта нет.",
    "kk": "Бұл kzlaw сөздігінің термині емес: жазылуын тексеріңіз (терминдер /ontology бетінде және "
          "docs/ontology/ ішінде берілген). kzlaw білмейтін JSON-LD кілті осындай терминге айналады, ал "
          "қағидалар бұл факт жоқ сияқты бағалар еді.",
}
_SUGGEST = {"en": " Did you mean {}?", "ru": " Возможно, имелось в виду {}?", "kk": " Мүмкін, {} болуы керек шығар?"}
_OUTPUT = {
    "en": "Findings, rules and regimes are what kzlaw draws and applies, and provisions, sources, their quoted "
          "passages and notices are the law it cites — not facts of a scenario: leave kz:Finding and its "
          "properties (kz:conclusion, kz:regime, kz:byRule, …), kz:passage, kz:quote and kz:fromSource out of "
          "the input.",
    "ru": "Выводы, правила и режимы — это то, что kzlaw выводит и применяет, а нормы, источники, цитаты из них "
          "и предупреждения — право, на которое он ссылается, а не факты сценария: не включайте во входные "
          "данные kz:Finding и его свойства (kz:conclusion, kz:regime, kz:byRule, …), kz:passage, kz:quote и "
          "kz:fromSource.",
    "kk": "Тұжырымдар, қағидалар мен режимдер — kzlaw шығаратын және қолданатын нәрселер, ал нормалар, "
          "дереккөздер, олардан алынған үзінділер мен ескертулер — ол сілтеме жасайтын құқық, сценарийдің "
          "фактілері емес: kz:Finding пен оның қасиеттерін (kz:conclusion, kz:regime, kz:byRule, …), "
          "kz:passage, kz:quote және kz:fromSource қасиеттерін кіріс деректерге қоспаңыз.",
}


@cache
def _vocabulary() -> tuple[frozenset, frozenset, frozenset, frozenset]:
    """kzlaw's terms from the ontology: (properties, classes, output-only properties, output-only
    classes). Output-only: what findings, rules and regimes are made of (their classes, and the properties
    whose domain they are), and the store's bookkeeping."""
    g = ontology_graph()
    ns = str(KZ)
    props = frozenset(p for k in _PROPERTY_KINDS for p in g.subjects(RDF.type, k) if str(p).startswith(ns))
    classes = frozenset(c for k in (OWL.Class, RDFS.Class) for c in g.subjects(RDF.type, k)
                        if str(c).startswith(ns))
    out_classes = set(_OUTPUT_DOMAINS)
    todo = list(_OUTPUT_DOMAINS)
    while todo:
        for sub in g.subjects(RDFS.subClassOf, todo.pop()):
            if sub not in out_classes:
                out_classes.add(sub)
                todo.append(sub)
    out_props = {p for p in props if any(d in out_classes for d in g.objects(p, RDFS.domain))}
    out_props |= {KZ.rulesVersion, KZ.storeLayout, KZ.legalBasis, KZ.sourcePassage, KZ.passage, KZ.quote,
                  KZ.fromSource}
    return props, classes, frozenset(out_props), frozenset(out_classes)


def _suggestion(term: URIRef, known: frozenset) -> dict[str, str]:
    import difflib

    local = str(term)[len(str(KZ)):]
    names = {str(t)[len(str(KZ)):]: t for t in known}
    close = difflib.get_close_matches(local, names, n=1, cutoff=0.75) or \
        [n for n in names if n.lower() == local.lower()]
    if not close:
        return dict(_UNKNOWN)
    return {lang: text + _SUGGEST[lang].format(f"kz:{close[0]}") for lang, text in _UNKNOWN.items()}


def vocabulary_problems(data: Graph) -> list[Problem]:
    """What the shapes cannot say of a scenario: a kz: property or class the ontology does not declare
    (a misspelt JSON-LD key becomes one through the context's @vocab, and would be kept as a fact no rule
    reads), and kzlaw's own output stated as input (findings, rules, regimes: they would be mixed with what
    the rules draw). One problem per triple, with a spelling suggestion when a known term is close."""
    props, classes, out_props, out_classes = _vocabulary()
    ns = str(KZ)
    problems = []
    for s, p, o in data:
        # the term said: a class for rdf:type, else the property; checked against its kind's terms
        term, known, output = (o, classes, out_classes) if p == RDF.type else (p, props, out_props)
        if not isinstance(term, URIRef) or not str(term).startswith(ns):
            continue
        if term not in known:
            messages, constraint = _suggestion(term, known), VOCABULARY_CONSTRAINT
        elif term in output:
            messages, constraint = dict(_OUTPUT), OUTPUT_CONSTRAINT
        else:
            continue
        problems.append(Problem(focus=_show(s, data), path=_show(p, data), value=_show(o, data),
                                severity="Violation", messages=messages, shape=None, constraint=constraint,
                                terms=(s, p, o, None), hint=_blank_hint(s, data)))
    return sorted(problems, key=_order)


def _compiled_report(results, data: Graph) -> ValidationReport:
    problems = [Problem(focus=_show(r.focus, data), path=_show(r.path, data), value=_show(r.value, data),
                        severity="Violation", messages=dict(r.messages),
                        shape=None if isinstance(r.shape, BNode) else _show(r.shape, data),
                        constraint=r.constraint, terms=(r.focus, r.path, r.value, r.shape),
                        hint=_blank_hint(r.focus, data))
                for r in results]
    problems.sort(key=_order)
    return ValidationReport(conforms=not problems, problems=problems)


def _pyshacl_report(data: Graph) -> ValidationReport:
    from . import pyshacl_entrypoints  # pyshacl imported on first use: keeps server start-up short

    shacl_validate = pyshacl_entrypoints().validate

    shapes = shapes_for_pyshacl("input")
    if _FULL_MIXIN:
        conforms, results, _ = shacl_validate(
            data, shacl_graph=shapes, ont_graph=ontology_graph(), inference="none",
            abort_on_first=False, allow_infos=True, allow_warnings=True, advanced=True,
        )
    else:  # the same mixed graph pyshacl would build, without copying the ontology part each time
        static = _inoculated()
        work = Graph()
        work.addN((s, p, o, work) for s, p, o in data if (s, p, o) not in static)
        mixed = Closure(static, work)
        conforms, results, _ = shacl_validate(
            mixed, shacl_graph=shapes, ont_graph=None, inference="none", inplace=True,
            abort_on_first=False, allow_infos=True, allow_warnings=True, advanced=True,
        )
    problems = []
    for r in results.subjects(RDF.type, SH.ValidationResult):
        problems.append(Problem(
            focus=_show(results.value(r, SH.focusNode), results),
            path=_show(results.value(r, SH.resultPath), results),
            value=_show(results.value(r, SH.value), results),
            severity=str(results.value(r, SH.resultSeverity)).rsplit("#", 1)[-1],
            messages=_messages(results, r, shapes),
            shape=_show(results.value(r, SH.sourceShape), results) if not isinstance(
                results.value(r, SH.sourceShape), BNode) else None,
            constraint=str(results.value(r, SH.sourceConstraintComponent)).rsplit("#", 1)[-1],
            terms=(results.value(r, SH.focusNode), results.value(r, SH.resultPath), results.value(r, SH.value),
                   results.value(r, SH.sourceShape)),
            hint=_blank_hint(results.value(r, SH.focusNode), data),
        ))
    problems.sort(key=_order)
    return ValidationReport(conforms=bool(conforms), problems=problems)
