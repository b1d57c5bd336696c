"""kzlaw.batch (kzlaw load, serve --load) stores exactly what one-by-one ingest stores — the same quads in
the same graphs, the default graph's union copy included — on this process or on workers, for new ids and
for ids it replaces, and reports the files it cannot store as ingest does. Its write path, Oxigraph's bulk
loader, is all or nothing for a chunk of the size it is given."""

from __future__ import annotations

import collections
import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import to_isomorphic
from support import SCENARIOS, scenario_files

from kzlaw import batch
from kzlaw.errors import InputError
from kzlaw.generate import generate
from kzlaw.namespaces import BASE
from kzlaw.parse import format_for_path
from kzlaw.service import NotConforming, ingest
from kzlaw.store import EmbeddedStore, StoreError, from_ox, open_store

WORKED = SCENARIOS / "worked/good/facebook-abroad-refusal.jsonld"


def _generated(d: Path, seed: int, name: str | None = None) -> Path:
    """Generated scenario ``seed`` as a Turtle file of relative IRIs, stored under ``name`` (default gen-<seed>)."""
    g, b = generate(seed)
    text = "".join(line + "\n" for line in g.serialize(format="turtle", base=b).splitlines()
                   if not line.startswith("@base"))
    p = d / f"{name or f'gen-{seed}'}.ttl"
    p.write_text(text, encoding="utf-8")
    return p


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> list[Path]:
    """Every good corpus file, generated scenarios, an unparsable file and a non-conforming one; more than
    two chunks."""
    d = tmp_path_factory.mktemp("corpus")
    files = [shutil.copy(p, d / f"c{i:03d}-{p.name}") for i, p in enumerate(scenario_files("good"))]
    files += [_generated(d, s) for s in range(40)]
    broken = d / "broken.ttl"
    broken.write_text("<a> <b> .\n")
    bad = next(p for p in scenario_files("bad") if p.suffix == ".jsonld")
    files += [broken, shutil.copy(bad, d / "not-conforming.jsonld")]
    files += [_with_blank_node(d, f"c-blank-{i}", f"note {i}") for i in range(2)]
    return sorted(Path(f) for f in files)


def _with_blank_node(d: Path, name: str, label: str) -> Path:
    """A worked case with one more node, "_:note" (the same label in every file made here)."""
    doc = json.loads(WORKED.read_text(encoding="utf-8"))
    doc["@graph"].append({"id": "_:note", "label": label})
    p = d / f"{name}.jsonld"
    p.write_text(json.dumps(doc), encoding="utf-8")
    return p


def _scenario_quads(path: Path) -> tuple[list[str], dict[str, Graph], int]:
    """What a store holds for its scenarios, comparable across stores whose blank nodes are labelled
    differently: the quads without a blank node (the knowledge graphs' left out: the same ontology and
    rules), each named graph with blank nodes (equal when isomorphic: rdflib.compare), and the
    number of distinct blank nodes in the default graph (two scenarios' blank nodes merged into one
    would lower it)."""
    s = ox.Store.read_only(str(path))
    try:
        plain, blank, defaults = [], collections.defaultdict(Graph), set()
        for q in s:
            if "/graph/" in str(q.graph_name):
                continue
            blanks = [t for t in (q.subject, q.object) if isinstance(t, ox.BlankNode)]
            if not blanks:
                plain.append(str(q))
            elif isinstance(q.graph_name, ox.DefaultGraph):
                defaults.update(b.value for b in blanks)
            else:
                blank[q.graph_name.value].add((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)))
        return sorted(plain), {g: to_isomorphic(x) for g, x in blank.items()}, len(defaults)
    finally:
        del s


def _ingested(path: Path, files: list[Path]) -> dict[str, tuple[int, str]]:
    """The reference: each file through ingest (replace), as kzlaw load did one by one; refusals by id."""
    st = open_store(path)
    refused = {}
    try:
        for f in files:
            sid = f.name.split(".")[0]
            try:
                ingest(st, f.read_bytes(), format_for_path(f), sid, replace=True)
            except InputError as e:
                refused[sid] = (2, e.message)
            except NotConforming as e:
                refused[sid] = (1, e.report.render("en", source=str(f)))
    finally:
        st.close()
    return refused


