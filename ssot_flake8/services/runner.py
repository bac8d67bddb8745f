"""`ssot check`'s engine driver: find the files, reuse what did not change, check the rest.

Per file, in this order: the cache (stat, then content hash), the bytes pre-filter
(`engine.could_match`), and only then the parse. Misses are checked in a process pool when there
are enough of them; each worker receives the policy once, at start-up.
"""

from __future__ import annotations

import fnmatch
import os
import re
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ssot_flake8.analysis.engine import check_source
from ssot_flake8.analysis.prefilter import could_match
from ssot_flake8.analysis.walk import SymbolImport
from ssot_flake8.policy.model import Policy
from ssot_flake8.rules.files import unparsable
from ssot_flake8.rules.suppressions import silenced, unused_noqa
from ssot_flake8.services.cache import Cache, Entry, content_hash
from ssot_flake8.source.lines import source_lines
from ssot_flake8.source.text import Finding, SourceError
from ssot_flake8.support.parallel import map_in_workers, may_start_workers

# Never worth checking, inside or outside a git repository (ruff's defaults, less the rare ones).
DEFAULT_EXCLUDES = (
    ".git", ".hg", ".svn", ".venv", "venv", ".tox", ".nox", ".eggs", "__pycache__",
    ".mypy_cache", ".pytest_cache", ".ruff_cache", ".ssot_cache", "node_modules",
    "site-packages", "build", "dist",
)
PARALLEL_MIN_FILES = 64  # below this, starting worker processes costs more than it saves
# A noqa comment naming one of our codes: a file the pre-filter passes over is checked for SOT900.
_SOT_NOQA = re.compile(rb"(?i:noqa)[^\n]*SOT")


class InputError(Exception):
    """A path or revision on the command line that cannot be used: one line, exit 2."""


@dataclass(frozen=True)
class Reported:
    """A finding and the stripped text of its line (the baseline keys on it, not on the number)."""

    finding: Finding
    source: str


# -- which files -------------------------------------------------------------------------------


def discover(paths: Sequence[str], excludes: Sequence[str] = ()) -> list[str]:
    """The Python files under `paths`, as display paths, respecting .gitignore and excludes.

    Inside a git work tree git lists them (tracked plus untracked-not-ignored); elsewhere a walk
    does. A file named explicitly is checked unless an exclude pattern matches it.
    """
    excluded = Excludes((*DEFAULT_EXCLUDES, *excludes))
    found: dict[str, str] = {}  # absolute path -> display path
    cwd = os.getcwd()
    for name in paths:
        path = Path(name)
        if not path.exists() and not path.is_symlink():
            raise InputError(f"{name}: no such file or directory")
        if path.is_dir():
            listed = _git_listing(path)
            candidates = listed if listed is not None else _walk(path, excluded)
            # exclude patterns apply below the named directory, never to its own name
            here = listed is not None and os.path.normpath(name) == "."  # git lists normal names
            displayed = ((rel if here else os.path.normpath(os.path.join(name, rel)), rel)
                         for rel in candidates)
        else:
            displayed = iter([(os.path.normpath(name), name)])
        for display, relative in displayed:
            if not excluded(display, relative) and _readable_kind(display):
                # one path names each file once; two may name it twice (`ssot check . pkg`)
                key = display if len(paths) == 1 else os.path.normpath(os.path.join(cwd, display))
                found.setdefault(key, display)
    return sorted(found.values())


def _readable_kind(display: str) -> bool:
    """Only regular files are read: a named pipe or a device could block the run forever.
    Anything else is skipped with one line; a dangling link stays, to be reported unreadable; a
    file that is gone is left out."""
    try:
        mode = os.stat(display).st_mode
    except OSError:  # gone (git still lists a file deleted from the work tree), or a dangling link
        return os.path.lexists(display)
    if stat.S_ISREG(mode):
        return True
    print(f"ssot: warning: {display}: skipped, not a regular file", file=sys.stderr)
    return False


