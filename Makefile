# The front door. Every target installs what it needs on a fresh clone.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
VENV_PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# aws-sam-cli pins its own dependencies tightly, so it lives in a virtual environment of its own.
SAM_VENV := .venv-sam
SAM_STAMP := $(SAM_VENV)/.installed
export SAM_CLI := $(CURDIR)/$(SAM_VENV)/bin/sam
# checkov, too, pins its own dependencies: its own virtual environment.
CHECKOV_VENV := .venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed
export CHECKOV := $(CURDIR)/$(CHECKOV_VENV)/bin/checkov
# datamodel-code-generator, which writes the Python SDK's models, too: its own virtual environment.
SDK_VENV := .venv-sdk
SDK_STAMP := $(SDK_VENV)/.installed
export SDK_GENERATOR_PYTHON := $(CURDIR)/$(SDK_VENV)/bin/python
export SAM_CLI_TELEMETRY := 0
STANDIN_IMAGE := clarity/lambda-python-standin:3.13
E2E_DYNAMODB_IMAGE := clarity/e2e-dynamodb:moto
export PYTHONPATH := $(CURDIR)/layers/shared/python:$(CURDIR)
# No AWS account: dummy credentials and a fixed region for every local command.
export AWS_ACCESS_KEY_ID ?= local
export AWS_SECRET_ACCESS_KEY ?= local
export AWS_DEFAULT_REGION ?= us-east-1
export AWS_REGION ?= us-east-1

.DEFAULT_GOAL := help
.PHONY: help install run listen token test lint build e2e sam-local-files deploy fuzz load bench bench-bytecode bench-uploads openapi sdk lock clean

help: ## List the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(STAMP): requirements/dev.lock
	$(PYTHON) -m venv $(VENV)
	$(VENV_PY) -m pip install --quiet --disable-pip-version-check -r requirements/dev.lock
	touch $(STAMP)

