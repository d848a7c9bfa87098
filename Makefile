# Two commands on a fresh machine: `make demo` and `make test`. Everything else is a step they call.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DBT := $(BIN)/dbt
# The sample data ends on 2026-06-30: the demo evaluates the business rules as of that day.
AS_OF ?= 2026-06-30
DBT_FLAGS := --project-dir . --profiles-dir .

# pytest-xdist: one worker per CPU, a test file's tests in one worker (its module builds made once); each session
# build is made once and shared by the workers (python/tests/shared_builds.py). The pg and spark jobs run after, in
# one process: one PostgreSQL cluster, one Spark build, one holder of Spark's Derby metastore.
# PYTEST_PARALLEL= runs the DuckDB part in one process too.
PYTEST_PARALLEL ?= -n logical --dist loadfile

export DBT_SEND_ANONYMOUS_USAGE_STATS := False
# the `spark` target's driver listens on loopback only
export SPARK_LOCAL_IP ?= 127.0.0.1

.PHONY: demo test test-fast install seed build sample context data clean pg-start pg-stop bench

## demo: install, load the sample raw data, dbt build on DuckDB, print a sample of the health mart and the
## context document an agent gets for one customer
demo: install seed build sample context

## test: the whole suite: dbt builds on real DuckDB files, and the jobs marked pg and spark, which build and read the
## package on a throwaway PostgreSQL cluster and on Spark in local mode (they need Debian's postgresql and Java 17)
test: install
	$(BIN)/python -m pytest $(PYTEST_PARALLEL) -m "not pg and not spark"
	$(BIN)/python -m pytest -m "pg or spark"

## test-fast: the suite without the PostgreSQL and Spark jobs
test-fast: install
	$(BIN)/python -m pytest $(PYTEST_PARALLEL) -m "not pg and not spark"

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,fast,tokens,postgres,spark,mcp,otel,semantic]'
	touch $@

## seed: load the raw sample data into <schema>_raw (an EL tool's job in production) and the lookup seeds
seed: install
	$(DBT) seed $(DBT_FLAGS) --full-refresh --vars '{dbt_grounding_load_raw_data: true}'

build: install
	$(DBT) build $(DBT_FLAGS) --vars '{dbt_grounding_as_of_date: "$(AS_OF)"}'

sample: install
	@echo "fct_customer_health_summary, customers 11-20 (the health rule's boundary cases):"
	@# --no-write-json keeps the build's manifest.json and run_results.json, which the context step reads
	$(DBT) show $(DBT_FLAGS) --no-write-json --limit 10 --inline \
	  "select customer_id, health_status, churn_risk_score, last_login_date, total_contract_value, as_of_date from {{ ref('fct_customer_health_summary') }} where customer_id between 11 and 20 order by customer_id"

## context: the schema-checked context document of customer 51 (its tickets hold a prompt injection)
context: install
	$(BIN)/dbt-grounding context fct_customer_health_summary --key customer_id=51 --role customer_success_agent

## eval: the demo's golden dataset through ask and the key path, the figures and the production threshold audit
## (after `make seed build`; exit 1 while a check fails, e.g. monitoring not configured)
.PHONY: eval
eval: install
	$(BIN)/dbt-grounding eval examples/golden/demo_golden.yml --format markdown

## bench: every benchmark at small sizes (the demo, a 2,000-model synthetic project), one table of figures with the
## machine load; progress on stderr. BENCH_FLAGS=--with-1m adds the 1M-customer lookups (benchmarks/bench_all.py)
bench: install
	$(BIN)/python benchmarks/bench_all.py $(BENCH_FLAGS)

## data: regenerate the committed raw sample data (deterministic)
data: install
	$(BIN)/python scripts/generate_raw_data.py

## pg-start / pg-stop: a throwaway PostgreSQL cluster on 127.0.0.1 for the `pg` target
## (then: DBT_GROUNDING_TARGET=pg make seed build context)
pg-start:
	scripts/pg_cluster.sh start

pg-stop:
	scripts/pg_cluster.sh stop

clean:
	rm -rf target logs dbt_packages integration_tests/target integration_tests/logs integration_tests/dbt_packages *.duckdb integration_tests/*.duckdb
