"""Build the page into api/static/: the page's sources, YASGUI's files from node_modules (installed by
`npm ci`), and the worked scenarios as examples. Run by `make web`; needs no network."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

WEB = Path(__file__).resolve().parent
ROOT = WEB.parent
OUT = ROOT / "api" / "static"
YASGUI = WEB / "node_modules" / "@zazuko" / "yasgui" / "build"
WORKED = ROOT / "tests" / "scenarios" / "worked" / "good"


def main() -> int:
    if not (YASGUI / "yasgui.min.js").is_file():
        sys.stderr.write(f"{YASGUI} missing: run `npm ci` in web/ first (make web does)\n")
        return 1
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    (OUT / ".gitignore").write_text("# built by `make web` (web/build.py); never edited by hand\n*\n")
    for name in ("yasgui.min.js", "yasgui.min.css"):
        shutil.copy2(YASGUI / name, OUT / name)
    for p in (WEB / "src").iterdir():
        shutil.copy2(p, OUT / p.name)
    examples = []
    for p in sorted([*WORKED.glob("*.jsonld"), *WORKED.glob("*.ttl")]):
        name = "example-" + p.name
        shutil.copy2(p, OUT / name)
        examples.append({"file": name, "label": p.name})
    (OUT / "examples.json").write_text(json.dumps(examples, indent=1) + "\n", encoding="utf-8")
    sys.stdout.write(f"built {OUT} ({len(list(OUT.iterdir()))} files)\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
