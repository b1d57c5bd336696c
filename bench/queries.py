"""The seven competency queries (queries/*.rq) over a large store: Oxigraph (kzlaw's embedded store) and
rdflib on the same triples. The large store is made from assessed generated scenarios, copied under new
scenario ids (the IRIs rewritten) until it holds the wanted number of quads."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pyoxigraph as ox

QUERIES = Path(__file__).resolve().parent.parent / "queries"


def competency_queries() -> dict[str, str]:
    return {p.stem.split("-")[0]: p.read_text() for p in sorted(QUERIES.glob("cq*.rq"))}


def one_scenario(query: str, scenario: str) -> str | None:
    """The query narrowed to one scenario (VALUES ?scenario), if it has a ?scenario variable."""
    if "?scenario" not in query:
        return None
    return re.sub(r"WHERE\s*\{", f"WHERE {{\n  VALUES ?scenario {{ <{scenario}> }}", query, count=1)


def scenario_quads(store: ox.Store) -> tuple[str, str]:
    """(N-Quads of the scenario graphs, N-Quads of the knowledge graphs) of a store."""
    scen, know = [], []
    for q in store:
        line = f"{q.subject} {q.predicate} {q.object} {q.graph_name} .\n"
        (scen if "/scenario/" in q.graph_name.value else know).append(line)
    return "".join(scen), "".join(know)


def build(path: str | None, seed_nq: str, know_nq: str, target: int) -> tuple[ox.Store, float, int]:
    """A store of at least ``target`` quads: the knowledge once, the scenarios copied. (store, s, copies)"""
    store = ox.Store(path) if path else ox.Store()
    t = time.perf_counter()
    store.bulk_load(know_nq.encode(), format=ox.RdfFormat.N_QUADS)
    per_copy = seed_nq.count("\n")
    copies = max(1, -(-(target - len(store)) // max(per_copy, 1)))
    for k in range(copies):
        text = seed_nq.replace("/scenario/gen-", f"/scenario/c{k}-gen-")
        store.bulk_load(text.encode(), format=ox.RdfFormat.N_QUADS)
    return store, time.perf_counter() - t, copies


def run_oxigraph(store: ox.Store, scenario: str, repeat: int = 3) -> dict:
    out = {}
    for name, q in competency_queries().items():
        for label, text in (("all", q), ("one", one_scenario(q, scenario))):
            if text is None:
                continue
            best, rows = float("inf"), 0
            for _ in range(repeat):
                t = time.perf_counter()
                rows = sum(1 for _ in store.query(text, use_default_graph_as_union=True))
                best = min(best, time.perf_counter() - t)
            out[f"{name}/{label}"] = {"s": round(best, 4), "rows": rows}
    return out


def run_rdflib(nq: str, scenario: str) -> tuple[dict, float]:
    from rdflib import Dataset

    t = time.perf_counter()
    ds = Dataset(default_union=True)
    ds.parse(data=nq, format="nquads")
    load = time.perf_counter() - t
    out = {}
    for name, q in competency_queries().items():
        for label, text in (("all", q), ("one", one_scenario(q, scenario))):
            if text is None:
                continue
            t = time.perf_counter()
            rows = len(list(ds.query(text)))
            out[f"{name}/{label}"] = {"s": round(time.perf_counter() - t, 4), "rows": rows}
    return out, load
