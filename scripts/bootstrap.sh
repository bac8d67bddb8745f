#!/usr/bin/env bash
# Create .venv (git-ignored) and install the bundle with its test tools. Re-runs are cheap:
# the install is skipped while setup.cfg is unchanged.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}
if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
stamp="$VENV/.installed-$(cat setup.cfg pyproject.toml | sha1sum | cut -c1-12)"
if [ ! -f "$stamp" ]; then
    echo "Installing ssot-flake8 and its test tools into $VENV ..." >&2
    log="$VENV/install.log"
    if ! { "$VENV/bin/python" -m pip install --disable-pip-version-check --upgrade pip \
           && "$VENV/bin/python" -m pip install --disable-pip-version-check -e '.[test]'; } >"$log" 2>&1
    then
        tail -n 30 "$log" >&2
        echo "bootstrap: pip install failed (full log: $log)" >&2
        exit 1
    fi
    rm -f "$VENV"/.installed-*
    touch "$stamp"
fi
