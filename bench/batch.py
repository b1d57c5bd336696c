"""Batch work: validate, assess (all regimes) and store many generated scenarios, streamed.

Workers (one per core) turn a seed into the N-Quads of what the service stores for it (facts, inferences,
findings per regime, in the graphs kzlaw.store names); the parent loads them into an embedded store in
chunks. Nothing is held beyond a chunk: memory stays flat in N."""

from __future__ import annotations

import multiprocessing as mp
import os
import time

import pyoxigraph as ox

from kzlaw.assess import assess
from kzlaw.generate import generate
from kzlaw.namespaces import BASE
from kzlaw.reason import scenario_inferences
from kzlaw.store import EmbeddedStore, to_ox
from kzlaw.validate import validate_graph

_NAMES = EmbeddedStore(None, BASE)


def _lines(g, name: str) -> list[str]:
    return [f"{to_ox(s)} {to_ox(p)} {to_ox(o)} <{name}> ." for s, p, o in g]


def process(seed: int) -> tuple[int, str, int]:
    """One scenario → (seed, N-Quads to store, number of findings); nothing stored if it is invalid."""
    g, base = generate(seed)
    sid = f"gen-{seed}"
    report = validate_graph(g)
    if not report.conforms:
        return seed, "", -1
    a = assess(g, base, "all")
    lines = _lines(a.facts, _NAMES.facts_graph(sid))
    lines += _lines(scenario_inferences(a.inferred, a.facts, base), _NAMES.inferred_graph(sid))
    for regime, triples in a.triples_by_regime().items():
        lines += _lines(triples, _NAMES.findings_graph(sid, regime))
    return seed, "\n".join(lines) + "\n", len(a.findings)


def _warm() -> None:
    g, base = generate(10**9)
    validate_graph(g)
    assess(g, base, "all")


def run_batch(n: int, path: str, workers: int | None = None, chunk: int = 200, start: int = 0) -> dict:
    """Process seeds start..start+n-1 into a fresh store at ``path``; figures."""
    workers = workers or os.cpu_count() or 1
    store = EmbeddedStore(path, BASE)
    store.ensure_knowledge()
    ctx = mp.get_context("fork")
    t0 = time.perf_counter()
    done = invalid = findings = 0
    buf: list[str] = []
    with ctx.Pool(workers, initializer=_warm) as pool:
        t_ready = time.perf_counter()
        for _seed, nq, nf in pool.imap_unordered(process, range(start, start + n), chunksize=8):
            done += 1
            if nf < 0:
                invalid += 1
                continue
            findings += nf
            buf.append(nq)
            if len(buf) >= chunk:
                store.store.load("".join(buf).encode(), format=ox.RdfFormat.N_QUADS)
                buf.clear()
        if buf:
            store.store.load("".join(buf).encode(), format=ox.RdfFormat.N_QUADS)
    store.flush()
    t1 = time.perf_counter()
    quads = len(store.store)
    store.close()
    secs = t1 - t_ready
    return {"n": n, "workers": workers, "seconds": round(secs, 2), "warmup_s": round(t_ready - t0, 2),
            "scenarios_per_s": round(n / secs, 1), "ms_per_scenario": round(1000 * secs / n, 3),
            "invalid": invalid, "findings": findings, "quads": quads}
