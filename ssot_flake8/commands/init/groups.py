"""Duplicate implementations: classes defined more than once, joined through aliases, and the
canonical home of each."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ssot_flake8.commands.init.names import Index
from ssot_flake8.commands.init.summary import CONTEXT_ARGUMENT, LEGACY_WORDS, NOT_REGISTERED

# -- duplicate implementations ---------------------------------------------------------------------


def is_candidate(name: str) -> bool:
    """Classes that can be registered symbols. Exceptions, private and test classes repeat by
    design; `...Factory` classes are banned as factories instead."""
    return NOT_REGISTERED.search(name) is None


@dataclass
class Group:
    """One class with several implementations, its aliases and re-exports."""

    definitions: list[str]  # module.Class of every implementation
    aliases: list[str]  # module.Name of every `Name = <member>` alias
    canonical: str = ""
    imports: dict[str, int] = field(default_factory=dict)  # home -> static imports of it
    reexports: set[str] = field(default_factory=set)
    required_arguments: tuple[str, ...] = ()

    @property
    def homes(self) -> list[str]:
        return sorted({*self.definitions, *self.aliases})

    @property
    def old_names(self) -> list[str]:
        return sorted({*self.homes, *self.reexports} - {self.canonical})

    @property
    def name(self) -> str:
        return self.canonical.rpartition(".")[2]


def duplicate_groups(index: Index) -> list[Group]:
    """Classes defined more than once, joined by name and by `X = Y` aliases (union-find)."""
    parent: dict[str, str] = {}

    def find(name: str) -> str:
        while parent.setdefault(name, name) != name:
            name = parent[name]
        return name

    definitions: dict[str, list[str]] = {}
    for module in index.modules.values():
        for name in filter(is_candidate, module.classes):
            definitions.setdefault(name, []).append(f"{module.name}.{name}")
    aliases: dict[str, list[str]] = {}
    for module in index.modules.values():
        for name in module.aliases:
            target = index.definition(f"{module.name}.{name}")
            target_name = target.rpartition(".")[2] if target else ""
            if target_name in definitions and is_candidate(name):
                parent[find(name)] = find(target_name)
                aliases.setdefault(name, []).append(f"{module.name}.{name}")
    members: dict[str, Group] = {}
    for name in sorted({*definitions, *aliases}):
        group = members.setdefault(find(name), Group([], []))
        group.definitions += definitions.get(name, [])
        group.aliases += aliases.get(name, [])
    return [group for group in members.values() if len(group.definitions) > 1]


def choose_canonical(group: Group, import_counts: Counter) -> None:
    """A home in the module named after the class, then fewer legacy words, then the most static
    imports, then the shortest module path."""
    group.imports = {home: import_counts[home] for home in group.homes}

    def rank(qualname: str):
        module, _, name = qualname.rpartition(".")
        named_after = module.rpartition(".")[2].replace("_", "") == name.lower()
        legacy = sum(word in qualname.lower() for word in LEGACY_WORDS)
        return (not named_after, legacy, -group.imports[qualname], module.count("."), qualname)

    group.canonical = min(group.homes, key=rank)


def required_arguments(group: Group, index: Index) -> tuple[str, ...]:
    definition = index.definition(group.canonical)
    module, name = index.split(definition) if definition else (None, "")
    arguments = module.classes[name] if module else ()
    return tuple(a for a in arguments if CONTEXT_ARGUMENT.match(a))


