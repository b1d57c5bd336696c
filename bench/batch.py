"""Batch work: validate, assess (all regimes) and store many generated scenarios, streamed.

Workers (one per core) turn a chunk of seeds into the N-Quads of what the service stores for each
scenario (facts, inferences, findings per regime, in the graphs kzlaw.store names); the rules run once per
chunk (kzlaw.assess.assess_many: one named graph per scenario). The parent loads the N-Quads into an
embedded store in chunks, and the workers run at most a window of jobs ahead of it. Nothing is held
beyond a chunk and that window: what the batch holds stays flat in N (each batch reports the peaks of
its own parent and workers, not the process's lifetime peak)."""

from __future__ import annotations

import io
import multiprocessing as mp
import os
import statistics
import time
import tracemalloc

import pyoxigraph as ox

from kzlaw.assess import assess_many
from kzlaw.batch import ahead, scenario_graphs
from kzlaw.generate import generate
from kzlaw.namespaces import BASE
from kzlaw.store import EmbeddedStore, scenario_nquads
from kzlaw.validate import validate_graph

from .env import peak_rss_since_reset_mb, private_rss_mb, reset_peak_rss

CHUNK = 25  # scenarios per assess_many call (tests/test_engine_differential.py: same findings as one by one)


def process(seeds: list[int]) -> tuple[bytes, int, int, float, float]:
    """A chunk of seeds → (N-Quads to store, UTF-8, scenarios stored, findings, CPU seconds this took, the
    worker's own resident memory in MB at the end, with the chunk's N-Quads still held); invalid ones are not
    stored. Each triple goes in its named graph and in the default graph (the store's union copy), as
    kzlaw load writes them (kzlaw.batch.scenario_graphs, kzlaw.store.scenario_nquads)."""
    cpu = time.process_time()
    valid = []
    for seed in seeds:
        g, base = generate(seed)
        if validate_graph(g).conforms:
            valid.append((seed, g, base))
    entries = []
    findings = 0
    for (seed, _g, _base), a in zip(valid, assess_many([(g, base) for _s, g, base in valid], "all"), strict=True):
        entries.append((f"gen-{seed}", scenario_graphs(f"gen-{seed}", a)))
        findings += len(a.findings)
    return scenario_nquads(entries).encode(), len(valid), findings, time.process_time() - cpu, private_rss_mb()


def _warm() -> None:
    process([10**9, 10**9 + 1])


