# `make run` starts the app (the sandbox when no key is stored); `make test` runs the whole suite.
# Both set up everything they need on a fresh Debian machine.
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint sandbox clean dist bench screenshots

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

dist: $(STAMP)
	scripts/system-deps.sh dist
	packaging/build.sh

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m bench.startup
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m bench.responsiveness
	$(BIN)/python -m bench.polling
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m bench.throughput
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m bench.scale
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m bench.history_actions
	$(BIN)/python -m bench.size

screenshots: $(STAMP)
	scripts/system-deps.sh screenshots
	$(BIN)/python scripts/screenshots.py
	$(BIN)/python scripts/screenshots_catalogue.py

clean:
	rm -rf $(VENV) build dist .mypy_cache .ruff_cache .pytest_cache .import_linter_cache
