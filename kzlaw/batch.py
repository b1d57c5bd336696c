"""Many scenario files at once: what ``kzlaw load`` and ``kzlaw serve --load`` do.

The same steps as one scenario through kzlaw.service.ingest — parse, check, validate, assess under every
regime, store facts, inferences and findings per regime with their union in the default graph — with the
rules run once per chunk of scenarios (kzlaw.assess.assess_many: one named graph per scenario, the same
findings as one by one, tests/test_engine_differential.py) and the store written once per chunk
(QuadStore.put_many). Worker processes (one per core) do the computing when there are enough files to
pay for starting them; the parent reads their results in file order and writes. A file that cannot be
read, parsed or validated is reported and skipped, as by ingest; the others are stored.

What a chunk writes is all there or not there: a scenario is never half-stored (see put_many)."""

from __future__ import annotations

import collections
import multiprocessing as mp
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .assess import Assessment, assess_many
from .errors import InputError, KzlawError
from .namespaces import BASE
from .parse import format_for_path, scenario_base
from .reason import scenario_inferences
from .store import GraphNames, QuadStore, StoreError, StoreUnavailable, triple_lines

CHUNK = 25  # scenarios per assess_many call and per write (5–25 are alike; 50 is 10% slower, bench notes)
PARALLEL_FROM = 4 * CHUNK  # fewer files are computed in this process: starting workers costs ~1 s


@dataclass
class Outcome:
    """One file's fate: ``code`` 0 stored, 1 does not conform, 2 unreadable (as the CLI's exit codes);
    ``message`` says why it was not stored; ``graphs`` (stored ones, until written): graph name → triples
    as N-Triples terms."""
    source: str
    sid: str
    code: int = 0
    message: str = ""
    findings: int = 0
    graphs: dict[str, list[str]] = field(default_factory=dict)


def scenario_graphs(sid: str, a: Assessment, base: str = BASE) -> dict[str, list[str]]:
    """What the store holds for an assessed scenario, by graph name (kzlaw.store's names): its facts,
    the inferences beyond them and its findings per regime, each triple as N-Triples terms. The same
    triples QuadStore.put writes for it (tests/test_batch.py), its blank nodes labelled apart from any
    other scenario's."""
    blanks: dict = {}  # this scenario's blank nodes, labelled afresh: a chunk is written in one operation
    by_regime = a.ox_triples_by_regime()
    graphs = [a.facts, scenario_inferences(a.inferred, a.facts, scenario_base(sid, base)), *by_regime.values()]
    return dict(zip(GraphNames(base).scenario_graph_names(sid, by_regime),
                    (triple_lines(g, blanks) for g in graphs), strict=True))


def compute(jobs: list[tuple[str, str]], base: str = BASE, lang: str = "en") -> list[Outcome]:
    """(path, id) pairs → their outcomes, in order: each file read, parsed, checked and validated, the
    valid ones assessed together. Runs in a worker process or in the caller's."""
    from .service import NotConforming, check, read

    out: list[Outcome] = []
    valid: list[tuple[Outcome, object]] = []
    for path, sid in jobs:
        o = Outcome(path, sid)
        out.append(o)
        try:
            graph = read(Path(path).read_bytes(), format_for_path(Path(path)), sid, base)
            check(graph)
            valid.append((o, graph))
        except OSError as e:
            o.code, o.message = 2, f"{path}: cannot read: {e.strerror}"
        except InputError as e:
            o.code, o.message = 2, e.at(path)
        except NotConforming as e:
            o.code, o.message = 1, e.report.render(lang, source=path)
        except KzlawError as e:
            o.code, o.message = 2, f"{path}: {e}"
    try:
        assessed = assess_many([(g, scenario_base(o.sid, base)) for o, g in valid], "all")
    except Exception:  # noqa: BLE001 — one scenario the batch cannot take must not sink the others: each alone
        assessed = []
        for o, g in valid:
            try:
                assessed.append(assess_many([(g, scenario_base(o.sid, base))], "all")[0])
            except Exception as e:  # noqa: BLE001
                assessed.append(None)
                o.code, o.message = 2, f"{o.source}: cannot be assessed: {type(e).__name__}: {e}"
    for (o, _g), a in zip(valid, assessed, strict=True):
        if a is None:
            continue
        try:
            o.graphs, o.findings = scenario_graphs(o.sid, a, base), len(a.findings)
        except ValueError as e:  # a term the store refuses (parse refuses those it knows of): this file only
            o.code, o.message = 2, f"{o.source}: cannot be stored: {e}"
    return out


def _warm() -> None:
    """Build kzlaw's caches (ontology, compiled reasoner and validator, rules) in a fresh worker, out of
    the garbage collector's reach (kzlaw.service.warm_up)."""
    from .service import warm_up

    warm_up()


def ahead(submit: Callable, jobs: list, window: int, take: Callable = lambda f: f.result()) -> Iterator:
    """The jobs' results in order, with at most ``window`` submitted ahead of the one taken next (the
    workers never run far ahead of the writing: what is held stays flat in the number of files; ``imap``
    would run ahead without bound, and at 100k the parent's heap peaked at 4× that at 1k, bench notes).
    ``submit`` starts a job and returns its future; ``take`` waits for a future's result (a
    concurrent.futures Future by default; ``lambda r: r.get()`` for a multiprocessing AsyncResult)."""
    pending: collections.deque = collections.deque()
    for job in jobs:
        if len(pending) == window:
            yield take(pending.popleft())
        pending.append(submit(job))
    while pending:
        yield take(pending.popleft())


def load(store: QuadStore, files: list[tuple[Path, str]], workers: int | None = None,
         lang: str = "en", progress: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    """Validate, assess and store (replacing what is stored under the same id) the files, given as
    (path, id) pairs; the outcomes in file order, each passed to ``progress`` once written. ``workers``:
    processes computing (default: one per core from PARALLEL_FROM files on, else none: this process)."""
    jobs = [[(str(p), sid) for p, sid in files[i:i + CHUNK]] for i in range(0, len(files), CHUNK)]
    if workers is None:
        workers = (os.cpu_count() or 1) if len(files) >= PARALLEL_FROM else 0
    outcomes: list[Outcome] = []

    def write(chunk: list[Outcome]) -> None:
        ready = [o for o in chunk if o.graphs]
        try:
            store.put_many([(o.sid, o.graphs) for o in ready])
        except StoreUnavailable:
            raise
        except StoreError:  # the store refused something in the chunk (nothing of it written): each alone
            for o in ready:
                try:
                    store.put_many([(o.sid, o.graphs)])
                except StoreUnavailable:
                    raise
                except StoreError as e:
                    o.code, o.message = 2, f"{o.source}: cannot be stored: {e}"
        for o in chunk:
            o.graphs = {}  # written: let go of the triples
            outcomes.append(o)
            if progress:
                progress(o)

    if workers <= 0:
        for job in jobs:
            write(compute(job, store.base, lang))
        return outcomes
    from concurrent.futures import ProcessPoolExecutor

    # forkserver: workers start from a small fresh process, not a copy of this one (its store's threads
    # and caches); each warms kzlaw's caches once
    with ProcessPoolExecutor(workers, mp_context=mp.get_context("forkserver"), initializer=_warm) as pool:
        for chunk in ahead(lambda job: pool.submit(compute, job, store.base, lang), jobs, 2 * workers + 1):
            write(chunk)
    return outcomes
