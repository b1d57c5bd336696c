"""SPARQL 1.1 query results (JSON, XML, CSV, TSV) written from solutions already read, so that /sparql
evaluates a SELECT once: it reads the rows (checking the row cap and the time limit as they come) and then
writes them, where pyoxigraph could only write a fresh evaluation. The output is byte for byte what
pyoxigraph writes for the same solutions (tests/test_sparql_results.py compares them on every format).

Formats: https://www.w3.org/TR/sparql11-results-json/, https://www.w3.org/TR/rdf-sparql-XMLres/,
https://www.w3.org/TR/sparql11-results-csv-tsv/.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence

import pyoxigraph as ox

XSD = "http://www.w3.org/2001/XMLSchema#"
_STRING = XSD + "string"
# Turtle's short forms (TSV writes these literals bare, as pyoxigraph does)
_BARE = {
    XSD + "boolean": re.compile(r"true|false"),
    XSD + "integer": re.compile(r"[+-]?[0-9]+"),
    XSD + "decimal": re.compile(r"[+-]?[0-9]*\.[0-9]+"),
    XSD + "double": re.compile(r"[+-]?([0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)[eE][+-]?[0-9]+"),
}

Row = Sequence[object]  # one term (or None, unbound) per variable


def _json_term(t) -> dict:
    if isinstance(t, ox.NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, ox.BlankNode):
        return {"type": "bnode", "value": t.value}
    if isinstance(t, ox.Literal):
        out = {"type": "literal", "value": t.value}
        if t.language:
            out["xml:lang"] = t.language
        elif t.datatype.value != _STRING:
            out["datatype"] = t.datatype.value
        return out
    if isinstance(t, ox.Triple):
        return {"type": "triple", "value": {"subject": _json_term(t.subject), "predicate": _json_term(t.predicate),
                                            "object": _json_term(t.object)}}
    raise TypeError(f"not an RDF term: {t!r}")


def _json(variables: list[str], rows: list[Row]) -> bytes:
    bindings = [{v: _json_term(t) for v, t in zip(variables, row) if t is not None} for row in rows]
    return json.dumps({"head": {"vars": variables}, "results": {"bindings": bindings}},
                      ensure_ascii=False, separators=(",", ":")).encode()


def _xml_escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;").replace("'", "&apos;")


_EDGE_SPACE = re.compile(r"^[ \t\n\r]+|[ \t\n\r]+$")


def _xml_text(s: str) -> str:
    """Element text: escaped, and leading or trailing white space as character references (so that no
    XML tool trims it away), as pyoxigraph writes it."""
    return _EDGE_SPACE.sub(lambda m: "".join(f"&#{ord(c)};" for c in m.group()), _xml_escape(s))


def _xml_term(t) -> str:
    if isinstance(t, ox.NamedNode):
        return f"<uri>{_xml_text(t.value)}</uri>"
    if isinstance(t, ox.BlankNode):
        return f"<bnode>{_xml_text(t.value)}</bnode>"
    if isinstance(t, ox.Literal):
        if t.language:
            attr = f' xml:lang="{_xml_escape(t.language)}"'
        elif t.datatype.value != _STRING:
            attr = f' datatype="{_xml_escape(t.datatype.value)}"'
        else:
            attr = ""
        return f"<literal{attr}>{_xml_text(t.value)}</literal>"
    if isinstance(t, ox.Triple):
        return (f"<triple><subject>{_xml_term(t.subject)}</subject><predicate>{_xml_term(t.predicate)}</predicate>"
                f"<object>{_xml_term(t.object)}</object></triple>")
    raise TypeError(f"not an RDF term: {t!r}")


def _xml(variables: list[str], rows: list[Row]) -> bytes:
    out = ['<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>']
    out += [f'<variable name="{_xml_escape(v)}"/>' for v in variables]
    out.append("</head><results>")
    for row in rows:
        out.append("<result>")
        out += [f'<binding name="{_xml_escape(v)}">{_xml_term(t)}</binding>'
                for v, t in zip(variables, row) if t is not None]
        out.append("</result>")
    out.append("</results></sparql>")
    return "".join(out).encode()


def _csv_value(t) -> str:
    if t is None:
        return ""
    if isinstance(t, ox.BlankNode):
        s = f"_:{t.value}"
    elif isinstance(t, ox.Triple):  # its parts as pyoxigraph writes them; unlike pyoxigraph, quoted as a whole
        s = " ".join(_csv_value(x) for x in (t.subject, t.predicate, t.object))
    else:
        s = t.value
    return f'"{s.replace(chr(34), chr(34) * 2)}"' if any(c in s for c in '",\n\r') else s


def _csv(variables: list[str], rows: list[Row]) -> bytes:
    lines = [",".join(variables)] + [",".join(_csv_value(t) for t in row) for row in rows]
    return "".join(line + "\r\n" for line in lines).encode()


def _tsv_string(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r") \
        .replace('"', '\\"') + '"'


def _tsv_value(t) -> str:
    if t is None:
        return ""
    if isinstance(t, ox.NamedNode):
        return f"<{t.value}>"
    if isinstance(t, ox.BlankNode):
        return f"_:{t.value}"
    if isinstance(t, ox.Literal):
        if t.language:
            return f"{_tsv_string(t.value)}@{t.language}"
        dt = t.datatype.value
        bare = _BARE.get(dt)
        if bare is not None and bare.fullmatch(t.value):
            return t.value
        return _tsv_string(t.value) if dt == _STRING else f"{_tsv_string(t.value)}^^<{dt}>"
    if isinstance(t, ox.Triple):
        return f"<<( {_tsv_value(t.subject)} {_tsv_value(t.predicate)} {_tsv_value(t.object)} )>>"
    raise TypeError(f"not an RDF term: {t!r}")


def _tsv(variables: list[str], rows: list[Row]) -> bytes:
    lines = ["\t".join(f"?{v}" for v in variables)] + ["\t".join(_tsv_value(t) for t in row) for row in rows]
    return "".join(line + "\n" for line in lines).encode()


WRITERS: dict[object, Callable[[list[str], list[Row]], bytes]] = {
    ox.QueryResultsFormat.JSON: _json,
    ox.QueryResultsFormat.XML: _xml,
    ox.QueryResultsFormat.CSV: _csv,
    ox.QueryResultsFormat.TSV: _tsv,
}


def write_solutions(variables: list[str], rows: list[Row], fmt) -> bytes:
    """The solutions ``rows`` (terms in the order of ``variables``) in the results format ``fmt``."""
    return WRITERS[fmt](variables, rows)
