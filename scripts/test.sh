#!/usr/bin/env bash
# The whole check: a virtualenv with the package and its test extras, then ruff, mypy --strict
# and pytest. This is the README's test command and what .ci/run executes.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip >/dev/null
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
# the report's browser test needs Debian's chromium; CI installs it, elsewhere the test skips
if [ "${CI:-}" = "true" ] && ! command -v chromium >/dev/null 2>&1; then
  apt-get install -y -q chromium >/dev/null 2>&1 \
    || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null 2>&1; } \
    || echo "chromium could not be installed: the report's browser test will be skipped" >&2
fi
# the Go programs (the baton CLI, our connector binary), cached: without go the tests that need
# them skip, except under CI=true, where go_tools.sh fails and so does the check
if command -v go >/dev/null 2>&1 || [ "${CI:-}" = "true" ]; then
  bash scripts/go_tools.sh baton connector >/dev/null
fi
.venv/bin/ruff check .
.venv/bin/mypy
.venv/bin/pytest "$@"
