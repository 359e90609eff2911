# Both main targets bootstrap .venv themselves on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test lint typecheck unit bench i18n clean

$(VENV)/.dev-installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[all,dev]'
	touch $@

$(VENV)/.demo-installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[server,kiosk,display]'
	touch $@

demo: $(VENV)/.demo-installed
	$(BIN)/yihao demo

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.dev-installed
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/pytest

unit: $(VENV)/.dev-installed
	$(BIN)/pytest tests/unit

bench: $(VENV)/.dev-installed
	$(BIN)/python bench/api.py

# The kiosk's Qt translations: refresh assets/i18n/*.ts from the code, compile the .qm.
i18n: $(VENV)/.dev-installed
	$(BIN)/python -m kiosk.translations

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
