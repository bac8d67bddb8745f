"""The `ssot` command line. Each verb adapts input and output; the engine does the analysis.

Exit codes follow ruff: 0 clean, 1 findings (or files changed, for fixers), 2 usage or config error.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from ssot_flake8 import __version__
from ssot_flake8.policy.model import PolicyError
from ssot_flake8.rules import rules_table_markdown, rules_text
from ssot_flake8.services.options import UsageError

# Each verb's module registers its sub-parser (add_parser). Only the module of the verb being run
# is imported, so `ssot check` does not pay for libcst (fix) or the init scanner.
VERB_MODULES = {
    "check": "check",
    "baseline": "check",
    "fix": "fix",
    "audit": "audit",
    "sync-ruff": "sync_ruff",
    "init": "init.command",
    "lint-imports": "lint_imports",
}


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if args.verb == "check" and getattr(args, "output_format", None) == "json":
        # ruff's `fix` objects come from the fixer; the verbs do not import each other
        args.json_fixes = importlib.import_module("ssot_flake8.commands.fix.edits").json_fixes
    try:
        return args.handler(args)
    except (PolicyError, UsageError) as error:
        for line in str(error).splitlines():  # a policy with several problems: one line each
            print(f"ssot: error: {line}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`ssot check | head`): stop quietly, as ruff and grep do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def build_parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ssot", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"ssot {__version__}")
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="COMMAND")
    verb = next((arg for arg in argv if not arg.startswith("-")), None)
    wanted = [VERB_MODULES[verb]] if verb in VERB_MODULES else list(VERB_MODULES.values())
    for name in dict.fromkeys(wanted):  # all of them for `ssot --help` or an unknown verb
        importlib.import_module(f"ssot_flake8.commands.{name}").add_parser(verbs)
    rules = verbs.add_parser("rules", help="print the rule catalog")
    rules.add_argument("--output-format", "--format", dest="format", choices=("text", "markdown"),
                       default="text", help="text (default) or markdown (`--format` is an alias)")
    rules.set_defaults(handler=run_rules)
    return parser


def run_rules(args: argparse.Namespace) -> int:
    print(rules_table_markdown() if args.format == "markdown" else rules_text())
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
