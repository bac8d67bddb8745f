"""The flake8 front-end: the engine's findings for one file, at their lines, for editors and CI.

flake8 reads only setup.cfg/tox.ini/.flake8, so the plugin reads the policy itself: from
`--ssot-config` (or `ssot-config =` in the flake8 section), else discovered from the working
directory the way import-linter finds its configuration. With no policy found it reports nothing,
so installing the plugin never breaks a project that has no policy.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator

from . import __version__
from .engine import check_tree
from .policy import Policy, PolicyError, find_config, load_policy


class SsotChecker:
    name = "ssot-flake8"
    version = __version__
    policy: Policy | None = None

    def __init__(self, tree: ast.Module, filename: str, lines: list[str]) -> None:
        self.tree = tree
        self.filename = filename
        self.lines = lines

    @classmethod
    def add_options(cls, manager) -> None:
        manager.add_option(
            "--ssot-config",
            default=None,
            parse_from_config=True,
            normalize_paths=True,  # a relative path in a config file is relative to that file
            help="The import-linter config file that holds the SSOT policy "
            "(default: setup.cfg, .importlinter or pyproject.toml, found from the working directory).",
        )

    @classmethod
    def parse_options(cls, options) -> None:
        cls.policy = None
        try:
            config = options.ssot_config or _discovered_config()
            if config:
                cls.policy = load_policy(config)
        except PolicyError as error:
            sys.stderr.write(f"ssot-flake8: error: {error}\n")
            raise SystemExit(2) from None

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        policy = self.policy
        if policy is None or not self._could_match(policy):
            return
        for finding in check_tree(self.tree, self.filename, policy, self.lines):
            yield finding.line, finding.col - 1, f"{finding.code} {finding.message}", type(self)

    def _could_match(self, policy: Policy) -> bool:
        text = "".join(self.lines)
        return any(word.decode() in text for word in policy.keywords())


def _discovered_config() -> str | None:
    try:
        return str(find_config())
    except PolicyError:
        return None  # no policy here: nothing to check