def _batched(path: Path, files: list[Path], workers: int) -> list[batch.Outcome]:
    st = open_store(path)
    try:
        return batch.load(st, [(f, f.name.split(".")[0]) for f in files], workers=workers)
    finally:
        st.close()


@pytest.fixture(scope="module")
def reference(corpus, tmp_path_factory):
    d = tmp_path_factory.mktemp("ref") / "store"
    refused = _ingested(d, corpus)
    return _scenario_quads(d), refused


@pytest.mark.parametrize("workers", [0, 2])
def test_batch_stores_what_ingest_stores_and_refuses_what_it_refuses(corpus, reference, tmp_path, workers):
    quads, refused = reference
    outcomes = _batched(tmp_path / "store", corpus, workers)
    assert [o.source for o in outcomes] == [str(f) for f in corpus], "outcomes in file order"
    got, got_blank, got_defaults = _scenario_quads(tmp_path / "store")
    assert len(got) == len(quads[0]) and got == quads[0]
    assert got_blank == quads[1] and len(got_blank) == 2, "each blank-node file's facts graph, isomorphic"
    assert got_defaults == quads[2], "no two scenarios' blank nodes merged in the default graph"
    assert {o.sid: o.code for o in outcomes if o.code} == {sid: code for sid, (code, _m) in refused.items()} \
        == {"broken": 2, "not-conforming": 1}
    by_id = {o.sid: o for o in outcomes}
    assert by_id["not-conforming"].message == refused["not-conforming"][1]
    assert by_id["broken"].message.startswith(f"{corpus[0].parent / 'broken.ttl'}:1:")
    assert refused["broken"][1] in by_id["broken"].message
    finding = " <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/kzlaw/ontology#Finding> <"
    assert sum(o.findings for o in outcomes) == sum(finding in q for q in got) > 100
    assert all(not o.graphs for o in outcomes), "the triples are let go of once written"


def test_batch_replaces_stored_ids_like_ingest_in_mixed_chunks(tmp_path):
    """A second load where some ids are stored already (with other facts: another generated scenario under
    the same name) and some are new, in one chunk: old findings and their union-copy triples go."""
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir(), second.mkdir()
    one = [_generated(first, s) for s in range(10)]
    two = [_generated(second, s + 100, name=f"gen-{s}") for s in range(0, 10, 3)]
    two += [_generated(second, s) for s in range(10, 14)]
    ref = tmp_path / "ref"
    assert not _ingested(ref, one) and not _ingested(ref, two)
    got = tmp_path / "got"
    assert not [o for o in _batched(got, one, 0) + _batched(got, two, 0) if o.code]
    assert _scenario_quads(got) == _scenario_quads(ref)
    s = ox.Store.read_only(str(got))
    # gen-0 holds generated scenario 100's facts now, and nothing of scenario 0's remains in the default graph
    old = {str(q.object) for q in s.quads_for_pattern(None, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
                                                   None, ox.DefaultGraph()) if "generated scenario" in str(q.object)}
    assert '"generated scenario 100"' in old and '"generated scenario 0"' not in old


def test_a_bulk_load_with_a_bad_line_writes_nothing(tmp_path):
    """What put_many's atomicity rests on, checked on the installed pyoxigraph: the bulk loader parses a
    chunk before it ingests it, so an error anywhere in it leaves the store as it was."""
    st = EmbeddedStore(tmp_path / "s", BASE)
    st.ensure_knowledge()
    before = len(st.store)
    a = batch.compute([(str(_generated(tmp_path, 1)), "gen-1")])[0]
    quads = "".join(f"{t} <{g}> .\n" for g, ts in a.graphs.items() for t in ts)
    for bad in ("<https://x/s> <https://x/p> .\n", "<https://x/s> <https://x/p> \"unterminated .\n"):
        with pytest.raises(SyntaxError):
            st.store.bulk_load((quads + bad).encode(), format=ox.RdfFormat.N_QUADS)
        assert len(st.store) == before
    st.put_many([("gen-1", a.graphs)])
    assert len(st.store) > before and st.exists("gen-1")
    st.close()


