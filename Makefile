# AOS Portal: `make run` brings the whole system up, `make test` runs every test.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install lint format translations clean histories chaos test-shuffled

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) translations

translations: $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -d webapp/translations

run: install
	$(BIN)/python -m devtools.run

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The suite in a random order (pytest-randomly); the seed is printed, PYTEST_ARGS=--randomly-seed=N repeats one.
test-shuffled: install
	$(BIN)/python -m pytest -p randomly $(PYTEST_ARGS)

# Re-record the workflow histories the replay test checks (tests/workflows/histories/).
histories: install
	$(BIN)/python -m tests.workflows.record_histories

# Faults against the whole stack; prints figures. CHAOS_ARGS="-n 10" or "--db postgresql ...".
chaos: install
	$(BIN)/python -m bench.chaos $(CHAOS_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) var
