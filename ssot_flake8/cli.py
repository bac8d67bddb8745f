"""The `ssot` command line. Each verb adapts input and output; the engine does the analysis.

Exit codes follow ruff: 0 clean, 1 findings (or files changed, for fixers), 2 usage or config error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import __version__, audit, check_command, fix
from .options import UsageError
from .policy import PolicyError
from .rules import rules_table_markdown, rules_text


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except (PolicyError, UsageError) as error:
        print(f"ssot: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ssot", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"ssot {__version__}")
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="COMMAND")

    check_command.add_parser(verbs)

    fix.add_parser(verbs)

    rules = verbs.add_parser("rules", help="print the rule catalog")
    rules.add_argument("--format", choices=("text", "markdown"), default="text")
    rules.set_defaults(handler=run_rules)

    audit.add_parser(verbs)

    from . import init, ruff_sync

    ruff_sync.add_parser(verbs)
    init.add_parser(verbs)
    return parser


def run_rules(args: argparse.Namespace) -> int:
    print(rules_table_markdown() if args.format == "markdown" else rules_text())
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
