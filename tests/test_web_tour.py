"""The guided tours (docs/tour-*.md) still hold: every ```console block's commands are run (kzlaw from this
venv, curl against a real server that the system tour's address is pointed at) and the output shown
under each command must appear in what it prints (stdout and stderr, as a terminal shows them), in order (`…` stands for lines left out; a line ending
in `…` is matched by its beginning)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest_service import api_server

ROOT = Path(__file__).resolve().parents[1]
TOURS = sorted((ROOT / "docs").glob("tour-*.md"))
ELLIPSIS = "…"


def steps(md: str) -> list[tuple[str, list[str]]]:
    out: list[tuple[str, list[str]]] = []
    for block in re.findall(r"```console\n(.*?)```", md, flags=re.DOTALL):
        for line in block.splitlines():
            if line.startswith("$ "):
                out.append((line[2:], []))
            else:
                assert out, f"output before any command: {line!r}"
                out[-1][1].append(line)
    return out


def holds(expected: list[str], actual: str) -> str | None:
    """None when the expected lines appear in order in ``actual``, else the first line that does not."""
    lines = [x.rstrip() for x in actual.splitlines()]
    i = 0
    for want in (w.rstrip() for w in expected):
        if want in ("", ELLIPSIS):
            continue
        prefix = want.endswith(ELLIPSIS)
        want = want.rstrip(ELLIPSIS) if prefix else want
        while i < len(lines) and not (lines[i].startswith(want) if prefix else lines[i] == want):
            i += 1
        if i == len(lines):
            return want
        i += 1
    return None


def test_there_is_a_tour_for_each_user():
    assert {p.name for p in TOURS} >= {"tour-scholar.md", "tour-system.md", "tour-steward.md"}
    for p in TOURS:
        assert steps(p.read_text(encoding="utf-8")), f"{p.name} shows no command"


@pytest.mark.parametrize("tour", TOURS, ids=[p.stem for p in TOURS])
def test_tour_commands_still_give_the_shown_output(tour, tmp_path):
    text = tour.read_text(encoding="utf-8")
    env = {**os.environ, "KZLAW_STORE_PATH": str(tmp_path / "store"),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    server = None
    if "http://127.0.0.1:8000" in "".join(c for c, _ in steps(text)):
        assert shutil.which("curl"), "the system tour needs curl (apt-get install curl)"
        server = api_server(tmp_path)
    try:
        for command, expected in steps(text):
            if server is not None:
                command = command.replace("http://127.0.0.1:8000", server.url)
            r = subprocess.run(["bash", "-c", command], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, timeout=300, check=False)  # as a terminal shows it
            missing = holds(expected, r.stdout)
            assert missing is None, (f"{tour.name}: `{command}` no longer prints\n  {missing}\n"
                                     f"--- it printed (exit {r.returncode}):\n{r.stdout[-4000:]}")
    finally:
        if server is not None:
            server.stop()


def test_matching_rules():
    assert holds(["a", ELLIPSIS, "c"], "a\nb\nc\n") is None
    assert holds(["ab…"], "abc\n") is None
    assert holds(["c", "a"], "a\nc\n") == "a"
