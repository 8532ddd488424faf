# Two commands: `make demo` and `make test`. Everything else is a helper for them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DIR ?= demo
DEMO_CHILDREN ?= 40000
DEMO_YEAR ?= 2025
DEMO_PORT ?= 8000
DEMO_MEASURES ?= ReReferral,Continue_Assess_Comp,CP_conf_15days,PrevRegCPR,CPP_rate,LAC,LACStable_2016on,CareLeaverEET

.PHONY: demo test lint typecheck format bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

DB := $(DEMO_DIR)/datamonger.duckdb

# The synthetic LA is Birmingham (DfE 330) in size and postcodes; every child in it is invented.
demo: $(STAMP)
	rm -rf $(DEMO_DIR)
	$(BIN)/datamonger synth $(DEMO_DIR)/returns --children $(DEMO_CHILDREN) --year $(DEMO_YEAR) --years 2 --seed 1
	$(BIN)/datamonger load $(DEMO_DIR)/returns --db $(DB)
	@# validate exits 1 when it finds errors; the demo goes on to show the rest
	-$(BIN)/datamonger validate $(DB)
	$(BIN)/datamonger indicators --db $(DB) --year $(DEMO_YEAR)
	$(BIN)/datamonger benchmark --la 330 --year $(DEMO_YEAR) --measures $(DEMO_MEASURES) --db $(DB)
	$(BIN)/datamonger briefing --la 330 --year $(DEMO_YEAR) --db $(DB) --output $(DEMO_DIR)/briefing.html
	@echo "The LA briefing is in $(DEMO_DIR)/briefing.html. Now serving the dashboard (Ctrl-C stops it):"
	$(BIN)/datamonger serve --db $(DB) --port $(DEMO_PORT)

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/pytest -q

format: $(STAMP)
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_load.py

clean:
	rm -rf $(VENV) $(DEMO_DIR) bench-data .pytest_cache .mypy_cache .ruff_cache
