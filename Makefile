# catalog-ml: `make demo` builds everything on DuckDB with demo data; `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
DEMO_SCALE ?= 1
export DBT_PROFILES_DIR := $(CURDIR)
export CATALOG_ML_DUCKDB_PATH ?= $(CURDIR)/catalog_ml.duckdb
# What BI tools open (read-only): the public marts of the last green build, next to the work
# file dbt builds (python -m catalog_ml.publish; README "Readers and failed builds").
export CATALOG_ML_SERVING_PATH ?= $(dir $(CATALOG_ML_DUCKDB_PATH))catalog_ml_serving.duckdb
export DBT_SEND_ANONYMOUS_USAGE_STATS := false

.PHONY: demo publish validate test lint unit integration bench bench-matching bench-recs cards clean
.PHONY: mutation sources
.PHONY: review
.PHONY: browser docs report
.PHONY: daily
.PHONY: conventions
.PHONY: redis-install wrk-install serve serve-load serve-stop bench-serving

$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

profiles.yml: profiles.yml.example
	cp $< $@

# make stops at a failed build, so only a green build is published (publish also checks
# target/run_results.json); the serving file keeps the last good publication otherwise.
# The demo's vars (make docs and make daily parse with the same ones): its scale, and the
# folder the review page writes reviewer decisions to (make review), read back by the build.
DEMO_VARS = demo_scale: $(DEMO_SCALE), review_data_path: "$(REVIEW_DIR)"
demo: $(VENV)/.installed profiles.yml
	$(BIN)/dbt build --vars '{$(DEMO_VARS)}'
	$(BIN)/python -m catalog_ml.summary "$(CATALOG_ML_DUCKDB_PATH)"
	$(BIN)/python -m catalog_ml.publish "$(CATALOG_ML_DUCKDB_PATH)" "$(CATALOG_ML_SERVING_PATH)"
	$(BIN)/python -m catalog_ml.serving.store load "$(CATALOG_ML_SERVING_PATH)" --if-running

# The daily run: append the next day of demo events (var demo_extra_days, one more than
# raw_demo_events holds; catalog_ml.demo.daily) and build what they change (selector daily in
# selectors.yml: incremental event models, the rest downstream rebuilt, the ranker scored by
# its champion, training-only cutoffs skipped); every RETRAIN_EVERY_DAYS-th day, without a
# champion or on drift, selector daily_retrain also retrains the ranker. Publish when green.
# Use the DEMO_SCALE of the `make demo` it follows.
RETRAIN_EVERY_DAYS ?= 7
daily: $(VENV)/.installed profiles.yml
	run=$$($(BIN)/python -m catalog_ml.demo.daily "$(CATALOG_ML_DUCKDB_PATH)" $(RETRAIN_EVERY_DAYS)) && \
	set -- $$run && \
	echo "daily run: demo day $$1 after the base history, selector $$2" && \
	$(BIN)/dbt build --selector $$2 --vars '{$(DEMO_VARS), '"$$3"'}'
	$(BIN)/python -m catalog_ml.publish "$(CATALOG_ML_DUCKDB_PATH)" "$(CATALOG_ML_SERVING_PATH)"

# Publish the last green build (target/manifest.json, target/run_results.json) again.
publish: $(VENV)/.installed
	$(BIN)/python -m catalog_ml.publish "$(CATALOG_ML_DUCKDB_PATH)" "$(CATALOG_ML_SERVING_PATH)"

# Great Expectations suites, generated from the raw data contract, on the raw files of
# files mode; run it before `dbt build --vars '{raw_source: files, ...}'`. RAW_DATA_PATH
# defaults to dbt's var raw_data_path (dbt_project.yml); data docs go to target/ge_data_docs.
RAW_DATA_PATH ?=
validate: $(VENV)/.installed
	$(BIN)/python -m catalog_ml.validate $(RAW_DATA_PATH) --docs-dir target/ge_data_docs

# Online serving (README "Serving online"): `make serve` starts redis-server on
# SERVING_REDIS_PORT (installed with apt-get when missing), loads the serving file into it
# and starts the read API on SERVING_PORT in the background; `make serve-stop` stops both.
# After every green `make demo` the store is reloaded when it is running (serve-load alone
# reloads it). IMPRESSIONS_FILE: a files-mode folder's events.csv to log served lists to.
SERVING_PORT ?= 8000
# uvicorn worker processes of the API (one per core it may use).
export SERVING_WORKERS ?= 2
SERVING_REDIS_PORT ?= 6390
SERVING_DIR ?= target/serving
IMPRESSIONS_FILE ?=
export SERVING_REDIS_URL ?= redis://127.0.0.1:$(SERVING_REDIS_PORT)/0
redis-install: $(VENV)/.installed
	$(BIN)/python -m catalog_ml.serving.redis_server install

# wrk (Debian), the native closed-loop load generator of bench-serving.
wrk-install: $(VENV)/.installed
	$(BIN)/python -m catalog_ml.debian wrk