def run_batch(n: int, path: str, workers: int | None = None, chunk: int = 400, start: int = 0) -> dict:
    """Process seeds start..start+n-1 into a fresh store at ``path``; figures. ``chunk``: scenarios per
    bulk load into the store.

    Besides the wall time, the CPU time each side spends, per scenario: the workers' computing (summed
    over workers) and the parent's receiving and storing (its process time, the bulk loader's threads
    included). Their sum bounds what the cores can do: ``ceiling_per_s`` = cores / CPU a scenario, the
    throughput with both cores busy all the time and nothing else to wait for.

    ``peak_rss_mb``: the parent's peak resident memory during this batch (its Python heap, the chunk of
    N-Quads being loaded and the store's RocksDB caches), the peak of what the parent's Python code held
    during it (``parent_heap``, tracemalloc: the chunks received and loaded — the store's engine allocates
    outside it) and what the workers held of their own: each reports its private memory at the end of
    every chunk, and the batch gives the most any reported (``worker_max``) and the median of the reports
    (``worker_median``). A worker's figure moves from chunk to chunk (by ±10 MB: what the chunk's
    scenarios took, what the allocator kept) and its first chunks copy the fork server's pages they write
    to (reference counts: "private" from then on), so the most of 40 reports (1k) and of 4,000 (100k) differ
    by the extremes of that spread even when nothing is held; the median is the level, and grows if the
    workers keep anything from chunk to chunk. The workers are forked from a fork server that has only kzlaw's caches (``bench.worker``),
    not from the parent: a worker forked from the parent would find in its private pages every page of the
    parent's that the parent rewrote after the fork, and so seem to grow with the store. As with any
    multiprocessing start method but fork, a script calling this needs ``if __name__ == "__main__":``
    (each worker imports the main module)."""
    workers = workers or os.cpu_count() or 1
    reset_peak_rss()
    store = EmbeddedStore(path, BASE)
    store.ensure_knowledge()
    knowledge = len(store.store)
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["bench.worker"])  # read when this process's fork server starts
    t0 = time.perf_counter()
    stored = findings = 0
    store_s = compute_cpu = 0.0
    worker_mb: list[float] = []  # each chunk's worker's own memory at its end
    buf: list[bytes] = []
    pending = 0
    seeds = range(start, start + n)
    jobs = [list(seeds[i:i + CHUNK]) for i in range(0, n, CHUNK)]
    # _warm again in each worker: a no-op on the fork server's warm caches, and the caches' builder should
    # the fork server have been started without them (it ignores a preload module it cannot import)
    with ctx.Pool(workers, initializer=_warm) as pool:
        tracemalloc.start()
        try:
            t_ready, parent_cpu = time.perf_counter(), time.process_time()
            for nq, ok, nf, cpu, own_mb in ahead(lambda job: pool.apply_async(process, (job,)), jobs,
                                                         chunk // CHUNK + 2 * workers, lambda r: r.get()):
                worker_mb.append(own_mb)
                stored += ok
                findings += nf
                compute_cpu += cpu
                pending += ok
                buf.append(nq)
                if pending >= chunk:
                    store_s += _load(store, buf)
                    buf.clear()
                    pending = 0
            if buf:
                store_s += _load(store, buf)
            store.flush()
            t1, parent_cpu = time.perf_counter(), time.process_time() - parent_cpu
            heap_peak = tracemalloc.get_traced_memory()[1] / 2**20
        finally:
            tracemalloc.stop()
    quads = len(store.store)
    store.close()
    parent_peak = peak_rss_since_reset_mb()
    secs = t1 - t_ready
    cores = os.cpu_count() or 1
    cpu_ms = 1000 * (compute_cpu + parent_cpu) / n
    return {"n": n, "workers": workers, "seconds": round(secs, 2), "warmup_s": round(t_ready - t0, 2),
            "scenarios_per_s": round(n / secs, 1), "ms_per_scenario": round(1000 * secs / n, 3),
            "invalid": n - stored, "findings": findings, "quads": quads, "store_s": round(store_s, 2),
            "compute_cpu_ms": round(1000 * compute_cpu / n, 2), "store_cpu_ms": round(1000 * parent_cpu / n, 2),
            "ceiling_per_s": round(1000 * cores / cpu_ms, 1), "quads_per_scenario": round((quads - knowledge) / max(stored, 1)),
            "peak_rss_mb": {"parent": parent_peak, "parent_heap": round(heap_peak, 1),
                            "worker_max": max(worker_mb, default=0.0),
                            "worker_median": round(statistics.median(worker_mb), 1) if worker_mb else 0.0}}


def _load(store: EmbeddedStore, buf: list[bytes]) -> float:
    """Bulk-load a chunk of N-Quads (Oxigraph's bulk loader: no transaction, sorted index writes — the
    transactional load slowed down as the store grew), read straight from the parts received (joining them
    would hold the chunk twice); its time in seconds."""
    t = time.perf_counter()
    store.store.bulk_load(io.BufferedReader(_Parts(buf), buffer_size=1 << 20), format=ox.RdfFormat.N_QUADS)
    return time.perf_counter() - t


class _Parts(io.RawIOBase):
    """A list of byte strings read as one stream, each part let go of once read."""

    def __init__(self, parts: list[bytes]):
        self._parts, self._at, self._view = parts, 0, memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        while not self._view:
            if self._at == len(self._parts):
                return 0
            self._view = memoryview(self._parts[self._at])
            self._parts[self._at] = b""
            self._at += 1
        n = min(len(b), len(self._view))
        b[:n] = self._view[:n]
        self._view = self._view[n:]
        return n
