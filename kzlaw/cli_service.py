"""The service commands of ``kzlaw``: serve, load, query, reassess (registered by kzlaw.cli).

They use the store the settings name (``KZLAW_STORE_PATH`` / ``KZLAW_STORE_URL``) unless told otherwise.
Exit codes as elsewhere: 0 done, 1 some scenario does not conform, 2 unreadable input or usage error.
"""

from __future__ import annotations

import contextlib
import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

StoreOpt = Annotated[str | None, typer.Option("--store", help="Directory of the embedded store")]
StoreUrlOpt = Annotated[str | None, typer.Option("--store-url", help="Base URL of a SPARQL 1.1 server")]


class QueryFormat(str, Enum):
    json = "json"
    csv = "csv"
    tsv = "tsv"
    table = "table"


def _settings(store: str | None = None, store_url: str | None = None, **extra):
    from .settings import get_settings

    s = get_settings()
    update = {k: v for k, v in extra.items() if v is not None}
    if store:
        update.update(store_path=store, store_url=None)
    if store_url:
        update["store_url"] = store_url
    return s.model_copy(update=update) if update else s


def _open(settings):
    from .store import StoreError, open_store

    try:
        return open_store(settings.store_path, settings.store_url, settings.base_iri)
    except StoreError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(2)


def _open_existing(settings):
    """The store, for commands that only read or rewrite what it holds: an embedded store that does not
    exist yet is an error (opening it would create an empty one and answer from that)."""
    if not settings.store_url and not Path(settings.store_path).is_dir():
        typer.echo(f"error: no store at {settings.store_path} (store scenarios first with `kzlaw load`, "
                   "or name the store with --store or KZLAW_STORE_PATH)", err=True)
        raise typer.Exit(2)
    return _open(settings)


# What a directory stands for: its files in an RDF format by name. Plain .json, .xml and .owl files are
# left out (expectations, configuration, ontologies often sit beside scenarios); named one by one, they count.
DIRECTORY_SUFFIXES = (".jsonld", ".ttl", ".nt", ".rdf")


