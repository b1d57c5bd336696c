"""Reference documentation of kzlaw's ontology, generated from the ontology graph itself (rdflib): every
class, property and individual with its labels and definitions in English, Russian and Kazakh, its
super-classes, domain, range and types, each at an anchor named after the term. ``make docs`` writes
docs/ontology/index.html; the API serves it at /ontology to browsers (RDF to other clients)."""

from __future__ import annotations

import sys
from html import escape
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kzlaw.knowledge import ontology_graph
from kzlaw.namespaces import KZ, PREFIXES

LANGS = ("en", "ru", "kk")
HEAD = {"en": "English", "ru": "Русский", "kk": "Қазақша"}


def curie(n) -> str:
    s = str(n)
    for p, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if s.startswith(ns) and len(s) > len(ns):
            return f"{p}:{s[len(ns):]}"
    return s


def anchor(n) -> str:
    return curie(n).replace(":", "-").replace("/", "-")


def by_lang(g: Graph, s, p) -> dict[str, str]:
    out: dict[str, str] = {}
    for o in g.objects(s, p):
        if isinstance(o, Literal):
            key = o.language or ""
            out[key] = min(out.get(key, str(o)), str(o))
    return out


def link(g: Graph, n, terms: set) -> str:
    if isinstance(n, URIRef) and n in terms:
        return f'<a href="#{anchor(n)}"><code>{escape(curie(n))}</code></a>'
    if isinstance(n, URIRef):
        return f"<code>{escape(curie(n))}</code>"
    return "<em>(anonymous)</em>"


def term_rows(g: Graph, n) -> str:
    labels, defs = by_lang(g, n, RDFS.label), by_lang(g, n, SKOS.definition)
    comments = by_lang(g, n, RDFS.comment)
    rows = []
    for lang in LANGS:
        text = defs.get(lang) or comments.get(lang) or ""
        if lang == "en" and not text:
            text = defs.get("") or comments.get("") or ""
        rows.append(f'<tr lang="{lang}"><th>{HEAD[lang]}</th><td class="label">{escape(labels.get(lang, labels.get("", "")))}'
                    f'</td><td>{escape(text)}</td></tr>')
    return "<table class=\"langs\">" + "".join(rows) + "</table>"


def section(g: Graph, title: str, sid: str, nodes, extra, terms: set) -> str:
    out = [f'<section id="{sid}"><h2>{escape(title)} ({len(nodes)})</h2>']
    for n in nodes:
        out.append(f'<article id="{anchor(n)}"><h3><code>{escape(curie(n))}</code></h3>'
                   f'<p class="iri">{escape(str(n))}</p>{term_rows(g, n)}')
        facts = [f"<dt>{escape(k)}</dt><dd>{', '.join(link(g, v, terms) for v in vs)}</dd>"
                 for k, vs in extra(n) if vs]
        if facts:
            out.append("<dl>" + "".join(facts) + "</dl>")
        out.append("</article>")
    out.append("</section>")
    return "\n".join(out)


def ontology_html(g: Graph | None = None) -> str:
    g = g or ontology_graph()
    uris = lambda it: sorted({x for x in it if isinstance(x, URIRef)}, key=curie)
    classes = uris(g.subjects(RDF.type, OWL.Class))
    obj = uris(g.subjects(RDF.type, OWL.ObjectProperty))
    data = uris(g.subjects(RDF.type, OWL.DatatypeProperty))
    ann = uris(g.subjects(RDF.type, OWL.AnnotationProperty))
    meta = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, OWL.Ontology,
            OWL.FunctionalProperty, OWL.SymmetricProperty, OWL.TransitiveProperty, OWL.InverseFunctionalProperty}
    skip = set(classes) | set(obj) | set(data) | set(ann)
    inds = uris(s for s, o in g.subject_objects(RDF.type) if o not in meta and s not in skip)
    terms = set(classes) | set(obj) | set(data) | set(ann) | set(inds)
    ont = next(iter(g.subjects(RDF.type, OWL.Ontology)), None)

    def cls_extra(n):
        return [("subclass of", uris(g.objects(n, RDFS.subClassOf))),
                ("equivalent to", uris(g.objects(n, OWL.equivalentClass))),
                ("subclasses", uris(g.subjects(RDFS.subClassOf, n)))]

    def prop_extra(n):
        return [("domain", uris(g.objects(n, RDFS.domain))), ("range", uris(g.objects(n, RDFS.range))),
                ("subproperty of", uris(g.objects(n, RDFS.subPropertyOf))),
                ("inverse of", uris(g.objects(n, OWL.inverseOf))),
                ("characteristics", uris(o for o in g.objects(n, RDF.type) if o not in (OWL.ObjectProperty, OWL.DatatypeProperty)))]

    def ind_extra(n):
        return [("type", uris(o for o in g.objects(n, RDF.type) if o != OWL.NamedIndividual))]

    title = by_lang(g, ont, RDFS.label).get("en") or by_lang(g, ont, URIRef("http://purl.org/dc/terms/title")).get("en") \
        if ont is not None else None
    title = title or "kzlaw ontology"
    toc = "".join(f'<li><a href="#{a}">{t}</a></li>' for a, t in
                  (("classes", "Classes"), ("object-properties", "Object properties"),
                   ("datatype-properties", "Datatype properties"), ("annotation-properties", "Annotation properties"),
                   ("individuals", "Individuals")))
    body = [section(g, "Classes", "classes", classes, cls_extra, terms),
            section(g, "Object properties", "object-properties", obj, prop_extra, terms),
            section(g, "Datatype properties", "datatype-properties", data, prop_extra, terms),
            section(g, "Annotation properties", "annotation-properties", ann, prop_extra, terms),
            section(g, "Individuals", "individuals", inds, ind_extra, terms)]
    onto_info = term_rows(g, ont) if ont is not None else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} — reference</title>
<style>
body {{ font: 15px/1.45 system-ui, "Noto Sans", sans-serif; margin: 0 auto; max-width: 70rem; padding: 1rem 1.5rem; color: #1d2433; }}
article {{ border-top: 1px solid #d8dce5; padding: .5rem 0; }} h3 {{ margin: .3rem 0; }}
.iri {{ color: #5b6475; font-size: 13px; margin: 0; }} table.langs {{ border-collapse: collapse; width: 100%; }}
table.langs th {{ width: 6rem; text-align: left; color: #5b6475; font-weight: normal; vertical-align: top; }}
table.langs td {{ padding: .1rem .5rem; vertical-align: top; }} td.label {{ width: 16rem; font-weight: 600; }}
dl {{ display: grid; grid-template-columns: 9rem 1fr; margin: .3rem 0; }} dt {{ color: #5b6475; }} dd {{ margin: 0; }}
</style></head><body>
<h1>{escape(title)}</h1>
<p>IRI <code>{escape(str(ont) if ont is not None else str(KZ))}</code>. Generated from the ontology graph by
<code>make docs</code> (web/ontology_docs.py); do not edit by hand. Machine-readable: this address with
<code>Accept: text/turtle</code>, <code>application/rdf+xml</code> or <code>application/ld+json</code>.</p>
{onto_info}
<nav><ul>{toc}</ul></nav>
{chr(10).join(body)}
</body></html>
"""


def main(argv: list[str]) -> int:
    out = Path(argv[1] if len(argv) > 1 else "docs/ontology")
    out.mkdir(parents=True, exist_ok=True)
    (out / "index.html").write_text(ontology_html(), encoding="utf-8")
    sys.stdout.write(f"wrote {out / 'index.html'}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
