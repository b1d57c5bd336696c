"""Quality control of the ontology: the SPARQL checks of shapes/qc/ and a HermiT consistency check.

Each ``shapes/qc/<name>-violation.sparql`` is a SELECT whose rows are violations (ODK style): a clean
ontology gives none. ``run_qc`` runs them all; ``hermit_check`` asks HermiT (through owlready2, needs Java)
whether the ontology, optionally with data graphs, is consistent and which named classes are unsatisfiable.
tests/test_ontology.py runs both.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from rdflib import Graph
from rdflib.term import Node

from .knowledge import ontology_graph
from .reason import for_hermit
from .resources import data_path

SUFFIX = "-violation.sparql"
OWL_NOTHING = "http://www.w3.org/2002/07/owl#Nothing"


def qc_queries() -> dict[str, Path]:
    """Check name (the file name without ``-violation.sparql``) → query file, sorted by name."""
    folder = data_path("shapes") / "qc"
    return {p.name[: -len(SUFFIX)]: p for p in sorted(folder.glob("*" + SUFFIX))}


def _cell(value: Node | None) -> str | None:
    return None if value is None else str(value)


def run_check(name: str, graph: Graph | None = None) -> list[dict]:
    """The violations one check finds: a dict per row, variable → value as a string (None if unbound)."""
    query = qc_queries()[name].read_text(encoding="utf-8")
    g = ontology_graph() if graph is None else graph
    result = g.query(query)
    names = [str(v) for v in result.vars]
    return [{n: _cell(row[i]) for i, n in enumerate(names)} for row in result]


def run_qc(graph: Graph | None = None) -> dict[str, list[dict]]:
    """Every check of shapes/qc/ against ``graph`` (default: the merged ontology): check name → rows."""
    return {name: run_check(name, graph) for name in qc_queries()}


def _as_graph(item: Path | str | Graph) -> Graph:
    if isinstance(item, Graph):
        return item
    path = Path(item)
    fmt = {".ttl": "turtle", ".nt": "nt", ".rdf": "xml", ".owl": "xml", ".jsonld": "json-ld"}.get(
        path.suffix.lower(), "turtle")
    if fmt == "json-ld":  # scenario JSON-LD names kzlaw's context: parse it the way kzlaw does (no fetching)
        from .parse import read_scenario_file

        return read_scenario_file(path)[0]
    g = Graph()
    g.parse(path, format=fmt)
    return g


def hermit_check(extra_turtle_files: Iterable[Path | str | Graph] = ()) -> dict:
    """Load the ontology (plus each extra data file or rdflib Graph) into a fresh in-memory owlready2 World,
    run HermiT, and return ``{"consistent": bool, "unsatisfiable": [class IRIs]}``.

    Extra files are parsed with rdflib (Turtle by default; .nt, .rdf/.owl and scenario .jsonld by suffix);
    everything is handed to owlready2 as N-Triples, with xsd:date literals as xsd:dateTime, which is all
    HermiT's datatype map accepts (kzlaw.reason.for_hermit). An inconsistent ontology has no meaningful
    unsatisfiable classes (every class is): the list is then empty.
    """
    import owlready2

    merged = Graph()
    merged += ontology_graph()
    for item in extra_turtle_files:
        merged += _as_graph(item)
    merged = for_hermit(merged)

    world = owlready2.World()  # in memory: nothing is written to a quadstore file
    fd, path = tempfile.mkstemp(suffix=".nt")
    os.close(fd)
    try:
        merged.serialize(path, format="nt", encoding="utf-8")
        onto = world.get_ontology("file://" + path).load(format="ntriples")
        try:
            with onto:
                owlready2.sync_reasoner_hermit(world, infer_property_values=True, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError:
            return {"consistent": False, "unsatisfiable": []}
        unsat = sorted({c.iri for c in world.inconsistent_classes()
                        if getattr(c, "iri", None) and c.iri != OWL_NOTHING})
        return {"consistent": True, "unsatisfiable": unsat}
    finally:
        os.unlink(path)
        world.close()
