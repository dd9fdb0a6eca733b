# Two commands do all the set-up on a fresh machine:
#   make run   - virtualenv, dependencies, migrations, then the dev server on SQLite
#   make test  - the same set-up, then lint and the whole test suite
# PYTHON must be 3.12 or newer; inside the repo, pyenv's python3 reads .python-version.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-fast lint check-browser serve calibrate bench mutate mutate-report clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "Python 3.12+ is needed; found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --editable . --group test
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@files="$$(git ls-files '*.html')"; [ -z "$$files" ] || { echo "djade --check"; $(BIN)/djade --check $$files; }

# The browser tests drive Debian's chromium (Playwright cannot download browsers here).
# As root with apt, install it; otherwise say so, and the browser tests are skipped
# (in CI, where CI=true, they fail instead).
check-browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "chromium not found: browser tests will be skipped (apt-get install -y chromium)"; \
	  fi; }

# The tests run in TEST_WORKERS processes (pytest-xdist; each its own test database);
# TEST_WORKERS=0 runs them in this process, as a debugger wants. Tests are handed out
# one by one in pytest-django's order, database tests before the transactional ones
# that empty the tables: handed out a file at a time (--dist loadfile), a file's
# transactional tests emptied the seeded catalog under the files after it.
TEST_WORKERS ?= 2
XDIST := $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS))

test: $(STAMP) lint check-browser
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest $(XDIST) $(PYTEST_ARGS)

# The quick loop: no browser, no subprocess or concurrency tests (make test runs all).
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not browser and not slow" -q $(XDIST) $(PYTEST_ARGS)

# Production: DEBUG off unless the environment says otherwise; DJANGO_SECRET_KEY,
# DJANGO_ALLOWED_HOSTS and DATABASE_URL come from the environment (docs/operations.md).
# gunicorn's settings (gthread workers, WORKERS processes of THREADS threads) are in
# config/gunicorn.py.
WORKERS ?= 4
THREADS ?= 8
serve: export DJANGO_DEBUG ?= False
serve: export WORKERS := $(WORKERS)
serve: export THREADS := $(THREADS)
serve: $(STAMP)
	$(BIN)/python manage.py collectstatic --noinput
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/gunicorn config.wsgi --config config/gunicorn.py --bind $(HOST):$(PORT)

# The load benchmark (not a test): SQLite, then PostgreSQL unless BENCH_POSTGRES is empty.
BENCH_POSTGRES ?= postgres://postgres@127.0.0.1:5432/postgres
bench: $(STAMP)
	$(BIN)/python bench/load.py $(if $(BENCH_POSTGRES),--postgres $(BENCH_POSTGRES)) $(BENCH_ARGS)

# Mutation testing (docs/testing.md): not part of `make test` or CI. mutmut copies the
# project into mutants/ and runs only the tests that reach each mutated function. The
# whole set takes about an hour on 2 idle cores; MUTATE narrows it to some modules
# (mutmut's name globs), e.g. make mutate MUTATE='calculator.estimator.cost*', and then
# selects only those modules' tests (tests/mutation_run.py); MUTATE_TESTS picks the test
# files by hand.
MUTATE ?=
MUTATE_TESTS ?=
MUTATE_TIMEOUT ?=
MUTATE_JOBS ?= 2
MUTATE_DB := $(CURDIR)/mutants/template.sqlite3
mutate: $(STAMP)
	@# Always from scratch: mutmut 3.8.1 collects coverage again only for tests it has
	@# not seen (and then maps the functions they reach to those tests alone), and keeps
	@# old verdicts, so a reused mutants/ misjudges changed code and tests.
	rm -rf mutants && mkdir mutants
	DATABASE_URL=sqlite:///$(MUTATE_DB) $(BIN)/python manage.py migrate --noinput -v 0
	CALCULATOR_MUTATION_DB=$(MUTATE_DB) $(BIN)/python -m tests.mutation_run \
	  --max-children $(MUTATE_JOBS) $(if $(MUTATE_TIMEOUT),--timeout-multiplier $(MUTATE_TIMEOUT)) \
	  $(MUTATE) $(if $(MUTATE_TESTS),--tests $(MUTATE_TESTS))
	$(BIN)/python -m tests.mutation_report

# The summary again (score per module, survivors not judged equivalent), from mutants/.
mutate-report: $(STAMP)
	$(BIN)/python -m tests.mutation_report

calibrate: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py calibrate

clean:
	rm -rf $(VENV) staticfiles mutants
