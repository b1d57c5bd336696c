"""The quad store: scenarios' facts, inferences and findings in named graphs (ARCHITECTURE.md, pipeline
step 6), the ontology and the rules in graphs of their own.

Graph names, under the configured base IRI::

    {base}scenario/{id}                    the scenario's facts (as given, plus its kz:Scenario node)
    {base}scenario/{id}/inferred           what OWL reasoning adds about the scenario's own nodes
    {base}scenario/{id}/findings/{regime}  the findings under one regime (each with kz:rulesVersion)
    {base}graph/ontology                   ontology, provisions, regimes, reference data
    {base}graph/rules                      rule metadata and the SHACL-AF rule shapes

The default graph holds the union of all the named graphs (every triple once), kept by the same update that
writes or drops a named graph. It is what the SPARQL endpoint's default graph is: Oxigraph answers from a
real default graph several times faster than from its union-of-named-graphs view (docs/performance.md),
and any SPARQL server then gives the union default graph without being told to. Removing a graph removes
from the default graph only the triples no other named graph states. A store written before this layout
(no kz:storeLayout in its rules graph) gets the default graph filled once when it is opened.

Two backends behind one interface: :class:`EmbeddedStore` (pyoxigraph on local disk, the default) and
:class:`RemoteStore` (any SPARQL 1.1 server over the Protocol). Both write a
scenario with ONE SPARQL UPDATE request — SPARQL 1.1 Update §2: a request is applied atomically by
Oxigraph (embedded or server) — so after any failure a scenario is either fully stored or absent.
"""

from __future__ import annotations

import functools
import json
import re
import sys
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD

from .knowledge import ontology_graph, rule_shapes_graph
from .namespaces import KZ, PREFIXES, REGIME
from .rules import all_regimes, rule_metadata_graph, rules_version


class StoreError(Exception):
    """The store could not do what was asked (unreachable server, refused update...)."""


class StoreUnavailable(StoreError):
    """The store cannot be reached at all (a remote server down or not answering in time). The API
    answers 503; the next request tries again, so the service recovers when the server returns."""


class QueryError(StoreError):
    """A SPARQL query the store could not parse or evaluate; ``line`` and ``column`` (1-based) say where a
    syntax error is, when the store says."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.line, self.column = line, column


# --------------------------------------------------------------------------------------------------
# Terms


def to_ox(term):
    """rdflib term → pyoxigraph term; raises ValueError for a term Oxigraph rejects (e.g. a bad IRI)."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return _blank(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise ValueError(f"not an RDF term: {term!r}")


def _blank(label: str) -> ox.BlankNode:
    """A blank node under its own label when N-Triples allows it ("a-b", "é"), else under the label's
    hex code, which no two labels share ("a-b" and "a_b" were both written "a_b": one node)."""
    try:
        return ox.BlankNode(label)
    except ValueError:
        return ox.BlankNode("kzlawhex" + label.encode("utf-8", "surrogatepass").hex())


def from_ox(term):
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value if term.datatype else None
        return Literal(term.value, datatype=URIRef(dt) if dt and dt != str(XSD.string) else None, normalize=False)
    raise ValueError(f"unsupported term {term!r}")


_OX_NAMED_OR_LITERAL = frozenset({ox.NamedNode, ox.Literal})


def triple_lines(g, blanks: dict | None = None) -> list[str]:
    """Triples (a graph, or any iterable of rdflib or Oxigraph triples) as N-Triples terms, one string
    each (no final " ."). With ``blanks`` (a dict shared by every call for one scenario), each blank node
    gets a fresh label of its own, the same in every call: blank nodes of two scenarios written in one
    operation stay two nodes however their files labelled them (kzlaw.batch)."""
    if blanks is None:
        term = to_ox
    else:
        def term(t):
            if type(t) in _OX_NAMED_OR_LITERAL:  # most terms (findings are kept as Oxigraph terms): first
                return t
            if isinstance(t, (BNode, ox.BlankNode)):
                key = str(t) if isinstance(t, BNode) else t.value
                if key not in blanks:
                    blanks[key] = ox.BlankNode()
                return blanks[key]
            return to_ox(t)
    return [f"{term(s)} {term(p)} {term(o)}" for s, p, o in g]


def _insert_data(graphs: dict[str, Graph]) -> str:
    """INSERT DATA of the graphs, each in its named graph and all of them in the default graph."""
    return _insert_lines({name: triple_lines(g) for name, g in graphs.items()})


def _insert_lines(graphs: dict[str, list[str]]) -> str:
    """INSERT DATA of graphs given as triples in N-Triples terms (each in its named graph and all of them
    in the default graph); "" when there is nothing to insert."""
    parts, union = [], set()
    for name, lines in graphs.items():
        if lines:
            parts.append(f"GRAPH <{name}> {{\n" + "".join(f"{t} .\n" for t in lines) + "}")
            union.update(lines)
    return "INSERT DATA {\n" + "".join(f"{t} .\n" for t in sorted(union)) + "\n".join(parts) + "\n}" if parts else ""


def scenario_nquads(entries: list[tuple[str, dict[str, list[str]]]]) -> str:
    """N-Quads of scenarios' graphs: each triple in its named graph and once in the default graph."""
    out, union = [], set()
    for _sid, graphs in entries:
        for name, lines in graphs.items():
            out.extend(f"{t} <{name}> .\n" for t in lines)
            union.update(lines)
    out.extend(f"{t} .\n" for t in union)
    return "".join(out)


def _graphs_values(names) -> str:
    """``VALUES ?g { <a> <b> … }``: the graphs named, each looked up by name (a FILTER on ?g, or a listing
    of the store's graph names, costs what the store holds)."""
    return "VALUES ?g { " + " ".join(f"<{n}>" for n in names) + " }"


def _drop(names: list[str]) -> list[str]:
    """Update operations removing named graphs, and from the default graph the triples that only they
    state (one DELETE: a triple another named graph also states stays)."""
    if not names:
        return []
    listed = ", ".join(f"<{n}>" for n in names)
    release = ("DELETE { ?s ?p ?o } WHERE { "
               f"{_graphs_values(names)} GRAPH ?g {{ ?s ?p ?o }} "
               f"FILTER NOT EXISTS {{ GRAPH ?other {{ ?s ?p ?o }} FILTER (?other NOT IN ({listed})) }} }}")
    return [release, *(f"DROP SILENT GRAPH <{n}>" for n in names)]


