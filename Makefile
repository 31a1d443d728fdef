# The two commands a newcomer needs: `make run` and `make test`. Everything else is a helper.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
UV := uv==0.13.8
export AWS_DEFAULT_REGION ?= us-east-1
export AWS_ACCOUNT_ID_ENDPOINT_MODE := disabled
# jsii warns on every CDK run that Node 20 is past its end of life; the pinned CDK works on it.
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1

.PHONY: run test token job lint typecheck unit smoke bench schemas areas layers clean clv-fit

$(STAMP): pyproject.toml requirements.lock
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet "$(UV)"
	@# uv fetches and installs in parallel: about 15 s where pip takes 160 (pip is the fallback)
	$(VENV)/bin/uv pip install --python $(PY) --quiet -c requirements.lock "pip<26.3" -e ".[dev]" \
	  || $(PY) -m pip install --quiet -c requirements.lock "pip<26.3" -e ".[dev]"
	@touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

install: $(STAMP) $(NODE_STAMP)

## make run: the whole backend on 127.0.0.1 (DynamoDB Local, moto, Chalice API, stream, timers)
run: install
	$(PY) -m infra.local.run

## make token TENANT=demo USER=alice ROLE=sales_rep TEAM=east [CUSTOMER=<id>]: a local dev token
token: $(STAMP)
	@$(PY) -m infra.local.token --tenant "$(or $(TENANT),demo)" --user "$(if $(filter command line,$(origin USER)),$(USER),$(or $(USER_ID),admin))" --role "$(or $(ROLE),admin)" $(if $(TEAM),--team "$(TEAM)",) $(if $(CUSTOMER),--customer "$(CUSTOMER)",)

## make job JOB=value.nightly TENANT=demo: start a scheduled job now on `make run`'s stack
job: $(STAMP)
	@$(PY) -m infra.local.scheduler --now "$(or $(JOB),value.nightly)" --tenant "$(or $(TENANT),demo)"

## make test: lint, types, every test suite
test: install layers lint typecheck
	$(PY) -m pytest -n 2 --dist loadscope

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	PYTHONPATH=functions:. $(VENV)/bin/lint-imports --no-cache

typecheck: $(STAMP)
	$(VENV)/bin/mypy

unit: $(STAMP)
	$(PY) -m pytest tests/unit -q

smoke: install
	$(PY) -m pytest tests/smoke -q

## make schemas: regenerate schemas/ (OpenAPI, request bodies, event details) from the code
schemas: $(STAMP)
	cd functions && ../$(PY) -m chalicelib.core.openapi --write
	cd functions && ../$(PY) -m chalicelib.core.catalog --write

## make areas: the registry (areas in order: item types, reactions, notices, events, timers,
## 360 sections, facts, rule sets, routes)
areas: $(STAMP)
	@cd functions && ../$(PY) -m chalicelib.core.registry_printout

## make clv-fit SUMMARY=file.csv: BG/NBD + Gamma-Gamma on a summary file with lifetimes' columns
## (customer_id, frequency, recency, T, monetary_value) in weeks (UNIT=days otherwise); prints one JSON
clv-fit: $(STAMP)
	@test -n "$(SUMMARY)" || { echo "usage: make clv-fit SUMMARY=file.csv"; exit 2; }
	@cd functions && ../$(PY) -m chalicelib.value.fit_cli "$(abspath $(SUMMARY))" --time-unit "$(or $(UNIT),weeks)"

layers: $(STAMP)
	$(PY) layers/build.py

bench: install layers
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) node_modules build cdk.out .local functions/.chalice/deployments
