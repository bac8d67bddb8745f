"""Run flake8 with only some of its installed checker plugins loaded.

    python benchmarks/flake8_plugins.py E,F,W,C90,SOT -- [flake8 arguments]

flake8 runs every installed checker whatever `--select` says (select only filters what is
reported), so `flake8 --select SOT` still pays for pycodestyle and pyflakes. To time flake8's
default checks alone, and then the same plus the SOT plugin, in one environment, this drops the
checkers whose entry-point name is not listed before flake8 loads them. Reporters stay.
"""

from __future__ import annotations

import sys

from flake8.main.cli import main
from flake8.plugins import finder

CHECKER_GROUP = "flake8.extension"


def keep_only(names: set[str]) -> None:
    find_plugins = finder.find_plugins

    def filtered(cfg, opts):
        return [
            plugin for plugin in find_plugins(cfg, opts)
            if plugin.entry_point.group != CHECKER_GROUP or plugin.entry_point.name in names
        ]

    finder.find_plugins = filtered


if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[2] != "--":
        sys.exit(f"usage: {sys.argv[0]} NAME[,NAME...] -- [flake8 arguments]")
    keep_only(set(sys.argv[1].split(",")))
    sys.exit(main(sys.argv[3:]))