def _distinct_ids(entries: list[tuple[str, dict]]) -> None:
    """put_many's entries name each scenario once: two under one id would both be written, merged."""
    seen: set[str] = set()
    for sid, _g in entries:
        if sid in seen:
            raise StoreError(f"scenario {sid!r} given twice in one write")
        seen.add(sid)


BULK_LIMIT = 1_000_000  # quads Oxigraph's bulk loader ingests in one go (its batch size); put_many stays below
STORE_LAYOUT = "2"  # 1: named graphs only; 2: the default graph holds their union
T = TypeVar("T")
_FILL_DEFAULT = "DROP SILENT DEFAULT ;\nINSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"


def _string(value: str) -> str:
    return json.dumps(value)  # a JSON string is a valid SPARQL string literal for our (IRI) values


# --------------------------------------------------------------------------------------------------
# Query kinds and what the public endpoint refuses

_STRIP = re.compile(r"""<[^<>"{}|^`\\\s]*>|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|#[^\n]*""")
_KEYWORD = r"(?<![\w?$:-]){}(?![\w:-])"
_UPDATE = re.compile("|".join(_KEYWORD.format(k) for k in (
    "INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY")), re.IGNORECASE)
_SERVICE = re.compile(_KEYWORD.format("SERVICE"), re.IGNORECASE)
_FORM = re.compile(_KEYWORD.format("(SELECT|ASK|CONSTRUCT|DESCRIBE)"), re.IGNORECASE)


def _code_only(query: str) -> str:
    """The query with IRIs, strings and comments blanked out, so keywords inside them do not count.
    (Long-quoted strings are rare in queries; this is a guard, not a parser.)"""
    return _STRIP.sub(" ", query.replace('"""', '"').replace("'''", "'"))


