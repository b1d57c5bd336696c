"""What the service does with one scenario — validate, assess, store — and how stored findings are read
back, kept free of HTTP so the API and the CLI share it."""

from __future__ import annotations

import hashlib
import threading
import uuid
from dataclasses import dataclass

from rdflib import Graph, URIRef
from rdflib.namespace import PROV, RDF

from .assess import _MULTI, _SINGLE, Assessment, Finding, _rule_rank, assess
from .errors import InputError
from .namespaces import KZ, LANGS
from .output import finding_json, notices_json
from .parse import check_meaning, parse_scenario, scenario_base
from .reason import scenario_inferences
from .rules import all_rules, regime_id, rules_version
from .settings import get_settings
from .store import QuadStore
from .validate import ValidationReport, validate_graph


class NotConforming(Exception):
    """A scenario that does not conform to the input shapes: nothing is stored."""

    def __init__(self, report: ValidationReport):
        self.report = report
        super().__init__(f"the scenario does not conform ({len(report.problems)} problem(s))")


class UnknownScenario(Exception):
    def __init__(self, sid: str):
        self.sid = sid
        super().__init__(f"no stored scenario {sid!r}")


class ScenarioExists(Exception):
    def __init__(self, sid: str):
        self.sid = sid
        super().__init__(f"a scenario {sid!r} is already stored; PUT /v1/scenarios/{sid} replaces it")


_warmed = threading.Lock()


def warm_up() -> bool:
    """Build kzlaw's caches (ontology, compiled reasoner and validator, rules, labels) on one generated
    scenario, then put every object alive out of the cyclic garbage collector's reach (``gc.freeze``):
    its full collections would otherwise walk those caches again and again — two in a hundred assessments
    took ~90 ms longer for it (2026-12-03). Once per process (False if done already, or being done). What
    is garbage at that moment is never collected: a few kilobytes, once."""
    if not _warmed.acquire(blocking=False):
        return False
    import gc

    from .generate import generate
    from .output import assessment_json

    g, base = generate(0)
    validate_graph(g)
    assessment_json(assess(g, base, "all"), "en", proofs=True)
    gc.freeze()
    return True


def new_id() -> str:
    return uuid.uuid4().hex[:16]


def read(data: bytes | str, fmt: str, sid: str, base: str, max_triples: int | None = None) -> Graph:
    """Parse a scenario document with the scenario's IRI as base (raises InputError). A document of more
    than ``max_triples`` (default: KZLAW_MAX_TRIPLES) triples is refused before validation."""
    graph = parse_scenario(data, fmt, scenario_base(sid, base), meaning=False)
    limit = max_triples if max_triples is not None else get_settings().max_triples
    if len(graph) > limit:
        raise InputError(f"the scenario has {len(graph)} triples, over the limit of {limit} "
                         "(KZLAW_MAX_TRIPLES)", kind="triples")
    return check_meaning(graph)


def check(graph: Graph) -> None:
    report = validate_graph(graph)
    if not report.conforms:
        raise NotConforming(report)


def findings_by_regime(a: Assessment) -> dict[str, Graph]:
    out = {}
    for rid, triples in a.triples_by_regime().items():
        g = out[rid] = Graph()
        g.addN((s, p, o, g) for s, p, o in triples)
    return out


def store_assessed(store: QuadStore, sid: str, facts: Graph, replace: bool = False,
                   stored: list[str] | None = None) -> Assessment:
    """Assess valid facts under every regime and store facts, inferences and findings atomically
    (``stored``: the graphs a replacement drops, when the caller has listed them)."""
    base = scenario_base(sid, store.base)
    a = assess(facts, base, "all")
    store.put(sid, a.facts, scenario_inferences(a.inferred, a.facts, base), findings_by_regime(a),
              replace=replace, stored=stored)
    return a


def ingest(store: QuadStore, data: bytes | str, fmt: str, sid: str | None = None,
           replace: bool = False) -> tuple[str, Assessment]:
    """Parse, validate, assess and store one scenario document. Raises InputError, NotConforming,
    ScenarioExists (unless ``replace``)."""
    sid = sid or new_id()
    graph = read(data, fmt, sid, store.base)  # checks the id first
    if not replace and store.exists(sid):
        raise ScenarioExists(sid)
    check(graph)
    return sid, store_assessed(store, sid, graph, replace=replace)


