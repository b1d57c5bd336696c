"""The seven competency queries (queries/*.rq) over a large store: Oxigraph (kzlaw's embedded store) and
rdflib on the same triples. The large store is made from assessed generated scenarios, copied under new
scenario ids (the IRIs rewritten) until it holds the wanted number of quads."""

from __future__ import annotations

import contextlib
import re
import time
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

QUERIES = Path(__file__).resolve().parent.parent / "queries"


def competency_queries() -> dict[str, str]:
    return {p.stem.split("-")[0]: p.read_text() for p in sorted(QUERIES.glob("cq*.rq"))}


def one_scenario(query: str, scenario: str) -> str | None:
    """The query narrowed to one scenario (VALUES ?scenario), if it has a ?scenario variable: at the
    start of every block that finds findings, MINUS blocks included (a query of UNION blocks, like CQ6, is
    evaluated block by block, and a MINUS block not narrowed is evaluated over the whole store), else at
    the start of the WHERE clause."""
    if "?scenario" not in query:
        return None
    values = f"VALUES ?scenario {{ <{scenario}> }}"
    blocks = re.subn(r"\{(\s*)(\?\w+ a kz:Finding)", rf"{{\1{values}\1\2", query)
    if blocks[1] > 1:
        return blocks[0]
    return re.sub(r"WHERE\s*\{", f"WHERE {{\n  {values}", query, count=1)


@dataclass
class Seed:
    """A store's N-Quads in four parts: the scenarios' named graphs and their triples in the default
    graph (copied under new scenario ids), the knowledge graphs and their triples in the default graph
    (loaded once). rdflib gets the named graphs only and makes the union itself."""
    scenarios: str
    scenarios_default: str
    knowledge: str
    knowledge_default: str

    def copy(self, k: int, default: bool = True) -> str:
        text = self.scenarios + (self.scenarios_default if default else "")
        return text.replace("/scenario/gen-", f"/scenario/c{k}-gen-")


def scenario_quads(store: ox.Store) -> Seed:
    parts: dict[tuple[bool, bool], list[str]] = {(a, b): [] for a in (True, False) for b in (True, False)}
    for q in store:
        if isinstance(q.graph_name, ox.DefaultGraph):
            line = f"{q.subject} {q.predicate} {q.object} .\n"
            parts["/scenario/" in line, True].append(line)
        else:
            line = f"{q.subject} {q.predicate} {q.object} {q.graph_name} .\n"
            parts["/scenario/" in q.graph_name.value, False].append(line)
    return Seed(*("".join(parts[k]) for k in ((True, False), (True, True), (False, False), (False, True))))