class Excludes:
    """Exclude patterns, compiled once. A pattern without a slash matches any component of the
    path below the named directory (`.venv`, `*_pb2.py`); one with a slash matches the path as
    given or the end of its absolute path (`examples/*`, `legacy/generated`)."""

    def __init__(self, patterns: Iterable[str]) -> None:
        patterns = list(patterns)
        self.names = {p for p in patterns if "/" not in p and not _has_magic(p)}
        globs = [p for p in patterns if "/" not in p and _has_magic(p)]
        self.name_glob = _compile(globs)
        paths = [p.rstrip("/") for p in patterns if "/" in p]
        self.path_glob = _compile(
            variant for p in paths for variant in (p, f"{p}/*", f"*/{p}", f"*/{p}/*"))

    def __call__(self, path: str, relative: str | None = None) -> bool:
        given = _normal(path)
        below = _normal(path if relative is None else relative)
        parts = [part for part in below.split("/") if part not in ("..", ".")]
        if self.names.intersection(parts):
            return True
        if self.name_glob and any(self.name_glob.match(part) for part in parts):
            return True
        if self.path_glob:
            absolute = os.path.abspath(path).replace(os.sep, "/")
            return bool(self.path_glob.match(given) or self.path_glob.match(absolute))
        return False


def _normal(path: str) -> str:
    """The path normalised, with `/`; as given when it is already (git lists ten thousand)."""
    if os.sep == "/" and "//" not in path and "/." not in "/" + path and not path.endswith("/"):
        return path
    return os.path.normpath(path).replace(os.sep, "/")


def _has_magic(pattern: str) -> bool:
    return any(c in pattern for c in "*?[")


def _compile(patterns: Iterable[str]) -> re.Pattern | None:
    translated = [fnmatch.translate(p) for p in patterns]
    return re.compile("|".join(translated)) if translated else None


def _git_listing(directory: Path) -> list[str] | None:
    """Python files under `directory` that git does not ignore, or None outside a work tree."""
    git = shutil.which("git")
    if git is None:
        return None
    command = [git, "-C", str(directory), "ls-files", "-z", "--cached", "--others",
               "--exclude-standard", "--", "*.py"]
    result = subprocess.run(command, capture_output=True, check=False)
    if result.returncode != 0:
        return None
    if not result.stdout and _git_ignored(git, directory):
        return None  # asked for by name, so checked: walk it as if outside git
    names = [n for n in result.stdout.decode("utf-8", "surrogateescape").split("\0") if n]
    # --cached also lists files deleted from the work tree but not yet from the index: the
    # caller's stat (_readable_kind) leaves them out
    return list(dict.fromkeys(names))


def _git_ignored(git: str, directory: Path) -> bool:
    command = [git, "-C", str(directory), "check-ignore", "-q", "."]
    return subprocess.run(command, capture_output=True, check=False).returncode == 0


def _walk(directory: Path, excluded: Excludes) -> list[str]:
    found = []
    for root, dirs, files in os.walk(directory):
        relative_root = os.path.relpath(root, directory)
        dirs[:] = [d for d in dirs
                   if not excluded(os.path.join(root, d), os.path.join(relative_root, d))]
        found += [os.path.join(relative_root, f) for f in files if f.endswith(".py")]
    return found


def changed_since(revision: str) -> set[str]:
    """Resolved paths of files changed since `revision` (`git diff --name-only`) plus untracked."""
    try:
        top = _git("rev-parse", "--show-toplevel").strip()
        changed = _git("-C", top, "diff", "--name-only", "-z", revision, "--").split("\0")
        untracked = _git("-C", top, "ls-files", "-z", "--others", "--exclude-standard").split("\0")
    except InputError as error:
        raise InputError(f"--changed-since {revision}: {error}") from None
    return {os.path.realpath(os.path.join(top, name)) for name in (*changed, *untracked) if name}


def _git(*arguments: str) -> str:
    git = shutil.which("git")
    if git is None:
        raise InputError("git is not on PATH")
    result = subprocess.run([git, *arguments], capture_output=True, check=False)
    if result.returncode != 0:
        lines = result.stderr.decode(errors="replace").strip().splitlines()
        raise InputError(lines[0] if lines else f"git exited {result.returncode}")
    return result.stdout.decode("utf-8", "surrogateescape")


# -- checking ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Task:
    display: str
    key: str  # absolute path: the cache key
    stat: tuple[int, int] | None  # (size, mtime_ns) before reading, or None if stat failed
    known_hash: str | None  # the cached content hash, to recognise a touched-but-unchanged file
    cached: bool = True  # False without a cache: what the file asks the index is not recorded


@dataclass(frozen=True)
class Outcome:
    task: Task
    entry: Entry | None  # what to cache (None: do not cache this file)
    reported: tuple[Reported, ...]
    imports: tuple = ()  # ImportRows of a file that is not cached (entry None)


