"""constraints.txt pins what `make install` installs: every distribution kzlaw[test] needs, directly or
through another, at one version, and the environment the tests run in holds exactly those versions. A
dependency added to pyproject.toml without `make lock` fails here, before a fresh machine would resolve it
to whatever the index holds that day."""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]


def pins() -> dict[str, str]:
    out: dict[str, str] = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        m = re.fullmatch(r"([A-Za-z0-9._-]+)==([^\s;]+)", line)
        assert m, f"constraints.txt: {line!r} is not a name==version pin"
        name = canonicalize_name(m.group(1))
        assert name not in out, f"constraints.txt pins {name} twice"
        out[name] = m.group(2)
    return out


def needed(root: str = "kzlaw", extras: tuple[str, ...] = ("test",)) -> set[str]:
    """The distributions kzlaw with ``extras`` needs in this environment, transitively (markers evaluated)."""
    seen: set[str] = set()
    todo: list[tuple[str, tuple[str, ...]]] = [(root, extras)]
    while todo:
        name, wanted = todo.pop()
        for text in metadata.requires(name) or []:
            req = Requirement(text)
            if req.marker and not any(req.marker.evaluate({"extra": e}) for e in (*wanted, "")):
                continue
            dep = canonicalize_name(req.name)
            if dep not in seen:
                seen.add(dep)
                todo.append((dep, tuple(req.extras)))
    return seen


def test_every_needed_distribution_is_pinned_and_installed_at_its_pin():
    pinned = pins()
    missing = sorted(needed() - set(pinned))
    assert not missing, f"not in constraints.txt (run make lock): {missing}"
    wrong = {n: (metadata.version(n), v) for n, v in pinned.items() if metadata.version(n) != v}
    assert not wrong, f"installed ≠ pinned (installed, pinned): {wrong}"


def test_the_walk_sees_kzlaw_direct_and_indirect_dependencies():
    # the check above is only as good as this walk: a direct dependency, a test extra's, and one of theirs
    got = needed()
    assert {"rdflib", "pyoxigraph", "pyshacl", "fastapi", "owlready2", "pytest", "selenium"} <= got
    assert {"pyparsing", "starlette", "pydantic-core"} <= got  # rdflib's, fastapi's, pydantic's
    assert "selenium" not in needed(extras=())
