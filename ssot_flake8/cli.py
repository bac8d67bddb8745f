"""The `ssot` command line. Each verb adapts input and output; the engine does the analysis.

Exit codes follow ruff: 0 clean, 1 findings (or files changed, for fixers), 2 usage or config error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from . import __version__
from .engine import check_file
from .policy import Policy, PolicyError, load_policy
from .rules import rules_table_markdown, rules_text

SKIPPED_DIRS = {".git", ".venv", "venv", "__pycache__", ".tox", ".mypy_cache", "node_modules"}


class UsageError(Exception):
    """A bad command line: one line on stderr, exit 2."""


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

    check = verbs.add_parser("check", help="report SSOT violations in files or directories")
    check.add_argument("paths", nargs="*", default=["."], help="files or directories (default: .)")
    add_config_option(check)
    check.set_defaults(handler=run_check)

    rules = verbs.add_parser("rules", help="print the rule catalog")
    rules.add_argument("--format", choices=("text", "markdown"), default="text")
    rules.set_defaults(handler=run_rules)

    from . import init, ruff_sync

    ruff_sync.add_parser(verbs)
    init.add_parser(verbs)
    return parser


def add_config_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        help="import-linter config holding the policy (default: setup.cfg, .importlinter or "
        "pyproject.toml found from the working directory)",
    )


def run_rules(args: argparse.Namespace) -> int:
    print(rules_table_markdown() if args.format == "markdown" else rules_text())
    return 0


def run_check(args: argparse.Namespace) -> int:
    policy = load_policy(args.config)
    findings = [f for path in iter_python_files(args.paths) for f in check_file(path, policy)]
    for finding in findings:
        print(finding.text())
    if findings:
        print(f"Found {len(findings)} error{'s' if len(findings) != 1 else ''}.")
    return 1 if findings else 0


def iter_python_files(paths: Sequence[str]) -> Iterator[Path]:
    for name in paths:
        path = Path(name)
        if not path.exists():
            raise UsageError(f"{name}: no such file or directory")
        if path.is_file():
            yield path
            continue
        for child in sorted(path.rglob("*.py")):
            if not SKIPPED_DIRS.intersection(child.relative_to(path).parts):
                yield child


def policy_for(args: argparse.Namespace) -> Policy:
    return load_policy(getattr(args, "config", None))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
