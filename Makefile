# Two entry points: `make report` builds _build/html/index.html; `make test` runs every test.
# Both create (or reuse) the virtualenv .venv from requirements.txt with the machine's python3.11.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Python's bytecode caches (__pycache__/, ignored by git) are what make an import fast: without them every
# kernel compiles analysis/ again, and pytest rewrites the asserts of every test module and plugin (all of
# hypothesis) in each worker, every run. Some shells turn them off with PYTHONDONTWRITEBYTECODE.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: report test book notebooks vendor validate prices-check lint clean

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(STAMP)

validate: $(STAMP)
	$(BIN)/python -m analysis validate

# Every API row beside LiteLLM's and genai-prices' tables (offline): a difference without a reason fails.
prices-check: $(STAMP)
	$(BIN)/python -m analysis prices check > /dev/null

# Re-executes only the notebooks whose inputs changed (see analysis/commands/runner.py). `run` validates the dataset
# first and stops before any notebook when it is invalid, so it needs no separate `validate`.
notebooks: $(STAMP)
	$(BIN)/python -m analysis run
	$(BIN)/python -m analysis golden

# The Vega bundle for the site (a no-op when the installed versions wrote it already).
vendor: $(STAMP)
	$(BIN)/python -m analysis vendor-js

# Renders the committed notebooks; any Sphinx warning fails the build. Sphinx reports a warning only
# when it reads the page, so a failed build forgets what it read: the next build reads every page again.
# The book is built again only when one of its sources is newer than the last successful build
# (BOOK_STAMP): with nothing changed, `make report` does not start Jupyter Book at all.
BOOK_STAMP := _build/.book-built
BOOK_SOURCES := _config.yml _toc.yml requirements.txt $(wildcard book/*.md notebooks/*.ipynb _ext/*.py \
	_templates/*.html _static/*.css _static/*.js)

book: $(BOOK_STAMP)

$(BOOK_STAMP): $(STAMP) $(BOOK_SOURCES)
	$(BIN)/python -m analysis vendor-js
	$(BIN)/jupyter-book build . -W -n --keep-going || { cat _build/html/reports/*.log 2>/dev/null; rm -rf _build/.doctrees; exit 1; }
	$(BIN)/python -m analysis prune-site
	touch $(BOOK_STAMP)

# The bundle is written while the notebooks execute (about 2 s of a cold build); then the book.
report: $(STAMP)
	$(MAKE) --no-print-directory -j2 notebooks vendor
	$(MAKE) --no-print-directory book

# ruff, then the stages' import contract (pyproject.toml, [tool.importlinter]).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

# Unit, property and data tests, strict nbval on the committed notebooks, and browser tests over
# the site built from them, spread over one worker per core (pytest-xdist). --dist loadscope keeps each
# module on one worker: nbval runs a notebook's cells in one kernel only when they run one after another,
# and a module's expensive fixtures (the what-if report, the determinism runs) are made once.
# `.venv/bin/python -m pytest -m "not slow"` runs the fast set alone.
TEST_WORKERS ?= auto
test: lint validate prices-check book
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadscope --nbval notebooks tests

clean:
	rm -rf _build _static/vega .cache
