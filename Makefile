# AOS Portal: `make run` brings the whole system up, `make test` runs every test.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench install lint format translations clean system-packages histories chaos test-shuffled audit lock

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

# Debian packages the tests need (python3-venv, chromium, fonts, docker-compose): installed when missing
# and root, else one line says what to install.
system-packages:
	PYTHON="$(PYTHON)" sh devtools/system_packages.sh

test: system-packages install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The suite in a random order (pytest-randomly); the seed is printed, PYTEST_ARGS=--randomly-seed=N repeats one.
test-shuffled: install
	$(BIN)/python -m pytest -p randomly $(PYTEST_ARGS)

# Re-record the workflow histories the replay test checks (tests/workflows/histories/).
histories: install
	$(BIN)/python -m tests.workflows.record_histories

# Faults against the whole stack; prints figures. CHAOS_ARGS="-n 10", or "--db postgresql" (a
# server of its own, devtools/pg_temp.py) or "--db postgresql --db-url URL".
chaos: install
	$(BIN)/python -m bench.chaos $(CHAOS_ARGS)

# Speed and memory of the whole stack, as ratios to same-run references (not a test):
# BENCH_ARGS="-n 60 --open 10000 --json" make bench
bench: install
	$(BIN)/python -m bench $(BENCH_ARGS)

# Issue 24: known vulnerabilities in the pinned dependencies (requirements.lock, via pip-audit).
# Fails on a finding; where the vulnerability service cannot answer (offline) it says so and
# exits 0. AUDIT_ARGS="--service osv" asks OSV instead of PyPI. Not part of `make test`.
audit: $(STAMP)
	$(BIN)/python -m devtools.audit $(AUDIT_ARGS)

# Regenerate requirements.lock from pyproject.toml: exact pins with every file's hash (run it
# after changing a dependency, on a machine that reaches PyPI, and commit the result).
lock: $(STAMP)
	$(BIN)/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe \
		--no-emit-index-url --no-emit-find-links --output-file requirements.lock pyproject.toml

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) var

# Issue 14: `make fuzz` posts generated bodies to every form route (tests/webapp/fuzzing.py)
# on SQLite, then on PostgreSQL: FUZZ_POSTGRES_URL, else TEST_DATABASE_URL, else a server of
# its own (devtools/pg_temp.py: initdb/pg_ctl in a temporary directory, removed afterwards);
# prints `fuzz_<db> requests=N 5xx=M`, exits 0 when both halves have no 5xx.
FUZZ_REQUESTS ?= 12000
FUZZ_POSTGRES_URL ?= $(TEST_DATABASE_URL)
FUZZ_PYTEST = $(BIN)/python -m pytest -q -s -p no:cacheprovider tests/webapp/test_sec_fuzz.py
.PHONY: fuzz
fuzz: install
	@mkdir -p var
	@FUZZ_REQUESTS=$(FUZZ_REQUESTS) TEST_DATABASE_URL= $(FUZZ_PYTEST) \
		> var/fuzz-sqlite.log 2>&1; status=$$?; \
		grep '^fuzz_' var/fuzz-sqlite.log; \
		if [ $$status -ne 0 ]; then tail -40 var/fuzz-sqlite.log; exit $$status; fi
	@if [ -n "$(FUZZ_POSTGRES_URL)" ]; then \
		FUZZ_REQUESTS=$(FUZZ_REQUESTS) TEST_DATABASE_URL=$(FUZZ_POSTGRES_URL) $(FUZZ_PYTEST) \
			> var/fuzz-postgresql.log 2>&1; \
	else \
		FUZZ_REQUESTS=$(FUZZ_REQUESTS) $(BIN)/python -m devtools.pg_temp --env TEST_DATABASE_URL \
			-- $(FUZZ_PYTEST) > var/fuzz-postgresql.log 2>&1; \
	fi; status=$$?; \
		grep '^fuzz_' var/fuzz-postgresql.log; \
		if [ $$status -ne 0 ]; then tail -40 var/fuzz-postgresql.log; exit $$status; fi

# Issue 25: every page in Hungarian at 375 and 1280 px, audited (axe), as PNGs in
# test-artifacts/pages/all-pages-hu/ (git-ignored); the mismatch page on a phone beside them.
.PHONY: screenshots
screenshots: system-packages install
	$(BIN)/python -m pytest -q tests/browser/test_accessibility.py -k hu tests/browser/test_mismatch_page.py