def reassess(store: QuadStore, progress=None) -> int:
    """Recompute every stored scenario's findings with the current rules (facts as stored)."""
    store.ensure_knowledge()
    ids = store.scenario_ids()
    graphs = store.graphs_by_scenario()  # listed once: graph_names per scenario would make this O(N²)
    for sid in ids:
        store_assessed(store, sid, store.facts(sid), replace=True, stored=graphs.get(sid, []))
        if progress:
            progress(sid)
    return len(ids)


# --------------------------------------------------------------------------------------------------
# Reading stored findings back


def findings_from_graph(g: Graph) -> list[Finding]:
    """The Finding objects of a findings graph as stored (same IRIs, same fields as assess makes)."""
    iris = set(g.subjects(RDF.type, KZ.Finding))
    rules = all_rules()
    out = []
    for f in iris:
        kw: dict = {"iri": str(f)}
        for p, name in _SINGLE.items():
            v = g.value(f, p)
            kw[name] = str(v) if v is not None else None
        kw["regime"] = regime_id(kw["regime"])
        rule = rules.get(URIRef(kw["rule"]))
        kw["rule_id"] = rule.rule_id if rule else kw["rule"].rsplit("/", 1)[-1]
        for p, name in _MULTI.items():
            kw[name] = sorted(str(v) for v in g.objects(f, p))
        derived = list(g.objects(f, PROV.wasDerivedFrom))
        kw["premises"] = sorted(str(d) for d in derived if d in iris)
        kw["facts"] = sorted(str(d) for d in derived if d not in iris)
        texts = {lit.language: str(lit) for lit in g.objects(f, KZ.explanation) if lit.language in LANGS}
        kw["explanation"] = {lang: texts[lang] for lang in LANGS if lang in texts}  # en, ru, kk: one order
        out.append(Finding(**kw))
    out.sort(key=lambda x: (x.regime, x.subject, _rule_rank(x) if URIRef(x.rule) in rules else (0, ""),
                            x.concerns or "", x.iri))  # the iri last: no ties, one order in every process
    return out


@dataclass
class StoredFindings:
    scenario: str
    graph: Graph
    findings: list[Finding]
    labels: Graph  # facts + inferences, for labels of the scenario's own nodes

    def json(self, lang: str) -> dict:
        versions = sorted({str(v) for v in self.graph.objects(None, KZ.rulesVersion)})
        return {"scenario": self.scenario, "rules_versions": versions,
                "findings": [finding_json(f, lang, self.labels) for f in self.findings],
                "notices": notices_json(self.findings, lang)}


def state_tag(store: QuadStore, sid: str, facts: Graph | None = None) -> str | None:
    """A tag of what is stored under ``sid`` (None if nothing): its facts and which rules version wrote the
    findings of which regime, hashed. Every representation of the scenario (facts, findings, comparisons)
    is derived from these, so the REST API builds its ETags on it; a PUT that changes the facts or a
    reassess with other rules changes it. ``facts``: the stored facts, when the caller has read them."""
    facts = store.facts(sid) if facts is None else facts
    if not len(facts):
        return None
    findings = store.known_findings_graphs(sid)  # by name: listing the store's graphs grows with it
    text = "\n".join(sorted(f"{s.n3()} {p.n3()} {o.n3()}" for s, p, o in facts))
    text += "\n--\n" + "\n".join(f"{g} {v}" for g, v in store.rules_versions(findings))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def stored_findings(store: QuadStore, sid: str, regime: str | None = None) -> StoredFindings:
    if not store.exists(sid):
        raise UnknownScenario(sid)
    g = store.findings(sid, regime)
    labels = store.facts(sid)
    labels += store.inferred(sid)
    return StoredFindings(scenario=scenario_base(sid, store.base), graph=g,
                          findings=findings_from_graph(g), labels=labels)


def stored_assessment(store: QuadStore, sid: str) -> Assessment:
    """The stored findings as an Assessment (for compare): no new reasoning."""
    sf = stored_findings(store, sid)
    regimes = sorted({f.regime for f in sf.findings})
    versions = sorted({str(v) for v in sf.graph.objects(None, KZ.rulesVersion)})
    return Assessment(scenario=sf.scenario, regimes=regimes, as_of=None,
                      rules_version=versions[0] if len(versions) == 1 else rules_version(),
                      findings=sf.findings, graph=sf.graph, facts=store.facts(sid), inferred=sf.labels)
