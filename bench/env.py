"""The machine and library versions every figure is reported with."""

from __future__ import annotations

import importlib.metadata as md
import os
import platform
import resource
import sys

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


def pct(values: list[float], q: float) -> float:
    v = sorted(values)
    if not v:
        return float("nan")
    k = (len(v) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)
