"""The pre-filter: which files can hold a finding at all. Most files of a large tree name no
policy word and import nothing watched; they are judged from their bytes and import lines, and
never parsed. `ssot check`, the flake8 plugin and the import-linter contract share it.
"""

from __future__ import annotations

from pathlib import Path

from ssot_flake8.analysis.walk import imported_module
from ssot_flake8.policy.model import Policy, module_name
from ssot_flake8.source.text import absolute_import, imports_in

DYNAMIC_IMPORT_WORDS = (b"import_module", b"__import__")  # what a file calling one of them holds


def could_match(data: bytes, policy: Policy, path: str = "") -> bool:
    """The pre-filter: a file that names none of the policy's symbols or banned callables
    cannot hold a finding, unless it calls a dynamic importer (SOT003) or one of its imports
    names a deprecated module (SOT002), crosses a mirrored contract boundary (SOT005) or asks
    the tree for something the index says is not there (SOT004)."""
    if any(word in data for word in policy.keywords()):
        return True
    if policy.deprecated and any(word in data for word in DYNAMIC_IMPORT_WORDS):
        return True  # SOT003 reads the module from a string argument
    if policy.index is None and not policy.boundaries.contracts and not policy.deprecated:
        return False
    return imports_need_check(data.decode("utf-8", "replace"), path, policy)


def imports_need_check(text: str, path: str, policy: Policy) -> bool:
    """For a file without any policy word: does an import name a deprecated module, break a
    boundary contract, ask the tree for something the index says is not there, or star-import
    policy names? The imports are read by a line pattern, not a parse (cheap); the full check
    then confirms, so an import-looking line inside a string costs time, never a finding."""
    index = policy.index
    contracts = policy.boundaries.contracts
    watched = policy.watched_modules()
    if not contracts and "from ." not in text and not any(
            name.split(".")[0] in text for name in watched):
        return False  # nothing it imports can be stale or deprecated
    module, is_package = module_name(Path(path), policy)
    contracts = [c for c in contracts if module and c.may_break_from(module)]
    guarded = tuple({prefix for c in contracts for prefix in c.literal_prefixes()})
    deprecated = tuple(policy.deprecated)
    for level, base, names in imports_in(text, (*watched, *guarded)):
        if names is None:
            return True  # a statement the pattern cannot read: let the parser
        if level:
            base = absolute_import(module, is_package, level, base or None)
            if base is None:
                continue
        if base:  # from base import names
            asked = [(base, None if name == "*" else name) for name in names]
        else:  # import names
            asked = [(name, None) for name in names]
        for target, name in asked:
            if name is None and base and policy.holds_names(target):
                return True  # a star import of policy names
            full = f"{target}.{name}" if name else target
            if full.startswith(deprecated) and policy.deprecated_module(full):
                return True
            if index is not None and index.stale(target, name):
                return True
            guarding = full.startswith(guarded) and [c for c in contracts if c.may_guard(full)]
            if guarding:
                imported = imported_module(policy, full, base)
                if any(c.guards(imported) and c.breaks(module, imported) for c in guarding):
                    return True
    return False