def build(path: str | None, seed: Seed, target: int) -> tuple[ox.Store, float, int, int]:
    """A store of at least ``target`` quads in named graphs (plus their union in the default graph, as
    kzlaw.store keeps it): the knowledge once, the scenarios copied, then compacted. (store, seconds for
    load and compaction, copies, named quads)"""
    store = ox.Store(path) if path else ox.Store()
    t = time.perf_counter()
    store.bulk_load((seed.knowledge + seed.knowledge_default).encode(), format=ox.RdfFormat.N_QUADS)
    known = seed.knowledge.count("\n")
    per_copy = seed.scenarios.count("\n")
    copies = max(1, -(-(target - known) // max(per_copy, 1)))
    for k in range(copies):
        store.bulk_load(seed.copy(k).encode(), format=ox.RdfFormat.N_QUADS)
    # A store in service is written by transactions and compacted by RocksDB in the background; a bulk
    # load leaves uncompacted files that a read-only opening never merges (queries ~4x slower at 1M quads).
    store.optimize()
    return store, time.perf_counter() - t, copies, known + copies * per_copy


def _answer(ask, scenario: str, skip: int, repeat: int, conn) -> None:
    """Time each question after the first ``skip`` (best of ``repeat``), ``ask(text)`` giving its rows;
    send the times through ``conn``, then "done"."""
    for i, (key, text) in enumerate(_jobs(scenario)):
        if i < skip:
            continue
        best, rows = float("inf"), 0
        for _ in range(repeat):
            t = time.perf_counter()
            rows = sum(1 for _ in ask(text))
            best = min(best, time.perf_counter() - t)
            if best > 1:  # a slow query is timed once: repeating it would only eat the time limit
                break
        conn.send((key, {"s": round(best, 4), "rows": rows}))
    conn.send(("done", None))


def _oxigraph_worker(path: str, scenario: str, skip: int, repeat: int, conn) -> None:
    store = ox.Store.read_only(path)
    conn.send(("load", 0.0))
    _answer(store.query, scenario, skip, repeat, conn)  # the default graph: the union copy, as /sparql


def _memory_worker(path: str, scenario: str, skip: int, repeat: int, conn) -> None:
    """The same questions through kzlaw's store with its in-memory replica (KZLAW_STORE_MEMORY), as the
    SPARQL endpoint answers them: first the replica is built (its time and the memory it took are sent)."""
    from kzlaw.namespaces import BASE
    from kzlaw.store import EmbeddedStore

    from .env import private_rss_mb

    store = EmbeddedStore(path, BASE)
    before, t = private_rss_mb(), time.perf_counter()
    store.replicate(wait=True)
    if store.replica_state != "ready":
        raise RuntimeError(f"the replica was not built: {store.replica_state}")
    conn.send(("load", {"build_s": round(time.perf_counter() - t, 1), "rss_mb": round(private_rss_mb() - before)}))
    _answer(lambda text: store.results(text)(), scenario, skip, repeat, conn)


def run_memory(path: str, scenario: str, timeout: float, repeat: int = 3) -> tuple[dict, dict]:
    """The seven questions as run_oxigraph, answered from kzlaw's in-memory replica of the store at
    ``path``; (results, {"build_s", "rss_mb"}: the replica's build time and the memory it took)."""
    return _limited(_memory_worker, (path, scenario), scenario, timeout, (repeat,))


def _remote_worker(url: str, scenario: str, start_s: float, skip: int, repeat: int, conn) -> None:
    """The same questions through kzlaw.store.RemoteStore from an Oxigraph server over HTTP (as /sparql
    answers them with KZLAW_STORE_URL); the server's start-up is sent first."""
    from kzlaw.namespaces import BASE
    from kzlaw.store import RemoteStore

    store = RemoteStore(url, BASE, timeout=3600)
    conn.send(("load", {"start_s": start_s}))
    _answer(lambda text: store.results(text)(), scenario, skip, repeat, conn)
    store.close()


@contextlib.contextmanager
def _served(args: tuple):
    """(path, scenario) → (URL of a fresh Oxigraph server over the store at path, scenario, its start-up)."""
    path, scenario = args
    t = time.perf_counter()
    with oxigraph_server(path) as url:
        yield url, scenario, round(time.perf_counter() - t, 1)


def run_remote(path: str, scenario: str, timeout: float, repeat: int = 3) -> tuple[dict, dict]:
    """The seven questions as run_oxigraph, asked of an Oxigraph server over HTTP serving the store at
    ``path`` (rows parsed from its SPARQL results, as kzlaw's /sparql reads them from a remote store);
    (results, {"start_s"}: the server's start-up). A query over the limit stops the server with its client
    (Oxigraph cannot interrupt a query): the rest go to a fresh one."""
    return _limited(_remote_worker, (path, scenario), scenario, timeout, (repeat,), around=_served)


def run_oxigraph(path: str, scenario: str, timeout: float, repeat: int = 3) -> dict:
    """The seven questions (store-wide and narrowed to one scenario) on the store at ``path``, best of
    ``repeat`` (once if over a second), each under a time limit (Oxigraph cannot interrupt a query: it runs in a child process)."""
    return _limited(_oxigraph_worker, (path, scenario), scenario, timeout, (repeat,))[0]


def service_reads(path: str, scenario: str, repeat: int = 3) -> dict:
    """What the REST API reads from the store at ``path`` (kzlaw's store on disk, as the service opens
    it), best of ``repeat``: one scenario's graphs, facts and findings, and the scenario listings (page 1
    of 50, unfiltered and filtered; the count GET /health shows). Reads that grew with the store were
    found this way (2026-12-03: a listing filtered by regime took over 15 min at 2,400 scenarios). The
    graphs under an id, which a write replacing or deleting a scenario needs, come from a listing of the
    store's graphs made once and kept by the writes (kzlaw.store.EmbeddedStore): both are timed."""
    from kzlaw.namespaces import BASE
    from kzlaw.store import EmbeddedStore

    sid = _sid(scenario)
    store = EmbeddedStore(path, BASE)

    def listed():
        store._graphs = None  # as just opened: the graphs under each id not listed yet
        return store.graph_names(sid)
    try:
        return _best(_reads(store, sid, {
            "one/every graph under the id (PUT replacing, DELETE)": lambda: store.graph_names(sid),
            "all/every graph of the store, listed once (the first PUT replacing or DELETE)": listed}), repeat)
    finally:
        store.close()


def remote_service_reads(path: str, scenario: str, repeat: int = 3) -> dict:
    """The same reads through kzlaw.store.RemoteStore, from an Oxigraph server over HTTP serving the store
    at ``path`` (the configuration at scale, ``KZLAW_STORE_URL``). A remote store lists the graphs under
    the id at every write replacing or deleting a scenario (other clients may write to the server): one
    row, as the embedded store's first listing."""
    from kzlaw.namespaces import BASE
    from kzlaw.store import RemoteStore

    sid = _sid(scenario)
    with oxigraph_server(path) as url:
        store = RemoteStore(url, BASE, timeout=3600)
        try:
            return _best(_reads(store, sid, {
                "all/every graph under the id, from a listing of the store's graphs (every PUT replacing, "
                "DELETE)": lambda: store.graph_names(sid)}), repeat)
        finally:
            store.close()


def _sid(scenario: str) -> str:
    return scenario.rstrip("/").rsplit("/", 1)[-1]


def _reads(store, sid: str, first: dict) -> dict:
    """The reads the REST routes make of one scenario and of the whole store, after ``first``."""
    from kzlaw import service
    from kzlaw.namespaces import KZ

    return {
        **first,
        "one/findings graphs (GET /v1/scenarios/{id})": lambda: store.findings_graphs(sid),
        "one/ETag (every GET of a scenario)": lambda: service.state_tag(store, sid),
        "one/facts": lambda: store.facts(sid),
        "one/findings, all regimes": lambda: store.findings(sid),
        "one/findings, one regime": lambda: store.findings(sid, "current-law"),
        "one/GET …/findings (stored, with labels)": lambda: service.stored_findings(store, sid).json("en"),
        "all/scenario count (GET /health)": lambda: store.scenario_count(),
        "all/GET /v1/scenarios (page 1 of 50)": lambda: store.list(1, 50).ids,
        "all/GET /v1/scenarios?regime=current-law": lambda: store.list(1, 50, "current-law").ids,
        "all/GET /v1/scenarios?conclusion=kz:Liable": lambda: store.list(1, 50, None, str(KZ.Liable)).ids,
    }


def _best(reads: dict, repeat: int) -> dict:
    out = {}
    for name, read in reads.items():
        best = float("inf")
        for _ in range(repeat):
            t = time.perf_counter()
            read()
            best = min(best, time.perf_counter() - t)
        out[name] = round(best, 4)
    return out


@contextlib.contextmanager
def oxigraph_server(path: str):
    """An Oxigraph server (``oxigraph serve-read-only``, the package's own command) over the store at
    ``path`` on a loopback port: its URL while the block runs; killed after it."""
    import subprocess
    import tempfile
    import urllib.request

    from .env import free_port, oxigraph_command

    command, port = oxigraph_command(), free_port()
    # the server's output to a file, not a pipe: a pipe nobody reads would stop a talkative server
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen([command, "serve-read-only", "--location", path, "--bind", f"127.0.0.1:{port}"],
                                stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 600
            while True:
                if proc.poll() is not None:
                    log.seek(0)
                    raise RuntimeError(f"oxigraph serve-read-only exited: {log.read().decode(errors='replace')[:500]}")
                try:
                    with urllib.request.urlopen(f"{url}/query?query=ASK%7B%7D", timeout=5):
                        break
                except OSError:
                    if time.monotonic() > deadline:
                        raise RuntimeError("the Oxigraph server did not answer in 10 min") from None
                    time.sleep(0.05)
            yield url
        finally:
            proc.kill()
            proc.wait()


def busiest_scenario(seed_nq: str) -> str:
    """The scenario with the most findings in the seed data: a "one scenario" question with answers."""
    counts: dict[str, int] = {}
    for m in re.finditer(r"<(https://[^>]*/scenario/[^>/]*/)finding/", seed_nq):
        counts[m.group(1)] = counts.get(m.group(1), 0) + 1
    return max(sorted(counts), key=lambda k: counts[k])


def _rdflib_worker(nq: str, scenario: str, skip: int, conn) -> None:
    from rdflib import Dataset

    t = time.perf_counter()
    ds = Dataset(default_union=True)
    ds.parse(data=nq, format="nquads")
    conn.send(("load", time.perf_counter() - t))
    for i, (key, text) in enumerate(_jobs(scenario)):
        if i < skip:
            continue
        t = time.perf_counter()
        rows = len(list(ds.query(text)))
        conn.send((key, {"s": round(time.perf_counter() - t, 4), "rows": rows}))
    conn.send(("done", None))


def _jobs(scenario: str) -> list[tuple[str, str]]:
    jobs = []
    for name, q in competency_queries().items():
        for label, text in (("all", q), ("one", one_scenario(q, scenario))):
            if text is not None:
                jobs.append((f"{name}/{label}", text))
    return jobs


def run_rdflib(nq: str, scenario: str, timeout: float) -> tuple[dict, float]:
    """The same questions in rdflib (a Dataset with a union default graph, loaded from N-Quads)."""
    return _limited(_rdflib_worker, (nq, scenario), scenario, timeout, ())


def _limited(worker, args: tuple, scenario: str, timeout: float, extra: tuple,
             around=None) -> tuple[dict, float]:
    """Run ``worker`` in a child process that answers the queries one by one through a pipe; a query
    over ``timeout`` seconds is reported as {"timeout": timeout} and the child restarted for the rest.
    ``around(args)``: a context manager around each child's life, giving the worker's arguments in place
    of ``args`` (a server the child asks, started afresh for each child)."""
    import multiprocessing as mp

    jobs = _jobs(scenario)
    out: dict = {}
    load = None
    ctx = mp.get_context("fork")
    while len(out) < len(jobs):
        with around(args) if around else contextlib.nullcontext(args) as given:
            secs = _child(ctx, worker, (*given, len(out), *extra), jobs, out, timeout)
            load = secs if load is None else load
    return out, load


def _child(ctx, worker, args: tuple, jobs: list, out: dict, timeout: float):
    """One child of _limited: it answers into ``out`` from job len(out) on until done or over the limit;
    its load figure."""
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=worker, args=(*args, child), daemon=True)
    proc.start()
    child.close()
    try:
        if not parent.poll(3600):
            raise RuntimeError("the data did not load in an hour")
        _, secs = parent.recv()
        while len(out) < len(jobs):
            if not parent.poll(timeout):
                out[jobs[len(out)][0]] = {"timeout": timeout}
                break
            key, res = parent.recv()
            if key == "done":
                break
            out[key] = res
    finally:
        proc.kill()
        proc.join()
    return secs
