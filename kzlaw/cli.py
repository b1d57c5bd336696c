"""The ``kzlaw`` command line (Typer).

Exit codes follow pySHACL: 0 conforms / succeeded, 1 does not conform, 2 unreadable input or usage error.
"""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from .errors import InputError, KzlawError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="kzlaw: legal reasoning over Kazakh media law scenarios.")


class Lang(str, Enum):
    en = "en"
    ru = "ru"
    kk = "kk"


class ReportFormat(str, Enum):
    text = "text"
    json = "json"


@app.callback()
def _root() -> None:
    """kzlaw: legal reasoning over Kazakh media law scenarios."""


def _fail(message: str, code: int = 2) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _input_error_text(path: Path, e: InputError) -> str:
    where = f":{e.line}:{e.column}" if e.line is not None else ""
    return f"{path}{where}: {e.message}"


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="Scenario files (.jsonld, .json, .ttl, .nt, .rdf)")],
    lang: Annotated[Lang, typer.Option(help="Language of the messages")] = Lang.en,
    format: Annotated[ReportFormat, typer.Option("--format", help="Report format")] = ReportFormat.text,
) -> None:
    """Validate scenario files against the input shapes. Exit 0 all conform, 1 some do not, 2 unreadable."""
    from .parse import read_scenario_file
    from .validate import validate_graph

    worst = 0
    out = []
    for path in files:
        try:
            graph, _ = read_scenario_file(path)
        except InputError as e:
            worst = 2
            if format is ReportFormat.json:
                out.append({"file": str(path), "readable": False, "error": e.message,
                            "line": e.line, "column": e.column})
            else:
                typer.echo(_input_error_text(path, e), err=True)
            continue
        report = validate_graph(graph)
        if not report.conforms:
            worst = max(worst, 1)
        if format is ReportFormat.json:
            out.append({"file": str(path), "readable": True, **report.as_dict(lang.value)})
        else:
            typer.echo(report.render(lang.value, source=str(path)))
    if format is ReportFormat.json:
        typer.echo(json.dumps(out, ensure_ascii=False, indent=2))
    raise typer.Exit(worst)


def main() -> None:  # pragma: no cover - console entry
    try:
        app()
    except KzlawError as e:
        typer.echo(f"error: {e}", err=True)
        sys.exit(2)
