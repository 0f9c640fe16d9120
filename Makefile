# The two commands: `make run` starts the embedded stack, `make test` checks everything.
# Both create the virtualenv and install the project when needed (fresh clone, fresh machine).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

AXE_VERSION := 4.14.1
AXE := build/npm/node_modules/axe-core/axe.min.js

.PHONY: install run test lint typecheck unit format clean system-deps axe bytecode

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "guichet needs Python >= 3.11, found " + sys.version.split()[0] + " at " + sys.executable)'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

# The project's bytecode, as the image's `pip install` writes it: the workflow sandbox imports
# the workflow modules again for every workflow it loads, and without a .pyc (the environment
# may set PYTHONDONTWRITEBYTECODE) it compiles them from source each time. Quick when current.
bytecode: $(STAMP)
	@$(BIN)/python -m compileall -q activities events models rules workers workflows

# From Debian: PostgreSQL for the read-model tests (they start their own throwaway cluster),
# chromium for the console's browser tests (Playwright drives /usr/bin/chromium, no download),
# npm to fetch axe-core for those tests (below) and libfaketime for the scenario runner (it
# starts the time-skipping server at a past date).
system-deps:
	@missing=""; \
	ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing="$$missing postgresql"; \
	test -x /usr/bin/chromium || missing="$$missing chromium"; \
	command -v npm >/dev/null 2>&1 || missing="$$missing npm"; \
	ls /usr/lib/*/faketime/libfaketime.so.1 >/dev/null 2>&1 || missing="$$missing faketime"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "missing Debian packages:$$missing; run 'sudo apt-get install -y$$missing' once"; exit 1; \
	  fi; \
	fi

# axe-core (the npm package), which the console's browser tests inject into every page: into
# build/npm/ of this checkout, with Debian's npm (system-deps), never a global install.
$(AXE): | system-deps
	npm install --silent --no-audit --no-fund --no-save --prefix build/npm axe-core@$(AXE_VERSION)

axe: $(AXE)

run: bytecode
	$(BIN)/guichet dev

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-logo

typecheck: $(STAMP)
	$(BIN)/mypy .

test: system-deps axe lint typecheck bytecode
	$(BIN)/pytest

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) data build *.egg-info
