"""Conditional requests on stored scenarios (RFC 9110 §8.8.3, §13): ETags built on what is stored
(kzlaw.service.state_tag, one per representation), 304 for a GET whose If-None-Match holds the current
one, 412 for a request whose If-Match (or, on a write, If-None-Match) does not hold. Requests about one id
are serialised in the process, so a precondition and the write it guards see the same state, an ETag and
the body it tags come from one state, and two POSTs of one new id cannot both pass the "taken?" check.
Processes that share a SPARQL server do not share these locks."""

from __future__ import annotations

import hashlib
import re
import threading
import weakref
from contextlib import contextmanager

from fastapi import Request, Response

from .errors import PROBLEM_MEDIA_TYPE, ApiProblem

NOT_MODIFIED = {304: {"description": "Not modified: If-None-Match holds the representation's ETag"}}
PRECONDITION = {412: {"description": "If-Match or If-None-Match does not hold for what is stored",
                      "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}}}
_TAG = re.compile(r'(W/)?"([^"\x00-\x20\x7f]*)"')
_LOCKS: weakref.WeakValueDictionary[str, threading.Lock] = weakref.WeakValueDictionary()
_LOCKS_GUARD = threading.Lock()


def etag(state: str, *variant: object) -> str:
    """The strong ETag of one representation: the stored state, then a digest of what selects the
    representation (route, format, language, regimes) and of the rules version this server runs (labels and
    explanations of the law's terms come from its own ontology, not from the store)."""
    from kzlaw.rules import rules_version

    digest = hashlib.sha256(repr((rules_version(), *variant)).encode()).hexdigest()[:8]
    return f'"{state}.{digest}"'


def _tags(header: str) -> list[tuple[bool, str]] | None:
    """The entity tags of an If-Match / If-None-Match header as (weak, opaque tag); None for "*"."""
    if header.strip() == "*":
        return None
    return [(bool(m.group(1)), m.group(2)) for m in _TAG.finditer(header)]


def _state(tag: str) -> str:
    return tag.split(".", 1)[0]


def not_modified(request: Request, tag: str) -> Response | None:
    """304 when If-None-Match holds ``tag`` (weak comparison, §13.1.2) or is "*"; else None."""
    header = request.headers.get("if-none-match")
    if header is None:
        return None
    tags = _tags(header)
    if tags is None or any(t == tag.strip('"') for _, t in tags):
        return Response(status_code=304, headers={"ETag": tag, "Vary": "Accept"})
    return None


def has_preconditions(request: Request) -> bool:
    return "if-match" in request.headers or "if-none-match" in request.headers


def _if_match_holds(header: str, state: str | None) -> bool:
    """If-Match (§13.1.1): "*" needs something stored; a list, a strong tag of any representation of
    ``state``."""
    tags = _tags(header)
    return state is not None and (tags is None or any(not weak and _state(t) == state for weak, t in tags))


def check_read(request: Request, state: str) -> None:
    """412 unless If-Match holds for a GET (RFC 9110 §13.1.1: evaluated first, strong comparison)."""
    header = request.headers.get("if-match")
    if header is not None and not _if_match_holds(header, state):
        raise ApiProblem(412, "precondition-failed", "Precondition failed",
                         "If-Match does not hold: the scenario changed since that ETag was given")


def check_write(request: Request, state: str | None) -> None:
    """412 unless the write's preconditions hold for the stored ``state`` (None: nothing stored). If-Match:
    "*" needs the scenario to exist; a list needs one strong tag of any representation of the current
    state (strong comparison, §13.1.1). If-None-Match: "*" needs it not to exist (create only); a list
    must not name the current state."""
    header = request.headers.get("if-match")
    if header is not None and not _if_match_holds(header, state):
        raise ApiProblem(412, "precondition-failed", "Precondition failed",
                         "If-Match does not hold: " + ("nothing is stored under this id" if state is None else
                                                       "the scenario changed since that ETag was given; GET it again"))
    header = request.headers.get("if-none-match")
    if header is not None and state is not None:
        tags = _tags(header)
        if tags is None or any(_state(t) == state for _, t in tags):
            raise ApiProblem(412, "precondition-failed", "Precondition failed",
                             "If-None-Match does not hold: " + ("a scenario is stored under this id" if tags is None
                                                                else "the scenario is in the state named"))


@contextmanager
def holding(sid: str):
    """Holds the lock of one scenario id while a precondition is checked and the write is done, or while
    an ETag and the body it tags are read (so they come from one state)."""
    with _LOCKS_GUARD:
        lock = _LOCKS.get(sid)
        if lock is None:
            lock = _LOCKS[sid] = threading.Lock()
    with lock:
        yield