serve: $(VENV)/.installed
	$(BIN)/python -m catalog_ml.serving.service start --serving-file "$(CATALOG_ML_SERVING_PATH)" \
		--port $(SERVING_PORT) --redis-port $(SERVING_REDIS_PORT) --dir $(SERVING_DIR) \
		$(if $(IMPRESSIONS_FILE),--impressions-file "$(IMPRESSIONS_FILE)")

serve-load: $(VENV)/.installed
	$(BIN)/python -m catalog_ml.serving.store load "$(CATALOG_ML_SERVING_PATH)"

serve-stop: $(VENV)/.installed
	$(BIN)/python -m catalog_ml.serving.service stop --dir $(SERVING_DIR)

lint: $(VENV)/.installed profiles.yml
	$(BIN)/ruff check src tests python_models bench
	$(BIN)/ruff format --check src tests python_models bench
	$(BIN)/sqlfluff lint models tests/dbt

unit: $(VENV)/.installed
	$(BIN)/pytest tests/python

# The 15 slowest integration tests are listed at the end, to see where `make test`'s time goes.
integration: $(VENV)/.installed profiles.yml
	$(BIN)/pytest tests/integration --durations=15

test: lint unit integration

# Mutation testing (mutmut) of the experiment statistics and the registry's promotion decision,
# in a scratch copy of the package and its tests (the working tree is left alone): prints the
# score per module and the surviving mutants. Not part of `make test` (minutes on 2 cores).
MUTATION_ARGS ?=
mutation: $(VENV)/.installed
	$(BIN)/python -m catalog_ml.mutation $(MUTATION_ARGS)

bench: $(VENV)/.installed profiles.yml
	$(BIN)/python bench/run.py --scales 1 10 --per-model-scales 1
	$(BIN)/python bench/serving.py

# The online store's load time and the API under a bounded closed loop on localhost
# (bench/serving.py): the demo's serving file when it exists, else a synthetic one.
BENCH_SERVING_ARGS ?=
bench-serving: $(VENV)/.installed
	$(BIN)/python bench/serving.py $(BENCH_SERVING_ARGS)

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

# The ranker's per-source column entries (YAML) from var recs_retrieval_sources (README
# "Adding a retrieval source"); the unit tests fail while they are out of date.
sources: $(VENV)/.installed
	$(BIN)/python -m catalog_ml.recs_sources

# The reviewer's loop (README "Reviewing matches"): a local page over the review queue of the
# last build (CATALOG_ML_DUCKDB_PATH) on 127.0.0.1:REVIEW_PORT. Accept / reject / pick-another
# decisions are appended to match_overrides.csv and match_labels.csv in REVIEW_DIR, which
# `make demo` reads back (dbt var review_data_path). Files mode: REVIEW_DIR=<raw folder>.
REVIEW_DIR ?= $(CURDIR)/reviews
REVIEW_PORT ?= 8010
review: $(VENV)/.installed
	$(BIN)/python -m catalog_ml.review --warehouse "$(CATALOG_ML_DUCKDB_PATH)" \
		--decisions-dir "$(REVIEW_DIR)" --port $(REVIEW_PORT)

# A headless Chromium for the page tests (Debian's chromium, installed with apt-get when
# missing; catalog_ml.browser): prints its path. Playwright drives it; its own download is unused.
browser: $(VENV)/.installed
	$(BIN)/python -m catalog_ml.browser

# The HTML report of the last build (README "Docs and report"): figures as inline SVG in one
# file that opens offline, target/report/index.html.
report: $(VENV)/.installed
	$(BIN)/python -m catalog_ml.report "$(CATALOG_ML_DUCKDB_PATH)" --out target/report/index.html

# Static dbt docs of the last build with the model cards in the trainers' descriptions, one
# file that opens from disk (target/docs/index.html); its exposures link to the report and
# the cards, so both are written too. Same vars as `make demo`, so the parse is the same.
docs: $(VENV)/.installed profiles.yml report cards
	$(BIN)/dbt docs generate --vars '{$(DEMO_VARS)}'
	$(BIN)/python -m catalog_ml.docs --target target --warehouse "$(CATALOG_ML_DUCKDB_PATH)" \
		--out target/docs/index.html

cards: $(VENV)/.installed
	$(BIN)/python -m catalog_ml.model_cards "$(CATALOG_ML_DUCKDB_PATH)" --out target/model_cards

# The conventions the tools check (README "Conventions the tools check"): dbt-score on a fresh
# parse (fails under 9.0), then dbt-coverage's column test coverage of the public marts on the
# warehouse of the last `make demo` (fails under 100%). Artifacts go to target/conventions.
conventions: $(VENV)/.installed profiles.yml
	$(BIN)/dbt parse --target-path target/conventions
	$(BIN)/dbt-score lint --manifest target/conventions/manifest.json --fail-project-under 9.0 --show failing-items
	$(BIN)/dbt docs generate --target-path target/conventions
	$(BIN)/dbt-coverage compute test --run-artifacts-dir target/conventions --model-path-filter models/marts \
		--cov-report target/conventions/coverage.json --cov-fail-under 1.0

clean:
	rm -rf target logs catalog_ml.duckdb catalog_ml_serving.duckdb
