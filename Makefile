# The README's two commands: `make demo` and `make test`.
# Both create (or reuse) .venv with Python 3.11 and install the project into it.
# torch is installed first from its CPU build (camel-tools needs it; a plain
# install would pull a multi-GB CUDA build), pinned by constraints.txt.

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check
OUT ?= out/demo

.PHONY: demo test install install-test bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; v = sys.version_info; sys.exit(0 if v[:2] == (3, 11) else f"Python 3.11 is needed, {sys.executable} is {v[0]}.{v[1]}")'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(PIP) install --quiet -c constraints.txt torch==2.13.0
	$(PIP) install --quiet -c constraints.txt -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PIP) install --quiet -c constraints.txt -e '.[test]'
	@touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

demo: $(VENV)/.installed
	$(BIN)/mizan demo corpora/sample --out $(OUT)

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

bench: $(VENV)/.installed-test
	$(BIN)/python bench/mentions.py
	$(BIN)/python bench/extract.py
	$(BIN)/python bench/batch.py

clean:
	rm -rf $(VENV) out .pytest_cache .hypothesis
