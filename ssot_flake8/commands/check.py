"""The `ssot check` and `ssot baseline` verbs: arguments in, runner, report out."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from ssot_flake8.analysis.index import expand_policy
from ssot_flake8.policy.model import Policy
from ssot_flake8.rules import RULES
from ssot_flake8.services import ratchet
from ssot_flake8.services.baseline import Baseline, BaselineError
from ssot_flake8.services.cache import Cache
from ssot_flake8.services.memo import RunMemo
from ssot_flake8.services.options import (
    UsageError,
    add_config_option,
    configured_excludes,
    policy_for,
    shown,
)
from ssot_flake8.services.output import FORMATS, render, use_colour
from ssot_flake8.services.runner import InputError, Reported, changed_since, check_files, discover
from ssot_flake8.support.progress import Progress

PROGRESS_MIN_FILES = 200  # fewer files than this: no bar, whatever the time


def add_parser(verbs) -> None:
    check = verbs.add_parser("check", help="report SSOT violations in files or directories")
    _common_options(check)
    check.add_argument("--output-format", choices=FORMATS, default="text",
                       help="text (default), json, github (workflow annotations) or sarif")
    check.add_argument("--no-fix-edits", action="store_true",
                       help="json: leave `fix` null instead of computing each fixable finding's "
                       "edits with the fixer (one libcst parse per file that has them)")
    check.add_argument("--statistics", action="store_true",
                       help="print the number of findings per code instead of the findings")
    check.add_argument("--baseline", metavar="FILE",
                       help="fail only on findings not recorded in this baseline file (default: "
                       "the ssot contract's `baseline =`)")
    check.add_argument("--no-baseline", action="store_true",
                       help="report every finding, the ones the policy's baseline records too")
    check.add_argument("--update-baseline", action="store_true",
                       help="remove the baseline's fixed entries (never adds any)")
    check.add_argument("--changed-since", "--diff", dest="diff", metavar="REV",
                       help="check only files changed since the git revision REV, and untracked "
                       "ones (`--diff` is a deprecated alias)")
    check.add_argument("--select", metavar="CODES",
                       help="report only these codes or prefixes, comma-separated (default: all)")
    check.add_argument("--extend-select", metavar="CODES", help="add codes to --select")
    check.add_argument("--ignore", metavar="CODES", help="do not report these codes or prefixes")
    check.add_argument("-q", "--quiet", action="count", default=0,
                       help="no summary line; -qq: nothing but the exit code")
    check.add_argument("-v", "--verbose", action="store_true",
                       help="say on stderr which policy was used and how many files were checked")
    check.set_defaults(handler=run_check)

    baseline = verbs.add_parser("baseline", help="record today's findings in a baseline file")
    _common_options(baseline)
    baseline.add_argument("--baseline", metavar="FILE",
                          help="the baseline file to write (entries of files not checked are kept; "
                          "default: the ssot contract's `baseline =`)")
    baseline.add_argument("--no-write-config", action="store_true",
                          help="only write the findings file: leave the import-linter "
                          "configuration as it is (no `ignore_imports`, no `baseline =`)")
    baseline.set_defaults(handler=run_baseline)


def _common_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", default=["."], help="files or directories (default: .)")
    add_config_option(parser)
    parser.add_argument("--exclude", action="append", default=[], metavar="GLOB",
                        help="skip files or directories matching GLOB (repeatable; adds to the "
                        "`extend-exclude` of the [ssot] / [tool.ssot] config section)")
    parser.add_argument("--no-cache", action="store_true", help="neither read nor write .ssot_cache/")
    parser.add_argument("--jobs", type=_positive, metavar="N",
                        help="worker processes (default: one per core)")


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


# -- the verbs ---------------------------------------------------------------------------------


def run_check(args: argparse.Namespace) -> int:

    selected = selection(args.select, args.extend_select, args.ignore)
    started = time.perf_counter()
    policy = _policy(args, index=False)  # indexed by _check, unless the run memo answers
    path = None if args.no_baseline else args.baseline or policy.baseline
    if args.update_baseline and not path:
        raise UsageError("--update-baseline needs --baseline FILE (or `baseline =` in the ssot contract)")
    try:
        baseline = Baseline.load(path) if path else None
        files = _files(args, policy)
        reported = [item for item in _check(files, policy, args) if selected(item.finding.code)]
        if baseline is not None:
            reported = _apply_baseline(baseline, reported, files, args.update_baseline, selected)
    except (InputError, BaselineError) as error:
        raise UsageError(str(error)) from None
    findings = [item.finding for item in reported]
    if args.verbose:
        print(f"ssot: policy {policy.config_path}; checked {len(files)} file"
              f"{'s' * (len(files) != 1)} in {time.perf_counter() - started:.2f} s", file=sys.stderr)
    if args.quiet < 2:
        colour = args.output_format == "text" and use_colour(sys.stdout)
        fixer = getattr(args, "json_fixes", None)  # set by the cli (fix is another verb)
        fixes = (fixer(findings, _indexed(policy, args)) if fixer and args.output_format == "json"
                 and not args.statistics and not args.no_fix_edits else None)
        sys.stdout.write(render(findings, args.output_format, args.statistics,
                                summary=not args.quiet, colour=colour, fixes=fixes))
    return 1 if findings else 0


def selection(select: str | None, extend: str | None, ignore: str | None):
    """ruff's --select / --extend-select / --ignore over codes or their prefixes (`SOT1`, `ALL`);
    the longer prefix wins when both name a code, as in ruff."""
    def parsed(value: str | None, option: str) -> list[str]:
        prefixes = [part.strip().upper() for part in (value or "").split(",") if part.strip()]
        for prefix in prefixes:
            if prefix != "ALL" and not any(rule.code.startswith(prefix) for rule in RULES):
                raise UsageError(f"{option}: unknown rule selector {prefix!r} (see `ssot rules`)")
        return prefixes
    chosen = [*(parsed(select, "--select") if select is not None else ["ALL"]),
              *parsed(extend, "--extend-select")]
    dropped = parsed(ignore, "--ignore")

    def length(code: str, prefixes: list[str]) -> int:
        return max((0 if p == "ALL" else len(p) for p in prefixes
                    if p == "ALL" or code.startswith(p)), default=-1)

    return lambda code: length(code, chosen) > length(code, dropped)


def run_baseline(args: argparse.Namespace) -> int:

    policy = _policy(args)
    if not (args.baseline or policy.baseline):
        raise UsageError("baseline: give --baseline FILE, or name it in the ssot contract "
                         "(`baseline = ssot-baseline.json`)")
    path = Path(args.baseline or policy.baseline)
    if not args.no_write_config:
        if _record_contracts(policy, path):
            policy = policy_for(args)  # the new `ignore_imports` silence those SOT005 findings
    try:
        baseline = Baseline.load(path) if path.exists() else Baseline(path)
        files = _files(args, policy)
        reported = _check(files, policy, args)
        baseline.record(reported, files)
        _write(baseline)
    except (InputError, BaselineError) as error:
        raise UsageError(str(error)) from None
    entries = sum(1 for _ in baseline.counts)
    print(f"Recorded {len(reported)} finding{'s' * (len(reported) != 1)} of {len(files)} files "
          f"in {shown(path)} ({entries} entries in all).")
    return 0


# -- steps -------------------------------------------------------------------------------------


def _record_contracts(policy: Policy, baseline: Path) -> bool:
    """The config side of the ratchet: today's broken imports in each boundary contract's
    `ignore_imports`, and the findings file named in the ssot contracts (`baseline =`), so that
    every front-end, `lint-imports` included, is green today and fails on the next new break."""
    edits = {}
    if ratchet.has_boundary_contracts(policy):
        try:
            graph = ratchet.build_graph(policy, on_unparsable=lambda problem: print(
                f"ssot baseline: warning: {problem.text()}", file=sys.stderr))
            breaks = ratchet.contract_breaks(policy, graph)
        except ratchet.RatchetError as error:
            print(f"ssot baseline: warning: boundary contracts left as they are: {error}",
                  file=sys.stderr)
            breaks = []
        for item in breaks:
            if item.changed:
                print(f"{item.id}: ignore_imports: {len(item.added)} broken import(s) recorded, "
                      f"{len(item.dropped)} fixed one(s) removed ({len(item.entries)} listed)")
        edits.update(ratchet.breaks_edits(breaks))
    name = os.path.relpath(baseline.resolve(), policy.config_path.parent).replace(os.sep, "/")
    for contract in ratchet.ssot_contracts(policy):
        if not contract.get("baseline"):
            edits.setdefault(str(contract["id"]), []).append(ratchet.Edit("baseline", name))
            print(f"{contract['id']}: baseline = {name}")
    try:
        return ratchet.edit_config(policy.config_path, edits)
    except OSError as error:
        raise UsageError(f"{shown(policy.config_path)}: cannot write: {error.strerror}") from None


def _policy(args: argparse.Namespace, *, index: bool = True) -> Policy:
    for name in args.paths:  # before the policy: a typo in a path is the clearer error
        if not os.path.lexists(name):
            raise UsageError(f"{name}: no such file or directory")
    return policy_for(args, index=index)


def _indexed(policy: Policy, args: argparse.Namespace) -> Policy:
    if policy.index is None:
        expand_policy(policy, use_cache=not args.no_cache, jobs=args.jobs)
    return policy


def _files(args: argparse.Namespace, policy: Policy) -> list[str]:
    excludes = [*configured_excludes(policy.config_path), *args.exclude]
    files = discover(args.paths, excludes)
    if getattr(args, "diff", None):
        changed = changed_since(args.diff)
        files = [f for f in files if os.path.realpath(f) in changed]
    return files


def _check(files: list[str], policy: Policy, args: argparse.Namespace) -> list[Reported]:
    """The findings in `files`: the run memo's when nothing changed since the last such run,
    else through the check cache (a policy not yet indexed is indexed here)."""
    memo = None if args.no_cache or policy.index is not None else RunMemo.for_run(
        policy, files, "check")
    remembered = memo.load() if memo else None
    if remembered is not None:
        return remembered
    _indexed(policy, args)
    cache = None if args.no_cache else Cache.for_policy(policy)
    with Progress("ssot check", len(files), minimum=PROGRESS_MIN_FILES) as progress:
        reported = check_files(files, policy, cache, args.jobs, progress.advance)
    if cache is not None:
        cache.save()
    if memo is not None:
        memo.save(reported)
    return reported


def _apply_baseline(baseline: Baseline, reported: list[Reported], files: list[str],
                    update: bool, selected=lambda code: True) -> list[Reported]:
    fixed = [(key, shortfall) for key, shortfall in baseline.fixed(reported, files)
             if selected(key.code)]  # what --select leaves out is not fixed, only not looked at
    for key, shortfall in fixed:
        times = f" ({shortfall} of them)" if shortfall > 1 else ""
        print(f"ssot: fixed, in the baseline{times}: {key.path}: {key.code} {key.source}",
              file=sys.stderr)
    if fixed and update:
        removed = baseline.shrink(fixed)
        _write(baseline)
        print(f"ssot: removed {removed} fixed finding{'s' * (removed != 1)} from {baseline.path}",
              file=sys.stderr)
    elif fixed:
        print(f"ssot: {len(fixed)} baseline entr{'ies' if len(fixed) != 1 else 'y'} fixed; "
              "`--update-baseline` removes them", file=sys.stderr)
    return baseline.new_findings(reported)


def _write(baseline: Baseline) -> None:
    try:
        baseline.write()
    except OSError as error:
        raise BaselineError(f"{baseline.path}: cannot write the baseline: {error.strerror}") from None
