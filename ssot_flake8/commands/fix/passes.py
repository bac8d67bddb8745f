"""Between two passes of `ssot fix`: the symbol index refreshed, and which files to fix again."""

from __future__ import annotations

import re
from pathlib import Path

from ssot_flake8.analysis.index.queries import ModuleIndex
from ssot_flake8.analysis.index.record import ModuleInfo, record_source
from ssot_flake8.policy.config import load_policy
from ssot_flake8.policy.model import Policy, module_name


def refreshed(policy: Policy, changed: dict[Path, bytes]) -> tuple[Policy, re.Pattern[bytes] | None]:
    """The policy again, with the symbol index of the tree as the run has left it (the records
    of the `changed` files replaced, every name that reaches a policy symbol found again), and a
    pattern of the names whose meaning that changed (None: none did).

    A file that never mentions such a name has the same findings as before; one that does may
    have gained one without being touched: `Handler = OldManager` rewritten to
    `Handler = Manager` in a shim makes `from shim import Handler` elsewhere non-canonical once
    the index sees it (it did not while OldManager was a name its module no longer defines).
    """
    fresh = load_policy(policy.config_path)
    index = policy.index
    if index is None:
        return fresh, None
    modules = dict(index.modules)
    names: set[str] = set()
    replaced: list[tuple[str, ModuleInfo]] = []
    for path, data in changed.items():
        module, is_package = module_name(path, fresh)
        if module in modules:
            record = record_source(data, module, is_package)
            replaced.append((module, modules[module]))
            modules[module] = record
    new_index = ModuleIndex(modules, fresh.root_packages)
    new_index.expand(fresh)
    fresh.index = new_index
    fresh.refresh()
    for module, old in replaced:
        names |= _changed_names(module, old, modules[module], index, new_index)
    for table in ("names", "banned"):
        before, after = getattr(policy, table), getattr(fresh, table)
        names |= {key.rpartition(".")[2] for key in before.keys() ^ after.keys()}
        names |= {key.rpartition(".")[2] for key in before.keys() & after.keys()
                  if before[key] != after[key]}
    return fresh, _word_pattern(names)


def _changed_names(module: str, old: ModuleInfo, new: ModuleInfo, old_index: ModuleIndex,
                   new_index: ModuleIndex) -> set[str]:
    """The names of `module` that another file may now see differently: bound or unbound by
    the rewrite, or denoting other definitions (a rewrite that keeps what a name denotes, like
    a re-export moved to the canonical home of the same class, changes nothing for others)."""
    if (old.stars, old.all, old.judgeable) != (new.stars, new.all, new.judgeable):
        return set(old.bindings) | set(new.bindings)  # what it offers may have changed wholesale
    names = set(old.bindings) ^ set(new.bindings)
    for name in set(old.bindings) & set(new.bindings):
        if old.bindings[name] != new.bindings[name] and (
                old_index.origins(module, name) != new_index.origins(module, name)):
            names.add(name)
    return names


def _word_pattern(names: set[str]) -> re.Pattern[bytes] | None:
    words = sorted(name for name in names if name.isidentifier())
    if not words:
        return None
    alternatives = b"|".join(re.escape(word.encode()) for word in words)
    return re.compile(rb"(?<![A-Za-z0-9_])(?:" + alternatives + rb")(?![A-Za-z0-9_])")