def check_files(
    files: Sequence[str],
    policy: Policy,
    cache: Cache | None = None,
    jobs: int | None = None,
    progress: Callable[[int], None] | None = None,
    imports: list[SymbolImport] | None = None,
) -> list[Reported]:
    """Every finding in `files`, in path/line order; the cache is read and updated when given.
    `imports`, when given, receives every file's imports of registered symbols (`ssot audit`)."""
    reported: list[Reported] = []
    tasks: list[Task] = []
    cwd = os.getcwd()
    for display in files:
        task = _task(display, os.path.normpath(os.path.join(cwd, display)), cache)
        hit = cache.lookup(task.key, task.stat) if cache and task.stat else None
        if hit is not None:
            reported += [Reported(f, src) for f, src in hit.findings_for(display)]
            _add_imports(imports, display, hit.imports)
        else:
            tasks.append(task)
    if progress:
        progress(len(files) - len(tasks))
    for outcome in _run(tasks, policy, jobs, progress):
        task, entry = outcome.task, outcome.entry
        if cache is None or entry is None or task.stat is None:
            reported += outcome.reported
        elif entry.findings is None:  # touched, content unchanged: the cached findings hold
            entry = cache.store(task.key, entry)
            reported += [Reported(f, src) for f, src in entry.findings_for(task.display)]
        else:
            cache.store(task.key, entry)
            reported += outcome.reported
        _add_imports(imports, task.display, entry.imports if entry else outcome.imports)
    return sorted(reported, key=lambda r: r.finding)


def _add_imports(imports: list[SymbolImport] | None, display: str, rows) -> None:
    if imports is not None:
        imports += [SymbolImport(display, *row) for row in rows]


def _task(display: str, key: str, cache: Cache | None) -> Task:
    try:
        st = os.stat(display)
        stat = (st.st_size, st.st_mtime_ns)
    except OSError:
        stat = None
    return Task(display, key, stat, cache.known_hash(key) if cache else None, cache is not None)


def _run(tasks: list[Task], policy: Policy, jobs: int | None, progress) -> Iterable[Outcome]:
    workers = jobs or os.cpu_count() or 1
    if workers <= 1 or len(tasks) < PARALLEL_MIN_FILES or not may_start_workers():
        outcomes = (check_task(task, policy) for task in tasks)
    else:
        size = max(8, min(256, len(tasks) // (workers * 4)))
        outcomes = map_in_workers(_check_in_worker, tasks, workers, size,
                                  initializer=_init_worker, initargs=(policy,))
    for outcome in outcomes:
        yield outcome
        if progress:
            progress(1)


_worker_policy: Policy | None = None


def _init_worker(policy: Policy) -> None:
    global _worker_policy
    _worker_policy = policy


def _check_in_worker(task: Task) -> Outcome:
    assert _worker_policy is not None
    return check_task(task, _worker_policy)


def check_task(task: Task, policy: Policy) -> Outcome:
    """One file: read, pre-filter, recognise unchanged content, else parse and check. What the
    file asked the index about other modules goes into its cache entry (`Entry.asked`)."""
    index = policy.index
    if index is None or not task.cached:
        return _check_task(task, policy, lambda: ((), ""))
    index.asked = set()
    try:
        return _check_task(task, policy, lambda: (tuple(sorted(index.asked)),
                                                  index.answers(index.asked)))
    finally:
        index.asked = None


def _check_task(task: Task, policy: Policy, asked: Callable[[], tuple]) -> Outcome:
    try:
        data = Path(task.display).read_bytes()
    except OSError as error:
        finding = unparsable(SourceError(f"cannot read: {error.strerror or error}"), task.display)
        return Outcome(task, None, (Reported(finding, ""),))
    if not could_match(data, policy, task.display) and not (b"SOT" in data and _SOT_NOQA.search(data)):
        return Outcome(task, Entry(task.stat, None, (), *asked()), ())
    digest = content_hash(data)
    if digest == task.known_hash:
        return Outcome(task, Entry(task.stat, digest, None), ())  # None: keep cached findings
    lines = source_lines(data.decode("utf-8", "replace"))
    imports: list[SymbolImport] = []
    try:
        findings = check_source(data, task.display, policy, prefilter=False, imports=imports)
    except Exception as error:  # an engine bug on one file must not stop the run: report it
        findings = [unparsable(SourceError(f"internal error: {type(error).__name__}: {error}"), task.display)]
    unused = unused_noqa(findings, lines, task.display)
    findings = [f for f in findings if not silenced(f, lines)] + unused
    reported = tuple(Reported(f, source_line(lines, f.line)) for f in findings)
    return Outcome(task, Entry.of(task.stat, digest, reported, *asked(), imports), reported)


def source_line(lines: list[str], number: int) -> str:
    return lines[number - 1].strip() if 0 < number <= len(lines) else ""


