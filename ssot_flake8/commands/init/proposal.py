"""The starter policy `ssot init` proposes from the scan (README: "`ssot init`").

The symbols of the target package whose drift is evident are ranked by their evidence (import
paths in use, duplicate classes, aliases, getters and factories, shims) and capped; every entry
written carries a one-line comment with its evidence, so a reviewer can accept or delete it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ssot_flake8.commands.init.builders import Builder, find_builders
from ssot_flake8.commands.init.groups import Group, choose_canonical, required_arguments, symbol_groups
from ssot_flake8.commands.init.names import Index
from ssot_flake8.commands.init.shims import deprecated_modules
from ssot_flake8.commands.init.summary import Module, is_test

DEFAULT_MAX = 10
MIN_SCORE = 3  # a single re-export or import path is not enough to register a symbol


def _count(number: int, one: str, many: str = "") -> str:
    return f"{number} {one if number == 1 else many or one + 's'}"


@dataclass
class Evidence:
    """Why a symbol is proposed: counted across the whole scanned package, tests included."""

    paths: dict[str, set[str]] = field(default_factory=dict)  # import path in use -> importing modules
    builders: list[str] = field(default_factory=list)
    shims: set[str] = field(default_factory=set)  # import-only modules re-exporting it

    def score(self, group: Group) -> int:
        other_paths = [p for p in self.paths if p != group.canonical]
        extra = max(len(group.members) - 1, 0)
        builders, shims = len(self.builders), len(self.shims)
        return len(other_paths) + 2 * extra + 2 * len(group.aliases) + 3 * builders + 3 * shims

    def summary(self, group: Group) -> str:
        files = set().union(*self.paths.values()) if self.paths else set()
        parts = [f"{_count(len(self.paths), 'import path')} used by {_count(len(files), 'module')}"]
        if len(group.members) > 1:
            parts.append(f"{len(group.members)} implementations")
        if group.aliases:
            parts.append(_count(len(group.aliases), "alias", "aliases"))
        if self.builders:
            parts.append(f"{len(self.builders)} getters/factories")
        if self.shims:
            parts.append(_count(len(self.shims), "shim"))
        return "; ".join(parts)


@dataclass
class Proposal:
    package: str
    root_package: str
    groups: list[Group]
    builders: dict[str, Builder]  # definitions of getters and factories
    banned: dict[str, Builder]  # every banned path (definitions and re-exports) -> its builder
    deprecated: dict[str, tuple[str, str]]  # module -> (replacement or "", why)
    instances: list[str]  # module-level instances (`path:line`), reported only
    unwritten: list[str]  # class names left out: no evidence of drift, or beyond --max
    evidence: list[Evidence] = field(default_factory=list)  # one per group
    uses: dict[str, set[str]] = field(default_factory=dict)  # qualname or module -> importing modules
    scores: list[int] = field(default_factory=list)
    boundaries: list = field(default_factory=list)  # layering.BoundaryContract, set by the command

    @property
    def contract_id(self) -> str:
        return f"{self.package.replace('.', '-')}-ssot"

    def fields(self) -> dict[str, list[str]]:
        return {name: [value for value, _ in entries] for name, entries in self.entries().items()}

    def entries(self) -> dict[str, list[tuple[str, str]]]:
        """Every field's entries, each with the one-line comment that gives its evidence."""
        def instead(group: Group) -> str:
            return f"construct {group.name}({', '.join(f'{a}=...' for a in group.required_arguments)})"

        def used(qualname: str) -> str:
            users = self.uses.get(qualname, set())
            tests = sum(1 for user in users if is_test(user))
            return f"imported by {_count(len(users), 'module')} ({tests} tests)" if users else "not imported"

        old_names = []
        for group in self.groups:
            for old in group.old_names:
                if old in group.reexports and not self.uses.get(old):
                    continue  # the index follows re-exports; one nobody imports is no evidence
                kind = ("class" if old in group.definitions else "alias" if old in group.aliases
                        else "re-export")
                old_names.append((f"{old} -> {group.canonical}", f"{kind}; {used(old)}"))
        deprecated = [
            (f"{module} -> {replacement}" if replacement else module, f"{why}; {used(module)}")
            for module, (replacement, why) in self.deprecated.items()
        ]
        banned = []
        for path, builder in self.banned.items():
            how = builder.how if path == builder.qualname else f"re-export of {builder.qualname}"
            group = self.groups[builder.group]
            banned.append((f"{path}: {builder.kind}; {instead(group)}",
                           f"{how}, returns {group.name}; {used(path)}"))
        return {
            "canonical": [
                (g.canonical, f"rank {n + 1}, score {self.scores[n]}: {self.evidence[n].summary(g)}")
                for n, g in enumerate(self.groups)
            ],
            "old_names": sorted(old_names),
            "deprecated_modules": deprecated,
            "banned_calls": banned,
            "required_arguments": [
                (f"{g.canonical}: {', '.join(g.required_arguments)}",
                 f"parameters of {(g.implementations or g.definitions or [g.canonical])[0]}.__init__")
                for g in self.groups if g.required_arguments
            ],
        }


