"""`ssot audit`: the migration dashboard. It runs the engine over a tree and measures the
categories of the team's hand-written audit notes (DESIGN.md §1): duplicate implementations,
shims, factory patterns by kind, the import paths of every registered symbol, cycles,
deprecated usage, singleton accessor calls and missing isolation arguments.

`--history N` audits the last N commits from `git archive` snapshots in temporary directories
(the working tree and the index are never touched) and prints the burn-down.
"""


from __future__ import annotations

from ssot_flake8.commands.audit.categories import Audit, audit_paths
from ssot_flake8.commands.audit.chart import render_svg
from ssot_flake8.commands.audit.command import add_parser, run_audit
from ssot_flake8.commands.audit.history import (
    Snapshot,
    render_history_markdown,
    render_history_text,
    run_history,
)
from ssot_flake8.commands.audit.paths import JSON_VERSION
from ssot_flake8.commands.audit.render import render_markdown, render_text

__all__ = [
    "JSON_VERSION", "Audit", "Snapshot", "add_parser", "audit_paths", "render_history_markdown",
    "render_history_text", "render_markdown", "render_svg", "render_text", "run_audit",
    "run_history",
]
