#!/usr/bin/env bash
# README command 2: install what the tests need into .venv, then run the whole suite:
# ruff on the project, the project's own layering contracts, and pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
.venv/bin/ruff check .
.venv/bin/lint-imports setup.cfg --no-cache --no-logo
# The other supported CPythons found here (3.10-3.13, pyenv), on the version-sensitive tests
# (about 25 s each once their .venv-3.X exists; scripts/test-all-pythons.sh runs the whole
# suite on each). SSOT_ONE_PYTHON=1 skips them.
if [ "${SSOT_ONE_PYTHON:-}" != 1 ]; then
    current=$(.venv/bin/python -c 'import sys; print("%d.%d" % sys.version_info[:2])')
    PYTHONS=$(printf '%s\n' 3.10 3.11 3.12 3.13 | grep -vx "$current" | tr '\n' ' ') \
        bash scripts/test-all-pythons.sh tests/test_index.py tests/test_engine.py tests/test_bad_input.py
fi
.venv/bin/python -m pytest "$@"
