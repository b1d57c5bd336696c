"""Validation against the input shapes: every good file conforms, every bad file is reported as its
.expected.json says (focus node, path, constraint), and reports speak en/ru/kk."""

from __future__ import annotations

import json

import pytest
from rdflib import Graph
from support import SCENARIOS, rel_id, scenario_files, sidecar

from kzlaw.errors import InputError
from kzlaw.knowledge import input_shapes_graph, ontology_graph
from kzlaw.namespaces import KZ, LANGS, SH
from kzlaw.parse import read_scenario_file
from kzlaw.validate import validate_graph, vocabulary_problems

BAD = [p for p in scenario_files("bad") if sidecar(p, ".expected.json").exists()]


def _norm(value: str | None, base: str) -> str | None:
    if value is None:
        return None
    if value.startswith(base):
        return value[len(base):]
    return value.replace("https://w3id.org/kzlaw/ontology#", "kz:")


@pytest.mark.parametrize("path", scenario_files("good"), ids=rel_id)
def test_good_scenarios_conform(path):
    report = validate_graph(read_scenario_file(path)[0])
    assert report.conforms, report.render()


def test_every_bad_file_has_an_expectation():
    missing = [rel_id(p) for p in scenario_files("bad") if not sidecar(p, ".expected.json").exists()]
    assert not missing
    assert BAD, "tests/scenarios/*/bad/ holds no bad files"


@pytest.mark.parametrize("path", BAD, ids=rel_id)
def test_bad_scenarios_are_reported(path):
    exp = json.loads(sidecar(path, ".expected.json").read_text(encoding="utf-8"))
    if exp["exit"] == 2:
        with pytest.raises(InputError) as e:
            read_scenario_file(path)
        assert exp["error_contains"].lower() in e.value.message.lower(), e.value.message
        if exp.get("line") is not None:
            assert e.value.line == exp["line"]
        return
    graph, sid = read_scenario_file(path)
    base = f"https://w3id.org/kzlaw/scenario/{sid}/"
    report = validate_graph(graph)
    assert not report.conforms, exp.get("why")
    got = [(_norm(p.focus, base), _norm(p.path, base), p.constraint) for p in report.problems]
    for want in exp["problems"]:
        key = (want["focus"], want.get("path"), want["constraint"])
        assert any((g[0] == key[0] or key[0] == "_:" and g[0].startswith("_:")) and g[2] == key[2]  # "_:": a blank node
                   and (key[1] is None or g[1] == key[1]) for g in got), \
            f"{exp.get('why')}: expected {key}, got {got}"
    for p in report.problems:
        assert p.focus and p.constraint and p.message("en")


def test_reference_data_conforms_on_its_own():
    assert validate_graph(Graph()).conforms  # the ontology + reference data are mixed in


def test_every_shape_message_speaks_three_languages():
    shapes = input_shapes_graph()
    for shape in set(shapes.subjects(SH.message, None)):
        langs = {m.language for m in shapes.objects(shape, SH.message)}
        assert set(LANGS) <= langs, f"{shape} has messages in {langs}"


def test_report_names_focus_path_value_and_message_in_each_language():
    g, _ = read_scenario_file(scenario_files("good")[0])
    from rdflib import Literal

    from kzlaw.namespaces import KZ
    person = next(g.subjects(KZ.identified, None))
    g.set((person, KZ.identified, Literal("maybe")))
    report = validate_graph(g)
    p = next(p for p in report.problems if p.focus == str(person) and p.constraint == "DatatypeConstraintComponent")
    assert p.path == str(KZ.identified) and p.value == '"maybe"'
    assert len({p.message(lang) for lang in LANGS}) == 3
    assert report.as_dict("ru")["problems"][0]["message"] == p.message("ru")


def test_ontology_is_not_changed_by_validation():
    before = len(ontology_graph())
    validate_graph(read_scenario_file(scenario_files("good")[0])[0])
    assert len(ontology_graph()) == before


def _result_keys(g: Graph) -> set[tuple]:
    """Each result's focus node, path, value, severity and constraint component: what a SHACL report tool
    reads. Blank focus nodes and values are compared as blank."""
    from rdflib import BNode
    from rdflib.namespace import RDF

    def term(t):
        return "_:" if isinstance(t, BNode) else t
    return {tuple(term(g.value(r, p)) for p in (SH.focusNode, SH.resultPath, SH.value, SH.resultSeverity,
                                               SH.sourceConstraintComponent))
            for r in g.subjects(RDF.type, SH.ValidationResult)}


READABLE_BAD = [p for p in BAD if json.loads(sidecar(p, ".expected.json").read_text(encoding="utf-8"))["exit"] == 1]


