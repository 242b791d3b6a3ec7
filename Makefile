# Twin Impact — `make run` opens the dashboard on the demo data; `make test` runs the tests.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DB ?= data/warehouse.duckdb

.PHONY: setup run demo test test-fast lint bench clean help

help:
	@echo "make run    set up, build the demo warehouse if there is none, open the dashboard"
	@echo "make test   set up and run the test suite"
	@echo "make demo   rebuild the demo warehouse;  make bench   speed and memory figures"
	@echo "make lint   ruff;  make clean   remove the venv, demo files and warehouses"

$(STAMP): pyproject.toml
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP)

$(DB): | $(STAMP)
	$(BIN)/twinimpact demo --db $(DB)

demo: $(STAMP)
	$(BIN)/twinimpact demo --db $(DB)

run: $(STAMP) $(DB)
	$(BIN)/twinimpact dashboard --db $(DB)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -n 2 --dist loadfile -m "not browser"

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/twinimpact bench --events 10000000

clean:
	rm -rf $(VENV) data/demo data/bench data/*.duckdb* .pytest_cache .ruff_cache
