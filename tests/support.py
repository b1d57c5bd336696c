"""Shared helpers for the tests: where scenarios are, assessing them once, comparing with expectations."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from kzlaw.assess import Assessment, assess
from kzlaw.parse import read_scenario_file, scenario_base

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "tests" / "scenarios"
SOURCES = ROOT.parent / "shared" / "sources"
RDF_SUFFIXES = (".jsonld", ".ttl", ".nt", ".rdf")


def scenario_files(kind: str) -> list[Path]:
    """Every scenario file under tests/scenarios/*/{kind}/ (kind: good or bad)."""
    return sorted(p for p in SCENARIOS.glob(f"*/{kind}/*") if p.suffix in RDF_SUFFIXES)


def sidecar(path: Path, suffix: str) -> Path:
    return path.with_name(path.name.split(".")[0] + suffix)


def rel_id(path: Path) -> str:
    return str(path.relative_to(SCENARIOS))


def expectation(path: Path) -> dict | None:
    f = sidecar(path, ".expect.json")
    return json.loads(f.read_text(encoding="utf-8")) if f.exists() else None


@cache
def assessed(path_str: str, as_of: str | None = None, executor: str = "oxigraph") -> Assessment:
    graph, sid = read_scenario_file(Path(path_str))
    return assess(graph, scenario_base(sid), "all", as_of=as_of, executor=executor)


def short(iri: str | None, base: str) -> str | None:
    """A finding's node as the expectation files write it: relative id or kz:Name."""
    if iri is None:
        return None
    if iri.startswith(base):
        return iri[len(base):]
    if iri.startswith("https://w3id.org/kzlaw/ontology#"):
        return "kz:" + iri.split("#", 1)[1]
    return iri


def local(iri: str | None) -> str | None:
    return iri.rsplit("#", 1)[-1] if iri else None


def finding_summary(a: Assessment) -> dict:
    """Golden form of an assessment: per regime, the findings' stable fields (no hashes)."""
    base = a.scenario
    out: dict = {}
    for f in a.findings:
        out.setdefault(f.regime, []).append({
            "rule": f.rule_id,
            "subject": short(f.subject, base),
            "conclusion": local(f.conclusion),
            "concerns": short(f.concerns, base),
            "basis": local(f.basis),
            "kind": local(f.kind),
            "categories": sorted(local(c) for c in f.categories),
            "obstacles": sorted(local(o) for o in f.obstacles),
            "on_refusal": local(f.on_refusal),
            "legal_basis": sorted(f.legal_basis),
            "premises": sorted(all_rule_ids(a, f.premises)),
            "explanation": f.explanation.get("en"),
            **({"notices": [local(n) for n in f.notices]} if f.notices else {}),
        })
    for items in out.values():
        items.sort(key=lambda d: (d["rule"], d["subject"] or "", d["concerns"] or "", d["conclusion"]))
    return out


def all_rule_ids(a: Assessment, iris: list[str]) -> list[str]:
    by = {f.iri: f for f in a.findings}
    return [by[i].rule_id for i in iris if i in by]


def matches(f, want: dict, base: str) -> bool:
    if short(f.subject, base) != want["subject"] or local(f.conclusion) != want["conclusion"]:
        return False
    if "concerns" in want and short(f.concerns, base) != want["concerns"]:
        return False
    if "rule" in want and f.rule_id != want["rule"] and f.rule_id.split("-")[0] != want["rule"]:
        return False
    if "basis" in want and local(f.basis) != want["basis"]:
        return False
    if "kind" in want and local(f.kind) != want["kind"]:
        return False
    return "obstacles" not in want or sorted(local(o) for o in f.obstacles) == sorted(want["obstacles"])


def readable_scenarios(paths) -> list[tuple[str, object]]:
    """(file name, graph) of the scenario files that parse; the unreadable ones (syntax errors on
    purpose) never reach reasoning or validation."""
    from kzlaw.errors import InputError
    from kzlaw.parse import read_scenario_file

    out = []
    for p in paths:
        try:
            out.append((p.name, read_scenario_file(p)[0]))
        except InputError:
            continue
    return out
