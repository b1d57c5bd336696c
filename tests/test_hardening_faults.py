"""Faults with real processes: kill -9 of the API server in the middle of a write burst (another process
posting), kill -9 of `kzlaw load`; an Oxigraph server stopped under the API and started again. Every
acknowledged scenario is complete afterwards, none is half-written; the remote store's absence is a fast
503 and the service recovers when it returns, even when it was down as the service started."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx
import pytest
from conftest_service import (
    BASE,
    FB_REACHABLE,
    ROOT,
    Process,
    api_server,
    free_port,
    oxigraph_command,
    oxigraph_server,
)
from hardening.support import Record

FB = FB_REACHABLE.read_bytes()
JSONLD = {"content-type": "application/ld+json"}
REGIMES = {"current-law", "reform-proposal", "platform-duties"}
record = Record("Faults")
_track = record.tracker()

WRITER = textwrap.dedent("""
    import sys, threading, httpx
    url, out, body = sys.argv[1], open(sys.argv[2], "a", buffering=1), open(sys.argv[3], "rb").read()
    def run(k):
        with httpx.Client(base_url=url, timeout=60) as c:
            for n in range(100):
                sid = f"burst-{k}-{n}"
                try:
                    r = c.post("/v1/scenarios", params={"id": sid}, content=body,
                               headers={"content-type": "application/ld+json"})
                except httpx.HTTPError:
                    out.write(f"down {sid}\\n")
                    return
                out.write(f"{r.status_code} {sid} {r.json().get('findings_count') if r.status_code == 201 else ''}\\n")
    ts = [threading.Thread(target=run, args=(k,)) for k in range(3)]
    [t.start() for t in ts]
    [t.join() for t in ts]
