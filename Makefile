# catalog-ml: `make demo` builds everything on DuckDB with demo data; `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
DEMO_SCALE ?= 1
export DBT_PROFILES_DIR := $(CURDIR)
export CATALOG_ML_DUCKDB_PATH ?= $(CURDIR)/catalog_ml.duckdb
export DBT_SEND_ANONYMOUS_USAGE_STATS := false

.PHONY: demo validate test lint unit integration bench bench-matching bench-recs cards clean

$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

profiles.yml: profiles.yml.example
	cp $< $@

demo: $(VENV)/.installed profiles.yml
	$(BIN)/dbt build --vars '{demo_scale: $(DEMO_SCALE)}'
	$(BIN)/python -m catalog_ml.summary "$(CATALOG_ML_DUCKDB_PATH)"

# Great Expectations suites, generated from the raw data contract, on the raw files of
# files mode; run it before `dbt build --vars '{raw_source: files, ...}'`. RAW_DATA_PATH
# defaults to dbt's var raw_data_path (dbt_project.yml); data docs go to target/ge_data_docs.
RAW_DATA_PATH ?=
validate: $(VENV)/.installed
	$(BIN)/python -m catalog_ml.validate $(RAW_DATA_PATH) --docs-dir target/ge_data_docs

lint: $(VENV)/.installed profiles.yml
	$(BIN)/ruff check src tests python_models bench
	$(BIN)/ruff format --check src tests python_models bench
	$(BIN)/sqlfluff lint models tests/dbt

unit: $(VENV)/.installed
	$(BIN)/pytest tests/python

integration: $(VENV)/.installed profiles.yml
	$(BIN)/pytest tests/integration

test: lint unit integration

bench: $(VENV)/.installed profiles.yml
	$(BIN)/python bench/run.py --scales 1 10 --per-model-scales 1

# The matcher on labelled matching data in the Magellan/DeepMatcher layout (tableA.csv,
# tableB.csv, train.csv, valid.csv, test.csv): builds it in files mode with its own DuckDB
# file in a temporary folder and prints precision, recall, F1 and average precision next to
# the build's baseline, blocking completeness, time and memory. BENCH_ARGS passes more
# options (--json PATH, --work DIR, --keep).
DATA ?=
BENCH_ARGS ?=
bench-matching: $(VENV)/.installed profiles.yml
	@if [ -z "$(DATA)" ]; then \
		echo "usage: make bench-matching DATA=/path/to/folder [BENCH_ARGS='--json out.json']" >&2; \
		echo "  the folder holds tableA.csv, tableB.csv, train.csv, valid.csv, test.csv" >&2; \
		exit 2; \
	fi
	$(BIN)/python -m catalog_ml.bench_matching "$(DATA)" $(BENCH_ARGS)

# The recommendation methods on interaction data in the raw contract (products, users,
# events; other tables optional): builds it in files mode with its own DuckDB file in a
# temporary folder and prints NDCG@10, recall@10, MRR and coverage per method with 95%
# bootstrap intervals, the served ranker's paired difference, time and memory. CUTOFF sets
# var recs_eval_cutoff; public rating files convert with python -m catalog_ml.bench_recs.convert.
CUTOFF ?=
bench-recs: $(VENV)/.installed profiles.yml
	@if [ -z "$(DATA)" ]; then \
		echo "usage: make bench-recs DATA=/path/to/folder [CUTOFF='2026-01-15 00:00:00'] [BENCH_ARGS='--json out.json']" >&2; \
		echo "  the folder holds products, users and events (.csv or .parquet)" >&2; \
		exit 2; \
	fi
	$(BIN)/python -m catalog_ml.bench_recs "$(DATA)" $(if $(CUTOFF),--cutoff "$(CUTOFF)") $(BENCH_ARGS)

cards: $(VENV)/.installed
	$(BIN)/python -m catalog_ml.model_cards "$(CATALOG_ML_DUCKDB_PATH)" --out target/model_cards

clean:
	rm -rf target logs catalog_ml.duckdb
