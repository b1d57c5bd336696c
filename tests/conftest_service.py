"""Helpers for the service tests: real processes on free loopback ports (an Oxigraph server, the kzlaw
API under uvicorn), started and stopped by the tests. No mocks."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from bench.env import free_port, oxigraph_command

ROOT = Path(__file__).resolve().parent.parent
WORKED = ROOT / "tests" / "scenarios" / "worked" / "good"
FB_REACHABLE = WORKED / "facebook-reachable.jsonld"
BASE = "https://w3id.org/kzlaw/"
STARTUP_ATTEMPTS = 600  # × 0.1 s of polling; generous for slow CI machines


def _wait(url: str, proc: subprocess.Popen, log: Path) -> None:
    for _ in range(STARTUP_ATTEMPTS):
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server at {url} did not come up:\n{log.read_text()[-3000:]}")


class Process:
    """A server process with its log in a file, restartable."""

    def __init__(self, args: list[str], ready_url: str, log: Path, env: dict | None = None):
        self.args, self.ready_url, self.log, self.env = args, ready_url, log, env
        self.proc: subprocess.Popen | None = None

    def start(self) -> Process:
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(self.args, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT,
                                         env={**os.environ, **(self.env or {})})
        _wait(self.ready_url, self.proc, self.log)
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()


def oxigraph_server(location: Path, log: Path) -> Process:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    p = Process([oxigraph_command(), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
                f"{url}/query?query=ASK%7B%7D", log)
    p.url = url
    return p.start()


def api_server(tmp: Path, **env: str) -> Process:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    full_env = {"KZLAW_STORE_PATH": str(tmp / "store"), **{f"KZLAW_{k.upper()}": v for k, v in env.items()}}
    p = Process([sys.executable, "-m", "uvicorn", "api.main:app", "--host", "127.0.0.1", "--port", str(port)],
                f"{url}/health", tmp / "api.log", full_env)
    p.url = url
    return p.start()