""")


def _wait_for(predicate, attempts: int = 600, step: float = 0.1) -> bool:
    for _ in range(attempts):  # bounded
        if predicate():
            return True
        time.sleep(step)
    return False


def _complete(c: httpx.Client, sid: str, count: int) -> bool:
    """Facts and the findings of every regime, as many as acknowledged."""
    s = c.get(f"/v1/scenarios/{sid}")
    assert s.status_code == 200, (sid, s.text)
    body = s.json()
    f = c.get(f"/v1/scenarios/{sid}/findings").json()["findings"]
    return bool(body["facts"]) and set(body["graphs"]["findings"]) == REGIMES and len(f) == count


@pytest.fixture(scope="module")
def tmp(request, tmp_path_factory):
    yield tmp_path_factory.mktemp("faults")
    record.write(request)


def test_kill_9_of_the_server_during_a_write_burst(tmp):
    api = api_server(tmp)
    acks = tmp / "acks.txt"
    body = tmp / "fb.jsonld"
    body.write_bytes(FB)
    writer = subprocess.Popen([sys.executable, "-c", WRITER, api.url, str(acks), str(body)], cwd=ROOT)
    try:
        assert _wait_for(lambda: acks.exists() and acks.read_text().count("201 ") >= 4), "no write acknowledged"
        api.proc.kill()  # SIGKILL while the writers are still posting
        api.proc.wait()
        writer.wait(timeout=120)
    finally:
        if writer.poll() is None:
            writer.kill()
    lines = [ln.split() for ln in acks.read_text().splitlines()]
    acked = {ln[1]: int(ln[2]) for ln in lines if ln[0] == "201"}
    tried = {ln[1] for ln in lines}
    assert any(ln[0] == "down" for ln in lines)  # the kill really came in the middle of writing
    api.start()  # the same store directory
    try:
        with httpx.Client(base_url=api.url, timeout=60) as c:
            for sid, count in acked.items():
                assert _complete(c, sid, count), sid
            stored = {i["id"] for i in c.get("/v1/scenarios", params={"size": 500}).json()["items"]}
            assert set(acked) <= stored
            # a write cut off before its 201 is either absent or complete, never half there
            count = next(iter(acked.values()))
            for sid in stored - set(acked):
                assert _complete(c, sid, count), sid
            assert stored <= tried | set(acked)
            r = c.post("/v1/scenarios", params={"id": "after-kill"}, content=FB, headers=JSONLD)
            assert r.status_code == 201
            # the row's text is fixed: how many writes land before the kill varies from run to run, and the
            # table is a committed file the tests compare with
            record.add("fault", "kill -9 of the API server during a burst of 3 writers; restart",
                       "POST /v1/scenarios after restart", r,
                       answer="store opens; every acknowledged scenario complete (facts + 3 regimes)")
    finally:
        api.stop()


def test_kill_9_of_kzlaw_load(tmp):
    """kzlaw load stores chunks of 25 files, each all or nothing (kzlaw.batch): killed once it has said
    the first chunk is stored, the store opens with whole chunks of complete scenarios, and a rerun stores
    the rest."""
    files = tmp / "load"
    files.mkdir()
    n = 120
    for k in range(n):
        shutil.copy(FB_REACHABLE, files / f"load-{k:03d}.jsonld")
    store = tmp / "load-store"
    kzlaw = str(Path(sys.executable).parent / "kzlaw")
    cmd = [kzlaw, "load", "--store", str(store), "--workers", "0", *sorted(str(p) for p in files.iterdir())]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    first = proc.stderr.readline()
    assert first.startswith(f"loading: 25 of {n} file(s) done"), first
    assert proc.poll() is None, "kzlaw load finished before it could be killed"
    proc.kill()
    proc.wait()
    proc.stderr.close()
    from kzlaw.store import open_store

    st = open_store(store)  # the store opens after the kill, without a killed bulk load's leftover runs
    try:
        assert not list(Path(store).glob("bulk-*.sst"))
        ids = st.scenario_ids()
        assert 25 <= len(ids) < n and len(ids) % 25 == 0, len(ids)
        for sid in ids:
            names = st.graph_names(sid)
            assert {n.rsplit("/", 1)[-1] for n in names if "/findings/" in n} == REGIMES, sid
            assert len(st.facts(sid)) > 0
    finally:
        st.close()
    rest = [str(p) for p in sorted(files.iterdir()) if p.name.split(".")[0] not in ids]
    done = subprocess.run([*cmd[:4], *rest], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    st = open_store(store)
    try:
        assert len(st.scenario_ids()) == n
    finally:
        st.close()
    record.rows.append({"category": "fault", "input": f"kill -9 of `kzlaw load` ({n} files) after its first chunk of 25 is stored",
                        "request": "kzlaw load (again)", "status": "exit 0",
                        "answer": f"store opens; whole chunks of complete scenarios stored; the rerun stores the rest: all {n}",
                        "detail": "", "outbound": None})


def test_remote_store_going_away_and_coming_back(tmp):
    ox = oxigraph_server(tmp / "oxigraph", tmp / "oxigraph.log")
    (tmp / "remote").mkdir()
    api = api_server(tmp / "remote", store_url=ox.url)
    try:
        with httpx.Client(base_url=api.url, timeout=60) as c:
            assert c.post("/v1/scenarios", params={"id": "before"}, content=FB, headers=JSONLD).status_code == 201
            ox.stop()
            for method, path, kw in (
                    ("GET", "/v1/scenarios/before/findings", {}),
                    ("GET", "/v1/scenarios", {}),
                    ("POST", "/v1/scenarios?id=during", {"content": FB, "headers": JSONLD}),
                    ("GET", "/sparql", {"params": {"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1"}}),
                    ("GET", "/health", {})):
                r = c.request(method, path, **kw)
                assert r.status_code == 503, (path, r.text)
                body = r.json()
                assert body["type"].endswith("/store-unavailable") and "store" in body["detail"]
                assert r.headers.get("retry-after")
            record.add("fault", "the Oxigraph server behind the API stopped", "GET|POST /v1/…, /sparql, /health",
                       r)
            ox.start()  # the same port and data
            assert c.get("/health").status_code == 200
            assert len(c.get("/v1/scenarios/before/findings").json()["findings"]) > 0
            r = c.post("/v1/scenarios", params={"id": "during"}, content=FB, headers=JSONLD)
            assert r.status_code == 201, r.text
            record.add("fault", "the Oxigraph server started again", "POST /v1/scenarios", r,
                       answer="recovered: earlier findings read back, new scenario stored")
    finally:
        api.stop()
        ox.stop()


def test_remote_store_down_when_the_service_starts(tmp):
    """The service starts without its SPARQL server (503 problems meanwhile, nothing written), and loads
    the ontology and rules into it on the first request once the server is up."""
    port = free_port()
    ox = Process([oxigraph_command(), "serve", "--location", str(tmp / "late-oxigraph"), "--bind", f"127.0.0.1:{port}"],
                 f"http://127.0.0.1:{port}/query?query=ASK%7B%7D", tmp / "late-oxigraph.log")
    api_port = free_port()
    api = Process([sys.executable, "-m", "uvicorn", "api.main:app", "--host", "127.0.0.1", "--port", str(api_port)],
                  f"http://127.0.0.1:{api_port}/openapi.json", tmp / "late-api.log",
                  {"KZLAW_STORE_URL": f"http://127.0.0.1:{port}"})
    api.start()  # returns once the API answers: it did not need the store to start
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{api_port}", timeout=60) as c:
            for method, path, kw in (("GET", "/health", {}),
                                     ("POST", "/v1/scenarios?id=early", {"content": FB, "headers": JSONLD})):
                r = c.request(method, path, **kw)
                assert r.status_code == 503 and r.json()["type"].endswith("/store-unavailable"), r.text
            assert "serving anyway" in (tmp / "late-api.log").read_text()
            ox.start()
            h = c.get("/health")
            assert h.status_code == 200 and h.json()["scenarios"] == 0
            rules = f"{BASE}graph/rules"
            ask = c.get("/sparql", params={"query": f"ASK {{ GRAPH <{rules}> {{ <{rules}> ?p ?o }} }}"},
                        headers={"accept": "application/sparql-results+json"})
            assert ask.json()["boolean"] is True  # the knowledge was loaded once the server answered
            r = c.post("/v1/scenarios", params={"id": "late"}, content=FB, headers=JSONLD)
            assert r.status_code == 201 and r.json()["findings_count"] > 0, r.text
            assert c.get("/v1/scenarios/early").status_code == 404  # the refused write left nothing
            record.add("fault", "the Oxigraph server down when the API started, then started",
                       "GET /health, POST /v1/scenarios", r,
                       answer="503 until the server is up; then the knowledge is loaded and the scenario stored")
    finally:
        api.stop()
        ox.stop()
