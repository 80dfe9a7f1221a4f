# Golive: `make demo` shows a go-live with no infrastructure; `make test` runs the whole suite.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Debian packages the integration tests start as real servers (installed when root and missing)
SERVER_PACKAGES := prometheus prometheus-alertmanager postgresql openssh-client tmux iproute2 chromium

.PHONY: demo test unit static bench servers clean

$(STAMP): pyproject.toml setup.py
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

servers:
	@if [ "$$(id -u)" = 0 ]; then \
	  missing=""; \
	  for p in $(SERVER_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	  if [ -n "$$missing" ]; then \
	    echo "installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  fi; \
	fi

demo: $(STAMP)
	$(BIN)/golive demo

# ruff (a small rule set), the import contracts, and mypy on the core and the sources; mypy finds
# the golive.* names through a link named golive to the checkout
static: $(STAMP)
	$(BIN)/ruff check --quiet .
	$(BIN)/lint-imports --no-cache
	@mkdir -p $(VENV)/typecheck && ln -sfn "$(CURDIR)" $(VENV)/typecheck/golive
	MYPYPATH=$(VENV)/typecheck $(BIN)/mypy --cache-dir $(VENV)/mypy-cache -p golive.console -p golive.checks

test: $(STAMP) servers static
	$(BIN)/pytest -q -p no:cacheprovider

unit: $(STAMP)
	$(BIN)/pytest -q tests/unit

bench: $(STAMP) servers
	$(BIN)/pip install -q -e '.[bench]'
	$(BIN)/python bench/poll_cycle.py
	$(BIN)/python bench/ui.py
	$(BIN)/python bench/driver.py

clean:
	rm -rf $(VENV) build *.egg-info golive-sessions