@pytest.mark.parametrize("path", READABLE_BAD, ids=rel_id)
def test_the_report_as_rdf_is_the_w3c_shacl_report_pyshacl_makes(path):
    """ValidationReport.graph() (CLI --format turtle, REST Accept: text/turtle) says what pySHACL's own
    sh:ValidationReport says for the same data and shapes, from either engine, with a sh:sourceShape and
    the message in three languages on every result."""
    from rdflib.namespace import RDF

    from kzlaw import pyshacl_entrypoints
    from kzlaw.knowledge import shapes_for_pyshacl

    graph, _ = read_scenario_file(path)
    conforms, theirs, _ = pyshacl_entrypoints().validate(
        graph, shacl_graph=shapes_for_pyshacl("input"), ont_graph=ontology_graph(), inference="none",
        abort_on_first=False, advanced=True)
    own = {(str(p.terms[0]), str(p.terms[1]), p.constraint) for p in vocabulary_problems(graph)}
    assert not conforms or own
    for engine in ("compiled", "pyshacl"):
        ours = validate_graph(graph, engine).graph(source=path.name)
        report = ours.value(predicate=RDF.type, object=SH.ValidationReport, any=False)
        assert ours.value(report, SH.conforms).toPython() is False
        # kzlaw's vocabulary check (not SHACL: kz: constraint components) beside pySHACL's results
        mine = {k for k in _result_keys(ours) if str(k[4]).startswith(str(KZ))}
        assert {(str(k[0]), str(k[1]), str(k[4])) for k in mine} == own
        assert _result_keys(ours) - mine == _result_keys(theirs), engine
        for r in ours.objects(report, SH.result):
            assert ours.value(r, SH.sourceShape) is not None
            assert {m.language for m in ours.objects(r, SH.resultMessage)} == set(LANGS)
        # and it survives a round trip through Turtle as kzlaw writes it (CLI, REST)
        from kzlaw import literals_as_written
        from kzlaw.output import graph_text

        literals_as_written()  # pySHACL (run above) sets rdflib's global back to normalising: "maybe" → "false"
        assert _result_keys(Graph().parse(data=graph_text(ours, "turtle"), format="turtle")) == _result_keys(ours)


def test_vocabulary_check_names_the_term_suggests_the_spelling_and_speaks_three_languages():
    """A misspelt key or class, and kzlaw's own output stated as input, are problems of the node that says
    them; the good corpus and the worked cases use kzlaw's vocabulary only (test_good_scenarios_conform)."""
    from rdflib import Literal, URIRef
    from rdflib.namespace import RDF

    g = Graph()
    b = "https://w3id.org/kzlaw/scenario/v/"
    john, f = URIRef(b + "john"), URIRef(b + "f")
    g.add((john, RDF.type, KZ.Person))
    g.add((john, KZ.residense, Literal("westland")))     # a typo of kz:residence
    g.add((john, KZ.Identified, Literal(True)))          # a case slip of kz:identified
    g.add((john, KZ.favouriteColour, Literal("green")))  # nothing close
    g.add((f, KZ.regime, URIRef("https://w3id.org/kzlaw/regime/current-law")))
    problems = {(p.focus, p.path): p for p in vocabulary_problems(g)}
    assert set(problems) == {(str(john), str(KZ.residense)), (str(john), str(KZ.Identified)),
                             (str(john), str(KZ.favouriteColour)), (str(f), str(KZ.regime))}
    typo = problems[str(john), str(KZ.residense)]
    assert typo.value == '"westland"' and typo.constraint == str(KZ) + "VocabularyConstraintComponent"
    assert set(typo.messages) == set(LANGS) and all("kz:residence" in m for m in typo.messages.values())
    assert "kz:identified" in problems[str(john), str(KZ.Identified)].message("ru")
    assert "Did you mean" not in problems[str(john), str(KZ.favouriteColour)].message("en")
    assert problems[str(f), str(KZ.regime)].constraint == str(KZ) + "OutputTermConstraintComponent"
    for engine in ("compiled", "pyshacl"):
        report = validate_graph(g, engine)
        keys = {(p.focus, p.path, p.constraint) for p in report.problems}
        assert not report.conforms and {(p.focus, p.path, p.constraint) for p in vocabulary_problems(g)} <= keys, engine


