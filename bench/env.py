"""The machine and library versions every figure is reported with; the processes the harness measures
need (a free loopback port, the `oxigraph` server command)."""

from __future__ import annotations

import importlib.metadata as md
import os
import platform
import resource
import shutil
import socket
import sys
from pathlib import Path

LIBS = ["pyoxigraph", "rdflib", "pyshacl", "owlready2", "reasonable", "fastapi", "uvicorn"]


def environment() -> dict:
    versions = {}
    for lib in LIBS:
        try:
            versions[lib] = md.version(lib)
        except md.PackageNotFoundError:
            versions[lib] = None
    try:
        import subprocess
        java = subprocess.run(["java", "-version"], capture_output=True, text=True,
                              check=False).stderr.splitlines()[0]
    except (OSError, IndexError):
        java = None
    return {"cores": os.cpu_count(), "python": sys.version.split()[0], "platform": platform.platform(),
            "machine": platform.machine(), "java": java, "versions": versions}


def peak_rss_mb() -> dict:
    """Peak resident memory (MB) of this process and of its finished children."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"self": round(own, 1), "children_max": round(kids, 1)}


def reset_peak_rss() -> bool:
    """Start this process's peak resident memory afresh (Linux: ``/proc/self/clear_refs``, "5" resets
    VmHWM), so that a figure measured after it is the peak of what came after; False where not possible."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def peak_rss_since_reset_mb() -> float:
    """This process's peak resident memory (MB) since :func:`reset_peak_rss` (or since it started)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def private_rss_mb() -> float:
    """This process's own resident memory now (MB): the pages no other process shares (Private_Clean +
    Private_Dirty of ``/proc/self/smaps_rollup``). For a forked worker this leaves out the parent's pages
    it still shares, which its RSS (and VmHWM) count; falls back to the peak RSS where Linux's file is
    missing."""
    try:
        with open("/proc/self/smaps_rollup") as f:
            kb = sum(int(line.split()[1]) for line in f if line.startswith(("Private_Clean:", "Private_Dirty:")))
        return round(kb / 1024, 1)
    except (OSError, ValueError, IndexError):
        return peak_rss_since_reset_mb()


def pct(values: list[float], q: float) -> float:
    v = sorted(values)
    if not v:
        return float("nan")
    k = (len(v) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def oxigraph_command() -> str:
    """The `oxigraph` command (the server), beside this Python or on the PATH."""
    exe = Path(sys.executable).parent / "oxigraph"
    found = str(exe) if exe.exists() else shutil.which("oxigraph")
    if not found:  # a missing server is a failure, never a silent skip
        raise RuntimeError("the `oxigraph` command is missing: pip install -e '.[test]'")
    return found
