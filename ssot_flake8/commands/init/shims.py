"""Shims and deprecated modules: what `ssot init` proposes to deprecate, and in favour of what."""

from __future__ import annotations

from collections import Counter

from ssot_flake8.commands.init.builders import Builder
from ssot_flake8.commands.init.groups import Group
from ssot_flake8.commands.init.names import Index
from ssot_flake8.commands.init.summary import Module


def deprecated_modules(index: Index, groups: list[Group], banned: dict[str, Builder],
                       reexports: dict[str, str], root: str, package: str) -> dict[str, tuple[str, str]]:
    """module -> (replacement, why): shims that re-export a registered class or a banned call,
    packages made only of import-only modules (one of them such a shim), and modules whose
    docstring starts with "deprecated". Never test code, never the module of a canonical home,
    and never in favour of itself."""
    canonical_of = {d: g.canonical for g in groups for d in (*g.members, *g.aliases)}
    canonical_of.update({path: groups[b.group].canonical for path, b in banned.items()})
    confirmed = {path.rpartition(".")[0] for path, target in reexports.items()
                 if index.definition(target) in canonical_of or path in banned}
    shims = {m.name for m in index.modules.values()
             if m.import_only and not m.is_package and _imports_from(m, root)}
    homes = {g.canonical.rpartition(".")[0] for g in groups}
    related = {q.rpartition(".")[0] for q in (*canonical_of, *banned)}  # defines a symbol or a ban
    found = {}
    for module in index.modules.values():
        if module.is_test or module.name in homes:
            continue
        if module.name in shims and module.name in confirmed:
            found[module.name] = (_replacement(index, module, canonical_of), "import-only shim")
        elif module.documented_deprecated and not module.is_package and (
                _within(module.name, package) or module.name in confirmed or module.name in related):
            found[module.name] = (_replacement(index, module, canonical_of), "documented as deprecated")
    packages = [m for m in index.modules.values() if m.is_package and not m.is_test and m.name not in homes]
    for package in sorted(packages, key=lambda m: m.name):
        children = [m for m in index.modules.values() if m.name.startswith(package.name + ".")]
        if (children and package.import_only and all(c.name in shims for c in children)
                and any(c.name in found for c in children)):
            replacements = [_replacement(index, c, canonical_of) for c in children]
            for child in children:
                found.pop(child.name, None)
            found[package.name] = (_common_package(replacements), "package of shims")
    return {
        module: ("" if _within(replacement, module) else replacement, why)
        for module, (replacement, why) in sorted(found.items())
        if not any(_within(home, module) for home in homes)
    }


def _within(name: str, module: str) -> bool:
    return name == module or name.startswith(module + ".")


def _imports_from(module: Module, root: str) -> bool:
    inside = any(q == root or q.startswith(root + ".") for q in module.imports.values())
    return inside or bool(module.stars)


def _replacement(index: Index, module: Module, canonical_of: dict[str, str]) -> str:
    """Where the module's imports point: a registered class's canonical module first."""
    registered, other = Counter(), Counter()
    for qualname in module.imports.values():
        definition = index.definition(qualname)
        canonical = canonical_of.get(qualname) or canonical_of.get(definition)
        if canonical:
            registered[canonical.rpartition(".")[0]] += 1
        elif definition:
            other[definition.rpartition(".")[0]] += 1
    rank = {g.rpartition(".")[0]: n for n, g in reversed(list(enumerate(canonical_of.values())))}
    for targets in (registered, other):
        if targets:
            return min(targets, key=lambda m: (-targets[m], rank.get(m, len(rank)), m))
    return ""


def _common_package(modules: list[str]) -> str:
    split = [m.split(".") for m in modules if m]
    common = []
    for parts in zip(*split, strict=False):  # stops at the shortest
        if len(set(parts)) != 1:
            break
        common.append(parts[0])
    return ".".join(common) if len(common) > 1 else ""
