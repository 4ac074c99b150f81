# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install lint docs bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/tracker demo

lint: $(STAMP)
	$(BIN)/lint-imports
	$(BIN)/ruff check tracker tui connectors tests bench docs
	$(BIN)/mypy

docs: $(STAMP)
	$(BIN)/python -m tracker.cli.docs > docs/cli.md

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadfile -q

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