def within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def propose(package: str, modules: dict[str, Module], max_symbols: int = DEFAULT_MAX,
            root: str | None = None) -> Proposal:
    """The starter policy for `package` (scanned with the rest of its root package, whose uses
    are evidence). Only symbols with evidence of drift are written (see `_drifted`), the
    `max_symbols` with the most evidence; a name that merely repeats is listed, not written."""
    index = Index(modules)
    uses: dict[str, set[str]] = {}
    for module in modules.values():
        for qualname in module.imported:
            uses.setdefault(qualname, set()).add(module.name)
            uses.setdefault(qualname.rpartition(".")[0], set()).add(module.name)
    counts = Counter({q: len(users) for q, users in uses.items()})
    groups = [g for g in symbol_groups(index, package)
              if any(within(m, package) for m in (*g.members, *g.homes))]
    for group in groups:
        choose_canonical(group, counts)
    groups = [g for g in groups if within(g.canonical, package)]  # the symbols of the target
    builders = find_builders(index, groups)
    reexports = index.reexports()
    group_of = {d: number for number, g in enumerate(groups) for d in g.members}
    evidence = [Evidence() for _ in groups]
    for path, target in reexports.items():
        number = group_of.get(index.definition(target))
        if number is not None and not modules[path.rpartition(".")[0]].is_test:
            groups[number].reexports.add(path)
            if modules[path.rpartition(".")[0]].import_only:
                evidence[number].shims.add(path.rpartition(".")[0])
    for qualname, users in uses.items():
        number = group_of.get(index.definition(qualname))
        if number is not None:
            evidence[number].paths[qualname] = users
    for builder in builders.values():
        evidence[builder.group].builders.append(builder.qualname)
    drifted = [n for n, g in enumerate(groups)
               if _drifted(index, n, g, builders) and evidence[n].score(g) >= MIN_SCORE]
    drifted.sort(key=lambda n: (-evidence[n].score(groups[n]), groups[n].canonical))
    kept = drifted[:max_symbols]
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
        if reached in builders and path not in banned and not modules[path.rpartition(".")[0]].is_test:
            banned[path] = builders[reached]
    root = root or package.split(".")[0]
    duplicated = {n for n, g in enumerate(groups) if len(g.members) > 1}
    unwritten = sorted({groups[n].name for n in (duplicated | set(drifted)) - set(kept)})
    return Proposal(
        package, root, written, builders, dict(sorted(banned.items())),
        deprecated_modules(index, written, banned, reexports, root, package),
        module_instances(index, written), unwritten,
        [evidence[n] for n in kept], uses, [evidence[n].score(groups[n]) for n in kept],
    )


def _drifted(index: Index, number: int, group: Group, builders: dict[str, Builder]) -> bool:
    """Evidence that a class drifted: an alias; a singleton getter; a factory outside the class's
    own modules (not an alternate constructor like `from_dict`); a re-export by a shim module or
    by a package the class does not live in."""
    homes = {d.rpartition(".")[0] for d in group.members}
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
    members = {d for g in groups for d in g.members}
    return sorted(
        f"{module.path}:{line}"
        for module in index.modules.values()
        if not module.is_test
        for line, callee in module.instances
        if index.definition(index.dotted(module, callee)) in members
    )
