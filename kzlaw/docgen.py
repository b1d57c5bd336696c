"""Generate docs/rules.md from the rule files, so the catalogue can never disagree with the rules.
``python -m kzlaw.docgen`` rewrites it; tests/test_docs.py checks it is current."""

from __future__ import annotations

import sys
from pathlib import Path

from rdflib.namespace import SKOS

from .explain import passage_quote
from .knowledge import label, rule_shapes_graph
from .rules import all_regimes, all_rules


def rules_markdown() -> str:
    out = ["# Rules", "",
           "Generated from `shapes/rules/*.ttl` by `python -m kzlaw.docgen`; do not edit by hand.", "",
           "Each rule is a SHACL-AF SPARQL rule. Its id is the proposition id of DOMAIN.md, with a suffix where",
           "one proposition needs several rules. `$this` is the regime the rule runs under.", ""]
    for reg in all_regimes().values():
        out += [f"## Regime `{reg.id}` — {reg.label('en')}", "", reg.definitions.get("en", ""), "",
                "| order | rule | provision | overrides |", "|---|---|---|---|"]
        for r in reg.rules:
            prov = ("the provision the content violates (its category's legal basis)" if r.basis_from_content
                    else "; ".join(label(p) for p in r.legal_basis))
            notes = [n for n in rule_shapes_graph().objects(r.iri, SKOS.scopeNote) if n.language == "en"]
            prov += "".join(f"; {n}" for n in notes)  # where a rule's basis needs a word more
            ov = ", ".join(all_rules()[o].rule_id + (f" (for {', '.join(label(s) for s in r.scope)})" if r.scope else "")
                           for o in r.overrides)
            out.append(f"| {r.order} | **{r.rule_id}** {r.label('en')} | {prov} | {ov} |")
        out.append("")
    out += ["## Passages", ""]
    for r in sorted(all_rules().values(), key=lambda r: (r.order, r.rule_id)):
        out.append(f"- **{r.rule_id}** ({', '.join(r.regimes)}): " +
                   " / ".join(f"“{passage_quote(str(p))}”" for p in r.passages))
    return "\n".join(out) + "\n"


def docs_path() -> Path:
    return Path(__file__).resolve().parents[1] / "docs" / "rules.md"


if __name__ == "__main__":  # pragma: no cover
    docs_path().write_text(rules_markdown(), encoding="utf-8")
    sys.stdout.write(f"wrote {docs_path()}\n")
