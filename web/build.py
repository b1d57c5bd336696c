"""Build the page into api/static/: the page's sources (the API docs' pages among them), YASGUI's, Swagger
UI's and ReDoc's files from node_modules (installed by `npm ci`), and the worked scenarios as examples.
Run by `make web`; needs no network."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

WEB = Path(__file__).resolve().parent
ROOT = WEB.parent
OUT = ROOT / "api" / "static"
MODULES = WEB / "node_modules"
# what the page and the API docs load, copied from the npm packages web/package-lock.json pins
VENDORED = {MODULES / "@zazuko" / "yasgui" / "build": ("yasgui.min.js", "yasgui.min.css"),
            MODULES / "swagger-ui-dist": ("swagger-ui-bundle.js", "swagger-ui.css"),
            MODULES / "redoc" / "bundles": ("redoc.standalone.js",)}
# ReDoc's menu shows Redocly's logo from their CDN, which no option turns off: the page asks for nothing
# beyond this server, so the bundle's copy points the image at an empty data: URL (ReDoc then drops it and
# keeps the "API docs by Redocly" link). A new ReDoc without that URL stops the build here.
PATCHES = {"redoc.standalone.js": [('src:"https://cdn.redoc.ly/redoc/logo-mini.svg"', 'src:"data:,"')]}
WORKED = ROOT / "tests" / "scenarios" / "worked" / "good"


def main() -> int:
    missing = [d / n for d, names in VENDORED.items() for n in names if not (d / n).is_file()]
    if missing:
        sys.stderr.write(f"{missing[0]} missing: run `npm ci` in web/ first (make web does)\n")
        return 1
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    (OUT / ".gitignore").write_text("# built by `make web` (web/build.py); never edited by hand\n*\n")
    for d, names in VENDORED.items():
        for name in names:
            shutil.copy2(d / name, OUT / name)
    for name, edits in PATCHES.items():
        text = (OUT / name).read_text(encoding="utf-8")
        for old, new in edits:
            if text.count(old) != 1:
                sys.stderr.write(f"{name}: expected {old!r} once, found it {text.count(old)} times\n")
                return 1
            text = text.replace(old, new)
        (OUT / name).write_text(text, encoding="utf-8")
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
