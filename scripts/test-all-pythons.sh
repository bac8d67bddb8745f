#!/usr/bin/env bash
# The test suite under every CPython the bundle supports (3.10-3.13) that this machine has
# (on PATH as python3.X, or under pyenv). Each gets its own git-ignored .venv-3.X; arguments go
# to pytest (e.g. `tests/test_index.py` for a fast subset). PYTHONS="3.10 3.13" picks versions.
# Exit 1 if any version fails.
set -uo pipefail
cd "$(dirname "$0")/.."

find_python() {  # the newest 3.$1 under pyenv, else python3.$1 on PATH (if it really runs)
    local found
    found=$(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3."$1".*/bin/python 2>/dev/null | sort -V | tail -1)
    [ -n "$found" ] || found=$(command -v "python3.$1" 2>/dev/null) || return 1
    "$found" -c 'import sys' 2>/dev/null && echo "$found"
}

status=0
for version in ${PYTHONS:-3.10 3.11 3.12 3.13}; do
    minor=${version#3.}
    python=$(find_python "$minor") || { echo "== Python 3.$minor: not installed, skipped"; continue; }
    echo "== Python 3.$minor ($python)"
    start=$SECONDS
    if ! PYTHON="$python" VENV=".venv-3.$minor" bash scripts/bootstrap.sh; then
        echo "== Python 3.$minor: install failed"; status=1; continue
    fi
    ".venv-3.$minor/bin/python" -m pytest -p no:cacheprovider "$@" || status=1
    echo "== Python 3.$minor: $((SECONDS - start)) s"
done
exit $status
