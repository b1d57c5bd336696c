"""Human and JSON renderings of a comparison between two regimes."""

from __future__ import annotations

from rdflib import URIRef

from .assess import Assessment
from .compare import Change
from .knowledge import label
from .output import finding_json, notices_json
from .rules import get_regime

_W = {
    "en": {"appears": "appears", "disappears": "disappears", "changes": "changes", "none": "No differences.",
           "title": "Changes from {base} to {other}"},
    "ru": {"appears": "появляется", "disappears": "исчезает", "changes": "меняется", "none": "Различий нет.",
           "title": "Изменения: {base} → {other}"},
    "kk": {"appears": "пайда болады", "disappears": "жойылады", "changes": "өзгереді", "none": "Айырмашылық жоқ.",
           "title": "Өзгерістер: {base} → {other}"},
}


def _line(f, lang, closure) -> str:
    s = f"{label(URIRef(f.conclusion), lang)} ({f.rule_id})"
    if f.obstacles:
        s += " [" + "; ".join(label(URIRef(o), lang) for o in f.obstacles) + "]"
    return s


def render_changes(changes: list[Change], a: Assessment, base: str, other: str, lang: str) -> str:
    w = _W[lang]
    title = w["title"].format(base=get_regime(base).label(lang), other=get_regime(other).label(lang))
    out = [title, "=" * len(title)]
    if not changes:
        out.append(w["none"])
    for c in changes:
        f = c.base or c.other
        who = label(URIRef(f.subject), lang, a.inferred)
        about = f" / {label(URIRef(f.concerns), lang, a.inferred)}" if f.concerns else ""
        if c.kind == "changes":
            what = f"{_line(c.base, lang, a.inferred)} → {_line(c.other, lang, a.inferred)}"
        elif c.kind == "appears":
            what = "+ " + _line(c.other, lang, a.inferred)
        else:
            what = "− " + _line(c.base, lang, a.inferred)
        out.append(f"[{w[c.kind]}] {who}{about}: {what}")
        if c.other is not None:
            out.append(f"    {c.other.explanation.get(lang, '')}")
    return "\n".join(out)


def changes_json(changes: list[Change], a: Assessment, base: str, other: str, lang: str) -> dict:
    return {
        "scenario": a.scenario, "base": base, "other": other,
        "changes": [{
            "change": c.kind,
            "topic": c.key[1],
            "subject": c.key[0],
            "concerns": c.key[2],
            "base": finding_json(c.base, lang, a.inferred) if c.base else None,
            "other": finding_json(c.other, lang, a.inferred) if c.other else None,
        } for c in changes],
        "notices": notices_json([f for c in changes for f in (c.base, c.other) if f], lang),
    }
