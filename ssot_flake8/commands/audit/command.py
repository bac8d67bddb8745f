"""The `ssot audit` command line: add_parser, run_audit and the format dispatch."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ssot_flake8.commands.audit.categories import Audit, audit_paths
from ssot_flake8.commands.audit.chart import render_svg
from ssot_flake8.commands.audit.history import (
    Snapshot,
    render_history_markdown,
    render_history_text,
    run_history,
)
from ssot_flake8.commands.audit.paths import JSON_VERSION, display_path
from ssot_flake8.commands.audit.render import render_markdown, render_text
from ssot_flake8.services.options import UsageError, add_config_option, policy_for
from ssot_flake8.support.atomic_write import write_atomic

# -- the command --------------------------------------------------------------------------------


def add_parser(verbs: argparse._SubParsersAction) -> None:
    audit = verbs.add_parser("audit", help="the migration dashboard: every category, counted and located")
    audit.add_argument("paths", nargs="*", help="files or directories (default: the policy's source root)")
    add_config_option(audit)
    audit.add_argument("--output-format", "--format", dest="format", choices=("text", "markdown", "json"),
                       default="text", help="text (default), markdown or json (`--format` is an alias)")
    audit.add_argument("--history", type=int, metavar="N",
                       help="audit the last N commits with today's policy (burn-down)")
    audit.add_argument("--since", metavar="REV",
                       help="audit every commit from REV (included) to HEAD (with --history N: the last N)")
    audit.add_argument("--chart", metavar="FILE.svg",
                       help="with --history or --since: write the burn-down chart (SVG)")
    audit.set_defaults(handler=run_audit)


def run_audit(args: argparse.Namespace) -> int:
    """Always 0 when the report was produced: `audit` measures, `check` gates."""
    chart = check_chart_option(args)
    # With the index every alias and re-export counts; --history indexes each commit instead.
    history = args.history is not None or args.since is not None
    policy = policy_for(args, index=not history)
    paths = [Path(p) for p in args.paths] or [policy.source_roots[0]]
    for path in paths:
        if not path.exists():
            raise UsageError(f"{path}: no such file or directory")
    if history:
        snapshots = run_history(policy, paths, args.history, args.since)
        print(render_history(snapshots, args.format))
        if chart:
            write_atomic(chart, render_svg(snapshots))
        return 0
    audit = audit_paths(policy, paths)
    where = ", ".join(display_path(str(p), None) for p in paths)
    print(render(audit, args.format, where, display_path(str(policy.config_path), None)))
    return 0


def check_chart_option(args: argparse.Namespace) -> Path | None:
    if args.history is not None and args.history < 1:
        raise UsageError("--history: N must be at least 1")
    if not args.chart:
        return None
    if args.history is None and args.since is None:
        raise UsageError("--chart needs --history N or --since REV (it draws the burn-down)")
    chart = Path(args.chart)
    if chart.suffix.lower() != ".svg":
        raise UsageError(f"--chart {args.chart}: only SVG charts are written (FILE.svg)")
    if not chart.resolve().parent.is_dir():
        raise UsageError(f"--chart {args.chart}: no such directory")
    return chart


def render(audit: Audit, format_name: str, where: str, policy: str) -> str:
    if format_name == "json":
        return json.dumps(audit.as_json(), indent=2)
    if format_name == "markdown":
        return render_markdown(audit, where, policy)
    return render_text(audit, where, policy)


def render_history(history: list[Snapshot], format_name: str) -> str:
    if format_name == "json":
        return json.dumps({"version": JSON_VERSION, "history": [s.as_json() for s in history]}, indent=2)
    if format_name == "markdown":
        return render_history_markdown(history)
    return render_history_text(history)
