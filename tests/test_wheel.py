"""The wheel works on its own: built from the repository, installed into a fresh virtualenv, and run from
outside the repository, it finds its ontology, shapes and queries as package data and `kzlaw validate`
works. Needs the package index (pip installs the dependencies) unless they are cached."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "tests" / "scenarios" / "worked" / "good" / "facebook-reachable.jsonld"
ART_24_3 = "https://w3id.org/kzlaw/eli/law/mass-media/art/24/para/3"

CHECK = textwrap.dedent(f"""
    import sys, sysconfig
    from pathlib import Path
    from rdflib import URIRef
    import kzlaw.resources
    from kzlaw.resources import data_path

    site = Path(sysconfig.get_paths()["purelib"]).resolve()
    repo = Path({str(ROOT)!r}).resolve()
    for kind in ("ontology", "shapes", "queries"):
        p = data_path(kind).resolve()
        assert p.is_relative_to(site), f"{{kind}}: {{p}} is not inside {{site}}"
        assert not p.is_relative_to(repo), f"{{kind}}: {{p}} is inside the repository"
    assert Path(kzlaw.resources.__file__).resolve().is_relative_to(site), kzlaw.resources.__file__

    from kzlaw.knowledge import ontology_graph
    g = ontology_graph()
    assert len(g) > 500, f"only {{len(g)}} triples"
    assert (URIRef({ART_24_3!r}), None, None) in g, "Article 24(3) provision missing"

    from kzlaw.qc import qc_queries
    assert qc_queries(), "no shapes/qc/*-violation.sparql in the wheel"
    print("ok", len(g))
""")


def _run(cmd, cwd, env=None, timeout=900):
    r = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True,
                       timeout=timeout, check=False)
    assert r.returncode == 0, (f"{' '.join(map(str, cmd))} exited {r.returncode}\n"
                               f"{r.stdout[-3000:]}\n{r.stderr[-3000:]}")
    return r


def test_wheel_installs_and_runs_outside_the_repository(tmp_path):
    dist = tmp_path / "dist"
    _run([sys.executable, "-m", "build", "--wheel", "--outdir", dist], cwd=ROOT)
    wheels = list(dist.glob("kzlaw-*.whl"))
    assert len(wheels) == 1, f"expected one wheel, got {wheels}"

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", venv], cwd=tmp_path)
    py = venv / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    _run([py, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", wheels[0]], cwd=tmp_path,
         env=env)

    out = _run([py, "-c", CHECK], cwd=tmp_path, env=env)
    assert out.stdout.startswith("ok"), out.stdout

    kzlaw = venv / "bin" / "kzlaw"
    assert kzlaw.is_file(), "the kzlaw console script is not installed"
    _run([kzlaw, "validate", SCENARIO], cwd=tmp_path, env=env, timeout=300)
