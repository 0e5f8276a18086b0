# Mend: `make run` to try it with demo data, `make test` to run the whole suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
VENDOR := rj/static/vendor
HOST   ?= 127.0.0.1
PORT   ?= 5000
PY_SOURCES := rj tests app.py $(wildcard bench) deploy/gunicorn.conf.py
PG_TEST_URL ?= postgresql://postgres@127.0.0.1:5432/test

.PHONY: setup run serve test test-pg fuzz lint format messages bench bench-uploads bench-reports bench-load clean

# Reinstall only when the dependency lists change, so a second run starts in seconds.
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,dev,postgres,redis]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(VENDOR)/.built: node_modules/.installed $(VENV)/.installed rj/icons.py
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js node_modules/sortablejs/Sortable.min.js $(VENDOR)/
	$(BIN)/python -m rj.icons
	touch $@

setup: $(VENV)/.installed $(VENDOR)/.built

run: setup
	$(BIN)/mend demo --if-empty
	@echo
	@echo "Mend is at http://$(HOST):$(PORT)/  (Ctrl+C stops it)"
	@echo
	$(BIN)/flask --app app run --host $(HOST) --port $(PORT) --no-debugger --no-reload

# For real: gunicorn with deploy/gunicorn.conf.py (127.0.0.1:8000, 2 workers), behind an HTTPS
# proxy (deploy/). Never demo data. More than one worker needs RATELIMIT_STORAGE_URI=redis://...
serve: setup
	$(BIN)/mend init-db
	$(BIN)/gunicorn -c deploy/gunicorn.conf.py app:app

test: setup
	$(BIN)/pytest -q $(PYTEST_ARGS)

# The suite again on PostgreSQL (browser tests run once, on SQLite).
test-pg: setup
	RJ_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest -q -m "not browser" $(PYTEST_ARGS)

# Property-based tests of every form and the move endpoint with many more examples than
# `make test` runs (FUZZ_EXAMPLES of them; failing examples are kept in .hypothesis/).
FUZZ_EXAMPLES ?= 3000
fuzz: setup
	MEND_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest -q tests/test_fuzz.py $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check $(PY_SOURCES)
	$(BIN)/ruff format --check $(PY_SOURCES)
	$(BIN)/bandit -q -c pyproject.toml -r rj app.py

# Every word marked for translation, into rj/translations/messages.pot (a new language:
# pybabel init -i rj/translations/messages.pot -d rj/translations -l es).
messages: setup
	mkdir -p rj/translations
	$(BIN)/pybabel extract -F babel.cfg -k _l --ignore-dirs ".* __pycache__ node_modules" -o rj/translations/messages.pot --no-location --sort-output .
	$(BIN)/python -m rj.i18n_check

format: setup
	$(BIN)/ruff format $(PY_SOURCES)
	$(BIN)/ruff check --fix $(PY_SOURCES)

bench: setup
	$(BIN)/python bench/board.py
	$(BIN)/python bench/public_flood.py
	$(BIN)/python bench/uploads.py
	$(BIN)/python bench/reports.py

# Peak memory and time of one entry carrying ten of the largest images Mend takes.
bench-uploads: setup
	$(BIN)/python bench/uploads.py

# A year's reports page, CSV, printable page and chart at 1,000 and 20,000 cases.
bench-reports: setup
	$(BIN)/python bench/reports.py

# 16 facilitators for 30 s against `make serve` (2 workers), on SQLite and PostgreSQL, with and
# without a worker killed every 5 s; lost and doubled writes read back from the database.
bench-load: setup
	$(BIN)/python bench/load.py $(LOAD_ARGS)

clean:
	rm -rf $(VENV) node_modules $(VENDOR)
