"""The ``kzlaw`` command line (Typer).

Exit codes follow pySHACL: 0 conforms / succeeded, 1 does not conform, 2 unreadable input or usage error.
"""

from __future__ import annotations

import json
import logging
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from .errors import InputError, KzlawError

# rdflib logs a traceback for every ill-typed literal (a date that is not a date); the SHACL report
# already names the value, so the traceback is only noise to a command-line user.
logging.getLogger("rdflib.term").setLevel(logging.ERROR)

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="kzlaw: legal reasoning over Kazakh media law scenarios.")


class Lang(str, Enum):
    en = "en"
    ru = "ru"
    kk = "kk"


class ReportFormat(str, Enum):
    text = "text"
    json = "json"
    jsonld = "jsonld"  # W3C SHACL validation reports (sh:ValidationReport), one a file
    turtle = "turtle"


class FindingsFormat(str, Enum):
    text = "text"
    json = "json"
    jsonld = "jsonld"
    turtle = "turtle"


@app.callback()
def _root() -> None:
    """kzlaw: legal reasoning over Kazakh media law scenarios."""


def _fail(message: str, code: int = 2) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="Scenario files (.jsonld, .json, .ttl, .nt, .rdf), or "
                                                     "directories (their .jsonld, .ttl, .nt, .rdf files)")],
    lang: Annotated[Lang, typer.Option(help="Language of the messages")] = Lang.en,
    format: Annotated[ReportFormat, typer.Option("--format", help="Report format")] = ReportFormat.text,
) -> None:
    """Validate scenario files against the input shapes. Exit 0 all conform, 1 some do not, 2 unreadable.

    Turtle and JSON-LD give W3C SHACL validation reports (one a file, its name as dcterms:source)."""
    from rdflib import Graph

    from .cli_service import scenario_paths
    from .parse import read_scenario_file
    from .validate import validate_graph

    worst = 0
    out = []
    rdf = Graph()
    for path in scenario_paths(files):
        try:
            graph, _ = read_scenario_file(path)
        except InputError as e:
            worst = 2
            if format is ReportFormat.json:
                out.append({"file": str(path), "readable": False, "error": e.message,
                            "line": e.line, "column": e.column})
            else:
                typer.echo(e.at(path), err=True)
            continue
        report = validate_graph(graph)
        if not report.conforms:
            worst = max(worst, 1)
        if format is ReportFormat.json:
            out.append({"file": str(path), "readable": True, **report.as_dict(lang.value)})
        elif format is ReportFormat.text:
            typer.echo(report.render(lang.value, source=str(path)))
        else:
            rdf += report.graph(source=str(path))
    if format is ReportFormat.json:
        typer.echo(json.dumps(out, ensure_ascii=False, indent=2))
    elif format in (ReportFormat.turtle, ReportFormat.jsonld):
        from .output import graph_text

        text = graph_text(rdf, "json-ld" if format is ReportFormat.jsonld else "turtle")
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    raise typer.Exit(worst)


def _load_valid(path: Path, lang: str):
    """Read and validate a scenario; exit 2 if unreadable, 1 if it does not conform."""
    from .parse import read_scenario_file, scenario_base
    from .validate import validate_graph

    try:
        graph, sid = read_scenario_file(path)
    except InputError as e:
        _fail(e.at(path), 2)
    report = validate_graph(graph)
    if not report.conforms:
        typer.echo(report.render(lang, source=str(path)), err=True)
        raise typer.Exit(1)
    return graph, scenario_base(sid)


@app.command()
def assess(
    file: Annotated[Path, typer.Argument(help="A scenario file")],
    regime: Annotated[str, typer.Option(help="Regime id, comma-separated ids, or 'all'")] = "all",
    lang: Annotated[Lang, typer.Option(help="Language of labels and explanations")] = Lang.en,
    format: Annotated[FindingsFormat, typer.Option("--format", help="Output format")] = FindingsFormat.text,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Judge as of this date (YYYY-MM-DD); "
                                                 "default: the scenario's own date, else each event's")] = None,
    proofs: Annotated[bool, typer.Option(help="JSON: include each finding's proof tree")] = False,
) -> None:
    """Assess a scenario under one or more regimes: findings with their proofs."""
    from .assess import assess as run
    from .explain import memo
    from .output import assessment_json, dumps, findings_graph_text

    graph, base = _load_valid(file, lang.value)
    try:
        a = run(graph, base, regime, as_of=as_of)
    except KzlawError as e:
        _fail(str(e), 2)
    if format is FindingsFormat.text:
        typer.echo(memo(a, lang.value))
    elif format is FindingsFormat.json:
        typer.echo(dumps(assessment_json(a, lang.value, proofs=proofs)))
    elif format is FindingsFormat.jsonld:
        typer.echo(findings_graph_text(a, "json-ld"))
    else:
        typer.echo(findings_graph_text(a, "turtle"))


@app.command()
def compare(
    file: Annotated[Path, typer.Argument(help="A scenario file")],
    base: Annotated[str, typer.Option(help="The regime to compare from")] = "current-law",
    other: Annotated[str, typer.Option(help="The regime to compare to")] = "reform-proposal",
    lang: Annotated[Lang, typer.Option(help="Language")] = Lang.en,
    format: Annotated[ReportFormat, typer.Option("--format", help="Output format")] = ReportFormat.text,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Judge as of this date")] = None,
) -> None:
    """What appears, disappears or changes in a scenario's findings between two regimes."""
    from .assess import assess as run
    from .compare import compare as diff
    from .output import dumps
    from .presentation import changes_json, render_changes

    graph, scenario = _load_valid(file, lang.value)
    try:
        a = run(graph, scenario, [base, other], as_of=as_of)
    except KzlawError as e:
        _fail(str(e), 2)
    changes = diff(a, base, other)
    if format is ReportFormat.json:
        typer.echo(dumps(changes_json(changes, a, base, other, lang.value)))
    else:
        typer.echo(render_changes(changes, a, base, other, lang.value))


def main() -> None:  # pragma: no cover - console entry
    try:
        app()
    except KzlawError as e:
        typer.echo(f"error: {e}", err=True)
        sys.exit(2)


def _register_service_commands() -> None:
    """serve / load / query / reassess live in cli_service.py (they need the store and the API)."""
    from . import cli_service

    cli_service.register(app)


_register_service_commands()
