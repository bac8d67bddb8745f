"""The `ssot fix` command line: add_parser, run_fix, fix_file and the summary."""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

from ssot_flake8.commands.fix.graph import ImportGraph
from ssot_flake8.commands.fix.model import FIXABLE_CODES, HAND_CODES, FixError, FixResult, LeftByHand
from ssot_flake8.commands.fix.passes import refreshed
from ssot_flake8.commands.fix.rounds import fix_source
from ssot_flake8.policy.model import Policy
from ssot_flake8.services.cache import Cache
from ssot_flake8.services.options import UsageError, add_config_option, configured_excludes, policy_for
from ssot_flake8.services.runner import InputError, check_files, discover
from ssot_flake8.source.text import Finding
from ssot_flake8.support.atomic_write import write_atomic
from ssot_flake8.support.progress import Progress


def add_parser(verbs) -> None:
    parser = verbs.add_parser(
        "fix", help="rewrite non-canonical and deprecated imports to the canonical ones")
    parser.add_argument("paths", nargs="*", default=["."], help="files or directories (default: .)")
    add_config_option(parser)
    parser.add_argument("--exclude", action="append", default=[], metavar="GLOB",
                        help="skip files or directories matching GLOB (repeatable), as `ssot check`")
    parser.add_argument("--diff", action="store_true",
                        help="print a unified diff instead of writing (exit 1 if there are changes)")
    parser.set_defaults(handler=run_fix)


MAX_PASSES = 4
PROGRESS_MIN_FILES = 200  # as `ssot check`: fewer files, no bar


def run_fix(args: argparse.Namespace) -> int:
    """Exit 0: nothing to change; 1: files changed (or would, with --diff); 2: an error occurred.

    The fixed point in one run: after a pass that changed files, the symbol index is refreshed
    with what they now say (a rewritten shim re-exports something else) and the files that still
    had findings, changed, or mention a name whose meaning changed, are fixed again, until a pass
    changes nothing. With --diff the passes work on the files' contents in memory; the patch is
    what `ssot fix` writes. The first pass opens only the files where `ssot check` (its cache,
    every core) finds something to rewrite.
    """
    policy = policy_for(args)  # with the symbol index, as `ssot check` sees the tree
    try:  # the files `ssot check` would check: .gitignore and the configured excludes apply
        paths = [Path(p) for p in discover(args.paths, [*configured_excludes(policy.config_path),
                                                        *args.exclude])]
    except InputError as error:
        raise UsageError(str(error)) from None
    report = sys.stderr if args.diff else sys.stdout  # with --diff, stdout is the patch alone
    graph = ImportGraph(policy)
    original: dict[Path, bytes] = {}
    current: dict[Path, bytes] = {}
    fixed: dict[Path, int] = {}
    left: dict[Path, list[LeftByHand]] = {}
    failed: set[Path] = set()
    pending = _to_open(paths, policy, left)
    for number in range(MAX_PASSES):
        progress = Progress("ssot fix" if number == 0 else f"ssot fix, pass {number + 1}", len(pending))
        changed: dict[Path, bytes] = {}
        for path in pending:
            progress.advance()
            try:
                data = current[path] if path in current else _read(path)
                original.setdefault(path, data)
                result = _fix(path, data, policy, graph)
                if result.changed and not args.diff:
                    _write(path, result.fixed)
            except FixError as error:
                failed.add(path)
                progress.close()  # the error on a line of its own, the bar redrawn after it
                print(f"ssot: error: {error}", file=sys.stderr)
                continue
            left[path] = result.left
            if result.changed:
                current[path] = changed[path] = result.fixed
                fixed[path] = fixed.get(path, 0) + result.fixed_count
        progress.close()
        if not changed:
            break
        policy, touched = refreshed(policy, changed)
        pending = [p for p in paths if p not in failed and (
            left.get(p) or p in current or (touched and touched.search(_text(p, original))))]
    edited = [p for p in paths if p in current and current[p] != original[p]]
    if args.diff:
        for path in edited:
            _write_bytes(FixResult(str(path), original[path], current[path]).diff())
    everything_left = [item for path in paths for item in left.get(path, [])]
    _summary(report, everything_left, sum(fixed[p] for p in edited), len(edited), args.diff)
    return 2 if failed else 1 if edited else 0


def _to_open(paths: list[Path], policy: Policy, left: dict[Path, list[LeftByHand]]) -> list[Path]:
    """The files the first pass opens: those where `ssot check` finds a finding fix may
    rewrite, or a file it cannot analyse (its error is then the fixer's). Every other file's
    findings go straight to `left`; a file with none is not even read again."""
    cache = Cache.for_policy(policy)
    with Progress("ssot fix: checking", len(paths), minimum=PROGRESS_MIN_FILES) as progress:
        reported = check_files([str(p) for p in paths], policy, cache, progress=progress.advance)
    cache.save()
    found: dict[str, list[Finding]] = defaultdict(list)
    for item in reported:
        found[item.finding.path].append(item.finding)
    opened = []
    for path in paths:
        findings = found.get(str(path), [])
        if any(f.code in (*FIXABLE_CODES, "SOT000") for f in findings):
            opened.append(path)
        elif findings:
            left[path] = [LeftByHand(f) for f in findings if f.code in HAND_CODES]
    return opened


def _text(path: Path, read: dict[Path, bytes]) -> bytes:
    """The file's bytes as the run first read them (b"" if it cannot be read)."""
    if path not in read:
        try:
            return path.read_bytes()
        except OSError:
            return b""
    return read[path]


def fix_file(path: Path, policy: Policy, write: bool = True) -> FixResult:
    """One file fixed (and written unless `write` is false); FixError when it is refused."""
    result = _fix(path, _read(path), policy, None)
    if write and result.changed:
        _write(path, result.fixed)
    return result


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise FixError(f"{path}: cannot read: {error.strerror}") from None


def _fix(path: Path, data: bytes, policy: Policy, graph: ImportGraph | None) -> FixResult:
    try:
        return fix_source(data, str(path), policy, graph)
    except (FixError, KeyboardInterrupt):
        raise
    except Exception as error:  # one odd file must not stop a run over thousands
        raise FixError(f"{path}: internal error in ssot fix ({type(error).__name__}: {error}); "
                       "file left unchanged (please report this)") from None


def _write(path: Path, data: bytes) -> None:
    try:
        write_atomic(path, data)
    except OSError as error:
        raise FixError(f"{path}: cannot write: {error.strerror}") from None


def _summary(stream, left: list[LeftByHand], fixed: int, changed: int, diff: bool) -> None:
    if left:
        print("Left to do by hand:", file=stream)
        for item in left:
            print(item.text(), file=stream)
    verb = "Would fix" if diff else "Fixed"
    files = f"{changed} file{'s' if changed != 1 else ''}"
    print(f"{verb} {fixed} finding{'s' if fixed != 1 else ''} in {files}; "
          f"{len(left)} left to do by hand.", file=stream)


def _write_bytes(data: bytes) -> None:
    """The patch byte for byte on stdout (through its buffer when it has one)."""
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        sys.stdout.write(data.decode("utf-8", "surrogateescape"))
        return
    sys.stdout.flush()
    buffer.write(data)
    buffer.flush()