$(SAM_STAMP): requirements/sam.lock
	$(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements/sam.lock
	touch $(SAM_STAMP)

$(CHECKOV_STAMP): requirements/checkov.lock
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements/checkov.lock
	touch $(CHECKOV_STAMP)

$(SDK_STAMP): requirements/sdk.lock
	$(PYTHON) -m venv $(SDK_VENV)
	$(SDK_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements/sdk.lock
	touch $(SDK_STAMP)

install: $(STAMP) $(SAM_STAMP) $(CHECKOV_STAMP) $(SDK_STAMP) ## Create .venv, .venv-sam, .venv-checkov and .venv-sdk with the locked dependencies

run: $(STAMP) ## Serve the API on http://127.0.0.1:3000 (/docs), one line a request: make run LOGS=json for Powertools' JSON and EMF
	@$(if $(LOGS),LOCAL_LOG_FORMAT=$(LOGS) )$(VENV_PY) -m devtools.local_api

listen: $(STAMP) ## Receive the local API's webhook events and check their signatures: make listen SUB=alice
	@$(VENV_PY) -m devtools.webhook_receiver

token: $(STAMP) ## Print a token the local server accepts: make token SUB=alice
	@$(VENV_PY) -m devtools.local_issuer $(or $(SUB),alice)

lint: $(STAMP) ## ruff (lint and format check) and mypy
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .

test: lint $(SAM_STAMP) $(CHECKOV_STAMP) $(SDK_STAMP) ## Lint, then every test (cfn-lint, checkov and sam validate among them)
	scripts/ensure-chromium.sh
	$(VENV)/bin/pytest -q

ARCHITECTURE ?= x86_64

build: $(SAM_STAMP) ## sam build: functions and the layer, python3.13 on ARCHITECTURE (x86_64; or arm64)
	LAYER_ARCHITECTURE=$(ARCHITECTURE) $(SAM_CLI) build --parameter-overrides Architecture=$(ARCHITECTURE)

e2e: $(STAMP) $(SAM_STAMP) ## sam local invoke and start-api in Docker, against a DynamoDB container
	e2e/ensure-docker.sh .local
	e2e/standin-image.sh $(STANDIN_IMAGE)
	e2e/dynamodb-image.sh $(E2E_DYNAMODB_IMAGE) $(STANDIN_IMAGE)
	$(SAM_CLI) build
	STANDIN_IMAGE=$(STANDIN_IMAGE) E2E_DYNAMODB_IMAGE=$(E2E_DYNAMODB_IMAGE) $(VENV)/bin/pytest -q tests/e2e

sam-local-files: $(STAMP) ## Write .local/sam/env.json and events with a token: make sam-local-files SUB=alice
	@$(VENV_PY) -m devtools.sam_local $(or $(SUB),alice)

# The dummy credentials and region above are for local commands: a deploy uses yours (exported,
# or from your AWS profile or SSO login), so it drops those this Makefile set.
LOCAL_ONLY_AWS := $(foreach name,AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_DEFAULT_REGION AWS_REGION,\
	$(if $(filter file,$(origin $(name))),$(name)))

deploy: build ## make build, then sam deploy --guided (needs your AWS credentials): make deploy ARCHITECTURE=arm64
	env $(addprefix -u ,$(strip $(LOCAL_ONLY_AWS))) $(SAM_CLI) deploy --guided --parameter-overrides Architecture=$(ARCHITECTURE)

openapi: $(STAMP) ## Regenerate openapi.json from the code
	$(VENV_PY) -m devtools.openapi > openapi.json

sdk: $(SDK_STAMP) ## Regenerate the Python SDK's models (sdk/python) from openapi.json
	$(SDK_VENV)/bin/python sdk/python/generate_models.py

clean: ## Remove the virtual environment and caches
	rm -rf $(VENV) $(SAM_VENV) $(CHECKOV_VENV) $(SDK_VENV) .mypy_cache .ruff_cache .pytest_cache .aws-sam

lock: $(STAMP) ## Re-resolve the lock files from pyproject.toml
	$(VENV)/bin/pip-compile -q --no-emit-index-url --no-emit-find-links --strip-extras -o layers/shared/requirements.txt pyproject.toml
	$(VENV)/bin/pip-compile -q --no-emit-index-url --no-emit-find-links --strip-extras --extra dev -o requirements/dev.lock pyproject.toml
	$(VENV)/bin/pip-compile -q --no-emit-index-url --no-emit-find-links --strip-extras -o requirements/sam.lock requirements/sam.in
	$(VENV)/bin/pip-compile -q --no-emit-index-url --no-emit-find-links --strip-extras -o requirements/checkov.lock requirements/checkov.in
	$(VENV)/bin/pip-compile -q --no-emit-index-url --no-emit-find-links --strip-extras -o requirements/sdk.lock requirements/sdk.in

fuzz: $(STAMP) ## schemathesis against the local server, from openapi.json (bounded)
	scripts/fuzz.sh

load: $(STAMP) ## 20 clients for LOAD_SECONDS (30) against the local server, then an audit of what they made
	LOAD_SECONDS=$(or $(LOAD_SECONDS),30) $(VENV_PY) -m devtools.load

bench: $(STAMP) $(SAM_STAMP) ## Benchmarks: writes bench/results.json and prints a table (not part of CI; Docker)
	e2e/ensure-docker.sh .local
	e2e/standin-image.sh $(STANDIN_IMAGE)
	e2e/dynamodb-image.sh $(E2E_DYNAMODB_IMAGE) $(STANDIN_IMAGE)
	STANDIN_IMAGE=$(STANDIN_IMAGE) E2E_DYNAMODB_IMAGE=$(E2E_DYNAMODB_IMAGE) $(VENV_PY) -W ignore -m bench.run

bench-uploads: $(STAMP) ## Uploads through the API of 1 KiB, 1 MiB and 4 MiB, in process on moto (no Docker)
	$(VENV_PY) -W ignore -m bench.uploads

bench-bytecode: $(STAMP) ## Cold imports in the Lambda stand-in image, with and without the layer's bytecode (Docker)
	e2e/ensure-docker.sh .local
	e2e/standin-image.sh $(STANDIN_IMAGE)
	$(VENV_PY) -m bench.bytecode $(STANDIN_IMAGE)
