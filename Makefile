# Every target bootstraps .venv itself: `make run` and `make test` are all the set-up a fresh machine needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install run test lint bench bench-quick clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	@java -version >/dev/null 2>&1 || echo "NOTE: Java (>= 11) is not on PATH: HermiT tests need it (Debian: apt-get install default-jre-headless)."
	touch $(STAMP)

install: $(STAMP)

# The API and the SPARQL endpoint on the embedded store (var/store) with the worked scenarios loaded.
run: $(STAMP)
	$(BIN)/kzlaw serve --store var/store $(foreach f,$(wildcard tests/scenarios/worked/good/*.jsonld),--load $(f))

test: $(STAMP)
	$(BIN)/python -m pytest -q -n 2

lint: $(STAMP)
	$(BIN)/ruff check kzlaw api tests bench

bench: $(STAMP)
	$(BIN)/python -m bench

bench-quick: $(STAMP)
	$(BIN)/python -m bench --quick

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