def query_form(query: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE — or raises QueryError for updates and SERVICE."""
    code = _code_only(query)
    if _SERVICE.search(code):
        raise QueryError("SERVICE is not allowed: this endpoint queries its own store only")
    m = _FORM.search(code)
    if not m:
        if _UPDATE.search(code):
            raise QueryError("SPARQL updates are not accepted by this endpoint (it is read-only)")
        raise QueryError("not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE")
    if _UPDATE.search(code[:m.start()]):
        raise QueryError("SPARQL updates are not accepted by this endpoint (it is read-only)")
    return m.group(1).upper()


# Prefixes a query may use without declaring them (kzlaw's own, as /v1/vocabulary lists them); a query's own
# PREFIX declaration of the same name wins.
QUERY_PREFIXES = dict(PREFIXES)
_DECLARED = re.compile(r"(?<![\w?$:-])PREFIX\s+([A-Za-z][\w.-]*)?:", re.IGNORECASE)
_PREFIXED = re.compile(r"(?<![\w?$.:\\-])([A-Za-z](?:[\w.-]*[\w-])?)?:(?![/])")
_LONG_STRING = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\'', re.DOTALL)
_POSITION = re.compile(r"^error at (\d+):(\d+): ")
_CHAR_CLASS = re.compile(r"""\[(?:'[^']*'|"[^"]*"|[^\[\]'"])*\]""")
_CODEPOINT = re.compile(r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}")


def _prefix_code(query: str) -> str:
    """The query's code for finding prefixes: long strings blanked too (only for prefixes; the refusal of
    updates and SERVICE keeps _code_only, a guard whose blanking must never hide a keyword)."""
    return _code_only(_LONG_STRING.sub(" ", query))


def declared_prefixes(query: str) -> set[str]:
    return {m.group(1) or "" for m in _DECLARED.finditer(_prefix_code(query))}


def used_prefixes(query: str) -> set[str]:
    return {m.group(1) or "" for m in _PREFIXED.finditer(_prefix_code(query))}


def with_prefixes(query: str) -> str:
    """The query with PREFIX declarations for the kzlaw prefixes it uses without declaring them (for a
    SPARQL server, which does not know them; the embedded store is given them as parse-time defaults). They
    go on the query's first line, so the server's line numbers are the query's own."""
    missing = sorted(p for p in used_prefixes(query) - declared_prefixes(query) if p in QUERY_PREFIXES)
    return "".join(f"PREFIX {p}: <{QUERY_PREFIXES[p]}> " for p in missing) + query


LOCATE_MAX_CHARS = 4_000  # longer queries are not re-parsed to find an error
LOCATE_BUDGET_S = 0.25  # nor for longer than this, of CPU (pyparsing backtracks: some 500-character queries take 1 s)


class _OverBudget(BaseException):
    """Raised inside pyparsing by the tracer of _locate (a BaseException: no ``except Exception`` in the
    parser takes it for a parse failure)."""


@functools.cache
def _parser_ready() -> None:
    """rdflib's SPARQL parser used once: its first parse costs ~20× a later one (pyparsing sets its
    grammar up), which a loaded machine stretched past _locate's budget — the position was lost on the
    first refused query of a process (a flaky test)."""
    from rdflib.plugins.sparql.parser import parseQuery

    parseQuery("SELECT * WHERE { ?s ?p ?o }")


def _locate(query: str) -> tuple[int, int] | bool:
    """Where rdflib's SPARQL parser stops on ``query`` (1-based line and column); True if it parses it, False
    if it cannot say (within LOCATE_BUDGET_S, or at all). Oxigraph's own position is where its parser gave
    up looking ahead, most often the end of the query, so the failing token is found again with rdflib's
    (pyparsing, which reports the first token no rule accepts). Only run on queries Oxigraph refused.
    rdflib would count a tab as 8 columns and a \\u escape as one character: both are replaced by as many
    characters of the same kind first, so the position is the query's own."""
    if len(query) > LOCATE_MAX_CHARS:
        return False
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parser import parseQuery

    text = _CODEPOINT.sub(lambda m: "x" * len(m.group()), query.replace("\t", " "))
    _parser_ready()  # the parser's first use (~0.1 s) is not the query's: outside the budget
    # the thread's own CPU time, not the clock: other processes on a busy machine (a test run's workers and
    # server) stretched a wall-clock budget past the parse of a short query and the position was lost
    end = time.thread_time() + LOCATE_BUDGET_S

    calls = 0

    def budget(frame, event, arg):  # every Python call in this thread while parsing: stop when over time
        nonlocal calls
        calls += 1
        if not calls % 512 and time.thread_time() > end:
            raise _OverBudget
    previous = sys.gettrace()
    sys.settrace(budget)
    try:
        parseQuery(text)
    except ParseBaseException as e:
        return e.lineno, e.col
    except (_OverBudget, Exception):  # noqa: BLE001 - e.g. RecursionError on long triple lists: no position
        return False
    finally:
        sys.settrace(previous)
    return True


def syntax_error(query: str, message: str, parsed: str | None = None, unplaced: str = "syntax error") -> QueryError:
    """Oxigraph's message on a query it cannot parse, made readable. The position is the token where
    rdflib's parser stops (see _locate), shown with the text from there; first, when the query uses a
    prefix nobody declared, that prefix (the commonest cause); Oxigraph's own sentences (e.g. a SELECT
    naming a variable it does not group by), which it lists among the alternatives; and what it expected
    (at most 12, without character classes) only when both parsers stop at the end of the query, since
    elsewhere its list belongs to a place other than the one shown. ``parsed``: the text the parser that
    wrote ``message`` saw, when it is not ``query`` (a SPARQL server is sent PREFIX declarations too); a
    message in another parser's words is kept as it is, after ``unplaced`` when neither parser gave a
    position."""
    m = _POSITION.match(message)
    if m:
        message = message[m.end():]
    message = " ".join(message.split())
    lines = query.split("\n")  # lines as the parsers count them
    located = _locate(query)
    at = located if isinstance(located, tuple) else None
    at_end = at is not None and (at[0] > len(lines) or (at[0] == len(lines) and at[1] > len(lines[-1].rstrip())))
    seen = parsed or query  # the text Oxigraph's position is in
    ox_at_end = m is not None and _offset(seen.split("\n"), int(m.group(1)), int(m.group(2))) >= len(seen.rstrip())
    if at is not None and not at_end and ox_at_end and not _CLOSER.search(_code_only(query[_offset(lines, *at):])):
        # "{ ?s ?p": rdflib stops where the unfinished pattern begins, Oxigraph at the end; with nothing
        # closed after rdflib's place, the query is cut short there: say so, at its end
        last = query.rstrip().split("\n")
        at, at_end = (len(last), len(last[-1]) + 1), True
    parts = []
    undeclared = sorted(used_prefixes(query) - declared_prefixes(query) - set(QUERY_PREFIXES))
    if undeclared:
        many = len(undeclared) > 1
        parts.append(f"the prefix{'es' if many else ''} {', '.join(p + ':' for p in undeclared)} "
                     f"{'are' if many else 'is'} not declared (add PREFIX {undeclared[0]}: <…>; "
                     f"{', '.join(p + ':' for p in QUERY_PREFIXES)} need no declaration)")
    if message.startswith("expected "):
        listed = message.removeprefix("expected ").removeprefix("one of ")
        items = [i.strip() for i in _CHAR_CLASS.sub("", listed).split(", ") if i.strip()]
        sentences = [i for i in items if " " in i and not i.startswith(('"', "'"))]
        expected = [i for i in items if i not in sentences and i != "<unreported>"]
        parts += [x[0].lower() + x[1:] if x[1:2].islower() else x  # "IRI parsing failed" stays
                  for x in sentences if not (undeclared and x == "Prefix not found")]
        listing = ("expected " if len(expected) == 1 else "expected one of ") + ", ".join(expected[:12]) \
            + (f", … ({len(expected)} in all)" if len(expected) > 12 else "")
        if expected and at_end and ox_at_end and not undeclared:
            parts.append(listing)
        elif expected and located is False and not undeclared and m:  # no position of our own: Oxigraph's
            shift = len(parsed) - len(query) if parsed and parsed.endswith(query) else 0
            ox_line = int(m.group(1))
            parts.append(f"Oxigraph's parser stopped at line {ox_line}, column "
                         f"{_as_written(ox_line, int(m.group(2)), shift)}, {listing}")
    elif message:
        parts.append(message)
    if at is None:
        where = "syntax error" if m else unplaced
    elif at_end:
        where = f"syntax error at line {at[0]}, column {at[1]}: the query ends too early"
    else:
        near = lines[at[0] - 1][at[1] - 1:].strip()
        where = f"syntax error at line {at[0]}, column {at[1]}, at {near[:40] + ('…' if len(near) > 40 else '')!r}"
    if not parts and located is True:  # the grammar takes it: one of SPARQL's rules beyond the grammar does not
        parts.append("the grammar allows this query but SPARQL's other rules do not (e.g. BIND to a variable "
                     "already in use, or a SELECT of a variable not grouped by)")
    return QueryError(where + (": " + "; ".join(parts) if parts else ""), *(at or (None, None)))


_CLOSER = re.compile(r"[)}\]]")


def _as_written(line: int | None, column, shift: int):
    """A column a parser counted in the query as sent, with ``shift`` characters of PREFIX declarations
    before its first line (kzlaw.store.with_prefixes), in the query as written."""
    return column - shift if line == 1 and isinstance(column, int) and column > shift else column


def _offset(lines: list[str], line: int, column: int) -> int:
    """The character offset of a 1-based line and column."""
    return sum(len(x) + 1 for x in lines[:line - 1]) + column - 1


# --------------------------------------------------------------------------------------------------


@dataclass
class Page:
    total: int
    ids: list[str]


class GraphNames:
    """The names of the graphs kzlaw stores under a base IRI: per scenario its facts, its inferences and
    its findings per regime; the ontology and the rules."""

    def __init__(self, base: str):
        self.base = base

    def facts_graph(self, sid: str) -> str:
        return f"{self.base}scenario/{sid}"

    def inferred_graph(self, sid: str) -> str:
        return f"{self.facts_graph(sid)}/inferred"

    def findings_graph(self, sid: str, regime: str) -> str:
        return f"{self.facts_graph(sid)}/findings/{regime}"

    def scenario_graph_names(self, sid: str, regimes) -> list[str]:
        """The graphs a scenario is written to: its facts, its inferences and its findings under each of
        ``regimes``, in that order."""
        return [self.facts_graph(sid), self.inferred_graph(sid), *(self.findings_graph(sid, r) for r in regimes)]

    def known_findings_graphs(self, sid: str) -> list[str]:
        """The names a scenario's findings graphs have under the regimes kzlaw knows, stored or not."""
        return [self.findings_graph(sid, r) for r in sorted(all_regimes())]

    @property
    def ontology_graph_name(self) -> str:
        return f"{self.base}graph/ontology"

    @property
    def rules_graph_name(self) -> str:
        return f"{self.base}graph/rules"


class QuadStore(GraphNames, ABC):
    """What kzlaw needs from a store. Subclasses provide the five primitives below (abstract: a backend
    missing one fails when it is constructed, not in the middle of a request)."""

    replica_state = "off"  # an in-memory replica for queries: only EmbeddedStore has one (replicate())

    # ---- primitives --------------------------------------------------------------------------
    @abstractmethod
    def _update(self, text: str) -> None:
        ...

    @abstractmethod
    def _select(self, query: str) -> list[dict[str, object]]:
        """Bindings as rdflib terms (internal queries: explicit GRAPH patterns)."""
        ...

    @abstractmethod
    def _construct(self, query: str) -> Graph:
        ...

    @abstractmethod
    def results(self, query: str, default_graphs: list[str] | None = None,
                named_graphs: list[str] | None = None) -> Callable[[], object]:
        """For the SPARQL endpoint: a function giving, each time it is called, fresh pyoxigraph results
        (QuerySolutions, QueryBoolean or QueryTriples) of ``query`` over the union of all graphs, or
        over the dataset the client names. Raises QueryError for a query the store cannot run."""

    def close(self) -> None:
        pass

    # ---- knowledge ---------------------------------------------------------------------------
    def _stored_marks(self) -> tuple[str | None, str | None]:
        """(rules version, store layout) as the rules graph records them."""
        rules = self.rules_graph_name
        rows = self._select(f"SELECT ?v ?layout WHERE {{ GRAPH <{rules}> {{ <{rules}> <{KZ.rulesVersion}> ?v "
                            f"OPTIONAL {{ <{rules}> <{KZ.storeLayout}> ?layout }} }} }}")
        if not rows:
            return None, None
        layout = rows[0].get("layout")
        return str(rows[0]["v"]), str(layout) if layout is not None else "1"

    def stored_rules_version(self) -> str | None:
        return self._stored_marks()[0]

    def ensure_knowledge(self) -> bool:
        """Load the ontology and rules graphs if missing or of another rules version, and bring a store of
        an older layout to this one. True if anything was written."""
        version = rules_version()
        stored, layout = self._stored_marks()
        if (stored, layout) == (version, STORE_LAYOUT):
            return False
        if layout not in (None, STORE_LAYOUT):
            self._update(_FILL_DEFAULT)
        rules = Graph()
        rules += rule_metadata_graph()
        rules += rule_shapes_graph()
        rules.add((URIRef(self.rules_graph_name), KZ.rulesVersion, Literal(version)))
        rules.add((URIRef(self.rules_graph_name), KZ.storeLayout, Literal(STORE_LAYOUT)))
        self._replace_graph(self.ontology_graph_name, ontology_graph())
        self._replace_graph(self.rules_graph_name, rules)  # last: its marks record the load complete
        return True

    def _replace_graph(self, name: str, g: Graph) -> None:
        self._update(" ;\n".join([*_drop([name]), _insert_data({name: g})]))

    # ---- scenarios ---------------------------------------------------------------------------
    def graph_names(self, sid: str) -> list[str]:
        """The named graphs stored under a scenario id (GRAPH ?g {} lists the graph names, not their
        quads)."""
        facts = self.facts_graph(sid)
        rows = self._select("SELECT DISTINCT ?g WHERE { GRAPH ?g { } "
                            f"FILTER (?g = <{facts}> || STRSTARTS(STR(?g), {_string(facts + '/')})) }}")
        return sorted(str(r["g"]) for r in rows)

    def graphs_by_scenario(self) -> dict[str, list[str]]:
        """Every scenario's graphs (as graph_names gives them), from one listing of the store's graphs:
        for work over every scenario, where graph_names for each would list the store's graphs N times."""
        prefix = f"{self.base}scenario/"
        out: dict[str, list[str]] = {}
        for r in self._select(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ }} FILTER STRSTARTS(STR(?g), {_string(prefix)}) }}"):
            name = str(r["g"])
            out.setdefault(name[len(prefix):].split("/", 1)[0], []).append(name)
        return {sid: sorted(names) for sid, names in out.items()}

    def put(self, sid: str, facts: Graph, inferred: Graph, findings: dict[str, Graph],
            replace: bool = False, stored: list[str] | None = None) -> None:
        """Store a scenario: facts, inferences and findings per regime, in one atomic update.
        With ``replace``, whatever was stored under the id goes in the same update (``stored``: its graphs,
        when the caller has listed them: graphs_by_scenario)."""
        graphs = dict(zip(self.scenario_graph_names(sid, findings), [facts, inferred, *findings.values()], strict=True))
        insert = _insert_data(graphs)  # builds every term first: a bad one fails before any write
        drops = _drop(self.graph_names(sid) if stored is None else stored) if replace else []
        self._update(" ;\n".join([*drops, insert]))

    def put_many(self, entries: list[tuple[str, dict[str, list[str]]]]) -> None:
        """Store several scenarios, each replacing whatever was stored under its id, in one atomic
        update: (id, graph name → triples as N-Triples terms) pairs, as kzlaw.batch.scenario_graphs gives
        them."""
        _distinct_ids(entries)
        if not entries:
            return
        drops = _drop([n for sid, _g in entries for n in self.graph_names(sid)])
        ops = [*drops, _insert_lines({n: ls for _sid, g in entries for n, ls in g.items()})]
        self._update(" ;\n".join(op for op in ops if op))

    def rules_versions(self, names: list[str]) -> list[tuple[str, str]]:
        """(graph, rules version) for the findings graphs named: which rules wrote them."""
        if not names:
            return []
        rows = self._select(f"SELECT DISTINCT ?g ?v WHERE {{ {_graphs_values(names)} "
                            f"GRAPH ?g {{ ?f <{KZ.rulesVersion}> ?v }} }}")
        return sorted((str(r["g"]), str(r["v"])) for r in rows)

    def exists(self, sid: str) -> bool:
        return bool(self._select(f"SELECT ?s WHERE {{ GRAPH <{self.facts_graph(sid)}> {{ ?s ?p ?o }} }} "
                                 "LIMIT 1"))

    def delete(self, sid: str) -> bool:
        names = self.graph_names(sid)
        if names:
            self._update(" ;\n".join(_drop(names)))
        return bool(names)

    def _graph(self, name: str) -> Graph:
        return self._construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}")

    def facts(self, sid: str) -> Graph:
        return self._graph(self.facts_graph(sid))

    def inferred(self, sid: str) -> Graph:
        return self._graph(self.inferred_graph(sid))

    def findings(self, sid: str, regime: str | None = None) -> Graph:
        """The stored findings of a scenario, under one regime or all."""
        if regime is not None:
            return self._graph(self.findings_graph(sid, regime))
        # The graphs by name, those of the regimes kzlaw knows: a FILTER on ?g in GRAPH ?g { ?s ?p ?o }
        # read every quad of the store, and listing the store's graph names grows with the store too.
        return self._construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {_graphs_values(self.known_findings_graphs(sid))} "
                               "GRAPH ?g { ?s ?p ?o } }")

    def findings_graphs(self, sid: str) -> list[str]:
        """The findings graphs stored for a scenario, of the regimes kzlaw knows (each looked up by name;
        graph_names lists every graph under the id, at a cost that grows with the store's graphs)."""
        rows = self._select(f"SELECT ?g WHERE {{ {_graphs_values(self.known_findings_graphs(sid))} "
                            "FILTER EXISTS { GRAPH ?g { ?s ?p ?o } } }")
        return sorted(str(r["g"]) for r in rows)

    def _scenario_filter(self, regime: str | None, conclusion: str | None) -> str:
        prefix = _string(f"{self.base}scenario/")
        cond = [f"STRSTARTS(STR(?g), {prefix})",
                f"!CONTAINS(STRAFTER(STR(?g), {prefix}), \"/\")"]
        where = f"GRAPH ?g {{ ?scenario a <{KZ.Scenario}> }} FILTER ({' && '.join(cond)})"
        if regime or conclusion:
            # The findings graphs' names are made from ?g, so the EXISTS looks each one up (a FILTER EXISTS
            # on GRAPH ?fg with ?fg unbound read every finding in the store for each scenario: over 15 min
            # for 2,400 scenarios). Without a regime: those of the regimes kzlaw knows.
            pats = [f"?f a <{KZ.Finding}>"]
            if regime:
                pats.append(f"?f <{KZ.regime}> <{REGIME[regime]}>")
            if conclusion:
                pats.append(f"?f <{KZ.conclusion}> <{conclusion}>")
            regimes = [regime] if regime else sorted(all_regimes())
            for i, r in enumerate(regimes):
                where += f" BIND (IRI(CONCAT(STR(?g), {_string('/findings/' + r)})) AS ?fg{i})"
            where += " FILTER EXISTS { " + " UNION ".join(
                f"{{ GRAPH ?fg{i} {{ {' . '.join(pats)} }} }}" for i in range(len(regimes))) + " }"
        return where

    def list(self, page: int = 1, size: int = 50, regime: str | None = None,
             conclusion: str | None = None) -> Page:
        """Stored scenario ids, sorted, one page at a time; filtered by a regime under which the
        scenario has findings and/or a conclusion (full IRI) one of its findings draws."""
        ids = self._ids(regime, conclusion)
        start = max(page - 1, 0) * size
        return Page(total=len(ids), ids=ids[start:start + size])

    def scenario_ids(self) -> list[str]:
        return self._ids()

    def _ids(self, regime: str | None = None, conclusion: str | None = None) -> list[str]:
        # Every id fetched once, unsorted, then sorted here (code point order, as SPARQL's ORDER BY of
        # these IRIs) and paged by list. A store's ORDER BY of every id to give a page, with a count
        # apart, cost more than the whole list: Oxigraph decodes both IRIs from RocksDB at every
        # comparison of a sort, and the count evaluated the filter again. At 23,580 scenarios
        # (10M quads): on the embedded store a page 1.29 → 0.25 s; on an Oxigraph server over HTTP a page
        # 0.91 → 0.19 s, filtered by a conclusion 2.0 → 0.83 s, for ~2 MB of ids on loopback.
        cut = len(f"{self.base}scenario/")
        rows = self._select(f"SELECT DISTINCT ?g WHERE {{ {self._scenario_filter(regime, conclusion)} }}")
        return sorted(str(r["g"])[cut:] for r in rows)

    def scenario_count(self, regime: str | None = None, conclusion: str | None = None) -> int:
        """How many scenarios are stored (GET /health; filtered as list): counted, not listed."""
        where = self._scenario_filter(regime, conclusion)
        return int(self._select(f"SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE {{ {where} }}")[0]["n"])

    def count_quads(self) -> int:
        return int(self._select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")[0]["n"])


# --------------------------------------------------------------------------------------------------



def _remove_orphan_bulk_files(path: Path) -> None:
    """Oxigraph's bulk loader writes its sorted runs as bulk-*.sst in the store's directory and hands them
    to RocksDB at the end; a process killed during a bulk load leaves them behind (hundreds of MB at 10M
    quads), never part of the store. Only the process holding the store's lock (this one, once it is
    open) bulk-loads into it, so any found on opening are such leftovers."""
    for f in path.glob("bulk-*.sst"):
        try:
            f.unlink()
        except OSError:
            pass  # not ours to worry about: the store works without removing it


def _copy_by_graph(source: ox.Store) -> ox.Store:
    """An in-memory copy of ``source`` (a store of this layout), written graph by graph in the order of
    their names — a scenario's graphs one after the other, each with its triples in the default graph —
    so that what one scenario holds lies together in memory, as when the scenarios were written one by one.
    A copy of the whole dump in the disk store's order (by term hashes) answers the store-wide questions
    up to 2× slower (CQ4 on 1M quads: 0.15 against 0.08 s). The default graph is the named graphs' union
    in this layout; should the counts say otherwise, it is copied as it is."""
    copy = ox.Store()
    nt = ox.RdfFormat.N_TRIPLES
    for name in sorted(g.value for g in source.named_graphs()):
        graph = ox.NamedNode(name)
        triples = source.dump(format=nt, from_graph=graph)
        if b"_:" in triples:  # blank nodes: Oxigraph's parser labels them afresh at each load, and the one
            # in the named graph must stay the one in the default graph (and in any other graph): as terms
            quads = list(source.quads_for_pattern(None, None, None, graph))
            copy.extend(quads)
            copy.extend(ox.Quad(q.subject, q.predicate, q.object) for q in quads)
        else:
            copy.load(triples, format=nt, to_graph=graph)
            copy.load(triples, format=nt)
    if len(copy) != len(source):  # a default graph that is not the union (not written by kzlaw)
        copy.update("DROP DEFAULT")
        copy.extend(source.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    return copy


class EmbeddedStore(QuadStore):
    """pyoxigraph on local disk (or in memory with ``path=None``)."""

    def __init__(self, path: str | Path | None, base: str):
        super().__init__(base)
        if path is not None:
            Path(path).mkdir(parents=True, exist_ok=True)
        try:
            self.store = ox.Store(str(path)) if path is not None else ox.Store()
        except OSError as e:
            if "/LOCK" in str(e):  # RocksDB's lock file: another process (or this one) has it open
                raise StoreError(
                    f"the store at {path} is in use by another process (a running `kzlaw serve` or "
                    "`make run`?); an embedded store has one user at a time. Stop that process first, or "
                    "ask the running server over HTTP instead (POST /v1/scenarios stores a scenario, "
                    "/sparql answers queries, as `kzlaw query --endpoint http://127.0.0.1:8000/sparql` "
                    "does)") from None
            raise StoreError(f"cannot open the store at {path}: {e}") from None
        if path is not None:
            _remove_orphan_bulk_files(Path(path))
        self.path = Path(path) if path is not None else None
        self._writing = threading.RLock()  # a write and its copy to the replica, one write at a time
        self._replica: ox.Store | None = None  # in memory, for the SPARQL endpoint (replicate())
        self._pending: list[Callable[[ox.Store], None]] | None = None  # writes while the replica is built
        self.replica_state = "off"  # then "building", "ready" or "failed" (GET /health says which)
        self._closed = False
        self._graphs: dict[str, frozenset[str]] | None = None  # each scenario's graphs (_scenario_graphs)

    # ---- the in-memory replica ----------------------------------------------------------------
    # RocksDB answers each look-up in ~7 µs and decodes a term from disk at every comparison of ORDER BY;
    # Oxigraph in memory answers the store-wide competency questions 4–10× faster (docs/performance.md).
    # With KZLAW_STORE_MEMORY the SPARQL endpoint (results()) answers from a copy of the store in memory:
    # the disk store stays the store of record (every write goes there first, and kzlaw's own reads and
    # the reads that decide a write are made there); each write is then made on the copy too, under one
    # lock, so a write that has returned is seen by the next query. The copy costs ~275 bytes of memory a
    # quad (both graphs of a quad: its named graph and the default graph's union copy).

    def replicate(self, wait: bool = True) -> None:
        """Build the in-memory replica (in a background thread unless ``wait``). Writes wait only while a
        checkpoint of the store is taken (RocksDB hard-links its files, beside the store's directory);
        those made while the checkpoint is copied into memory are kept and made on the copy before it is
        used."""
        if self.path is None or self.replica_state in ("building", "ready"):
            return
        self.replica_state = "building"
        if wait:
            self._build_replica()
        else:
            threading.Thread(target=self._build_replica, name="kzlaw-replica", daemon=True).start()

    def _build_replica(self) -> None:
        import tempfile

        assert self.path is not None
        with tempfile.TemporaryDirectory(prefix=".replica-", dir=self.path.parent) as tmp:
            snapshot = Path(tmp) / "snapshot"
            try:
                with self._writing:  # the state the copy starts from; later writes are kept in _pending
                    if self._closed:
                        return
                    self.store.backup(str(snapshot))  # a RocksDB checkpoint: hard links, no copying
                    self._pending = []
                copy = _copy_by_graph(ox.Store.read_only(str(snapshot)))
                with self._writing:
                    if self._closed:  # closed while it was read in: nothing to answer for any more
                        return
                    for write in self._pending:
                        write(copy)
                    self._replica, self._pending, self.replica_state = copy, None, "ready"
            except Exception as e:  # noqa: BLE001 — the store works without its replica: say so, go on
                with self._writing:
                    self._pending, self.replica_state = None, "failed"
                print(f"kzlaw: the in-memory replica of {self.path} could not be built "
                      f"({type(e).__name__}: {e}); queries are answered from disk", file=sys.stderr)

    def _write(self, write: Callable[[ox.Store], None]) -> None:
        """``write`` made on the store, then on the replica (or kept for it while it is being built). A
        replica the write fails on is dropped (queries go to disk again): it would differ from the store."""
        with self._writing:
            write(self.store)
            if self._pending is not None:
                self._pending.append(write)
            if self._replica is not None:
                try:
                    write(self._replica)
                except Exception as e:  # noqa: BLE001
                    self._replica, self.replica_state = None, "failed"
                    print(f"kzlaw: a write failed on the in-memory replica ({type(e).__name__}: {e}); "
                          "it is dropped, queries are answered from disk", file=sys.stderr)

    def _update(self, text: str) -> None:
        with self._writing:
            self._graphs = None  # listed anew when next needed (put, put_many, delete: kept, _kept)
            try:
                self._write(lambda s: s.update(text))
            except (SyntaxError, ValueError, OSError) as e:
                raise StoreError(f"update refused: {e}") from None

    # ---- the graphs under each scenario id --------------------------------------------------------
    # Oxigraph keeps graph names by hash: finding every graph under an id takes a listing of every graph in
    # the store (0.19 s at 118k graphs, linear), which each write replacing or deleting a scenario needs. An
    # embedded store has one writer, this object (RocksDB's lock keeps other processes out), so the
    # listing is made once, when first needed, and kept by the writes after it: put, put_many and delete
    # keep it exactly (a graph written is looked up by name: an empty one is not created); any other
    # update drops it, to be listed again when next needed. Names are kept as what follows the id
    # ("", "/inferred", "/findings/<regime>"), the same few strings for every scenario.

    def _scenario_graphs(self) -> dict[str, frozenset[str]]:
        with self._writing:
            if self._graphs is None:  # Oxigraph's own list of graph names: 4x faster than GRAPH ?g {} here
                prefix = f"{self.base}scenario/"
                found: dict[str, set[str]] = {}
                for g in self.store.named_graphs():
                    if g.value.startswith(prefix):
                        sid, slash, rest = g.value[len(prefix):].partition("/")
                        found.setdefault(sid, set()).add(sys.intern(slash + rest))
                self._graphs = {sid: frozenset(names) for sid, names in found.items()}
            return self._graphs

    def graph_names(self, sid: str) -> list[str]:
        facts = self.facts_graph(sid)
        return sorted(facts + rest for rest in self._scenario_graphs().get(sid, ()))

    def graphs_by_scenario(self) -> dict[str, list[str]]:
        prefix = f"{self.base}scenario/"
        return {sid: sorted(f"{prefix}{sid}{rest}" for rest in names)
                for sid, names in self._scenario_graphs().items()}

    def _kept(self, write: Callable[[], T], changes: list[tuple[str, list[str], list[str]]]) -> T:
        """``write`` (an update of scenarios' graphs) and what it returns, the graphs under each id kept up
        to date: ``changes`` are (id, graphs dropped, graphs written). A write that fails leaves them to be
        listed anew."""
        with self._writing:
            graphs = self._graphs
            try:
                result = write()
            except BaseException:
                self._graphs = None
                raise
            if graphs is None:
                return result
            named = self.store.contains_named_graph
            for sid, dropped, written in changes:
                facts = self.facts_graph(sid)
                now = (graphs.get(sid, frozenset()) - {n[len(facts):] for n in dropped}) | {
                    sys.intern(n[len(facts):]) for n in written if named(ox.NamedNode(n))}
                if now:
                    graphs[sid] = frozenset(now)
                else:
                    graphs.pop(sid, None)
            self._graphs = graphs
            return result

    def put(self, sid: str, facts: Graph, inferred: Graph, findings: dict[str, Graph],
            replace: bool = False, stored: list[str] | None = None) -> None:
        with self._writing:
            dropped = (self.graph_names(sid) if stored is None else stored) if replace else []
            written = self.scenario_graph_names(sid, findings)
            self._kept(lambda: super(EmbeddedStore, self).put(sid, facts, inferred, findings, replace, dropped),
                       [(sid, dropped, written)])

    def delete(self, sid: str) -> bool:
        with self._writing:
            return self._kept(lambda: super(EmbeddedStore, self).delete(sid), [(sid, self.graph_names(sid), [])])

    def _select(self, query: str) -> list[dict[str, object]]:
        res = self.store.query(query)
        names = [v.value for v in res.variables]
        return [{n: from_ox(sol[n]) for n in names if sol[n] is not None} for sol in res]

    def _construct(self, query: str) -> Graph:
        g = Graph()
        for t in self.store.query(query):
            g.add((from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)))
        return g

    def put_many(self, entries: list[tuple[str, dict[str, list[str]]]]) -> None:
        """As QuadStore.put_many, atomic per call; the scenarios not stored yet go through Oxigraph's bulk
        loader (sorted files ingested at once, no transaction: ~3x less work than a transactional write,
        kzlaw.batch). A bulk load of less than a million quads is one ingestion of RocksDB files, all
        or nothing (tests/test_batch.py checks it on this engine); parsing is done before, so a bad line
        writes nothing. A call with any scenario already stored goes wholly through the transactional update
        (one update replacing and adding: a bulk load after it could fail with the replacements done)."""
        _distinct_ids(entries)
        with self._writing:
            if any(self.store.contains_named_graph(ox.NamedNode(self.facts_graph(sid))) for sid, _g in entries):
                self._kept(lambda: super(EmbeddedStore, self).put_many(entries),
                           [(sid, self.graph_names(sid), list(g)) for sid, g in entries])
            elif entries:
                self._kept(lambda: self._bulk(entries), [(sid, [], list(g)) for sid, g in entries])

    def _bulk(self, entries: list[tuple[str, dict[str, list[str]]]]) -> None:
        """put_many's scenarios none of which is stored: Oxigraph's bulk loader."""
        quads = scenario_nquads(entries).encode("utf-8")
        if quads.count(b"\n") >= BULK_LIMIT:  # over one ingestion: a transaction
            self._write(lambda s: s.load(quads, format=ox.RdfFormat.N_QUADS))
        else:
            try:
                self._write(lambda s: s.bulk_load(quads, format=ox.RdfFormat.N_QUADS))
            except (SyntaxError, ValueError, OSError) as e:
                raise StoreError(f"bulk load refused: {e}") from None

    def results(self, query, default_graphs=None, named_graphs=None):
        # No dataset named: the store's default graph (the union of the named graphs, kept by every write)
        # and all named graphs. A dataset named by the client has just the graphs it names (SPARQL 1.1
        # Protocol §2.1.4): no default-graph-uri, an empty default graph.
        kw: dict = {}
        if default_graphs or named_graphs:
            kw["default_graph"] = [ox.NamedNode(g) for g in default_graphs or []]
            kw["named_graphs"] = [ox.NamedNode(g) for g in named_graphs or []]

        def run():
            store = self._replica if self._replica is not None else self.store
            try:
                return store.query(query, prefixes=QUERY_PREFIXES, **kw)
            except SyntaxError as e:
                raise syntax_error(query, str(e)) from None
            except (ValueError, OSError) as e:
                raise QueryError(str(e)) from None
        return run

    def flush(self) -> None:
        self.store.flush()

    def close(self) -> None:
        with self._writing:  # a replica being built is abandoned (_build_replica looks at _closed)
            self._closed, self._replica, self._pending = True, None, None
        try:
            self.store.flush()
        finally:
            del self.store


# --------------------------------------------------------------------------------------------------


class RemoteStore(QuadStore):
    """Any SPARQL 1.1 server: queries at ``{url}/query``, updates at ``{url}/update`` (Oxigraph server's
    layout)."""

    def __init__(self, url: str, base: str, timeout: float = 30.0, connect_timeout: float = 3.0,
                 check: bool = True):
        """``check``: ask the server at once (StoreUnavailable if it is down), else on first use."""
        import httpx

        super().__init__(base)
        self.url = url.rstrip("/")
        # a server that is down is seen at once (connection refused) or within connect_timeout
        self.http = httpx.Client(timeout=httpx.Timeout(timeout, connect=connect_timeout))
        if not check:
            return
        try:
            self.http.get(f"{self.url}/query", params={"query": "ASK {}"},
                          headers={"Accept": "application/sparql-results+json"}).raise_for_status()
        except httpx.HTTPError as e:
            raise StoreUnavailable(f"cannot reach the SPARQL server at {self.url}: {e}") from None

    def _post(self, path: str, **kw):
        import httpx

        try:
            r = self.http.post(f"{self.url}{path}", **kw)
        except httpx.HTTPError as e:
            raise StoreUnavailable(f"the SPARQL server at {self.url} is unreachable: "
                                   f"{type(e).__name__}") from None
        return r

    def _update(self, text: str) -> None:
        r = self._post("/update", content=text.encode("utf-8"),
                       headers={"Content-Type": "application/sparql-update"})
        if r.status_code >= 300:
            raise StoreError(f"update refused ({r.status_code}): {r.text[:500]}")

    def _query_bytes(self, query: str, accept: str, params: list | None = None, asked: str | None = None) -> bytes:
        """``asked``: the query as the user wrote it, when ``query`` is it with PREFIX declarations added; a
        400 is then read as a syntax error in it (kzlaw.store.syntax_error)."""
        r = self._post("/query", params=params or [], content=query.encode("utf-8"),
                       headers={"Content-Type": "application/sparql-query", "Accept": accept})
        if r.status_code == 400 and asked is not None:
            raise syntax_error(asked, r.text[:2000], parsed=query, unplaced="query refused (400)")
        if r.status_code >= 300:
            raise QueryError(f"query refused ({r.status_code}): {r.text[:500]}")
        return r.content

    def _select(self, query: str) -> list[dict[str, object]]:
        res = ox.parse_query_results(self._query_bytes(query, "application/sparql-results+json"),
                                     format=ox.QueryResultsFormat.JSON)
        names = [v.value for v in res.variables]
        return [{n: from_ox(sol[n]) for n in names if sol[n] is not None} for sol in res]

    def _construct(self, query: str) -> Graph:
        data = self._query_bytes(query, "application/n-triples")
        g = Graph()
        for t in ox.parse(data, format=ox.RdfFormat.N_TRIPLES):
            g.add((from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)))
        return g

    def results(self, query, default_graphs=None, named_graphs=None):
        # No dataset named: the server's own, whose default graph is the store's default graph (the union
        # copy) on any SPARQL server, and, unless the server is told otherwise, all its named graphs.
        params = [("default-graph-uri", g) for g in default_graphs or []]
        params += [("named-graph-uri", g) for g in named_graphs or []]
        form = query_form(query)
        sent = with_prefixes(query)  # the server does not know kzlaw's prefixes
        data = self._query_bytes(sent, _ACCEPT[form], params, asked=query)
        return lambda: _parsed_results(data, form)

    def close(self) -> None:
        self.http.close()