def test_put_many_refuses_a_bad_term_and_stores_nothing(tmp_path):
    st = EmbeddedStore(tmp_path / "s", BASE)
    st.ensure_knowledge()
    before = len(st.store)
    a = batch.compute([(str(_generated(tmp_path, 2)), "gen-2")])[0]
    broken = {g: [*ts, "<https://x/s> <https://x/p> <not an iri>"] for g, ts in a.graphs.items()}
    with pytest.raises(StoreError):
        st.put_many([("gen-2", a.graphs), ("gen-3", broken)])
    assert len(st.store) == before and not st.exists("gen-2")
    st.close()


def test_blank_nodes_of_scenarios_written_together_stay_apart(tmp_path):
    """Two files both labelling a node "_:note", stored in one chunk (one write) by both of put_many's
    paths — the bulk loader for new ids, the update for stored ones: two notes, each with its own label,
    in its scenario's facts graph and in the default graph."""
    files = [_with_blank_node(tmp_path, f"n{i}", f"note {i}") for i in range(2)]
    st = open_store(tmp_path / "store")
    label = "<http://www.w3.org/2000/01/rdf-schema#label>"
    ask = f"SELECT ?g ?b ?l WHERE {{ {{ GRAPH ?g {{ ?b {label} ?l }} }} UNION {{ ?b {label} ?l }} FILTER isBlank(?b) }}"
    try:
        for _round in ("new", "stored"):
            assert not [o.message for o in batch.load(st, [(f, f.stem) for f in files], workers=0) if o.code]
            rows = st._select(ask)
            labels = collections.defaultdict(set)
            for r in rows:
                labels[r["b"]].add(str(r["l"]))
            assert sorted(map(sorted, labels.values())) == [["note 0"], ["note 1"]]
            assert {str(r["g"]): str(r["l"]) for r in rows if "g" in r} == \
                {st.facts_graph("n0"): "note 0", st.facts_graph("n1"): "note 1"}
    finally:
        st.close()


def test_put_many_is_all_or_nothing_for_a_chunk_of_stored_and_new_ids(tmp_path):
    """A chunk replacing a stored scenario and adding a new one whose triples the store refuses: the stored
    scenario is as it was (the replacement and the addition are one write), the new one absent. One id
    twice in a write is refused."""
    st = EmbeddedStore(tmp_path / "s", BASE)
    st.ensure_knowledge()
    old = batch.compute([(str(_generated(tmp_path, 4, name="gen-a")), "gen-a")])[0]
    st.put_many([("gen-a", old.graphs)])
    before = sorted(map(str, st.store))
    new = batch.compute([(str(_generated(tmp_path, 5, name="gen-a")), "gen-a")])[0]
    broken = {g: [*ts, "<https://x/s> <https://x/p> <not an iri>"] for g, ts in new.graphs.items()}
    with pytest.raises(StoreError):
        st.put_many([("gen-a", new.graphs), ("gen-b", broken)])
    assert sorted(map(str, st.store)) == before and not st.exists("gen-b")
    with pytest.raises(StoreError, match="given twice"):
        st.put_many([("gen-b", new.graphs), ("gen-b", new.graphs)])
    assert sorted(map(str, st.store)) == before
    st.close()


