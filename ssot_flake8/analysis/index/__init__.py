"""The whole-program symbol index: every (module, name) under which a policy name is reachable.

It parses every module of the checked tree once (ast only; nothing is imported), records per
module its definitions, `X = Y` aliases, `X = type("X", (Y,), {})` shells, imports (made
absolute), `__all__` and star imports, and then follows re-export and alias chains (cycle-safe)
to the object each name finally denotes, its *origin*. Two names with the same origin are the
same object, so `expand_policy` adds every name that reaches a registered symbol or a banned
callable to the policy's lookup tables: the engine, and with it every front-end, then catches
aliases and re-exports that nobody listed. The index also answers what a module offers, for the
stale-import rule.

Parsed modules are cached on disk by content hash (`.ssot_cache/` next to the config).
"""


from __future__ import annotations

from ssot_flake8.analysis.index.build import (
    PARALLEL_MIN_FILES,
    build_index,
    cache_path,
    expand_policy,
    tree_files,
)
from ssot_flake8.analysis.index.queries import ModuleIndex
from ssot_flake8.analysis.index.record import DEFINED, FORMAT, ModuleInfo, ModuleRecorder, record_source

__all__ = [
    "DEFINED", "FORMAT", "PARALLEL_MIN_FILES", "ModuleIndex", "ModuleInfo", "ModuleRecorder",
    "build_index", "cache_path", "expand_policy", "record_source", "tree_files",
]
