"""Access and browser safety: bearer tokens on writes, CORS (off by default), security headers.

* Writes (POST/PUT/DELETE under /v1/scenarios) need ``Authorization: Bearer <token>`` when
  ``KZLAW_API_TOKENS`` is set; reads stay open. Tokens are compared in constant time
  (:func:`hmac.compare_digest`) and never logged or echoed.
* ``KZLAW_CORS_ORIGINS`` (comma-separated) turns CORS on for those origins; unset, no CORS header is sent.
* Every response carries X-Content-Type-Options, X-Frame-Options and Referrer-Policy; a Content Security
  Policy fits each kind of response unless the route set its own (the web page does): the interactive docs
  load Swagger UI / ReDoc from their CDN, other HTML pages their own origin only, API responses nothing.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.middleware.cors import CORSMiddleware

from kzlaw.settings import Settings

from .errors import ApiProblem

_bearer = HTTPBearer(auto_error=False, description="Needed for writes when KZLAW_API_TOKENS is set")


def token_ok(given: str, tokens: list[str]) -> bool:
    """Constant time in the token's content: every configured token is compared, always."""
    ok = False
    for t in tokens:
        ok |= hmac.compare_digest(given.encode("utf-8"), t.encode("utf-8"))
    return ok


def require_token(request: Request,
                  credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> None:
    tokens = request.app.state.settings.tokens
    if not tokens:
        return
    challenge = {"WWW-Authenticate": 'Bearer realm="kzlaw"'}
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise ApiProblem(401, "unauthorized", "Authentication required",
                         "writes need an Authorization: Bearer <token> header", headers=challenge)
    if not token_ok(credentials.credentials, tokens):
        raise ApiProblem(401, "unauthorized", "Authentication required", "the bearer token is not valid",
                         headers={"WWW-Authenticate": 'Bearer realm="kzlaw", error="invalid_token"'})


WriteAccess = Depends(require_token)

_API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
# other HTML pages (e.g. the ontology reference) that set no policy of their own: their own origin only
_HTML_CSP = ("default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; "
             "frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
_HEADERS = [(b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"no-referrer"), (b"cross-origin-opener-policy", b"same-origin")]


class SecurityHeaders:
    """Pure ASGI middleware (no buffering of streamed bodies): adds the headers to every response."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = {k.lower(): v for k, v in message.get("headers", [])}
                extra = [(k, v) for k, v in _HEADERS if k not in headers]
                if b"content-security-policy" not in headers:  # a page's own policy wins
                    html = headers.get(b"content-type", b"").startswith(b"text/html")
                    csp = _HTML_CSP if html else _API_CSP
                    extra.append((b"content-security-policy", csp.encode()))
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install(app: FastAPI, settings: Settings) -> None:
    """CORS when configured, security headers always (the outermost layer)."""
    origins = settings.cors_origin_list
    if origins:
        # the conditional-request headers too: a page on an allowed origin reads ETags and sends If-Match
        # (docs/service.md), else the browser refuses the preflight of every such write
        app.add_middleware(CORSMiddleware, allow_origins=origins, allow_methods=["GET", "POST", "PUT", "DELETE"],
                           allow_headers=["Authorization", "Content-Type", "Accept", "Accept-Language",
                                          "If-Match", "If-None-Match"],
                           expose_headers=["Location", "ETag", "Vary"], max_age=600)
    app.add_middleware(SecurityHeaders)


def is_loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def bind_host(settings: Settings) -> tuple[str, str | None]:
    """The host `kzlaw serve` may bind to, and a notice to print at start. With no token configured the
    API is bound to loopback only: a non-loopback host is refused (ValueError)."""
    if settings.tokens:
        return settings.host, f"writes need a bearer token ({len(settings.tokens)} configured)"
    if not is_loopback(settings.host):
        raise ValueError(f"refusing to listen on {settings.host}: no KZLAW_API_TOKENS configured, so "
                         "anyone could write; set tokens or bind to 127.0.0.1")
    return settings.host, ("no KZLAW_API_TOKENS configured: writes are open, so the API listens on "
                           f"loopback ({settings.host}) only")
