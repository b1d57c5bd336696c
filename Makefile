# Every target bootstraps .venv itself: `make run` and `make test` are all the set-up a fresh machine needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install run test lint bench bench-quick fuzz load clean web docs browser lock

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	@java -version >/dev/null 2>&1 || echo "NOTE: Java (>= 11) is not on PATH: HermiT tests need it (Debian: apt-get install default-jre-headless)."
	touch $(STAMP)

install: $(STAMP)

# The API and the SPARQL endpoint on the embedded store (var/store) with the worked scenarios loaded.
# The worked cases: every JSON-LD file, and the Turtle ones that are not a copy of a JSON-LD one (same stem).
WORKED := tests/scenarios/worked/good
SAMPLES := $(sort $(wildcard $(WORKED)/*.jsonld) \
	$(filter-out $(patsubst %.jsonld,%.ttl,$(wildcard $(WORKED)/*.jsonld)),$(wildcard $(WORKED)/*.ttl)))

run: $(STAMP) web
	$(BIN)/kzlaw serve --store var/store $(foreach f,$(SAMPLES),--load $(f))

# The tests, then the quick benchmark: it fails only if kzlaw's findings differ from the naive pipeline's
# (never on time); its figures are printed and written to .venv/bench-quick.json.
test: $(STAMP) web browser
	$(BIN)/python -m pytest -q -n 2
	$(BIN)/python -m bench --quick --out $(VENV)/bench-quick.json

lint: $(STAMP)
	$(BIN)/ruff check kzlaw api tests bench

bench: $(STAMP)
	$(BIN)/python -m bench

bench-quick: $(STAMP)
	$(BIN)/python -m bench --quick

# schemathesis against the live OpenAPI of a real server on loopback: >= 1,000 generated requests, no 5xx,
# every response conforms to its schema (the CI version is tests/test_hardening_fuzz.py).
fuzz: $(STAMP)
	$(BIN)/python tests/hardening/fuzz.py 100

# 50 concurrent clients mixing assess, store, read and SPARQL for 30 s against a real server on loopback:
# throughput, p50/p95/p99 and errors (not a test; nothing asserted on time).
load: $(STAMP)
	$(BIN)/python tests/hardening/load.py --clients 50 --seconds 30

# constraints.txt anew: the newest versions pyproject.toml allows, resolved in a scratch venv. Run make test after it.
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock && .venv-lock/bin/python -m pip install --quiet --upgrade pip
	.venv-lock/bin/pip install --quiet -e '.[test]'
	{ grep '^#' constraints.txt; .venv-lock/bin/pip freeze --exclude-editable; } > constraints.txt.new
	mv constraints.txt.new constraints.txt && rm -rf .venv-lock

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache

# The page served at / (the scholar's desk) and the API docs (/docs, /redoc): npm installs YASGUI, Swagger UI
# and ReDoc from the lock file, web/build.py copies them, the pages' sources and the worked examples into
# api/static/ (gitignored). No CDN: works offline.
WEB_OUT := api/static/index.html
$(WEB_OUT): $(STAMP) web/package-lock.json web/build.py $(wildcard web/src/*) $(wildcard tests/scenarios/worked/good/*)
	cd web && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	$(BIN)/python web/build.py

web: $(WEB_OUT)

# The ontology's reference documentation (HTML, en/ru/kk) into docs/ontology/, served at /ontology.
docs: $(STAMP)
	$(BIN)/python web/ontology_docs.py docs/ontology

# The browser test drives Debian's chromium through chromedriver; installed here when missing (root or sudo).
browser:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y chromium chromium-driver; \
	fi
