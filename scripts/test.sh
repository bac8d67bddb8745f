#!/usr/bin/env bash
# README command 2: install what the tests need into .venv, then run the whole suite:
# ruff on the project, the project's own layering contracts, and pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
.venv/bin/ruff check .
.venv/bin/lint-imports --config setup.cfg --no-cache --no-logo
.venv/bin/python -m pytest "$@"
