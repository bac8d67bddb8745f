"""What every `ssot` verb shares: the usage error and the policy option.

Kept apart from cli.py so the verbs' modules depend on it and cli.py depends on them, never the
other way round (the project's own layering contract checks this).
"""

from __future__ import annotations

import argparse

from .policy import Policy, load_policy


class UsageError(Exception):
    """A bad command line: one line on stderr, exit 2."""


def add_config_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        help="import-linter config holding the policy (default: setup.cfg, .importlinter or "
        "pyproject.toml found from the checked paths or the working directory upwards)",
    )


def policy_for(args: argparse.Namespace) -> Policy:
    return load_policy(getattr(args, "config", None))
