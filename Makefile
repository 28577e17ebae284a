# Two commands do everything: `make run` and `make test`.
# Both build the virtual environment (.venv) first if it is missing or stale.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CASE ?= scenarios/bromsgrove_redditch_2011.yaml
STAMP := $(VENV)/.installed

.PHONY: run test bench mutants lab lint env clean-env

env: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/sharedcase run $(CASE)

test: $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

# Mutation testing of the formula modules (minutes; not part of `make test`).
mutants: $(STAMP)
	$(BIN)/python benchmarks/mutants.py

# As root (common in containers) JupyterLab needs --allow-root; it prints its URL.
lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/ $$([ "$$(id -u)" = 0 ] && echo --allow-root)

lint: $(STAMP)
	$(BIN)/ruff check models tests benchmarks scenarios notebooks
	$(BIN)/ruff format --check models tests benchmarks scenarios

clean-env:
	rm -rf $(VENV)
