#!/usr/bin/env bash
# README command 1: install into .venv and run every front-end on the bundled legacy tree.
# Findings are expected here: the legacy tree reproduces every category of the audit.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh || exit 2
bin="$PWD/.venv/bin"
cd examples/legacy
echo "== flake8 --select SOT (the editor / CI plugin) =="
"$bin/flake8" --select SOT netra_backend
echo
echo "== lint-imports (import-linter with the bundled contracts) =="
"$bin/lint-imports"
echo
echo "== ssot check (the standalone checker) =="
"$bin/ssot" check netra_backend
echo
echo "Every front-end above read the same policy: examples/legacy/.importlinter"