def test_a_scenario_the_store_cannot_write_is_reported_and_the_others_stored(tmp_path, monkeypatch):
    """Should a term pass parsing that the store's engine refuses, that file is reported (code 2) and the
    rest of its chunk stored: one file does not sink a load."""
    files = [_generated(tmp_path, s) for s in range(3)]
    real = batch.scenario_graphs

    def refusing(sid, a, base=BASE):
        if sid == "gen-1":
            raise ValueError("A subtag may be eight characters in length at maximum")
        return real(sid, a, base)

    monkeypatch.setattr(batch, "scenario_graphs", refusing)
    st = open_store(tmp_path / "store")
    try:
        out = batch.load(st, [(f, f.stem) for f in files], workers=0)
        assert [(o.sid, o.code) for o in out] == [("gen-0", 0), ("gen-1", 2), ("gen-2", 0)]
        assert out[1].message == f"{files[1]}: cannot be stored: A subtag may be eight characters in length at maximum"
        assert st.exists("gen-0") and st.exists("gen-2") and not st.exists("gen-1")
    finally:
        st.close()


@pytest.mark.parametrize("kind", ["concurrent.futures", "multiprocessing"])
def test_workers_run_ahead_of_the_writer_only_by_a_window(kind):
    """While the parent is busy (writing), the workers compute at most ``window`` jobs ahead of it:
    results are not left to pile up in the parent (imap would start every job at once). kzlaw.batch.ahead
    serves both kinds of pool (kzlaw load's and the benchmark's)."""
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor
    from multiprocessing.pool import ThreadPool

    started, lock = [], threading.Lock()

    def job(x):
        with lock:
            started.append(x)
        return x * x

    if kind == "multiprocessing":
        pool = ThreadPool(4)
        results = batch.ahead(lambda j: pool.apply_async(job, (j,)), list(range(40)), 5, lambda r: r.get())
    else:
        pool = ThreadPoolExecutor(4)
        results = batch.ahead(lambda j: pool.submit(job, j), list(range(40)), 5)
    got = []
    try:
        for i, r in enumerate(results):
            if i == 0:
                time.sleep(0.2)  # the parent busy: a pool left alone would run every job meanwhile
            with lock:
                assert len(started) <= i + 5
            got.append(r)
    finally:
        (pool.terminate if kind == "multiprocessing" else pool.shutdown)()
    assert got == [x * x for x in range(40)]


def test_a_scenario_the_store_refuses_in_a_chunk_write_does_not_sink_the_chunk(tmp_path, monkeypatch):
    """Should a line reach the write that Oxigraph refuses (here a relative IRI; an rdf:langString without
    a tag did, before parsing refused it), the chunk is written scenario by scenario: that one is
    reported, the others stored, on the bulk path (new ids) and on the update path (stored ids)."""
    files = [_generated(tmp_path, s) for s in range(3)]
    real = batch.scenario_graphs
    bad = "<https://x/s> <https://x/p> <not-absolute>"

    def refused(sid, a, base=BASE):
        graphs = real(sid, a, base)
        if sid == "gen-1":
            facts = next(iter(graphs))
            graphs[facts] = [*graphs[facts], bad]
        return graphs

    monkeypatch.setattr(batch, "scenario_graphs", refused)
    st = open_store(tmp_path / "store")
    try:
        for _round in ("bulk", "update"):
            out = batch.load(st, [(f, f.stem) for f in files], workers=0)
            assert [(o.sid, o.code) for o in out] == [("gen-0", 0), ("gen-1", 2), ("gen-2", 0)]
            assert out[1].message.startswith(f"{files[1]}: cannot be stored: ") and "IRI" in out[1].message
            assert st.exists("gen-0") and st.exists("gen-2") and not st.exists("gen-1")
    finally:
        st.close()


def test_warm_up_builds_the_caches_once_and_freezes_them():
    """kzlaw.service.warm_up (the server's background start, every batch worker's first step): once per
    process; afterwards what it built is out of the cyclic collector's reach. In a fresh process, so as
    not to freeze this one."""
    import subprocess
    import sys

    code = ("import gc\n"
            "from kzlaw.service import warm_up\n"
            "from kzlaw.knowledge import ontology_graph\n"
            "assert gc.get_freeze_count() == 0\n"
            "assert warm_up() is True and warm_up() is False\n"
            "assert gc.get_freeze_count() > 10000, gc.get_freeze_count()\n"
            "assert not gc.is_tracked(ontology_graph()) or ontology_graph() not in gc.get_objects(), 'not frozen'\n")
    r = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
