# Signaal: `make run` serves the app, `make test` runs the whole suite. Both bootstrap themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi

.PHONY: run test lint e2e bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Runtime install for `make run`; the dev extras (pytest, ruff, playwright) only for tests.
$(VENV)/.runtime: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.runtime

run: $(VENV)/.runtime
	$(BIN)/flask db upgrade
	$(BIN)/flask certificates dev-keys
	@echo "Demo-accounts (inloggen op http://127.0.0.1:5000):"
	@$(BIN)/flask demo
	$(BIN)/flask run --host 127.0.0.1 --port 5000

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	$(BIN)/pytest -q $(PYTEST_ARGS)

# The W3C Nu HTML checker for the accessibility sweep: pinned in package.json, run on Java.
# --ignore-scripts: its postinstall would fetch a Java of its own; the machine's Java runs it.
VNU_JAR := node_modules/vnu-jar/build/dist/vnu.jar
$(VNU_JAR): package.json
	npm install --ignore-scripts --no-package-lock --no-audit --no-fund
	touch $@

e2e: $(VENV)/.dev $(VNU_JAR)
	$(BIN)/pytest -q -m e2e tests/e2e $(PYTEST_ARGS)

bench: $(VENV)/.dev
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache node_modules
