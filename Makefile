# Two commands on a fresh clone: `make run` and `make test`.
# Mesa 3.5 needs Python 3.12+: use python3.12 when it is on PATH, else python3.
PYTHON ?= $(shell command -v python3.12 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

CHROMIUM := /usr/bin/chromium

.PHONY: run test test-slow validate policies clean viz-assets chromium

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "Python 3.12 or newer is needed (Mesa 3.5); set PYTHON=/path/to/python3.12")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The package's bytecode compiled once, as pip does for a package it copies: an editable install
# leaves that to the first import, which cannot keep it where PYTHONDONTWRITEBYTECODE is set, and
# then every start compiles our modules again (0.2-0.4 s of a run's start-up).
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m compileall -q model
	touch $(STAMP)

# The live app's front-end files, from the npm registry into solara's cache folder (it works offline
# then); folders already there are skipped.
viz-assets: $(STAMP)
	@$(BIN)/python -m model.viz.assets

# The browser the live app's tests drive (Debian's package; `playwright install` cannot download one here).
# apt-get waits while another process holds apt's lock (scripts/apt-get-waiting.sh), instead of failing.
chromium:
	@test -x $(CHROMIUM) || { sh scripts/apt-get-waiting.sh update -qq && DEBIAN_FRONTEND=noninteractive sh scripts/apt-get-waiting.sh install -y -qq chromium; } \
		|| { echo "installing chromium failed: install it (apt-get install chromium) and retry" >&2; exit 1; }

run: $(STAMP) viz-assets
	$(BIN)/domwork run scenarios/baseline.yaml --out results/baseline --force

test: $(STAMP) viz-assets chromium
	$(BIN)/python -m pytest -q -m "not slow"

validate: $(STAMP)
	$(BIN)/domwork validate --out results/validation --force

test-slow: $(STAMP) viz-assets chromium
	$(BIN)/python -m pytest -q -m slow

# docs/policies.md: the baseline against every policy scenario (a real run, some minutes), tables and figures.
policies: $(STAMP)
	$(BIN)/python -m model.experiments.policies_doc

clean:
	rm -rf $(VENV) results/*/ .pytest_cache
