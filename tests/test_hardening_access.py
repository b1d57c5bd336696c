"""Access on a real server: bearer tokens on writes (reads open), CORS only for configured origins, security
headers; `kzlaw serve` without tokens refuses a non-loopback host."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from conftest_service import FB_REACHABLE, ROOT, api_server
from hardening.support import Record

from api.security import bind_host, token_ok
from kzlaw.settings import Settings

FB = FB_REACHABLE.read_bytes()
JSONLD = {"content-type": "application/ld+json"}
TOKENS = "s3cret-token-one,second-token-two"
ORIGIN = "https://scholar.example"
record = Record("Access (KZLAW_API_TOKENS set)")
_track = record.tracker()


@pytest.fixture(scope="module")
def server(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("access")
    p = api_server(tmp, api_tokens=TOKENS, cors_origins=ORIGIN)
    p.tmp = tmp
    yield p
    p.stop()
    record.write(request)


def _unauthorized(r: httpx.Response) -> None:
    assert r.status_code == 401, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.headers["www-authenticate"].startswith("Bearer")
    assert "s3cret" not in r.text and "second-token" not in r.text


def test_writes_need_a_token_reads_do_not(server, client):
    cases = [
        ("no Authorization header", {}),
        ("a wrong bearer token", {"authorization": "Bearer not-the-token"}),
        ("a token prefix", {"authorization": "Bearer s3cret"}),
        ("Basic credentials", {"authorization": "Basic czNjcmV0LXRva2VuLW9uZTp4"}),
        ("the token without the Bearer scheme", {"authorization": "s3cret-token-one"}),
    ]
    for what, auth in cases:
        for method, path in (("POST", "/v1/scenarios?id=nope"), ("PUT", "/v1/scenarios/nope"),
                             ("DELETE", "/v1/scenarios/nope")):
            r = client.request(method, path, content=FB, headers={**JSONLD, **auth})
            _unauthorized(r)
        record.add("access", f"write with {what}", "POST|PUT|DELETE /v1/scenarios…", r)
    # the token is checked before the body is read: a large unauthenticated body is a 401, not a 413
    _unauthorized(client.post("/v1/scenarios", content=b" " * (5 * 1024 * 1024), headers=JSONLD))
    assert client.get("/v1/scenarios/nope").status_code == 404  # nothing stored
    ok = client.post("/v1/scenarios", params={"id": "authorised"}, content=FB,
                     headers={**JSONLD, "authorization": "Bearer second-token-two"})
    assert ok.status_code == 201, ok.text
    # reads and the stateless endpoints stay open
    assert client.get("/v1/scenarios/authorised/findings").status_code == 200
    assert client.post("/v1/assess", content=FB, headers=JSONLD).status_code == 200
    assert client.get("/sparql", params={"query": "ASK {}"}).status_code == 200
    assert client.delete("/v1/scenarios/authorised",
                         headers={"authorization": "Bearer s3cret-token-one"}).status_code == 204
    log = (server.tmp / "api.log").read_text()
    assert "s3cret-token-one" not in log and "second-token-two" not in log


def test_token_comparison():
    assert token_ok("a", ["b", "a"]) and not token_ok("", ["a"]) and not token_ok("a", [])
    assert not token_ok("é", ["e"])


def test_cors_only_for_the_configured_origin(client):
    pre = client.options("/v1/scenarios", headers={"origin": ORIGIN, "access-control-request-method": "POST"})
    assert pre.headers.get("access-control-allow-origin") == ORIGIN
    # a page on the allowed origin can use the conditional requests: If-Match in a preflight, ETag readable
    pre = client.options("/v1/scenarios/x", headers={"origin": ORIGIN, "access-control-request-method": "PUT",
                                                    "access-control-request-headers": "if-match, content-type"})
    assert pre.status_code == 200, pre.text
    assert "if-match" in pre.headers["access-control-allow-headers"].lower()
    got = client.get("/v1/scenarios", headers={"origin": ORIGIN})
    assert "etag" in got.headers.get("access-control-expose-headers", "").lower()
    other = client.get("/health", headers={"origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    record.add("access", "cross-origin request from an origin not in KZLAW_CORS_ORIGINS", "GET /health", other)


def test_security_headers(client):
    for path in ("/health", "/docs", "/openapi.json", "/v1/no-such"):
        r = client.get(path)
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["referrer-policy"] == "no-referrer"
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert "default-src 'none'" in client.get("/health").headers["content-security-policy"]
    for path in ("/docs", "/redoc"):  # the API docs load kzlaw's own Swagger UI / ReDoc: no CDN, no inline script
        csp = client.get(path).headers["content-security-policy"]
        assert "script-src 'self';" in csp and "http" not in csp, csp
    page = client.get("/")  # the web page keeps the policy it sets itself
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert len(page.headers.get_list("content-security-policy")) == 1


def test_no_cors_headers_by_default(tmp_path):
    # a second server with the defaults: no CORS at all
    p = api_server(tmp_path)
    try:
        r = httpx.options(f"{p.url}/v1/scenarios", headers={"origin": ORIGIN,
                                                            "access-control-request-method": "POST"})
        assert "access-control-allow-origin" not in r.headers
        assert httpx.post(f"{p.url}/v1/validate", content=FB, headers=JSONLD).status_code == 200
    finally:
        p.stop()


def test_serve_without_tokens_refuses_a_public_host():
    env = {"PATH": "/usr/bin:/bin", "KZLAW_STORE_PATH": "/nonexistent/never-opened"}
    kzlaw = str(Path(sys.executable).parent / "kzlaw")
    out = subprocess.run([kzlaw, "serve", "--host", "0.0.0.0", "--port", "9"],
                         check=False, capture_output=True, text=True, timeout=60, cwd=ROOT, env=env)
    assert out.returncode == 2, out.stderr
    assert "refusing to listen on 0.0.0.0" in out.stderr and "KZLAW_API_TOKENS" in out.stderr


def test_bind_host_rules():
    host, notice = bind_host(Settings(host="127.0.0.1"))
    assert host == "127.0.0.1" and "loopback" in notice
    assert bind_host(Settings(host="::1"))[0] == "::1"
    with pytest.raises(ValueError):
        bind_host(Settings(host="192.168.1.10"))
    host, notice = bind_host(Settings(host="0.0.0.0", api_tokens="zq-secret-xy"))
    assert host == "0.0.0.0" and "zq-secret-xy" not in notice
