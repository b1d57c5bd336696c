"""`make load`: 50 concurrent clients (asyncio + httpx) mixing assess, store, read and SPARQL against a real
kzlaw server on loopback for a bounded time; prints throughput, p50/p95/p99 per kind and the errors.
Not a test: it asserts nothing about time. Exit 1 if any request failed (5xx or transport error)."""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: conftest_service

import httpx
from conftest_service import FB_REACHABLE, WORKED, api_server

JSONLD = {"content-type": "application/ld+json"}
QUERY = ("PREFIX kz: <https://w3id.org/kzlaw/ontology#> SELECT ?f ?c WHERE { ?f a kz:Finding ; "
         "kz:conclusion ?c } LIMIT 100")


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]


async def client_loop(n: int, url: str, until: float, bodies: list[bytes], stats, errors, stored: list[str]):
    rnd = random.Random(n)
    async with httpx.AsyncClient(base_url=url, timeout=120) as c:
        k = 0
        while time.monotonic() < until:
            kind = rnd.choices(["assess", "store", "read", "sparql"], weights=[2, 1, 4, 3])[0]
            k += 1
            t = time.perf_counter()
            try:
                if kind == "assess":
                    r = await c.post("/v1/assess", content=rnd.choice(bodies), headers=JSONLD)
                elif kind == "store":
                    sid = f"load-{n}-{k}"
                    r = await c.post("/v1/scenarios", params={"id": sid}, content=rnd.choice(bodies),
                                     headers=JSONLD)
                    if r.status_code == 201:
                        stored.append(sid)
                elif kind == "read":
                    sid = rnd.choice(stored) if stored else None
                    r = await (c.get(f"/v1/scenarios/{sid}/findings") if sid else c.get("/v1/scenarios"))
                else:
                    r = await c.get("/sparql", params={"query": QUERY},
                                    headers={"accept": "application/sparql-results+json"})
            except httpx.HTTPError as e:
                errors[kind].append(type(e).__name__)
                continue
            stats[kind].append(time.perf_counter() - t)
            if r.status_code >= 400:
                errors[kind].append(str(r.status_code))


async def run(url: str, clients: int, seconds: float) -> int:
    bodies = [FB_REACHABLE.read_bytes(), *(p.read_bytes() for p in sorted(WORKED.glob("*.jsonld"))[:4])]
    stats, errors, stored = defaultdict(list), defaultdict(list), []
    start = time.monotonic()
    await asyncio.gather(*(client_loop(n, url, start + seconds, bodies, stats, errors, stored)
                           for n in range(clients)))
    elapsed = time.monotonic() - start
    total = sum(len(v) for v in stats.values())
    n_err = sum(len(v) for v in errors.values())
    print(f"{clients} clients, {elapsed:.1f} s, {total} responses, {total / elapsed:.1f} req/s, "
          f"{n_err} errors, {len(stored)} scenarios stored")
    print(f"{'kind':8} {'n':>6} {'p50 ms':>9} {'p95 ms':>9} {'p99 ms':>9}  errors")
    for kind in ("assess", "store", "read", "sparql"):
        v = stats[kind]
        errs = errors[kind]
        print(f"{kind:8} {len(v):6d} {pct(v, 50) * 1000:9.0f} {pct(v, 95) * 1000:9.0f} "
              f"{pct(v, 99) * 1000:9.0f}  {len(errs)} {sorted(set(errs))[:5] if errs else ''}")
    allv = [x for v in stats.values() for x in v]
    print(f"{'all':8} {len(allv):6d} {pct(allv, 50) * 1000:9.0f} {pct(allv, 95) * 1000:9.0f} "
          f"{pct(allv, 99) * 1000:9.0f}  {n_err}")
    return 1 if n_err else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--url", help="an already running server (default: start one on loopback)")
    args = ap.parse_args()
    if args.url:
        return asyncio.run(run(args.url, args.clients, args.seconds))
    with tempfile.TemporaryDirectory() as tmp:
        server = api_server(Path(tmp))
        try:
            return asyncio.run(run(server.url, args.clients, args.seconds))
        finally:
            server.stop()


if __name__ == "__main__":
    sys.exit(main())