class _Triples(list):
    """CONSTRUCT/DESCRIBE results parsed from a server, serializable like pyoxigraph's QueryTriples."""

    def serialize(self, output=None, format=ox.RdfFormat.N_TRIPLES):
        return ox.serialize(self, output, format=format)


_ACCEPT = {"SELECT": "application/sparql-results+json", "ASK": "application/sparql-results+json",
           "CONSTRUCT": "application/n-triples", "DESCRIBE": "application/n-triples"}


def _parsed_results(data: bytes, form: str):
    """A server's answer as pyoxigraph results (what QuadStore.results' function gives)."""
    if form in ("SELECT", "ASK"):
        return ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)
    return _Triples(list(ox.parse(data, format=ox.RdfFormat.N_TRIPLES)))


def endpoint_results(url: str, query: str, timeout: float = 120.0):
    """The results of ``query`` asked of any SPARQL 1.1 endpoint at ``url`` (the Protocol's POST of an
    application/sparql-query; a running kzlaw's is ``…/sparql``), as pyoxigraph results. kzlaw's prefixes
    are declared on the query's first line when it uses them. A refusal is a QueryError: a problem
    document's detail, line and column (kzlaw's /sparql), else the server's text, a 400 read as a syntax
    error in the query; StoreUnavailable when the endpoint cannot be reached."""
    import httpx

    form = query_form(query)
    sent = with_prefixes(query)
    try:  # a redirect (e.g. to the endpoint's URL with a slash) is followed; 307/308 keep the POST
        r = httpx.post(url, content=sent.encode("utf-8"), timeout=httpx.Timeout(timeout, connect=5.0),
                       follow_redirects=True,
                       headers={"Content-Type": "application/sparql-query", "Accept": _ACCEPT[form]})
    except httpx.HTTPError as e:
        raise StoreUnavailable(f"cannot reach the SPARQL endpoint at {url}: {type(e).__name__}: {e}") from None
    ctype = r.headers.get("content-type", "").split(";")[0].strip()
    if r.status_code < 300:
        try:
            return _parsed_results(r.content, form)
        except (SyntaxError, ValueError):
            raise QueryError(f"the endpoint at {url} answered {r.status_code} with {ctype or 'no content type'}, "
                             f"not {_ACCEPT[form]} (is it a SPARQL endpoint?)") from None
    if ctype == "application/problem+json":
        try:
            doc = r.json()
        except ValueError:
            doc = {"detail": r.text[:500]}
        shift = len(sent) - len(query)  # the server counted the declarations before the query's first line
        detail = re.sub(r"line 1, column (\d+)", lambda m: f"line 1, column {_as_written(1, int(m.group(1)), shift)}",
                        str(doc.get("detail") or doc.get("title") or f"query refused ({r.status_code})"))
        line = doc.get("line") if isinstance(doc.get("line"), int) else None
        column = doc.get("column") if isinstance(doc.get("column"), int) else None
        raise QueryError(detail, line, _as_written(line, column, shift))
    if r.status_code == 400:
        raise syntax_error(query, r.text[:2000], parsed=sent, unplaced="query refused (400)")
    raise QueryError(f"query refused ({r.status_code}): {r.text[:500]}")


def open_store(path: str | Path | None = None, url: str | None = None, base: str | None = None,
               load_knowledge: bool = True, check: bool = True, memory: bool = False) -> QuadStore:
    """The configured store: a server when ``url`` is given, else the embedded one at ``path``.
    ``check``: a server is asked at once (StoreUnavailable if it is down), else on first use.
    ``memory`` (embedded store only): its in-memory replica for queries is built before returning (the
    server builds it in the background instead: EmbeddedStore.replicate)."""
    from .namespaces import BASE

    base = base or BASE
    store = RemoteStore(url, base, check=check) if url else EmbeddedStore(path, base)
    if load_knowledge:
        store.ensure_knowledge()
    if memory and isinstance(store, EmbeddedStore):
        store.replicate()
    return store

