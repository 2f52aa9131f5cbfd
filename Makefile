# `make run` starts the app (the sandbox when no key is stored); `make test` runs the whole suite.
# Both set up everything they need on a fresh Debian machine.
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint sandbox clean

$(STAMP): pyproject.toml requirements/constraints.txt scripts/bootstrap.sh
	scripts/bootstrap.sh

run: $(STAMP)
	scripts/system-deps.sh run
	$(BIN)/get3w-desktop

test: $(STAMP)
	scripts/system-deps.sh test
	scripts/test.sh

sandbox: $(STAMP)
	$(BIN)/get3w sandbox

clean:
	rm -rf $(VENV) build dist .mypy_cache .ruff_cache .pytest_cache .import_linter_cache
