"""Where the ontology, shapes, queries and the JSON-LD context live: one function for both layouts.

In a wheel they are package data under ``kzlaw/_data/``; in a source checkout (editable install) they are
the top-level folders of the repository. Nothing else in kzlaw builds these paths.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
_KINDS = ("ontology", "shapes", "queries")


@cache
def data_path(kind: str) -> Path:
    """The folder holding ``kind`` (one of ontology, shapes, queries)."""
    if kind not in _KINDS:
        raise ValueError(f"unknown data folder {kind!r}; expected one of {_KINDS}")
    for candidate in (_PACKAGE_DIR / "_data" / kind, _PACKAGE_DIR.parent / kind):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"kzlaw data folder {kind!r} not found beside {_PACKAGE_DIR}")


ONTOLOGY_FILES = ("kzlaw.ttl", "provisions.ttl", "reference.ttl")


def ontology_files() -> list[Path]:
    """The ontology (TBox), provisions/regimes, and reference data, in load order."""
    return [data_path("ontology") / name for name in ONTOLOGY_FILES]


def context_file() -> Path:
    return data_path("ontology") / "context.jsonld"


def shape_files(group: str) -> list[Path]:
    """SHACL files of one group: input, rules or qc."""
    return sorted((data_path("shapes") / group).glob("*.ttl"))