def scenario_paths(paths: list[Path]) -> list[Path]:
    """The files named, a directory standing for every file under it whose suffix is one of
    DIRECTORY_SUFFIXES (hidden ones skipped), in name order."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in DIRECTORY_SUFFIXES
                           and not any(part.startswith(".") for part in f.relative_to(p).parts))
            if not found:
                typer.echo(f"error: {p} holds no scenario file ({', '.join(DIRECTORY_SUFFIXES)})", err=True)
                raise typer.Exit(2)
            out += found
        else:
            out.append(p)
    return out


def files_to_store(paths: list[Path]) -> list[Path]:
    """scenario_paths, refused (exit 2) before anything is stored when two files would be stored under the
    same id (the name up to its first '.'). A file named twice (itself and its directory, or two spellings
    of its path) is stored once."""
    files: list[Path] = []
    seen: dict[str, Path] = {}
    for f in scenario_paths(paths):
        sid = f.name.split(".")[0]
        if sid in seen and _same_file(seen[sid], f):
            continue
        if sid in seen:
            typer.echo(f"error: {seen[sid]} and {f} would both be stored as {sid!r}; nothing was stored", err=True)
            raise typer.Exit(2)
        seen[sid] = f
        files.append(f)
    return files


def _same_file(a: Path, b: Path) -> bool:
    """One file (by device and inode: another spelling of its path, a link to it)."""
    try:
        return os.path.samefile(a, b)
    except OSError:  # missing, a symlink loop...: the same only if named alike; reading it will say why
        return a == b


def load_files(store, files: list[Path], workers: int | None = None) -> tuple[int, int]:
    """Validate, assess and store each file (id: its name up to the first '.'), replacing what is stored
    under its id (kzlaw.batch: in chunks, on worker processes when there are many); the worst exit code
    and how many files were stored. Each file not stored is reported on stderr; so is the progress: a bar
    on a terminal, else a line per chunk stored (for logs)."""
    from .batch import CHUNK, load

    worst = stored = done = 0
    tty = sys.stderr.isatty()
    with contextlib.ExitStack() as stack:
        bar = stack.enter_context(typer.progressbar(length=len(files), label="loading", file=sys.stderr)) if tty else None

        def progress(o) -> None:
            nonlocal worst, stored, done
            if bar:
                bar.update(1)
            done += 1
            if o.code:
                typer.echo(("\n" if tty else "") + o.message, err=True)
                worst = max(worst, o.code)
            else:
                stored += 1
            if not tty and (done % CHUNK == 0 or done == len(files)):
                typer.echo(f"loading: {done} of {len(files)} file(s) done", err=True)
        load(store, [(f, f.name.split(".")[0]) for f in files], workers=workers, progress=progress)
    return worst, stored


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        store: StoreOpt = None,
        store_url: StoreUrlOpt = None,
        host: Annotated[str | None, typer.Option(help="Interface to listen on")] = None,
        port: Annotated[int | None, typer.Option(help="Port to listen on")] = None,
        load: Annotated[list[Path] | None, typer.Option("--load", help="Scenario files (or directories) to "
                                                           "store before serving (repeatable)")] = None,
        memory: Annotated[bool, typer.Option("--memory", help="Answer SPARQL from an in-memory copy of the "
                                             "embedded store (KZLAW_STORE_MEMORY; built in the background; "
                                             "~275 bytes of memory a stored quad)")] = False,
    ) -> None:
        """Run the REST API and the SPARQL endpoint."""
        import uvicorn

        from api.main import create_app
        from api.security import bind_host

        settings = _settings(store, store_url, host=host, port=port, store_memory=True if memory else None)
        try:
            _, notice = bind_host(settings)
        except ValueError as e:
            typer.echo(f"error: {e}", err=True)
            raise typer.Exit(2)
        typer.echo(notice, err=True)
        if load:
            files = files_to_store(list(load))
            st = _open(settings)
            try:
                code, _ = load_files(st, files)
            finally:
                st.close()
            if code:
                typer.echo("warning: some files were not loaded (see above)", err=True)
        url = f"http://{settings.host}:{settings.port}"
        typer.echo(f"API docs: {url}/docs")
        typer.echo(f"SPARQL: {url}/sparql")
        uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")

    @app.command("load")
    def load_cmd(
        files: Annotated[list[Path], typer.Argument(help="Scenario files, or directories (their .jsonld, .ttl, "
                                                         ".nt, .rdf files); each file is stored under its name "
                                                         "up to the first '.'")],
        store: StoreOpt = None,
        store_url: StoreUrlOpt = None,
        workers: Annotated[int | None, typer.Option(
            "--workers", min=0, help="Processes assessing the files (0: this one). Default: one per core from "
                                     "100 files on, else 0")] = None,
    ) -> None:
        """Validate, assess and store scenario files.

        A file stored under an id already in the store replaces it. The files are assessed in chunks of 25
        and each chunk is stored at once, all of it or none. Exit 1 if any does not conform, 2 if any is
        unreadable (the good ones are stored either way)."""
        files = files_to_store(files)
        st = _open(_settings(store, store_url))
        try:
            code, stored = load_files(st, files, workers)
            typer.echo(f"{stored} of {len(files)} file(s) stored; the store holds "
                       f"{st.scenario_count()} scenario(s)", err=True)
        finally:
            st.close()
        raise typer.Exit(code)

    @app.command()
    def query(
        sparql: Annotated[str, typer.Argument(help="A SPARQL query, or @file.rq")],
        format: Annotated[QueryFormat, typer.Option("--format", help="Output format")] = QueryFormat.table,
        store: StoreOpt = None,
        store_url: StoreUrlOpt = None,
        endpoint: Annotated[str | None, typer.Option(
            "--endpoint", help="Ask this SPARQL endpoint over HTTP instead of opening a store, e.g. a running "
                               "kzlaw's http://127.0.0.1:8000/sparql")] = None,
    ) -> None:
        """Run a SPARQL query over the store (the union of all graphs as default graph), or over HTTP at
        a SPARQL endpoint (--endpoint; the store of a running server is its own)."""
        import pyoxigraph as ox

        from .store import QueryError, StoreUnavailable, endpoint_results, query_form

        if sparql.startswith("@"):
            try:
                sparql = Path(sparql[1:]).read_text(encoding="utf-8")
            except OSError as e:
                typer.echo(f"error: cannot read {sparql[1:]}: {e.strerror}", err=True)
                raise typer.Exit(2)
        st = None if endpoint else _open_existing(_settings(store, store_url))
        try:
            query_form(sparql)
            results = endpoint_results(endpoint, sparql) if endpoint else st.results(sparql)()
            if isinstance(results, (ox.QuerySolutions, ox.QueryBoolean)):
                if format is QueryFormat.table:
                    _print_table(results)
                else:
                    fmt = {"json": ox.QueryResultsFormat.JSON, "csv": ox.QueryResultsFormat.CSV,
                           "tsv": ox.QueryResultsFormat.TSV}[format.value]
                    sys.stdout.write(results.serialize(format=fmt).decode("utf-8"))
            else:
                fmt = ox.RdfFormat.JSON_LD if format is QueryFormat.json else ox.RdfFormat.TURTLE
                sys.stdout.write(ox.serialize(list(results), format=fmt).decode("utf-8"))
        except QueryError as e:
            typer.echo(f"error: {e}", err=True)
            lines = sparql.split("\n")  # lines as the parsers count them
            if e.line and e.column and e.line <= len(lines):  # the line, and a caret under the column
                text = lines[e.line - 1]
                typer.echo(f"  {text}\n  {' ' * len(text[:e.column - 1].expandtabs())}^", err=True)
            raise typer.Exit(2)
        except StoreUnavailable as e:
            typer.echo(f"error: {e}", err=True)
            raise typer.Exit(2)
        finally:
            if st is not None:
                st.close()

    @app.command()
    def reassess(store: StoreOpt = None, store_url: StoreUrlOpt = None) -> None:
        """Recompute every stored scenario's findings with the current rules and ontology."""
        from .rules import rules_version
        from .service import reassess as run

        st = _open_existing(_settings(store, store_url))
        try:
            n = run(st, progress=lambda sid: typer.echo(f"reassessed {sid}", err=True))
        finally:
            st.close()
        typer.echo(f"{n} scenario(s) reassessed with rules {rules_version()}")


def _print_table(results) -> None:
    import pyoxigraph as ox

    if isinstance(results, ox.QueryBoolean):
        typer.echo("true" if bool(results) else "false")
        return
    names = [v.value for v in results.variables]
    rows = [[_cell(sol[n]) for n in names] for sol in results]
    widths = [max([len(n), *(len(r[i]) for r in rows)]) for i, n in enumerate(names)]
    typer.echo("  ".join(n.ljust(w) for n, w in zip(names, widths)))
    typer.echo("  ".join("-" * w for w in widths))
    for r in rows:
        typer.echo("  ".join(c.ljust(w) for c, w in zip(r, widths)))
    typer.echo(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")


def _cell(term) -> str:
    from .knowledge import compact

    if term is None:
        return ""
    if hasattr(term, "language") and hasattr(term, "datatype"):
        return term.value
    return compact(term.value)
