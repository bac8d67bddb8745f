"""The starter policy `ssot init` proposes from the scan (README: "`ssot init`")."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ssot_flake8.commands.init.builders import Builder, find_builders
from ssot_flake8.commands.init.groups import Group, choose_canonical, duplicate_groups, required_arguments
from ssot_flake8.commands.init.names import Index
from ssot_flake8.commands.init.summary import Module

# -- the proposal ----------------------------------------------------------------------------------


@dataclass
class Proposal:
    package: str
    root_package: str
    groups: list[Group]
    builders: dict[str, Builder]  # definitions of getters and factories
    banned: dict[str, Builder]  # every banned path (definitions and re-exports) -> its builder
    deprecated: dict[str, tuple[str, str]]  # module -> (replacement or "", why)
    instances: list[str]  # module-level instances (`path:line`), reported only
    unwritten: list[str]  # duplicated class names without evidence of drift

    @property
    def contract_id(self) -> str:
        return f"{self.package.replace('.', '-')}-ssot"

    def fields(self) -> dict[str, list[str]]:
        def instead(group: Group) -> str:
            return f"construct {group.name}({', '.join(f'{a}=...' for a in group.required_arguments)})"

        return {
            "canonical": [g.canonical for g in self.groups],
            "old_names": sorted(f"{old} -> {g.canonical}" for g in self.groups for old in g.old_names),
            "deprecated_modules": [
                f"{module} -> {replacement}" if replacement else module
                for module, (replacement, _) in self.deprecated.items()
            ],
            "banned_calls": [
                f"{path}: {b.kind}; {instead(self.groups[b.group])}" for path, b in self.banned.items()
            ],
            "required_arguments": [
                f"{g.canonical}: {', '.join(g.required_arguments)}"
                for g in self.groups if g.required_arguments
            ],
        }


def propose(package: str, modules: dict[str, Module]) -> Proposal:
    """The starter policy. Only duplicates with evidence of drift are written (see `_drifted`); a
    name that merely repeats (`Config` in two places) is listed, not written."""
    index = Index(modules)
    counts = Counter(q for module in modules.values() for q in module.imported)
    groups = duplicate_groups(index)
    for group in groups:
        choose_canonical(group, counts)
    builders = find_builders(index, groups)
    reexports = index.reexports()
    group_of = {d: number for number, g in enumerate(groups) for d in g.definitions}
    for path, target in reexports.items():
        number = group_of.get(index.definition(target))
        if number is not None:
            groups[number].reexports.add(path)
    kept = [n for n, g in enumerate(groups) if _drifted(index, n, g, builders)]
    kept.sort(key=lambda n: groups[n].canonical)
    renumber = {old: new for new, old in enumerate(kept)}
    builders = {
        q: Builder(q, b.kind, b.how, renumber[b.group]) for q, b in builders.items() if b.group in renumber
    }
    written = [groups[n] for n in kept]
    for group in written:
        group.reexports -= set(group.homes)
        group.required_arguments = required_arguments(group, index)
    banned = dict(builders)
    for path, target in reexports.items():
        reached = index.follow(target, stop=builders.__contains__)
        if reached in builders and path not in banned:
            banned[path] = builders[reached]
    root = package.split(".")[0]
    unwritten = sorted({groups[n].name for n in range(len(groups)) if n not in renumber})
    return Proposal(
        package, root, written, builders, dict(sorted(banned.items())),
        deprecated_modules(index, written, banned, reexports, root),
        module_instances(index, written), unwritten,
    )


def _drifted(index: Index, number: int, group: Group, builders: dict[str, Builder]) -> bool:
    """Evidence that a repeated class name is drift, not coincidence: an alias; a singleton getter;
    a factory outside the class's own modules (not an alternate constructor like `from_dict`);
    a re-export by a shim module or by a package the class does not live in."""
    homes = {d.rpartition(".")[0] for d in group.definitions}
    for builder in builders.values():
        if builder.group != number:
            continue
        where = builder.qualname.rpartition(".")[0]
        owner_module = where if where in index.modules else where.rpartition(".")[0]  # a method
        if builder.kind == "singleton" or owner_module not in homes:
            return True
    for path in group.reexports - set(group.homes):
        module = index.modules[path.rpartition(".")[0]]
        outside = not any(home.startswith(module.name + ".") for home in homes)
        if not module.is_package or outside:
            return True
    return bool(group.aliases)


def module_instances(index: Index, groups: list[Group]) -> list[str]:
    members = {d for g in groups for d in g.definitions}
    return sorted(
        f"{module.path}:{line}"
        for module in index.modules.values()
        for line, callee in module.instances
        if index.definition(index.dotted(module, callee)) in members
    )


# -- shims and deprecated modules ------------------------------------------------------------------


def deprecated_modules(index: Index, groups: list[Group], banned: dict[str, Builder],
                       reexports: dict[str, str], root: str) -> dict[str, tuple[str, str]]:
    """module -> (replacement, why): shims that re-export a registered class or a banned call,
    packages made only of import-only modules (one of them such a shim), and modules whose
    docstring starts with "deprecated"."""
    canonical_of = {d: g.canonical for g in groups for d in (*g.definitions, *g.aliases)}
    canonical_of.update({path: groups[b.group].canonical for path, b in banned.items()})
    confirmed = {path.rpartition(".")[0] for path, target in reexports.items()
                 if index.definition(target) in canonical_of or path in banned}
    shims = {m.name for m in index.modules.values()
             if m.import_only and not m.is_package and _imports_from(m, root)}
    found = {}
    for module in index.modules.values():
        if module.name in shims and module.name in confirmed:
            found[module.name] = (_replacement(index, module, canonical_of), "import-only shim")
        elif module.documented_deprecated and not module.is_package:
            found[module.name] = (_replacement(index, module, canonical_of), "documented as deprecated")
    for package in sorted((m for m in index.modules.values() if m.is_package), key=lambda m: m.name):
        children = [m for m in index.modules.values() if m.name.startswith(package.name + ".")]
        if (children and package.import_only and all(c.name in shims for c in children)
                and any(c.name in found for c in children)):
            replacements = [_replacement(index, c, canonical_of) for c in children]
            for child in children:
                found.pop(child.name, None)
            found[package.name] = (_common_package(replacements), "package of shims")
    return dict(sorted(found.items()))


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
    for targets in (registered, other):
        if targets:
            return min(targets, key=lambda m: (-targets[m], m))
    return ""


def _common_package(modules: list[str]) -> str:
    split = [m.split(".") for m in modules if m]
    common = []
    for parts in zip(*split, strict=False):  # stops at the shortest
        if len(set(parts)) != 1:
            break
        common.append(parts[0])
    return ".".join(common) if len(common) > 1 else ""
