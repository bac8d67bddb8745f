"""What every `ssot` verb shares: the usage error, the policy option, the configured excludes
and how paths are shown.

Kept apart from cli.py so the verbs' modules depend on it and cli.py depends on them, never the
other way round (the project's own layering contract checks this).
"""

from __future__ import annotations

import argparse
import configparser
import os
from pathlib import Path

from ssot_flake8.analysis.index import expand_policy
from ssot_flake8.policy.config import find_config, load_policy, tomllib
from ssot_flake8.policy.model import Policy, PolicyError


class UsageError(Exception):
    """A bad command line: one line on stderr, exit 2."""


def add_config_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        help="import-linter config holding the policy (default: setup.cfg, .importlinter or "
        "pyproject.toml found from the checked paths or the working directory upwards)",
    )


def policy_for(args: argparse.Namespace, *, index: bool = True) -> Policy:
    """The policy, grown by the symbol index of its tree (what every verb should check with).

    Without --config it is found from the checked paths upwards (then from the working
    directory), so `ssot check examples/legacy` uses that tree's own policy."""
    config = getattr(args, "config", None)
    paths = [p for p in getattr(args, "paths", None) or [] if os.path.exists(p)]
    if config is None and paths:
        start = os.path.commonpath([os.path.abspath(p) for p in paths])
        start = start if os.path.isdir(start) else os.path.dirname(start)
        if start != os.getcwd():
            try:
                config = str(find_config(Path(start)))
            except PolicyError as error:  # then from the working directory, as --help says
                try:
                    config = str(find_config())
                except PolicyError:
                    raise PolicyError(f"{error}, nor in {os.getcwd()} or its parents") from None
    policy = load_policy(config)
    if index:  # `--no-cache` keeps the index's cache untouched too
        expand_policy(policy, use_cache=not getattr(args, "no_cache", False),
                      jobs=getattr(args, "jobs", None))
    return policy


def configured_excludes(config: Path) -> list[str]:
    """`extend-exclude` from the `[ssot]` (INI) or `[tool.ssot]` (pyproject) section of the
    file that holds the policy."""
    try:
        text = config.read_text(encoding="utf-8")
        if config.suffix == ".toml":
            value = tomllib.loads(text).get("tool", {}).get("ssot", {}).get("extend-exclude", [])
            return [str(v) for v in (value if isinstance(value, list) else [value])]
        parser = configparser.ConfigParser(interpolation=None)
        parser.read_string(text)
        value = parser.get("ssot", "extend-exclude", fallback="")
    except (OSError, ValueError, configparser.Error):
        return []  # load_policy has already read this file; it is not ours to complain about
    return [item.strip() for item in value.replace("\n", ",").split(",") if item.strip()]


def shown(path: Path) -> Path:
    """A path relative to the working directory when it lies below it (for messages); compared
    as given, then resolved, so a working directory reached through a symlink still matches."""
    for target, base in ((path, Path.cwd()), (path.resolve(), Path.cwd().resolve())):
        try:
            return target.relative_to(base)
        except ValueError:
            continue
    return path