def test_an_ill_typed_value_is_reported_as_written_in_every_format():
    """rdflib by default rewrites "maybe"^^xsd:boolean to "false", a valid value: the report showed the
    wrong value as a right one (and its Turtle said ``sh:value maybe``, a syntax error). kzlaw keeps
    literals as written (kzlaw/__init__.py) and writes ill-typed ones with their datatype."""
    import rdflib

    from kzlaw.output import graph_text

    path = SCENARIOS / "input" / "bad" / "organisation-identified-not-boolean.jsonld"
    report = validate_graph(read_scenario_file(path)[0])
    (p,) = [p for p in report.problems if p.path and p.path.endswith("#identified")]
    assert p.value == '"maybe"^^<http://www.w3.org/2001/XMLSchema#boolean>'
    assert "maybe" in report.render() and '"false"' not in report.render()
    turtle = graph_text(report.graph(), "turtle")
    assert 'sh:value "maybe"^^xsd:boolean' in turtle
    values = list(Graph().parse(data=turtle, format="turtle").objects(None, SH.value))
    assert [str(v) for v in values] == ["maybe"] and rdflib.NORMALIZE_LITERALS is False
    doc = json.loads(graph_text(report.graph(), "json-ld"))
    assert '{"@type": "xsd:boolean", "@value": "maybe"}' in json.dumps(doc)


@pytest.mark.parametrize("lexical,datatype,bare", [
    ("true", "boolean", True), ("false", "boolean", True), ("1", "boolean", False), ("TRUE", "boolean", False),
    ("maybe", "boolean", False), ("42", "integer", True), ("-3", "integer", True), ("01", "integer", False),
    ("+1", "integer", False), (" 1", "integer", False), ("1.50", "decimal", True), ("1.", "decimal", False),
    ("-.5", "decimal", False), ("1e3", "double", False), ("1.5E3", "double", False), ("1", "double", False),
    ("INF", "double", False), ("0.1", "float", False), ("1" * 5000, "integer", False)])
def test_turtle_writes_every_literal_so_that_it_reads_back_as_written(lexical, datatype, bare):
    """kzlaw's Turtle writes a boolean or number bare only in the Turtle shorthand's grammar and canonical
    form: rdflib wrote "1"^^xsd:boolean as ``1`` (an integer when read back) and "1."^^xsd:decimal as
    ``1.`` (the end of a statement)."""
    from rdflib import XSD, Literal, URIRef

    from kzlaw import literals_as_written
    from kzlaw.output import graph_text

    lit = Literal(lexical, datatype=XSD[datatype], normalize=False)
    g = Graph()
    g.add((URIRef("https://example.org/s"), URIRef("https://example.org/p"), lit))
    text = graph_text(g, "turtle")
    assert (f" {lexical} ." in text) is bare, text
    literals_as_written()
    (back,) = Graph().parse(data=text, format="turtle").objects()
    assert (str(back), back.datatype) == (lexical, XSD[datatype])


def test_a_pyshacl_run_leaves_literals_as_written_in_every_thread():
    """pySHACL set rdflib's process-wide NORMALIZE_LITERALS back to True after every run: a parse in
    another thread (a server's) then turned "maybe"^^xsd:boolean into "false". Run through
    kzlaw.pyshacl_entrypoints, pySHACL leaves it alone: after a run, and for parses racing runs."""
    import threading

    import rdflib

    from kzlaw.validate import _pyshacl_report

    path = SCENARIOS / "input" / "bad" / "organisation-identified-not-boolean.jsonld"
    graph = read_scenario_file(path)[0]
    assert not _pyshacl_report(graph).conforms and rdflib.NORMALIZE_LITERALS is False
    want = sorted(str(o) for o in graph.objects(None, KZ.identified))
    assert "maybe" in want
    seen: list[list[str]] = []
    done = threading.Event()

    def parse() -> None:
        while not done.is_set() or not seen:
            g = read_scenario_file(path)[0]
            seen.append(sorted(str(o) for o in g.objects(None, KZ.identified)))

    t = threading.Thread(target=parse)
    t.start()
    try:
        for _ in range(5):
            _pyshacl_report(graph)
    finally:
        done.set()
        t.join()
    assert seen and all(values == want for values in seen) and rdflib.NORMALIZE_LITERALS is False


def test_a_blank_focus_node_is_described_by_its_types_and_label():
    """Its "_:…" name is the parser's (rdflib renames Turtle's _:post), so the report says what it is."""
    path = SCENARIOS / "input" / "bad" / "post-as-blank-node.ttl"
    report = validate_graph(read_scenario_file(path)[0])
    (p,) = report.problems
    assert p.focus.startswith("_:") and p.hint.startswith("a blank node: kz:Post, '")
    assert f"{p.focus} ({p.hint})" in report.render() and report.as_dict("en")["problems"][0]["hint"] == p.hint
    named = validate_graph(read_scenario_file(SCENARIOS / "input" / "bad" / "account-without-holder.jsonld")[0])
    assert all(q.hint is None and "hint" not in q.as_dict() for q in named.problems)
