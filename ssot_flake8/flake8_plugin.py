"""The flake8 front-end: the engine's findings for one file, at their lines, for editors and CI.

flake8 reads only setup.cfg/tox.ini/.flake8, so the plugin reads the policy itself: from
`--ssot-config` (or `ssot-config =` in the flake8 section), else discovered from the working
directory the way import-linter finds its configuration. With no policy found it reports nothing,
so installing the plugin never breaks a project that has no policy. A policy that cannot be used
never stops flake8 either: its problems go to stderr once, every checked file gets one SOT000
at its first line (what an editor shows), and the other plugins' findings are reported as usual.

`--ssot-baseline FILE` (or `ssot-baseline =`) takes the baseline that `ssot baseline` writes: the
findings recorded there are not reported, exactly as `ssot check --baseline FILE` does. Without
it, the ssot contract's `baseline =` is used, as every front-end does.

The plugin reads (never writes) `ssot check`'s cache when flake8 checks a directory or many
files: a file whose text is the very text an earlier `ssot check` checked (same content hash,
same answers from the index) gets that run's findings without a walk. Those findings are already
past `# noqa`, so with `--disable-noqa` every file is checked afresh.
"""

from __future__ import annotations

import ast
import os
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ssot_flake8 import __version__
from ssot_flake8.analysis.engine import check_tree
from ssot_flake8.analysis.index import expand_policy
from ssot_flake8.analysis.prefilter import could_match
from ssot_flake8.policy.config import find_config, load_policy
from ssot_flake8.policy.model import Policy, PolicyError
from ssot_flake8.rules.suppressions import unused_noqa

if TYPE_CHECKING:
    from ssot_flake8.services.baseline import Baseline
    from ssot_flake8.services.cache import Cache


MANY_FILES = 32  # named files from which `ssot check`'s cache is read


class SsotChecker:
    name = "ssot-flake8"
    version = __version__
    policy: Policy | None = None
    baseline: Baseline | None = None
    policy_error: str | None = None  # the first problem of a policy that cannot be used
    check_cache: Cache | None = None  # `ssot check`'s cache, read only

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
        manager.add_option(
            "--ssot-baseline",
            default=None,
            parse_from_config=True,
            normalize_paths=True,  # a relative path in a config file is relative to that file
            help="A baseline file written by `ssot baseline`: the findings recorded there are "
            "not reported.",
        )

    @classmethod
    def parse_options(cls, options) -> None:
        cls.policy = cls.baseline = cls.policy_error = cls.check_cache = None
        try:
            config = _beside_config(options, "ssot_config") or _discovered_config()
            if config:
                # Built once, in flake8's main process before it forks its workers; the disk
                # cache keeps a repeated run cheap, so every file sees the whole tree's index.
                cls.policy = load_policy(config)
                expand_policy(cls.policy)
                if _many_files(options) and not getattr(options, "disable_noqa", False):
                    cls.check_cache = _check_cache(cls.policy)
            if options.ssot_baseline:
                cls.baseline = _load_baseline(_beside_config(options, "ssot_baseline"))
            elif cls.policy is not None and cls.policy.baseline is not None:
                cls.baseline = _load_baseline(str(cls.policy.baseline))
        except PolicyError as error:
            problems = str(error).splitlines()
            sys.stderr.writelines(f"ssot-flake8: error: {line}\n" for line in problems)
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            cls.policy, cls.baseline = None, None
            cls.policy_error = f"SOT000 the SSOT policy cannot be used: {problems[0]}{more}"

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        if self.policy_error:
            yield 1, 0, self.policy_error, type(self)
            return
        policy = self.policy
        if policy is None:
            return
        data = "".join(self.lines).encode("utf-8", "surrogatepass")
        if not could_match(data, policy, self.filename):
            findings = unused_noqa([], self.lines, self.filename)
        else:
            findings = self._cached(data)
        if findings is None:
            findings = [*self._not_utf8(), *check_tree(self.tree, self.filename, policy, self.lines)]
            # flake8 applies noqa comments after the plugin. The plugin reports the SOT codes that
            # such a comment lists and no finding of it matches (SOT900), as `ssot check` does.
            findings += unused_noqa(findings, self.lines, self.filename)
        if self.baseline is not None:
            findings = self._not_in_baseline(findings)
        for finding in findings:
            yield finding.line, finding.col - 1, f"{finding.code} {finding.message}", type(self)

    def _cached(self, data: bytes) -> list | None:
        """The findings `ssot check` cached for this very text (past noqa, SOT900 included), or
        None: the content hash, not the file's stat, decides, so an edited file is checked
        afresh."""
        cache = self.check_cache
        if cache is None or self.filename in ("-", "stdin"):
            return None
        key = os.path.normpath(os.path.join(os.getcwd(), self.filename))  # as ssot check keys it
        entry = cache.entries.get(key)
        if entry is None or entry.hash is None:  # None: the pre-filter passed over it
            return None
        from ssot_flake8.services.cache import content_hash

        if content_hash(data) != entry.hash or not cache.still_answered(key, entry):
            return None
        return [finding for finding, _ in entry.findings_for(self.filename)]

    def _not_in_baseline(self, findings):
        """flake8 applies `# noqa` after the plugin; silenced findings are dropped first here so
        that the baseline counts the same findings as `ssot check` does."""
        from ssot_flake8.services.runner import Reported, silenced, source_line  # only with a baseline

        lines = [line.rstrip("\r\n") for line in self.lines]
        kept = [f for f in findings if not silenced(f, lines)]
        reported = [Reported(f, source_line(lines, f.line)) for f in kept]
        return [item.finding for item in self.baseline.new_findings(reported)]

    def _not_utf8(self) -> list:
        """flake8 reads a file that is not UTF-8 (and declares no encoding) as Latin-1; the SOT000
        `ssot check` reports for it is reported here too (the bytes are read again only when a
        line holds a non-ASCII character)."""
        if self.filename in ("-", "stdin") or all(line.isascii() for line in self.lines):
            return []
        from ssot_flake8.rules.files import unparsable
        from ssot_flake8.source.text import SourceError, decode_as_flake8

        try:
            with open(self.filename, "rb") as file:
                _, problem = decode_as_flake8(file.read())
        except (OSError, SourceError):
            return []
        return [unparsable(problem, self.filename)] if problem else []


