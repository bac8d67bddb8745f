"""`ssot lint-imports`: import-linter itself, on a graph that reads past files that do not parse."""

from ssot_flake8.commands.lint_imports.command import add_parser, run_lint_imports

__all__ = ["add_parser", "run_lint_imports"]
