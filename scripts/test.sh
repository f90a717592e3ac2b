#!/usr/bin/env bash
# Sets everything up and runs the whole suite: lint, types, layer contracts, and the tests
# (Qt tests on a virtual screen, keyring tests with a private GNOME Keyring).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
.venv/bin/ruff check src tests benchmarks
.venv/bin/ruff format --check src tests benchmarks
.venv/bin/mypy
.venv/bin/lint-imports
./scripts/with-keyring.sh xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python -m pytest "$@"
