#!/usr/bin/env bash
# The whole suite: lint, format, types, import contracts, tests. Used by `make test` and CI.
set -euo pipefail
cd "$(dirname "$0")/.."
export QT_QPA_PLATFORM=offscreen
bin=.venv/bin
echo "== ruff";           "$bin/ruff" check .
echo "== ruff format";    "$bin/ruff" format --check .
echo "== mypy --strict";  "$bin/mypy"
echo "== import contracts"; "$bin/lint-imports"
echo "== pytest";         "$bin/pytest" "$@"
