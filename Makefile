# The front door. Every target installs what it needs on a fresh clone.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
VENV_PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export PYTHONPATH := $(CURDIR)/layers/shared/python:$(CURDIR)
# No AWS account: dummy credentials and a fixed region for every local command.
export AWS_ACCESS_KEY_ID ?= local
export AWS_SECRET_ACCESS_KEY ?= local
export AWS_DEFAULT_REGION ?= us-east-1
export AWS_REGION ?= us-east-1

.DEFAULT_GOAL := help
.PHONY: help install run token test lint typecheck unit openapi clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): requirements/dev.lock
	$(PYTHON) -m venv $(VENV)
	$(VENV_PY) -m pip install --quiet --disable-pip-version-check -r requirements/dev.lock
	touch $(STAMP)

install: $(STAMP) ## Create .venv with the locked dependencies

run: $(STAMP) ## Serve the API on http://127.0.0.1:3000 with an embedded DynamoDB
	@$(VENV_PY) -m devtools.local_api

token: $(STAMP) ## Print a token the local server accepts: make token SUB=alice
	@$(VENV_PY) -m devtools.local_issuer $(or $(SUB),alice)

lint: $(STAMP) ## ruff (lint and format check) and mypy
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .

test: lint ## Lint, then every test
	$(VENV)/bin/pytest -q

openapi: $(STAMP) ## Regenerate openapi.json from the code
	$(VENV_PY) -m devtools.openapi > openapi.json

clean: ## Remove the virtual environment and caches
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .aws-sam
