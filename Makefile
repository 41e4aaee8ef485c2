# Signaal: `make run` serves the app, `make test` runs the whole suite. Both bootstrap themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi

.PHONY: run test lint lock e2e bench clean translations-update

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Installs come from the lock files, hash-checked, so every machine gets the same packages;
# the project itself goes on top without its dependencies (they are all in the lock).
INSTALL_LOCKED = $(BIN)/pip install --quiet --require-hashes -r $(1) \
	&& $(BIN)/pip install --quiet --no-deps --no-build-isolation -e .

# Runtime install for `make run`; the dev extras (pytest, ruff, playwright) only for tests.
$(VENV)/.runtime: requirements.lock | $(BIN)/python
	$(call INSTALL_LOCKED,requirements.lock)
	touch $@

$(VENV)/.dev: requirements-dev.lock | $(BIN)/python
	$(call INSTALL_LOCKED,requirements-dev.lock)
	touch $@ $(VENV)/.runtime

# Re-lock after changing dependencies in pyproject.toml: keeps every other pin as it is.
# `make lock UPGRADE=1` moves every package to its newest allowed release.
PIP_COMPILE = CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --generate-hashes \
	--allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links \
	--build-deps-for editable $(if $(UPGRADE),--upgrade)

lock: $(VENV)/.dev
	$(PIP_COMPILE) --output-file requirements.lock pyproject.toml
	$(PIP_COMPILE) --extra dev --constraint requirements.lock \
		--output-file requirements-dev.lock pyproject.toml
	$(call INSTALL_LOCKED,requirements-dev.lock)
	touch $(VENV)/.dev $(VENV)/.runtime

# The English interface catalogue, compiled for Flask-Babel (the .mo is built, not committed).
TRANSLATIONS_MO := app/translations/en/LC_MESSAGES/messages.mo
$(TRANSLATIONS_MO): app/translations/en/LC_MESSAGES/messages.po | $(VENV)/.runtime
	$(BIN)/python -m app.i18n compile

# After changing interface text: re-extract, merge into the English catalogue, then translate
# the new entries (msgstr "") in app/translations/en/LC_MESSAGES/messages.po.
translations-update: $(VENV)/.runtime
	$(BIN)/python -m app.i18n update

run: $(VENV)/.runtime $(TRANSLATIONS_MO)
	$(BIN)/flask db upgrade
	$(BIN)/flask certificates dev-keys
	@echo "Demo-accounts (inloggen op http://127.0.0.1:5000):"
	@$(BIN)/flask demo
	$(BIN)/flask run --host 127.0.0.1 --port 5000

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m app.i18n check

test: lint $(TRANSLATIONS_MO)
	$(BIN)/pytest -q $(PYTEST_ARGS)

# The W3C Nu HTML checker for the accessibility sweep: pinned in package.json, run on Java.
# --ignore-scripts: its postinstall would fetch a Java of its own; the machine's Java runs it.
VNU_JAR := node_modules/vnu-jar/build/dist/vnu.jar
$(VNU_JAR): package.json
	npm install --ignore-scripts --no-package-lock --no-audit --no-fund
	touch $@

e2e: $(VENV)/.dev $(VNU_JAR) $(TRANSLATIONS_MO)
	$(BIN)/pytest -q -m e2e tests/e2e $(PYTEST_ARGS)

bench: $(VENV)/.dev $(TRANSLATIONS_MO)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache node_modules
