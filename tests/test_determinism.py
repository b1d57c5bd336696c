"""The same stored state gives the same bytes in every process: the REST API's strong ETags promise it
(api/conditional.py), and a restart, another worker or another API process on a shared SPARQL server
must not serve another order under the same ETag. Python's hash seed is what differs between processes
(set iteration in rdflib and in kzlaw), so the representations of every good corpus scenario are made in
two processes with different seeds and compared."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = r'''
import hashlib, json, sys
from pathlib import Path
from kzlaw.output import graph_text
from kzlaw import service
from kzlaw.compare import compare
from kzlaw.namespaces import BASE
from kzlaw.presentation import changes_json
from kzlaw.store import EmbeddedStore

st = EmbeddedStore(None, BASE)
for p in sorted(Path("tests/scenarios").rglob("good/*.jsonld")):
    sid = p.name.split(".")[0]
    service.ingest(st, p.read_bytes(), "json-ld", sid, replace=True)
    sf = service.stored_findings(st, sid)
    a = service.stored_assessment(st, sid)
    parts = {"facts as JSON-LD": graph_text(st.facts(sid), "json-ld"),
             "facts as Turtle": graph_text(st.facts(sid), "turtle"),
             "findings as JSON-LD": graph_text(sf.graph, "json-ld"),
             "findings as Turtle": graph_text(sf.graph, "turtle"),
             "findings JSON": json.dumps(sf.json("ru"), ensure_ascii=False),
             "assessment as JSON-LD": graph_text(a.graph, "json-ld"),
             "compare JSON": json.dumps(changes_json(compare(a, "current-law", "reform-proposal"), a,
                                                     "current-law", "reform-proposal", "kk"), ensure_ascii=False)}
    for name, text in parts.items():
        print(sid, name, hashlib.sha256(text.encode()).hexdigest())
'''


def _run(seed: str) -> list[str]:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    r = subprocess.run([sys.executable, "-c", SCRIPT], check=False, cwd=ROOT, env=env, capture_output=True,
                       text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    return r.stdout.splitlines()


def test_representations_are_the_same_bytes_in_every_process():
    first, second = _run("1"), _run("2")
    assert len(first) > 6 * 50
    differ = [a.rsplit(" ", 1)[0] for a, b in zip(first, second, strict=True) if a != b]
    assert not differ, differ
