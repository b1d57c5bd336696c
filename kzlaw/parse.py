"""Parse scenario data into an rdflib Graph: JSON-LD, Turtle, N-Triples, RDF/XML.

Nothing named by the input is ever fetched. JSON-LD may name only kzlaw's own context
(``https://w3id.org/kzlaw/context.jsonld``), which is replaced by the copy shipped with the package before
rdflib sees the document; any other remote context, ``@import`` or non-local reference is refused.
RDF/XML is checked with defusedxml first: a DTD (and with it every entity, XXE, billion laughs) is refused.
``owl:imports`` in data is kept as a triple and never followed.
"""

from __future__ import annotations

import json
import re
import threading
from functools import cache
from pathlib import Path
from typing import Any

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.exceptions import ParserError
from rdflib.plugins.parsers.notation3 import BadSyntax

from . import literals_as_written
from .errors import InputError
from .namespaces import BASE, CONTEXT_IRI, KZ
from .resources import context_file

# media type → rdflib format; the first name of each is the canonical media type
MEDIA_TYPES = {
    "application/ld+json": "json-ld",
    "application/json": "json-ld",
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
}
SUFFIXES = {
    ".jsonld": "json-ld", ".json": "json-ld", ".ttl": "turtle", ".nt": "nt",
    ".rdf": "xml", ".xml": "xml", ".owl": "xml",
}
MAX_JSON_DEPTH = 64
SCENARIO_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


def scenario_base(scenario_id: str, base: str = BASE) -> str:
    """The IRI base of a scenario: relative IRIs in its data resolve against it; the scenario node is it."""
    if not SCENARIO_ID.match(scenario_id):
        raise InputError(f"invalid scenario id {scenario_id!r}: use letters, digits, '.', '_' or '-' "
                         "(at most 128, starting with a letter or digit)", kind="id")
    return f"{base}scenario/{scenario_id}/"


def format_for_media_type(media_type: str) -> str:
    mt = media_type.split(";")[0].strip().lower()
    if mt not in MEDIA_TYPES:
        raise InputError(f"unsupported media type {mt!r}; send one of {', '.join(MEDIA_TYPES)}",
                         kind="media-type")
    return MEDIA_TYPES[mt]


def format_for_path(path: Path) -> str:
    try:
        return SUFFIXES[path.suffix.lower()]
    except KeyError:
        raise InputError(f"cannot tell the format of {path.name!r} from its suffix; use one of "
                         f"{', '.join(SUFFIXES)}", kind="media-type") from None


@cache
def _local_context() -> dict[str, Any]:
    return json.loads(context_file().read_text(encoding="utf-8"))["@context"]


def _check_depth(obj: Any, depth: int = 0) -> None:
    if depth > MAX_JSON_DEPTH:
        raise InputError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels", kind="size")
    if isinstance(obj, dict):
        for v in obj.values():
            _check_depth(v, depth + 1)
    elif isinstance(obj, list):
        for v in obj:
            _check_depth(v, depth + 1)


def _localise_context(ctx: Any) -> Any:
    """Replace kzlaw's context IRI by its local copy; refuse every other remote reference."""
    if isinstance(ctx, str):
        if ctx == CONTEXT_IRI:
            return _local_context()
        raise InputError(f"remote JSON-LD context {ctx!r} refused: kzlaw fetches nothing; use "
                         f"{CONTEXT_IRI!r} (resolved locally) or an inline context", kind="remote-context")
    if isinstance(ctx, list):
        return [_localise_context(c) for c in ctx]
    if isinstance(ctx, dict):
        if "@import" in ctx:
            raise InputError("JSON-LD @import refused: kzlaw fetches nothing", kind="remote-context")
        if "@version" in ctx and ctx["@version"] != 1.1:  # JSON-LD 1.1 §9.15: the only valid value
            raise InputError(f"invalid JSON-LD @version {ctx['@version']!r}: only 1.1 is defined")
        for key, term in ctx.items():
            if not isinstance(term, (str, dict)) and term is not None and key != "@version" \
                    and not (key == "@propagate" and isinstance(term, bool)):
                raise InputError(f"invalid JSON-LD term definition for {key!r}: expected a string, an "
                                 "object or null")
        for term in ctx.values():
            if isinstance(term, dict) and "@context" in term:  # scoped contexts
                term["@context"] = _localise_context(term["@context"])
        return ctx
    if ctx is None:
        return ctx
    raise InputError("invalid JSON-LD @context value", kind="syntax")


def _localise(doc: Any) -> Any:
    if isinstance(doc, dict):
        out = {}
        for k, v in doc.items():
            out[k] = _localise_context(v) if k == "@context" else _localise(v)
        return out
    if isinstance(doc, list):
        return [_localise(v) for v in doc]
    return doc


