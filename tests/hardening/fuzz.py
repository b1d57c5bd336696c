"""`make fuzz`: a real kzlaw server on a free loopback port (embedded store in a temporary directory) and
schemathesis against its live OpenAPI, at least 1,000 generated requests. Exit 1 on any failure."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: conftest_service, hardening

from conftest_service import api_server

from hardening.fuzzing import fuzz


def main() -> int:
    per_operation = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    with tempfile.TemporaryDirectory() as tmp:
        server = api_server(Path(tmp), max_body_bytes="65536", query_timeout_s="2")
        try:
            sent, failures = fuzz(server.url, per_operation)
        finally:
            server.stop()
    for f in failures:
        print(f, "\n", file=sys.stderr)
    print(f"{sent} generated requests, {len(failures)} failing operation(s)")
    if sent < 1000:
        print("fewer than 1,000 requests: raise the per-operation count", file=sys.stderr)
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
