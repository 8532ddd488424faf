# Two commands: `make demo` and `make test`. Everything else is a helper for them.
#
# Installs come from hash-checked lock files compiled from pyproject.toml by pip-tools:
# requirements-runtime.lock for the demo, requirements.lock (the same pins and the test tools)
# for the tests. `make lock` recompiles them
# after a change to pyproject.toml, keeping every other pin; `make upgrade` moves every package to
# its newest release and runs the whole suite on it, so an upgrade is a deliberate, tested step.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.installed-runtime
TESTING := $(VENV)/.installed-test
PIP_INSTALL := $(BIN)/python -m pip install --quiet --no-input
PYTEST_WORKERS ?= auto
DEMO_DIR ?= demo
DEMO_CHILDREN ?= 40000
DEMO_YEAR ?= 2025
DEMO_PORT ?= 8000
DEMO_MEASURES ?= ReReferral,Continue_Assess_Comp,CP_conf_15days,PrevRegCPR,CPP_rate,LAC,LACStable_2016on,CareLeaverEET
LOCK_VENV := .venv-lock
PIP_TOOLS := pip-tools==7.7.0
COMPILE := $(LOCK_VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-find-links --no-emit-index-url --build-deps-for editable

.PHONY: demo test test-fast lint typecheck format bench bench-public lock upgrade clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# --no-deps: the lock is the whole set; --no-build-isolation: setuptools comes from the lock too
$(RUNTIME): requirements-runtime.lock pyproject.toml | $(BIN)/python
	$(PIP_INSTALL) --require-hashes --no-deps -r requirements-runtime.lock
	$(PIP_INSTALL) --no-deps --no-build-isolation -e .
	touch $@

$(TESTING): requirements.lock pyproject.toml | $(BIN)/python
	$(PIP_INSTALL) --require-hashes --no-deps -r requirements.lock
	$(PIP_INSTALL) --no-deps --no-build-isolation -e .
	touch $@ $(RUNTIME)

DB := $(DEMO_DIR)/datamonger.duckdb

# The synthetic LA is Birmingham (DfE 330) in size and postcodes; every child in it is invented.
demo: $(RUNTIME)
	rm -rf $(DEMO_DIR)
	$(BIN)/datamonger synth $(DEMO_DIR)/returns --children $(DEMO_CHILDREN) --year $(DEMO_YEAR) --years 2 --seed 1 --early-years
	$(BIN)/datamonger load $(DEMO_DIR)/returns --db $(DB)
	@# validate exits 1 when it finds errors; the demo goes on to show the rest
	-$(BIN)/datamonger validate $(DB)
	$(BIN)/datamonger indicators --db $(DB) --year $(DEMO_YEAR)
	$(BIN)/datamonger benchmark --la 330 --year $(DEMO_YEAR) --measures $(DEMO_MEASURES) --db $(DB)
	$(BIN)/datamonger briefing --la 330 --year $(DEMO_YEAR) --db $(DB) --output $(DEMO_DIR)/briefing.html
	@# the virtual school's check of the early-years lists, as of the end of the census year
	$(BIN)/datamonger early-years --db $(DB) --ey-list $(DEMO_DIR)/returns/early_years \
		--identities $(DEMO_DIR)/returns/early_years/identities.csv \
		--settings $(DEMO_DIR)/returns/early_years/settings.csv --as-of $(DEMO_YEAR)-03-31 \
		--format xlsx --output $(DEMO_DIR)/early_years.xlsx
	@echo "The LA briefing is in $(DEMO_DIR)/briefing.html, the early-years check in $(DEMO_DIR)/early_years.xlsx."
	@echo "Now serving the dashboard (Ctrl-C stops it):"
	$(BIN)/datamonger serve --db $(DB) --port $(DEMO_PORT)

lint: $(TESTING)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(TESTING)
	$(BIN)/mypy

# Every test, the slow ones (browser, PDF, large synthetic LAs) included, on every core.
test: lint typecheck
	$(BIN)/pytest -q -n $(PYTEST_WORKERS)

# The quick loop while working: everything but the tests marked slow.
test-fast: $(TESTING)
	$(BIN)/pytest -q -n $(PYTEST_WORKERS) -m "not slow"

format: $(TESTING)
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

# Speed and memory figures (inputs are generated under bench-data/, never committed).
bench: $(TESTING)  # bench_web drives the app through httpx, a test tool
	$(BIN)/python benchmarks/bench_load.py
	$(BIN)/python benchmarks/bench_validate.py
	$(BIN)/python benchmarks/bench_web.py --load
	$(BIN)/python benchmarks/bench_early_years.py

# The public validators on the same messy returns, for the "10x / 50x" comparison (a venv of their
# own, from their lock; ~2 min for the three cases, the 20,000-child SSDA903 one needs ~2.5 GB).
PUBLIC_VENV := .venv-public
bench-public: $(RUNTIME) $(PUBLIC_VENV)/.installed
	$(BIN)/python benchmarks/bench_validate.py --formats json --repeat 5 --sizes "" --cin-sizes "" \
		--public $(PUBLIC_VENV)/bin/python

$(PUBLIC_VENV)/.installed: benchmarks/public/requirements.lock
	$(PYTHON) -m venv $(PUBLIC_VENV)
	$(PUBLIC_VENV)/bin/python -m pip install --quiet --no-input --require-hashes -r $<
	touch $@

$(LOCK_VENV)/bin/pip-compile:
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --quiet $(PIP_TOOLS)

# The runtime lock is compiled within the test lock, so both pin every shared package alike.
lock: $(LOCK_VENV)/bin/pip-compile
	$(COMPILE) $(UPGRADE) --extra test -o requirements.lock pyproject.toml
	$(COMPILE) $(UPGRADE) -c requirements.lock -o requirements-runtime.lock pyproject.toml

upgrade:
	$(MAKE) lock UPGRADE=--upgrade
	$(MAKE) test
	@echo "Every test passed on the newest releases: review and commit requirements*.lock."

clean:
	rm -rf $(VENV) $(LOCK_VENV) $(PUBLIC_VENV) $(DEMO_DIR) bench-data .pytest_cache .mypy_cache .ruff_cache