def _many_files(options) -> bool:
    """A directory or a long list of files (CI, pre-commit), where reading the cache (~0.15 s on
    a tree of 10,000 files) pays; not one file or stdin (an editor), where it would not."""
    names = getattr(options, "filenames", None) or ["."]
    return len(names) >= MANY_FILES or any(os.path.isdir(name) for name in names)


def _check_cache(policy: Policy) -> Cache | None:
    """`ssot check`'s cache for this policy, when one was written for it (same fingerprint)."""
    from ssot_flake8.services.cache import Cache

    try:
        cache = Cache.for_policy(policy)
    except Exception:  # only a cache: a damaged or unreadable one is simply not used
        return None
    return cache if cache.entries else None


def _load_baseline(path: str) -> Baseline:
    """Imported only when a baseline is given: flake8 starts the plugin in every worker."""
    from ssot_flake8.services.baseline import Baseline, BaselineError

    try:
        return Baseline.load(path)
    except BaselineError as error:
        raise PolicyError(str(error)) from None


def _beside_config(options, name: str) -> str | None:
    """A relative path from the `[flake8]` section is relative to that config file. flake8 makes
    it so only for paths with a slash (`./x`, `a/x`), so a bare `.importlinter` is done here;
    one given on the command line stays relative to the working directory."""
    value = getattr(options, name, None)
    flag = "--" + name.replace("_", "-")
    if not value or os.path.isabs(value) or any(a.startswith(flag) for a in sys.argv[1:]):
        return value
    if getattr(options, "isolated", False):
        return value
    config = getattr(options, "config", None)
    if config is None:
        try:
            from flake8.options.config import _find_config_file  # how flake8 itself finds it
        except ImportError:  # pragma: no cover - another flake8
            return value
        config = _find_config_file(os.path.abspath("."))
    return os.path.join(os.path.dirname(os.path.abspath(config)), value) if config else value


def _discovered_config() -> str | None:
    try:
        return str(find_config())
    except PolicyError:
        return None  # no policy here: nothing to check