_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|\\^`\x7f-\x9f]')  # never in an IRI, relative or compact (RFC 3987)


class _Unnameable(Exception):
    """Raised inside rdflib's JSON-LD processing (see _strict_context) for a value it would drop."""

    def __init__(self, value: str, what: str):
        super().__init__(value)
        self.value, self.what = value, what


_strict = threading.local()  # set while kzlaw parses a JSON-LD document, in this thread only


def _strict_context() -> None:
    """rdflib's JSON-LD processor changes, in silence, an IRI with a space once expanded (Context.resolve
    returns "" for it: a node with id "john doe" vanishes with its facts, a reference "john doe" becomes
    the document's base, a type "Comm ent" is lost) or a tab or line break ("john\\tdoe" is read as
    "johndoe", urllib drops them), and drops a value whose language tag has a space. JSON-LD
    1.1 lets processors ignore what is not an IRI; kzlaw refuses the document instead. Hooked into the
    processor itself, so that it follows the document's own context (what is an IRI there, and what a
    plain string), and only while kzlaw parses (a thread-local switch): rdflib elsewhere is unchanged."""
    from rdflib.plugins.shared.jsonld.context import Context

    if getattr(Context.resolve, "_kzlaw", False):
        return
    resolve, get_language = Context.resolve, Context.get_language

    def strict_resolve(self, curie_or_iri):
        if getattr(_strict, "on", False) and isinstance(curie_or_iri, str) and _NOT_IN_IRI.search(curie_or_iri):
            raise _Unnameable(curie_or_iri, "node")
        return resolve(self, curie_or_iri)

    def strict_get_language(self, obj):
        lang = get_language(self, obj)
        if getattr(_strict, "on", False) and isinstance(lang, str) and " " in lang:
            raise _Unnameable(lang, "language")
        return lang

    strict_resolve._kzlaw = True
    Context.resolve, Context.get_language = strict_resolve, strict_get_language


def _where(doc: Any, value: str, path: str = "$") -> tuple[str, str] | None:
    """The JSON path and text of the first string in ``doc`` (contexts aside) that is ``value`` or ends
    it (a type reaches the processor with its @vocab before it)."""
    if isinstance(doc, str):
        return (path, doc) if doc and (doc == value or (_NOT_IN_IRI.search(doc) and value.endswith(doc))) else None
    items = doc.items() if isinstance(doc, dict) else enumerate(doc) if isinstance(doc, list) else ()
    for k, v in items:
        if k == "@context":
            continue
        found = _where(v, value, f"{path}[{k}]" if isinstance(k, int) else f"{path}.{k}")
        if found:
            return found
    return None


def _unnameable(e: _Unnameable, doc: Any) -> InputError:
    path, text = _where(doc, e.value) or ("", e.value)
    at = f"{path}: " if path else ""
    if e.what == "language":
        return InputError(f"{at}language tag {text[:100]!r} holds a space (BCP 47 tags are letters, digits "
                          f"and '-': e.g. {text[:100].replace(' ', '-')!r})")
    bad = _NOT_IN_IRI.search(text)
    return InputError(f"{at}{text[:100]!r} cannot name a node: an IRI (relative ones included) holds no "
                      f"{bad.group() if bad else ' '!r}; use e.g. {_NOT_IN_IRI.sub('-', text[:100])!r}")


def _parse_json_ld(text: str, base: str) -> Graph:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(f"invalid JSON: {e.msg}", line=e.lineno, column=e.colno) from None
    except RecursionError:
        raise InputError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels", kind="size") from None
    _check_depth(doc)
    if not isinstance(doc, (dict, list)):
        raise InputError("a JSON-LD document must be an object or an array")
    if isinstance(doc, dict) and "@context" not in doc:
        # plain JSON (application/json, *.json): kzlaw's context is implied
        doc = {"@context": CONTEXT_IRI, **doc}
    doc = _localise(doc)
    _strict_context()
    g = Graph()
    _strict.on = True
    try:
        g.parse(data=json.dumps(doc), format="json-ld", base=base)
    except _Unnameable as e:
        raise _unnameable(e, doc) from None
    except InputError:
        raise
    except Exception as e:  # noqa: BLE001 - rdflib's JSON-LD processor raises plain exceptions for bad documents
        raise InputError(f"invalid JSON-LD: {e}") from None
    finally:
        _strict.on = False
    return g


def _parse_xml(text: str, base: str) -> Graph:
    from xml.etree.ElementTree import ParseError

    import defusedxml.ElementTree as DET
    from defusedxml import DefusedXmlException

    try:
        DET.fromstring(text.encode("utf-8"), forbid_dtd=True, forbid_entities=True,
                       forbid_external=True)
    except DefusedXmlException as e:
        raise InputError(f"RDF/XML with a DTD or entities refused: {type(e).__name__}",
                         kind="forbidden") from None
    except ParseError as e:
        line, col = e.position
        # expat's text ends with its own "line 4, column 2" (columns from 0): the position is given once, from 1
        why = re.sub(r":? line \d+, column \d+$", "", str(e.msg if hasattr(e, "msg") else e))
        raise InputError(f"invalid XML: {why}", line=line, column=col + 1) from None
    g = Graph()
    try:
        g.parse(data=text, format="xml", publicID=base)
    except Exception as e:  # noqa: BLE001 - SAX and rdflib raise many types for bad RDF/XML
        line = getattr(e, "getLineNumber", lambda: None)()
        col = getattr(e, "getColumnNumber", lambda: None)()
        raise InputError(f"invalid RDF/XML: {e}", line=line, column=col) from None
    return g


def _parse_text_rdf(text: str, fmt: str, base: str) -> Graph:
    g = Graph()
    try:
        g.parse(data=text, format=fmt, publicID=base)
    except BadSyntax as e:
        src = e._str.decode("utf-8", "replace") if isinstance(e._str, bytes) else str(e._str)
        col = e._i - (src.rfind("\n", 0, e._i) + 1) + 1
        raise InputError(f"invalid {'Turtle' if fmt == 'turtle' else fmt}: {e._why}",
                         line=e.lines + 1, column=col) from None
    except ParserError as e:
        raise _located(text, fmt) or InputError(f"invalid {fmt}: {e}") from None
    except IndexError:  # rdflib's Turtle parser runs off the end of a truncated document
        lines = text.rstrip("\n").split("\n")
        raise InputError(f"invalid {'Turtle' if fmt == 'turtle' else fmt}: unexpected end of input "
                         "(a statement is not finished, e.g. a missing final '.')",
                         line=len(lines), column=len(lines[-1]) + 1) from None
    except Exception as e:  # noqa: BLE001 - any other parser failure is still bad input, never a crash
        raise _located(text, fmt) or InputError(f"invalid {fmt}: {e}") from None
    return g


def _located(text: str, fmt: str) -> InputError | None:
    """rdflib's N-Triples parser says what is wrong but not where ("Invalid line: true"): Oxigraph's parser
    reads the same text again and gives the line and column (None if it finds nothing wrong)."""
    if fmt != "nt":
        return None
    import pyoxigraph as ox

    try:
        for _ in ox.parse(text, format=ox.RdfFormat.N_TRIPLES):
            pass
    except SyntaxError as e:
        why = re.sub(r"^Parser error at line \d+ (between columns \d+ and \d+|column \d+): ", "", str(e.msg or e))
        return InputError(f"invalid N-Triples: {why}", line=e.lineno, column=e.offset)
    return None


def _check_terms(g: Graph) -> Graph:
    """rdflib lets through IRIs that RFC 3987 forbids (a space, '<', a control character...), language
    tags that BCP 47 forbids ("@abcdefghi": a subtag of nine letters), rdf:langString without a tag and
    text that is not Unicode, which the store, the validator and the reasoner would then refuse or choke on
    (Oxigraph's bulk loader refused a whole chunk for one such literal): refuse them here, as bad input,
    with the parsers Oxigraph uses."""
    import pyoxigraph as ox

    seen: set = set()
    for triple in g:
        for term in triple:
            if term in seen:
                continue
            seen.add(term)
            if isinstance(term, URIRef):
                try:
                    ox.NamedNode(str(term))
                except ValueError as e:
                    raise InputError(f"invalid IRI {str(term)[:200]!r}: {e}") from None
            elif isinstance(term, Literal):
                _check_literal(term)
    return g


_LANG_STRINGS = (str(RDF.langString), "http://www.w3.org/1999/02/22-rdf-syntax-ns#dirLangString")


def _check_literal(term: Literal) -> None:
    import pyoxigraph as ox

    try:
        ox.Literal(str(term))
    except ValueError:  # a lone surrogate ("\ud800" in JSON): no Unicode text
        raise InputError(f"the text {str(term)[:100].encode('utf-8', 'backslashreplace').decode()!r} is not "
                         "Unicode (it holds a lone surrogate, e.g. a JSON \\ud800 escape)") from None
    if term.language:
        try:
            ox.Literal("", language=term.language)
        except ValueError as e:
            raise InputError(f"invalid language tag {term.language[:100]!r} (BCP 47) on "
                             f"{str(term)[:100]!r}: {e}") from None
    elif term.datatype:
        try:
            ox.NamedNode(str(term.datatype))
        except ValueError as e:
            raise InputError(f"invalid datatype IRI {str(term.datatype)[:200]!r}: {e}") from None
        if str(term.datatype) in _LANG_STRINGS:  # RDF 1.1 §3.3: a language-tagged string has a tag
            raise InputError(f"the literal {str(term)[:100]!r} is typed {term.datatype} but has no language "
                             "tag (write it with one, e.g. \"text\"@en, or as a plain string)")


def _check_own_nodes(g: Graph, base: str) -> None:
    """A scenario describes its own nodes (under its base: relative IRIs) and kzlaw's vocabulary. A node
    of another scenario (…/scenario/other/john-doe) is refused: the facts stated about it would join that
    scenario's in every store-wide answer (the default graph is the union of all scenarios)."""
    m = re.match(r"(.*/scenario/)([^/]+)/$", base)
    if not m:
        return
    root, own = m.groups()
    for triple in g:
        for term in triple:
            if isinstance(term, URIRef) and term.startswith(root) and not term.startswith(base):
                other = re.split(r"[/?#]", term[len(root):], maxsplit=1)[0]
                if other == own:  # its own id without the final '/' (…/scenario/x, …/scenario/x#y)
                    continue
                whose = f"a node of another scenario ({other!r})" if other else "the root of all scenarios"
                raise InputError(f"the document names {str(term)[:200]!r}, {whose}: a scenario describes "
                                 f"its own nodes (relative IRIs, under {base}) and kzlaw's vocabulary",
                                 kind="meaning")


def parse_scenario(data: bytes | str, fmt: str, base: str, meaning: bool = True) -> Graph:
    """Parse one scenario document. ``fmt`` is an rdflib format name (see MEDIA_TYPES, SUFFIXES).
    ``meaning``: refuse a document in no term of kzlaw's vocabulary (:func:`check_meaning`); a caller
    that checks the size first calls that itself after it."""
    literals_as_written()
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            raise InputError(f"input is not UTF-8 (byte {e.start})") from None
    else:
        text = data
    if not text.strip():
        raise InputError("empty document", kind="empty")
    if fmt == "json-ld":
        g = _parse_json_ld(text, base)
    elif fmt == "xml":
        g = _parse_xml(text, base)
    elif fmt in ("turtle", "nt"):
        g = _parse_text_rdf(text, fmt, base)
    else:
        raise InputError(f"unsupported format {fmt!r}", kind="media-type")
    g = _check_terms(g)
    _check_own_nodes(g, base)
    if not len(g):  # JSON-LD: e.g. keys no context defines, which it drops silently
        raise InputError("the JSON-LD document gives no triples (are its terms defined by a @context?)"
                         if fmt == "json-ld" else
                         "the document gives no triples (only comments, prefixes or whitespace)", kind="empty")
    return check_meaning(g) if meaning else g


def check_meaning(g: Graph) -> Graph:
    """A scenario says something in kzlaw's vocabulary: a document none of whose triples uses a kz: class
    or property (like one of no triples, refused by :func:`parse_scenario`) would conform to every shape
    vacuously and be assessed to no findings, which reads as "nothing is unlawful" rather than "nothing
    was said"."""
    kz = str(KZ)
    if not any(str(p).startswith(kz) or (p == RDF.type and str(o).startswith(kz)) for _, p, o in g):
        raise InputError(f"the document uses no class or property of kzlaw's vocabulary ({kz}): it "
                         "describes nothing kzlaw can validate or assess (see docs/scenarios.md)",
                         kind="meaning")
    return g


def file_scenario_id(path: Path) -> str:
    """The id a file is read under when nothing is stored (validate, assess, compare): its name up to the
    first '.', made a valid id if it is not one ("my case" → "my-case"; nothing left → "scenario"). Its
    relative IRIs resolve under it. Storing (``kzlaw load``) takes the name as it is, or refuses it."""
    stem = Path(path).name.split(".")[0]
    if SCENARIO_ID.match(stem):
        return stem
    return re.sub(r"[^A-Za-z0-9._-]+", "-", stem).lstrip("._-")[:128] or "scenario"


def read_scenario_file(path: Path, scenario_id: str | None = None, base: str = BASE) -> tuple[Graph, str]:
    """Read a scenario file; its id defaults to the file's stem. Returns (graph, scenario id)."""
    path = Path(path)
    sid = scenario_id or file_scenario_id(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InputError(f"cannot read {path}: {e.strerror}", kind="io") from None
    return parse_scenario(data, format_for_path(path), scenario_base(sid, base)), sid
