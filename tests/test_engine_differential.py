"""The rule files executed two ways give the same findings: Oxigraph (the fast path) and pyshacl's
SHACL-AF rule engine (the reference), on every scenario of the corpus and on generated ones."""

from __future__ import annotations

import pytest
from support import assessed, rel_id, scenario_files

from kzlaw.assess import assess
from kzlaw.generate import generate

pytestmark = pytest.mark.slow


def _iris(a):
    return sorted((f.iri, f.conclusion, tuple(f.obstacles)) for f in a.findings)


@pytest.mark.parametrize("path", scenario_files("good"), ids=rel_id)
def test_pyshacl_and_oxigraph_agree_on_corpus(path):
    fast = assessed(str(path))
    ref = assessed(str(path), executor="pyshacl")
    assert _iris(fast) == _iris(ref)


@pytest.mark.parametrize("seed", range(12))
def test_pyshacl_and_oxigraph_agree_on_generated(seed):
    g, base = generate(1000 + seed)
    assert _iris(assess(g, base)) == _iris(assess(g, base, executor="pyshacl"))
