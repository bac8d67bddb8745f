"""`ssot lint-imports [lint-imports' options]`: runs import-linter's own command line (its options,
contracts, output and exit codes) with one port replaced: the graph builder (builder.py)."""

from __future__ import annotations

import argparse

from ssot_flake8.commands.lint_imports.builder import TolerantGraphBuilder

PROG = "ssot lint-imports"


def add_parser(verbs) -> None:
    parser = verbs.add_parser(
        "lint-imports", add_help=False, prefix_chars="\0",  # every argument is import-linter's
        help="import-linter's lint-imports on a graph that reads past files that do not parse "
             "(takes lint-imports' options: --config, --contract, --no-cache, --verbose ...)")
    parser.add_argument("arguments", nargs=argparse.REMAINDER)
    parser.set_defaults(handler=run_lint_imports)


def run_lint_imports(args: argparse.Namespace) -> int:
    return lint_imports(args.arguments)


def lint_imports(arguments: list[str]) -> int:
    from importlinter import cli  # configures import-linter's settings on import
    from importlinter.application.app_config import settings

    settings.configure(GRAPH_BUILDER=TolerantGraphBuilder())
    try:
        cli.lint_imports_command.main(args=list(arguments), prog_name=PROG, standalone_mode=True)
    except SystemExit as stop:
        code = stop.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    return 0
