"""The `ssot fix` command line: add_parser, run_fix, fix_file and the summary."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ssot_flake8.commands.fix.model import FixError, FixResult, LeftByHand
from ssot_flake8.commands.fix.rounds import fix_source
from ssot_flake8.policy.model import Policy
from ssot_flake8.services.options import UsageError, add_config_option, configured_excludes, policy_for
from ssot_flake8.services.runner import InputError, discover
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


def run_fix(args: argparse.Namespace) -> int:
    """Exit 0: nothing to change; 1: files changed (or would, with --diff); 2: an error occurred."""
    policy = policy_for(args)  # with the symbol index, as `ssot check` sees the tree
    try:  # the files `ssot check` would check: .gitignore and the configured excludes apply
        paths = [Path(p) for p in discover(args.paths, [*configured_excludes(policy.config_path),
                                                        *args.exclude])]
    except InputError as error:
        raise UsageError(str(error)) from None
    report = sys.stderr if args.diff else sys.stdout  # with --diff, stdout is the patch alone
    changed = errors = fixed = 0
    left: list[LeftByHand] = []
    progress = Progress("ssot fix", len(paths))
    for path in paths:
        progress.advance()
        try:
            result = fix_file(path, policy, write=not args.diff)
        except FixError as error:
            errors += 1
            progress.close()  # the error on a line of its own, the bar redrawn after it
            print(f"ssot: error: {error}", file=sys.stderr)
            continue
        left += result.left
        if result.changed:
            changed += 1
            fixed += result.fixed_count
            if args.diff:
                _write_bytes(result.diff())
    progress.close()
    _summary(report, left, fixed, changed, args.diff)
    return 2 if errors else 1 if changed else 0


def fix_file(path: Path, policy: Policy, write: bool = True) -> FixResult:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise FixError(f"{path}: cannot read: {error.strerror}") from None
    try:
        result = fix_source(data, str(path), policy)
    except (FixError, KeyboardInterrupt):
        raise
    except Exception as error:  # one odd file must not stop a run over thousands
        raise FixError(f"{path}: internal error in ssot fix ({type(error).__name__}: {error}); "
                       "file left unchanged (please report this)") from None
    if write and result.changed:
        try:
            write_atomic(path, result.fixed)
        except OSError as error:
            raise FixError(f"{path}: cannot write: {error.strerror}") from None
    return result


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
